"""The authorization matrix: every endpoint x every role x own/other party, asserting exactly
which calls succeed (on a scenario where UP's and LO's preferences are confidential)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.service.conftest import Client, Team, app_for

SID = "teaching-river"
S = f"/api/scenarios/{SID}"
USERS = ("admin", "owner", "mediator", "observer", "up", "lo", "outsider", None)
MEMBERS = frozenset({"admin", "owner", "mediator", "observer", "up", "lo"})
FULL = frozenset({"admin", "owner", "mediator"})
OWNERS = frozenset({"admin", "owner"})


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    ok: int = 200
    body: Callable[[Client], Any] | None = None  # made fresh, as admin, before each call
    etag_of: str | None = None  # read this path (as admin) and send its ETag as If-Match
    denied: int = 403  # what a member without the right gets
    setup: Callable[[Client, str], None] | None = None
    overrides: tuple[tuple[str, int], ...] = ()  # a status that follows from the view, not a role


def edited(path: str, **changes: Any) -> Callable[[Client], Any]:
    def make(admin: Client) -> Any:
        return {**admin.get(path).json(), **changes}

    return make


def new_event(admin: Client, tag: str) -> None:
    r = admin.request(
        "POST",
        f"{S}/events",
        json={"id": f"tmp-{tag}", "date": "2024-05-01", "kind": "talks", "title": "Meeting"},
    )
    assert r.status_code == 201, r.text


READS = [
    Case("scenario", "GET", S, MEMBERS),
    Case("meta", "GET", f"{S}/meta", MEMBERS),
    *[
        Case(f"list {c}", "GET", f"{S}/{c}", MEMBERS)
        for c in ("parties", "issues", "sources", "facts", "drafts", "events", "shocks")
    ],
    Case("party", "GET", f"{S}/parties/UP", MEMBERS),
    Case("issue", "GET", f"{S}/issues/fund", MEMBERS),
    Case("draft", "GET", f"{S}/drafts/commission-1", MEMBERS),
    Case("points", "GET", f"{S}/drafts/commission-1/points", MEMBERS),
    Case("point", "GET", f"{S}/drafts/commission-1/points/1", MEMBERS),
    Case("preferences", "GET", f"{S}/preferences", MEMBERS),
    Case(
        "own confidential preference",
        "GET",
        f"{S}/preferences/UP/water_share",
        FULL | {"up"},
        denied=404,
    ),
    Case(
        "other's confidential preference",
        "GET",
        f"{S}/preferences/LO/water_share",
        FULL | {"lo"},
        denied=404,
    ),
    Case("public preference", "GET", f"{S}/preferences/DE/water_share", MEMBERS),
    Case("members", "GET", f"{S}/members", FULL),
    Case("audit", "GET", f"{S}/audit", FULL),
    Case("evaluate", "GET", f"{S}/evaluate", MEMBERS),
    Case("diff", "GET", f"{S}/diff?a=commission-1&b=commission-2", MEMBERS),
    Case("frontier", "GET", f"{S}/frontier?cap=5", MEMBERS),
    Case("bargain", "GET", f"{S}/bargain?solution=nash", MEMBERS),
    Case("relax", "GET", f"{S}/relax?max_size=1", MEMBERS),
    Case("bridge", "GET", f"{S}/bridge?draft=commission-1", MEMBERS),
    Case("forecast", "GET", f"{S}/forecast?runs=3", MEMBERS),
    Case("simulate", "GET", f"{S}/simulate?deadline=3", MEMBERS),
    # an observer sees one party's preferences only (DE's): too few to bargain
    Case(
        "alternating",
        "GET",
        f"{S}/simulate?protocol=alternating&deadline=3",
        MEMBERS,
        overrides=(("observer", 400),),
    ),
]

WRITES = [
    Case(
        "meta",
        "PUT",
        f"{S}/meta",
        OWNERS,
        body=edited(f"{S}/meta", title="Renamed"),
        etag_of=f"{S}/meta",
    ),
    Case(
        "party",
        "PUT",
        f"{S}/parties/DE",
        OWNERS,
        body=edited(f"{S}/parties/DE", name="Delta, renamed"),
        etag_of=f"{S}/parties/DE",
    ),
    Case(
        "issue",
        "PUT",
        f"{S}/issues/fund",
        OWNERS,
        body=edited(f"{S}/issues/fund", name="Fund, renamed"),
        etag_of=f"{S}/issues/fund",
    ),
    Case(
        "new source",
        "POST",
        f"{S}/sources",
        FULL,
        ok=201,
        body=lambda admin: {
            "id": f"src-{len(admin.get(f'{S}/sources').json())}",
            "title": "A note",
        },
    ),
    Case(
        "event",
        "PUT",
        f"{S}/events/tmp-put",
        FULL,
        body=edited(f"{S}/events/tmp-put", title="Meeting, renamed"),
        etag_of=f"{S}/events/tmp-put",
        setup=lambda admin, who: None,
    ),
    Case(
        "delete event",
        "DELETE",
        f"{S}/events/tmp-{{who}}",
        FULL,
        ok=204,
        etag_of=f"{S}/events/tmp-{{who}}",
        setup=lambda admin, who: new_event(admin, who),
    ),
    Case(
        "point",
        "PUT",
        f"{S}/drafts/commission-1/points/1",
        FULL,
        body=edited(f"{S}/drafts/commission-1/points/1", text="Edited text"),
        etag_of=f"{S}/drafts/commission-1/points/1",
    ),
    Case(
        "own preference",
        "PUT",
        f"{S}/preferences/UP/fund",
        OWNERS | {"up"},
        body=edited(f"{S}/preferences/UP/fund", note="revised"),
        etag_of=f"{S}/preferences/UP/fund",
    ),
    Case(
        "other's preference",
        "PUT",
        f"{S}/preferences/LO/fund",
        OWNERS | {"lo"},
        body=edited(f"{S}/preferences/LO/fund", note="revised"),
        etag_of=f"{S}/preferences/LO/fund",
    ),
    Case(
        "public preference",
        "PUT",
        f"{S}/preferences/DE/fund",
        OWNERS,
        body=edited(f"{S}/preferences/DE/fund", note="revised"),
        etag_of=f"{S}/preferences/DE/fund",
    ),
    Case(
        "member",
        "PUT",
        f"{S}/members/observer",
        OWNERS,
        ok=204,
        body=lambda admin: {"role": "observer"},
    ),
    Case(
        "job",
        "POST",
        f"{S}/jobs",
        MEMBERS,
        ok=202,
        body=lambda admin: {"kind": "ensemble", "params": {"runs": 5}},
    ),
]


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, Client]:
    from accord.service import db
    from tests.service.conftest import make_team, river_document

    folder = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{folder / 'accord.db'}"
    db.upgrade(url)
    team: Team = make_team(url, river_document(), {"up": "UP", "lo": "LO"})
    app = app_for(team)
    out = {name: Client(app, name) for name in USERS}
    new_event(out["admin"], "put")
    return out


def expected(case: Case, who: str | None) -> int:
    if who is None:
        return 401
    if who == "outsider":
        return 403
    if who in dict(case.overrides):
        return dict(case.overrides)[who]
    return case.ok if who in case.allowed else case.denied


@pytest.mark.parametrize("case", READS, ids=[c.name for c in READS])
def test_reads(case: Case, clients: dict[str | None, Client]) -> None:
    got = {who: clients[who].request(case.method, case.path).status_code for who in USERS}
    assert got == {who: expected(case, who) for who in USERS}


@pytest.mark.parametrize("case", WRITES, ids=[c.name for c in WRITES])
def test_writes(case: Case, clients: dict[str | None, Client]) -> None:
    admin = clients["admin"]
    got = {}
    for who in USERS:
        tag = who or "anonymous"
        if case.setup is not None:
            case.setup(admin, tag)
        path = case.path.replace("{who}", tag)
        headers = {}
        if case.etag_of is not None:
            current = admin.get(case.etag_of.replace("{who}", tag))
            assert current.status_code == 200, current.text
            headers["If-Match"] = current.headers["ETag"]
        body = case.body(admin) if case.body is not None else None
        r = clients[who].request(case.method, path, json=body, headers=headers)
        got[who] = r.status_code
    assert got == {who: expected(case, who) for who in USERS}


def test_csrf_is_required_for_cookie_sessions(clients: dict[str | None, Client]) -> None:
    owner = clients["owner"]
    r = owner.http.post(f"{S}/jobs", json={"kind": "ensemble", "params": {"runs": 2}})
    assert r.status_code == 403
    assert r.json()["error"].startswith("missing or wrong CSRF token")


def test_tokens_are_personal_and_revocable(clients: dict[str | None, Client]) -> None:
    up = clients["up"]
    made = up.request("POST", "/api/tokens", json={"name": "script"})
    assert made.status_code == 201
    token = made.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    fresh = Client(up.http.app, None)
    assert fresh.get(f"{S}/preferences/UP/fund", headers=bearer).status_code == 200
    assert fresh.get(f"{S}/preferences/LO/fund", headers=bearer).status_code == 404
    # a bearer token needs no CSRF token, and cannot be revoked by someone else
    other = clients["lo"].request("DELETE", f"/api/tokens/{made.json()['id']}")
    assert other.status_code == 404
    assert up.request("DELETE", f"/api/tokens/{made.json()['id']}").status_code == 204
    assert fresh.get(f"{S}/preferences/UP/fund", headers=bearer).status_code == 401
