"""User administration on the command line and the audit log's words: the actor is the one who
acted (``cli:<user>`` or ``--actor``), changes read field by field, ``user add`` with a bad role
leaves nothing behind, ``user list/remove/reset-password``; unknown routes answer a browser with
a page."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accord.cli import app
from accord.service import db
from accord.service.app import create_app
from accord.service.auth import digest
from accord.service.changes import describe
from accord.service.settings import Settings
from accord.service.store import Store
from tests.service.conftest import PASSWORD, Client, Team, app_for

runner = CliRunner()


def run(*args: str, env: dict[str, str], stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.output


def _setup(tmp_path: Path) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    env = {"ACCORD_DB": url, "ACCORD_PASSWORD": PASSWORD, "USER": "alice"}
    assert run("db", "upgrade", env=env)[0] == 0
    assert run("user", "add", "admin", "--admin", env=env)[0] == 0
    assert run("db", "import", "teaching-river", "--owner", "admin", env=env)[0] == 0
    return url, env


def test_user_add_validates_before_it_creates_anything(tmp_path: Path) -> None:
    url, env = _setup(tmp_path)
    store = Store(db.make_engine(url))
    for args, says in [
        (["--role", "delegate", "--party", "UP", "--scenario", "nope"], "no scenario 'nope'"),
        (["--role", "delegate", "--party", "XX", "--scenario", "teaching-river"], "no party"),
        (["--role", "chief", "--scenario", "teaching-river"], "unknown role 'chief'"),
        (["--role", "delegate", "--scenario", "teaching-river"], "bound to one party"),
        (["--role", "mediator"], "--role and --scenario go together"),
        (["--party", "UP"], "--party needs --role"),
    ]:
        code, _, out = run("user", "add", "kyiv", *args, env=env)
        assert code == 2 and says in " ".join(out.split()), (args, out)
        assert store.user_by_name("kyiv") is None, args
    code, _, out = run(
        "user", "add", "kyiv", "--role", "delegate", "--party", "UP",
        "--scenario", "teaching-river", env=env,
    )  # fmt: skip
    assert code == 0 and "kyiv is delegate of UP in teaching-river" in out


def test_audit_names_the_actor_and_reads_field_by_field(tmp_path: Path) -> None:
    url, env = _setup(tmp_path)
    run("user", "add", "kyiv", env=env)
    assert run("user", "grant", "kyiv", "--role", "observer", "--scenario", "teaching-river",
               env=env)[0] == 0  # fmt: skip
    assert run("user", "grant", "kyiv", "--role", "delegate", "--party", "UP",
               "--scenario", "teaching-river", "--actor", "ops-team", env=env)[0] == 0  # fmt: skip
    store = Store(db.make_engine(url))
    entries = store.audit("teaching-river")
    assert [(e["user"], e["action"], e["target"]) for e in entries] == [
        ("cli:alice", "create", "scenario"),
        ("cli:alice", "member", "members/kyiv"),
        ("ops-team", "member", "members/kyiv"),
    ]
    assert entries[1]["changes"] == ["kyiv joins as observer"]
    assert entries[2]["changes"] == ["kyiv: observer -> delegate of UP"]
    # a change made through the API is credited to the signed-in user, in words
    admin = store.user_by_name("admin")
    assert admin is not None
    client = Client(create_app(Settings(db=url, job_workers=1), store=store), "admin")
    r = client.get("/api/scenarios/teaching-river/drafts/commission-1/points/1")
    body = {**r.json(), "text": "New wording"}
    r = client.request(
        "PUT", "/api/scenarios/teaching-river/drafts/commission-1/points/1",
        json=body, headers={"If-Match": r.headers["etag"]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    last = client.get("/api/scenarios/teaching-river/audit").json()[-1]
    assert last["user"] == "admin" and last["target"] == "drafts/commission-1/points/1"
    assert len(last["changes"]) == 1 and last["changes"][0].endswith("-> 'New wording'")
    assert last["changes"][0].startswith("text: '")
    page = client.get("/s/teaching-river/audit").text
    assert "kyiv: observer -&gt; delegate of UP" in page and "ops-team" in page
    assert "&#34;role&#34;" not in page and '{"role"' not in page  # no raw dicts


def test_describe_covers_every_kind_of_change() -> None:
    assert describe("create", "scenario", None, {"id": "x"}) == [
        "the whole scenario, as first stored"
    ]
    assert describe("create", "events/e1", None, {"id": "e1", "title": "T"}) == [
        "created with 2 field(s)",
        "+ id: 'e1'",
        "+ title: 'T'",
    ]
    assert describe("delete", "events/e1", {"id": "e1"}, None) == ["deleted", "- id: 'e1'"]
    before = {"sets": {"a": "x"}, "sources": ["s1"], "text": "t"}
    after = {"sets": {"a": "y", "b": "z"}, "sources": ["s1", "s2"], "text": "t"}
    assert describe("update", "drafts/d/points/1", before, after) == [
        "sets.a: 'x' -> 'y'",
        "+ sets.b: 'z'",
        "+ sources[1]: 's2'",
    ]
    reds = {"red_lines": [{"option": "o1", "source": "s"}], "salience": 0.5}
    assert describe("update", "preferences/UA/i", reds, {**reds, "salience": 0.75}) == [
        "salience: 0.5 -> 0.75"
    ]
    assert describe("update", "meta", {"title": "a" * 300}, {"title": "b"})[0].endswith("a… -> 'b'")
    assert describe("member", "members/kyiv", {"role": "observer", "party": None}, None) == [
        "kyiv leaves (was observer)"
    ]


def test_user_list_remove_and_reset_password(tmp_path: Path) -> None:
    url, env = _setup(tmp_path)
    run("user", "add", "kyiv", "--role", "delegate", "--party", "UP",
        "--scenario", "teaching-river", env=env)  # fmt: skip
    code, out = run("user", "token", "kyiv", env=env)[:2]
    token = out.strip()
    code, out, _ = run("user", "list", "--json", env=env)
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["admin"]["admin"] and not rows["kyiv"]["admin"]
    assert rows["kyiv"]["tokens"] == 1
    assert rows["kyiv"]["scenarios"] == [
        {"scenario": "teaching-river", "role": "delegate", "party": "UP"}
    ]
    code, _, out = run("user", "list", env=env)
    assert code == 0 and "delegate of UP in teaching-river" in out

    store = Store(db.make_engine(url))
    code, out, text = run("user", "reset-password", "kyiv", "--generate", env=env)
    assert code == 0 and "API tokens revoked" in text
    new = out.strip()
    assert len(new) >= 16 and store.token_user(digest(token)) is None
    from accord.service.auth import verify_password

    found = store.user_by_name("kyiv")
    assert found is not None and verify_password(found[1], new)
    code, _, out = run("user", "reset-password", "kyiv", env={**env, "ACCORD_PASSWORD": "short"})
    assert code == 2 and "at least 8 characters" in out
    assert run("user", "reset-password", "nobody", env=env)[0] == 2

    code, _, out = run("user", "remove", "kyiv", "--actor", "ops", env=env)
    assert code == 0 and "removed user kyiv (and their roles in teaching-river)" in out
    assert store.user_by_name("kyiv") is None
    last = store.audit("teaching-river")[-1]
    assert last["user"] == "ops" and last["changes"] == ["kyiv leaves (was delegate of UP)"]
    code, _, out = run("user", "remove", "kyiv", env=env)
    assert code == 2 and "no user named 'kyiv'" in out


def test_unknown_routes_answer_a_browser_with_a_page(river: Team) -> None:
    client = Client(app_for(river), "mediator")
    for path in ("/no/such/page", "/s/teaching-river/nope", "/static/nope.js"):
        r = client.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html"), path
        assert "<h1>404</h1>" in r.text, path
    r = client.get("/api/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.json()["error"]  # the API answers JSON
    anonymous = Client(app_for(river), None)
    r = anonymous.get("/no/such/page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "<h1>404</h1>" in r.text
