"""Browser-facing security: the CSRF origin check, session rotation, revocation on a new
password, sign-in limits, security headers and HTML errors for browsers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accord.service import auth
from accord.service.auth import SignInLimiter, hash_password, same_origin
from tests.service.conftest import PASSWORD, Client, Team, app_for


def _signed_in(app: object, name: str) -> tuple[TestClient, str]:
    http = TestClient(app)  # type: ignore[arg-type]
    r = http.post("/api/login", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return http, r.json()["csrf"]


def test_cookie_changes_need_this_sites_origin(river: Team) -> None:
    app = app_for(river)
    http, csrf = _signed_in(app, "owner")
    body = {"name": "t"}
    for headers, ok in [
        ({"Origin": "http://testserver"}, True),
        ({"Referer": "http://testserver/scenarios"}, True),
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Referer": "http://testserver.evil.example/"}, False),
        ({}, False),
    ]:
        r = http.post("/api/tokens", json=body, headers={"X-CSRF-Token": csrf, **headers})
        assert (r.status_code == 201) is ok, (headers, r.status_code, r.text)
        if not ok:
            assert r.status_code == 403 and "cross-site" in r.json()["error"]
    # reads need no origin; bearer calls are exempt (no browser sends them on its own)
    assert http.get("/api/me").status_code == 200
    token = http.post(
        "/api/tokens", json=body, headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"}
    ).json()["token"]
    bare = TestClient(app)
    r = bare.post("/api/tokens", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201


def test_same_origin_reference() -> None:
    cookie = {auth.COOKIE: "x"}
    host = {"host": "a.example:8000"}
    assert same_origin("GET", host, cookie)
    assert same_origin("POST", host, {})  # no cookie: nothing a browser could forge
    assert same_origin("POST", {**host, "origin": "https://a.example:8000"}, cookie)
    assert not same_origin("POST", {**host, "origin": "https://a.example"}, cookie)
    assert not same_origin("DELETE", {**host, "referer": "javascript:alert(1)"}, cookie)
    assert same_origin("PUT", {**host, "authorization": "Bearer acc_x"}, cookie)


def test_sign_in_rotates_the_session(river: Team) -> None:
    app = app_for(river)
    http, _ = _signed_in(app, "owner")
    first = http.cookies.get(auth.COOKIE)
    assert first and river.store.session(auth.digest(first)) is not None
    again = {"name": "owner", "password": PASSWORD}
    r = http.post("/api/login", json=again, headers={"Origin": "http://testserver"})
    second = http.cookies.get(auth.COOKIE)
    assert r.status_code == 200 and second and second != first
    assert river.store.session(auth.digest(first)) is None
    assert river.store.session(auth.digest(second)) is not None
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_new_password_ends_sessions_and_revokes_tokens(river: Team) -> None:
    app = app_for(river)
    client = Client(app, "owner")
    token = client.request("POST", "/api/tokens", json={"name": "t"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 200
    river.store.set_password("owner", hash_password("another password"))
    assert client.get("/api/me").status_code == 401
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 401
    assert all(t["revoked"] for t in river.store.tokens(river.users["owner"].id))
    # others keep theirs
    assert Client(app, "mediator").get("/api/me").status_code == 200


def test_failed_sign_ins_are_limited(river: Team) -> None:
    app = app_for(river)
    app.state.service.limiter = SignInLimiter(limit=3, window=60)
    http = TestClient(app)
    codes = [
        http.post("/api/login", json={"name": "owner", "password": "wrong!!!"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # the right password is refused too while blocked, and the pages say so
    r = http.post("/api/login", json={"name": "owner", "password": PASSWORD})
    assert r.status_code == 429
    page = http.post("/login", data={"name": "owner", "password": PASSWORD, "next": "/"})
    assert page.status_code == 429 and "too many" in page.text


def test_limiter_window() -> None:
    limiter = SignInLimiter(limit=2, window=0.0)
    limiter.failed("a", "1.2.3.4")
    limiter.failed("a", "1.2.3.4")
    assert not limiter.blocked("a", "1.2.3.4")  # a zero window forgets at once
    limiter = SignInLimiter(limit=2, window=60)
    limiter.failed("a", "ip")
    limiter.failed("b", "ip")
    assert limiter.blocked("c", "ip")  # two names from one address
    assert not limiter.blocked("c", "other")
    limiter.succeeded("a")
    assert not limiter.blocked("a", "other")


def test_security_headers_and_html_errors(river: Team) -> None:
    http = TestClient(app_for(river))
    for path in ("/login", "/api/me", "/healthz"):
        r = http.get(path)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    page = http.get("/no/such/page", headers={"Accept": "text/html,*/*"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>404</h1>" in page.text
    api = http.get("/api/no/such", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]
    assert http.get("/no/such/page").json()["error"]
