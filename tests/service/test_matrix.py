"""The authorization matrix, generated from the application itself: every route of the OpenAPI
document (and every page route, which the document leaves out) x every role (site
administrator, owner, mediator, each delegate, analyst, signed-in stranger, anonymous).

Each call must answer the status stated for its role in ``EXPECTED``; a route with no stated
expectation fails the test (so a new route is covered from the day it is added). Every answer
(body and headers, error bodies and pages included, and each background job's result once it
is done) is searched for distinctive confidential sentinels planted in UP's and LO's
preferences and BATNAs: a role may receive only the sentinels of the parties it may see.
"""

from __future__ import annotations

import copy
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from accord.service import db
from accord.service.auth import hash_password
from tests.service.conftest import PASSWORD, Client, Team, app_for, make_team, river_document

SID = "teaching-river"
ROLES = ("admin", "owner", "mediator", "up", "lo", "analyst", "stranger", "anonymous")
USER = {"analyst": "observer", "stranger": "outsider", "anonymous": None}
FULL = frozenset({"admin", "owner", "mediator"})
OWNERS = frozenset({"admin", "owner"})
MEMBERS = FULL | {"up", "lo", "analyst"}
SIGNED = MEMBERS | {"stranger"}
# which confidential parties each role may see
SEES = {
    **{r: {"UP", "LO"} for r in FULL},
    "up": {"UP"},
    "lo": {"LO"},
    **{r: set() for r in ("analyst", "stranger", "anonymous")},
}


def secret(party: str, what: str) -> str:
    return f"{party}-SECRET-{what}-x7q"


# distinctive numbers (six decimals, found nowhere else) for every confidential salience
NUMBERS = {
    "UP": {"salience": 0.613579, "batna": 0.413571},
    "LO": {"salience": 0.827163, "batna": 0.291737},
}


def sentinel_document() -> dict[str, Any]:
    """teaching-river (UP's and LO's preferences confidential) with a sentinel in every
    confidential note and number of UP and LO: saliences, red lines, BATNAs."""
    doc = river_document()
    for party in ("UP", "LO"):
        for n, (issue, pref) in enumerate(doc["preferences"][party].items()):
            value = round(NUMBERS[party]["salience"] + n * 0.01, 6)
            pref["salience"] = {"value": value, "assumption": secret(party, f"sal-{issue}")}
            for red in pref.get("red_lines", []):
                red.pop("source", None)
                red["assumption"] = secret(party, f"red-{issue}")
        record = next(p for p in doc["parties"] if p["id"] == party)
        record["batna"] = {
            "value": NUMBERS[party]["batna"],
            "assumption": secret(party, "batna"),
        }
    return doc


def sentinels(party: str, doc: dict[str, Any]) -> list[str]:
    out = [secret(party, "batna"), repr(NUMBERS[party]["batna"])]
    for issue, pref in doc["preferences"][party].items():
        out.append(secret(party, f"sal-{issue}"))
        out.append(repr(pref["salience"]["value"]))
        if pref.get("red_lines"):
            out.append(secret(party, f"red-{issue}"))
    return out


# --- what each call should answer ------------------------------------------------------------


def scoped(allowed: frozenset[str] | set[str], ok: int, denied: int = 403) -> dict[str, int]:
    """A scenario route: ``ok`` for the roles allowed, ``denied`` for the other members, 403 for
    a signed-in stranger, 401 without a sign-in."""
    out = {r: ok if r in allowed else denied for r in MEMBERS}
    return {**out, "stranger": 403, "anonymous": 401}


def signed(ok: int) -> dict[str, int]:
    return {**{r: ok for r in SIGNED}, "anonymous": 401}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def page(allowed: frozenset[str] | set[str] = MEMBERS) -> dict[str, int]:
    """A scenario page: 200 for the roles allowed, 403 for other members and strangers, the
    sign-in page (303) without a sign-in."""
    return {**{r: 200 if r in allowed else 403 for r in SIGNED}, "anonymous": 303}


@dataclass
class Call:
    """What one call sends: path parameters, a JSON body or a form, headers, and a client
    other than the role's own (for sign-in and sign-out, which change the session)."""

    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    client: Client | None = None


Prepare = Callable[["World", str], Call]


@dataclass(frozen=True)
class Variant:
    statuses: dict[str, int]
    prepare: Prepare | None = None
    label: str = ""


class World:
    """The team, one signed-in client per role, and helpers that make fresh records (as the
    site administrator) so that each call changes something of its own."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.app = app_for(team)
        self.clients = {r: Client(self.app, USER.get(r, r)) for r in ROLES}
        self.admin = self.clients["admin"]
        self.counter = itertools.count()
        self.hashed = hash_password(PASSWORD)
        self.created: list[str] = []  # what a call made, removed after it (keeps the space small)

    def clean(self) -> None:
        """Remove what the last call's preparation (or the call) created, newest first."""
        while self.created:
            path = self.created.pop()
            r = self.admin.get(path)
            if r.status_code == 200:
                gone = self.admin.request("DELETE", path, headers={"If-Match": r.headers["etag"]})
                assert gone.status_code == 204, (path, gone.text)

    def client_of(self, role: str) -> Client:
        return Client(self.app, USER.get(role, role))

    def unique(self, stem: str) -> str:
        return f"tmp-{stem}-{next(self.counter)}"

    def etag(self, path: str) -> str:
        r = self.admin.get(path)
        assert r.status_code == 200, (path, r.text)
        return str(r.headers["etag"])

    def fresh(self, kind: str) -> dict[str, Any]:
        """A new record in a collection, copied from the first one with a new id."""
        items = self.admin.get(f"/api/scenarios/{SID}/{kind}").json()
        model = {"parties": "DE", "issues": "fund", "shocks": "delta_subsidy"}.get(kind)
        base = next((i for i in items if i["id"] == model), items[0])
        record = {**copy.deepcopy(base), "id": self.unique(kind)}
        if kind == "drafts":
            record.pop("based_on", None)
        r = self.admin.request("POST", f"/api/scenarios/{SID}/{kind}", json=record)
        assert r.status_code == 201, (kind, r.text)
        self.created.append(f"/api/scenarios/{SID}/{kind}/{record['id']}")
        return dict(r.json())

    def fresh_point(self) -> int:
        number = 100 + next(self.counter)
        body = {"number": number, "text": "A point made for one call"}
        r = self.admin.request(
            "POST", f"/api/scenarios/{SID}/drafts/commission-2/points", json=body
        )
        assert r.status_code == 201, r.text
        self.created.append(f"/api/scenarios/{SID}/drafts/commission-2/points/{number}")
        return number

    def fresh_user(self, member: bool) -> str:
        name = self.unique("user")
        self.team.store.add_user(name, self.hashed)
        if member:
            self.team.store.set_member(SID, self.team.users["admin"], name, "observer", None)
        return name

    def job_of(self, role: str) -> str:
        """A finished background job started by ``role`` (by the administrator for a role that
        cannot start one)."""
        client = self.clients[role if role in MEMBERS else "admin"]
        body = {"kind": "ensemble", "params": {"runs": 20, "seed": 1}}
        r = client.request("POST", f"/api/scenarios/{SID}/jobs", json=body)
        assert r.status_code == 202, r.text
        job = r.json()["id"]
        deadline = time.monotonic() + 60
        while client.get(f"/api/jobs/{job}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, "the job did not finish within 60 s"
            time.sleep(0.05)
        assert client.get(f"/api/jobs/{job}").json()["status"] == "done"
        return str(job)


def _record(kind: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        record = w.fresh(kind)
        return Call({"rid": record["id"]})

    return prepare


def _replace(kind: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        record = w.fresh(kind)
        path = f"/api/scenarios/{SID}/{kind}/{record['id']}"
        return Call({"rid": record["id"]}, json=record, headers={"If-Match": w.etag(path)})

    return prepare


def _delete(kind: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        record = w.fresh(kind)
        path = f"/api/scenarios/{SID}/{kind}/{record['id']}"
        return Call({"rid": record["id"]}, headers={"If-Match": w.etag(path)})

    return prepare


def _create(kind: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        record = w.fresh(kind)
        record["id"] = w.unique(kind)
        w.created.append(f"/api/scenarios/{SID}/{kind}/{record['id']}")
        return Call(json=record)

    return prepare


def _preference(party: str, issue: str, method: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        path = f"/api/scenarios/{SID}/preferences/{party}/{issue}"
        if method == "GET":
            return Call({"party": party, "issue": issue})
        if method == "PUT":
            body = w.admin.get(path).json()
            return Call(
                {"party": party, "issue": issue}, json=body, headers={"If-Match": w.etag(path)}
            )
        # DELETE: a preference of its own on a fresh issue
        fresh = w.fresh("issues")["id"]
        body = {"ideal": "fund_0", "salience": {"value": 0.5, "assumption": "a test"}}
        r = w.admin.request("PUT", f"/api/scenarios/{SID}/preferences/{party}/{fresh}", json=body)
        assert r.status_code == 200, r.text
        target = f"/api/scenarios/{SID}/preferences/{party}/{fresh}"
        w.created.append(target)
        return Call({"party": party, "issue": fresh}, headers={"If-Match": w.etag(target)})

    return prepare


def _point(method: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        number = w.fresh_point()
        path = f"/api/scenarios/{SID}/drafts/commission-2/points/{number}"
        params = {"did": "commission-2", "number": str(number)}
        if method == "POST":
            w.created.append(path.replace(f"/{number}", f"/{number + 1000}"))
            return Call({"did": "commission-2"}, json={"number": number + 1000, "text": "x"})
        if method == "GET":
            return Call(params)
        body = {**w.admin.get(path).json(), "text": "Reworded"} if method == "PUT" else None
        return Call(params, json=body, headers={"If-Match": w.etag(path)})

    return prepare


def _query(**values: str) -> Prepare:
    def prepare(_w: World, _role: str) -> Call:
        return Call({"?" + k: v for k, v in values.items()})

    return prepare


def _login(w: World, role: str) -> Call:
    name = USER.get(role, role)
    return Call(json={"name": name or "admin", "password": PASSWORD if name else "wrong"},
                client=Client(w.app, None))  # fmt: skip


def _logout(w: World, role: str) -> Call:
    return Call(client=w.client_of(role))


def _own_token(w: World, role: str) -> Call:
    client = w.clients[role if role != "anonymous" else "admin"]
    r = client.request("POST", "/api/tokens", json={"name": "matrix"})
    assert r.status_code == 201, r.text
    return Call({"token_id": str(r.json()["id"])})


def _mediators_token(w: World, _role: str) -> Call:
    r = w.clients["mediator"].request("POST", "/api/tokens", json={"name": "matrix"})
    return Call({"token_id": str(r.json()["id"])})


def _new_scenario(w: World, _role: str) -> Call:
    return Call(json={**sentinel_document(), "id": w.unique("scenario")})


def _member(method: str) -> Prepare:
    def prepare(w: World, _role: str) -> Call:
        name = w.fresh_user(member=method == "DELETE")
        body = {"role": "observer"} if method == "PUT" else None
        return Call({"name": name}, json=body)

    return prepare


def _job(own: bool) -> Prepare:
    def prepare(w: World, role: str) -> Call:
        return Call({"job_id": w.job_of(role if own else "mediator")})

    return prepare


def _page_login(w: World, role: str) -> Call:
    name = USER.get(role, role)
    return Call(
        form={"name": name or "admin", "password": PASSWORD if name else "wrong", "next": "/"},
        client=Client(w.app, None),
    )


def _page_logout(w: World, role: str) -> Call:
    client = w.client_of(role)
    return Call(form={"csrf_token": client.csrf}, client=client)


S = "/api/scenarios/{sid}"
READ = scoped(MEMBERS, 200)
COLLECTION_EDITORS = {
    "parties": OWNERS,
    "issues": OWNERS,
    "shocks": OWNERS,
    "sources": FULL,
    "facts": FULL,
    "drafts": FULL,
    "events": FULL,
}
ANALYSES = {
    "evaluate": {},
    "diff": {"a": "commission-1", "b": "commission-2"},
    "frontier": {},
    "bargain": {},
    "relax": {},
    "bridge": {"draft": "commission-1"},
    "forecast": {"runs": "20"},
    "robustness": {"runs": "20"},
    "simulate": {},
    "analysis": {},
}

EXPECTED: dict[tuple[str, str], list[Variant]] = {
    ("POST", "/api/login"): [Variant({**everyone(200), "anonymous": 401}, _login)],
    ("POST", "/api/logout"): [Variant(signed(204), _logout)],
    ("GET", "/api/me"): [Variant(signed(200))],
    ("GET", "/api/tokens"): [Variant(signed(200))],
    ("POST", "/api/tokens"): [Variant(signed(201), lambda w, r: Call(json={"name": "m"}))],
    ("DELETE", "/api/tokens/{token_id}"): [
        Variant(signed(204), _own_token, "own token"),
        Variant({**signed(404), "mediator": 204}, _mediators_token, "the mediator's token"),
    ],
    ("GET", "/api/scenarios"): [Variant(signed(200))],
    ("POST", "/api/scenarios"): [Variant({**signed(403), "admin": 201}, _new_scenario)],
    ("GET", S): [Variant(READ)],
    ("GET", S + "/meta"): [Variant(READ)],
    ("PUT", S + "/meta"): [
        Variant(
            scoped(OWNERS, 200),
            lambda w, r: Call(
                json=w.admin.get(f"/api/scenarios/{SID}/meta").json(),
                headers={"If-Match": w.etag(f"/api/scenarios/{SID}/meta")},
            ),
        )
    ],
    **{
        key: variants
        for kind, editors in COLLECTION_EDITORS.items()
        for key, variants in {
            ("GET", f"{S}/{kind}"): [Variant(READ)],
            ("POST", f"{S}/{kind}"): [Variant(scoped(editors, 201), _create(kind))],
            ("GET", f"{S}/{kind}/{{rid}}"): [Variant(READ, _record(kind))]
            + (
                [
                    Variant(READ, lambda w, r, p=p: Call({"rid": p}), f"party {p}")  # type: ignore[misc]
                    for p in ("UP", "LO")
                ]
                if kind == "parties"
                else []
            ),
            ("PUT", f"{S}/{kind}/{{rid}}"): [Variant(scoped(editors, 200), _replace(kind))],
            ("DELETE", f"{S}/{kind}/{{rid}}"): [Variant(scoped(editors, 204), _delete(kind))],
        }.items()
    },
    ("GET", S + "/preferences"): [Variant(READ)],
    ("GET", S + "/preferences/{party}/{issue}"): [
        Variant(scoped(FULL | {"up"}, 200, 404), _preference("UP", "water_share", "GET"), "UP"),
        Variant(scoped(FULL | {"lo"}, 200, 404), _preference("LO", "water_share", "GET"), "LO"),
        Variant(READ, _preference("DE", "water_share", "GET"), "DE (public)"),
    ],
    ("PUT", S + "/preferences/{party}/{issue}"): [
        Variant(scoped(OWNERS | {"up"}, 200), _preference("UP", "water_share", "PUT"), "UP"),
        Variant(scoped(OWNERS | {"lo"}, 200), _preference("LO", "dam_height", "PUT"), "LO"),
        Variant(scoped(OWNERS, 200), _preference("DE", "water_share", "PUT"), "DE"),
    ],
    ("DELETE", S + "/preferences/{party}/{issue}"): [
        Variant(scoped(OWNERS | {"up"}, 204), _preference("UP", "", "DELETE"), "UP"),
        Variant(scoped(OWNERS | {"lo"}, 204), _preference("LO", "", "DELETE"), "LO"),
    ],
    ("GET", S + "/drafts/{did}/points"): [
        Variant(READ, lambda w, r: Call({"did": "commission-1"}))
    ],
    ("POST", S + "/drafts/{did}/points"): [Variant(scoped(FULL, 201), _point("POST"))],
    ("GET", S + "/drafts/{did}/points/{number}"): [Variant(READ, _point("GET"))],
    ("PUT", S + "/drafts/{did}/points/{number}"): [Variant(scoped(FULL, 200), _point("PUT"))],
    ("DELETE", S + "/drafts/{did}/points/{number}"): [Variant(scoped(FULL, 204), _point("DELETE"))],
    ("GET", S + "/members"): [Variant(scoped(FULL, 200))],
    ("PUT", S + "/members/{name}"): [Variant(scoped(OWNERS, 204), _member("PUT"))],
    ("DELETE", S + "/members/{name}"): [Variant(scoped(OWNERS, 204), _member("DELETE"))],
    ("GET", S + "/audit"): [Variant(scoped(FULL, 200))],
    **{("GET", f"{S}/{name}"): [Variant(READ, _query(**q))] for name, q in ANALYSES.items()},
    ("POST", S + "/jobs"): [
        Variant(
            # the analyst sees one party's preferences only: too few for a tournament
            {**scoped(MEMBERS, 202), "analyst": 400},
            lambda w, r: Call(json={"kind": "tournament", "params": {"seeds": 1, "deadline": 4}}),
        )
    ],
    ("GET", "/api/jobs/{job_id}"): [
        Variant({**signed(404), **dict.fromkeys(MEMBERS, 200)}, _job(True), "own job"),
        Variant({**signed(404), "mediator": 200}, _job(False), "the mediator's job"),
    ],
    ("GET", "/healthz"): [Variant(everyone(200))],
}

# the page routes (not in the OpenAPI document)
PAGES: dict[tuple[str, str], list[Variant]] = {
    ("GET", "/login"): [Variant(everyone(200))],
    ("POST", "/login"): [Variant({**everyone(303), "anonymous": 401}, _page_login)],
    ("POST", "/logout"): [Variant(everyone(303), _page_logout)],
    ("GET", "/"): [Variant({**everyone(200), "anonymous": 303})],
    ("GET", "/static/{name}"): [
        Variant(everyone(200), lambda w, r, n=n: Call({"name": n}), n)  # type: ignore[misc]
        for n in ("app.css", "app.js", "plotly.min.js")
    ],
    ("GET", "/s/{sid}/audit"): [Variant(page(FULL))],
    ("GET", "/s/{sid}/drafts/{did}"): [Variant(page(), lambda w, r: Call({"did": "commission-1"}))],
}
# every other page of a scenario that takes only the scenario's id: open to its members
SCENARIO_PAGE = re.compile(r"^/s/\{sid\}(/[a-z-]+)?$")


def routes(app: Any) -> list[tuple[str, str, bool]]:
    """(method, path, in the OpenAPI document) for every route of the app."""
    out = []
    for path, operations in app.openapi()["paths"].items():
        out += [
            (m.upper(), path, True)
            for m in operations
            if m in ("get", "post", "put", "delete", "patch")
        ]
    documented = {(m, p) for m, p, _ in out}
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            key = (method, route.path)
            if method != "HEAD" and key not in documented and not route.path.startswith("/openapi"):
                out.append((method, route.path, False))
    return out


def expectation(method: str, path: str, documented: bool) -> list[Variant] | None:
    if documented:
        return EXPECTED.get((method, path))
    if (method, path) in PAGES:
        return PAGES[(method, path)]
    if method == "GET" and SCENARIO_PAGE.match(path):
        return [Variant(page())]
    return None


def send(w: World, role: str, method: str, path: str, call: Call) -> Any:
    params = {"sid": SID, **call.params}
    query = {k[1:]: v for k, v in params.items() if k.startswith("?")}
    url = path.format(**{k: v for k, v in params.items() if not k.startswith("?")})
    client = call.client or w.clients[role]
    kwargs: dict[str, Any] = {"headers": call.headers, "params": query, "follow_redirects": False}
    if call.json is not None:
        kwargs["json"] = call.json
    if call.form is not None:
        kwargs["data"] = call.form
    return client.request(method, url, **kwargs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder: Path = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{folder / 'accord.db'}"
    db.upgrade(url)
    team = make_team(url, sentinel_document(), {"up": "UP", "lo": "LO"})
    return World(team)


def test_the_sentinels_are_there_for_those_who_may_see_them(world: World) -> None:
    """The search below can fail: each role that may see a party's sentinels gets them."""
    doc = sentinel_document()
    for role in ROLES:
        r = world.clients[role].get(f"/api/scenarios/{SID}")
        for party in ("UP", "LO"):
            found = [s for s in sentinels(party, doc) if s in r.text]
            if party in SEES[role]:
                assert found == sentinels(party, doc), (role, party)
            else:
                assert found == [], (role, party, found)


def test_every_route_has_a_stated_expectation(world: World) -> None:
    missing = [
        f"{m} {p}"
        for m, p, documented in routes(world.app)
        if expectation(m, p, documented) is None
    ]
    assert not missing, (
        "routes with no expectation in tests/service/test_matrix.py (state who may call them):"
        f" {missing}"
    )
    stale = set(EXPECTED) - {(m, p) for m, p, d in routes(world.app) if d}
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


def test_every_route_for_every_role(world: World) -> None:
    doc = sentinel_document()
    forbidden = {
        role: [
            s for party in ("UP", "LO") if party not in SEES[role] for s in sentinels(party, doc)
        ]
        for role in ROLES
    }
    failures = []
    calls = 0
    for method, path, documented in routes(world.app):
        for variant in expectation(method, path, documented) or []:
            assert set(variant.statuses) == set(ROLES), (method, path, variant.label)
            for role in ROLES:
                call = variant.prepare(world, role) if variant.prepare else Call()
                r = send(world, role, method, path, call)
                world.clean()
                calls += 1
                where = f"{method} {path} {variant.label} as {role}"
                if r.status_code != variant.statuses[role]:
                    failures.append(f"{where}: {r.status_code}, expected {variant.statuses[role]}"
                                    f" ({r.text[:160]})")  # fmt: skip
                text = r.text + " ".join(
                    f"{k}: {v}" for k, v in r.headers.items() if k.lower() != "set-cookie"
                )
                leaked = [s for s in forbidden[role] if s in text]
                if leaked:
                    failures.append(f"{where}: leaks {leaked}")
    assert not failures, f"{len(failures)} of {calls} calls:\n" + "\n".join(failures)
    assert calls > 500
