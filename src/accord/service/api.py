"""The REST API under ``/api``: sign-in and tokens, scenarios and their parts, members, the audit
log, analyses and background jobs.

Every endpoint resolves the caller (bearer token or session cookie plus CSRF token), then the
caller's role in the scenario (:mod:`accord.service.access`), and only then reads or writes.
Reads return what the role may see; analyses run on the caller's own view of the scenario.
Writes need ``If-Match`` with the entity tag the caller read (a stale one gets 412), and come
back with the new ``ETag``.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from accord.analysis import diff, evaluate_all
from accord.analysis.bargaining import SOLUTIONS
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import bridge, minimal_relaxations, zopa
from accord.analysis.space import SpaceTooLarge, pareto_frontier
from accord.compile import Compiled, CompileError, compile_scenario
from accord.model import Scenario
from accord.service import auth, resources
from accord.service.access import (
    Forbidden,
    Viewer,
    analysis_document,
    check_edit,
    check_full,
    check_member,
    check_owner,
    hidden_parties,
    may_read_preference,
    public_document,
)
from accord.service.resources import plain
from accord.service.settings import Settings
from accord.service.store import Invalid, Loaded, Missing, Store, User, check_document

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthenticated(Exception):
    """No valid session or token."""


class PreconditionRequired(Exception):
    """A change without ``If-Match``."""


class BadRequest(ValueError):
    """A request the engines cannot answer as asked (the message says why)."""


# --- response bodies (documented in the OpenAPI schema) ----------------------------------------


class ProblemItem(BaseModel):
    path: str
    message: str


class ErrorBody(BaseModel):
    error: str
    problems: list[ProblemItem] = []


class Login(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)


class SignedIn(BaseModel):
    user: str
    is_admin: bool
    csrf: str


class Membership(BaseModel):
    scenario: str
    role: str
    party: str | None = None


class Me(BaseModel):
    user: str
    is_admin: bool
    scenarios: list[Membership]


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str


class TokenInfo(BaseModel):
    id: int
    name: str
    created_at: str
    revoked: bool


class ScenarioInfo(BaseModel):
    id: str
    title: str
    version: int
    role: str
    party: str | None = None


class Member(BaseModel):
    user: str
    role: str
    party: str | None = None


class MemberRequest(BaseModel):
    role: str = Field(pattern="^(owner|mediator|delegate|observer)$")
    party: str | None = Field(default=None, max_length=80)


class AuditEntry(BaseModel):
    id: int
    version: int
    at: str
    user: str
    action: str
    target: str
    before: Any = None
    after: Any = None


class JobRequest(BaseModel):
    kind: str = Field(pattern="^(ensemble|tournament)$")
    params: dict[str, Any] = {}


class JobInfo(BaseModel):
    id: str
    scenario: str
    kind: str
    params: dict[str, Any]
    status: str
    done: int
    total: int
    result: Any = None
    error: str | None = None
    created_at: str
    finished_at: str | None = None


class Collection(StrEnum):
    parties = "parties"
    issues = "issues"
    sources = "sources"
    facts = "facts"
    drafts = "drafts"
    events = "events"
    shocks = "shocks"


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 412, 422, 428)
}


# --- state -------------------------------------------------------------------------------------


@dataclass
class Service:
    """What the endpoints share: settings, the store, the analysis cache and the job runner."""

    settings: Settings
    store: Store
    jobs: Any = None  # accord.service.jobs.Jobs, set by the app
    _views: OrderedDict[tuple[Any, ...], Scenario] = field(default_factory=OrderedDict)
    _compiled: OrderedDict[tuple[Any, ...], Compiled] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def view_scenario(self, loaded: Loaded, viewer: Viewer) -> Scenario:
        """The scenario analyses run on for ``viewer`` (cached by version and view)."""
        key = (loaded.id, loaded.version, viewer.full, viewer.party)
        with self._lock:
            found = self._views.get(key)
        if found is None:
            found = (
                loaded.scenario
                if viewer.full
                else check_document(analysis_document(loaded.document, viewer), loaded.id)
            )
            with self._lock:
                self._views[key] = found
                while len(self._views) > 64:
                    self._views.popitem(last=False)
        return found

    def view_shocks(
        self, loaded: Loaded, viewer: Viewer, shocks: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The shocks asked for, checked against the scenario, less those that only touch
        parties hidden from ``viewer`` (they change nothing in its view)."""
        declared = {s.id for s in loaded.scenario.shocks}
        unknown = [s for s in shocks if s not in declared]
        if unknown:
            raise BadRequest(
                f"unknown shock(s) {', '.join(map(repr, unknown))}"
                f" (expected one of: {', '.join(sorted(declared)) or 'none declared'})"
            )
        kept = {s.id for s in self.view_scenario(loaded, viewer).shocks}
        return tuple(s for s in shocks if s in kept)

    def compiled(self, loaded: Loaded, viewer: Viewer, shocks: tuple[str, ...]) -> Compiled:
        key = (loaded.id, loaded.version, viewer.full, viewer.party, shocks)
        with self._lock:
            found = self._compiled.get(key)
        if found is None:
            view = self.view_scenario(loaded, viewer)
            if not any(view.preferences.values()):
                raise BadRequest(
                    "every party's preferences are confidential to you: there is nothing you"
                    " may analyse"
                )
            try:
                found = compile_scenario(view, shocks=self.view_shocks(loaded, viewer, shocks))
            except CompileError as exc:
                raise BadRequest(str(exc)) from None
            with self._lock:
                self._compiled[key] = found
                while len(self._compiled) > 64:
                    self._compiled.popitem(last=False)
        return found


def _json(value: Any) -> dict[str, Any]:
    out = plain(value)
    assert isinstance(out, dict)
    return out


def start_session(service: Service, response: Response, user: User) -> str:
    """Sign ``user`` in: a new session (only its digest is stored) whose secret goes in an
    HttpOnly, SameSite=Strict cookie on ``response``; returns the session's CSRF token."""
    secret, digest = auth.new_secret()
    csrf, _ = auth.new_secret()
    service.store.add_session(digest, user.id, csrf, service.settings.session_hours)
    response.set_cookie(
        auth.COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=service.settings.secure_cookies,
        max_age=int(service.settings.session_hours * 3600),
        path="/",
    )
    return csrf


# --- the router ----------------------------------------------------------------------------


def build_router(service: Service) -> APIRouter:
    store = service.store
    router = APIRouter(prefix="/api", responses=ERRORS)

    def caller(
        request: Request,
        x_csrf_token: Annotated[str | None, Header()] = None,
    ) -> User:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            user = store.token_user(auth.digest(header[7:].strip()))
            if user is None:
                raise Unauthenticated("the API token is unknown or revoked")
            return user
        cookie = request.cookies.get(auth.COOKIE)
        if not cookie:
            raise Unauthenticated("sign in first (POST /api/login), or send a bearer token")
        found = store.session(auth.digest(cookie))
        if found is None:
            raise Unauthenticated("the session has expired: sign in again")
        user, csrf = found
        if request.method not in SAFE_METHODS and not auth.same(x_csrf_token or "", csrf):
            raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
        return user

    Caller = Annotated[User, Depends(caller)]

    def member(sid: str, user: User) -> tuple[Viewer, Loaded]:
        viewer = store.membership(sid, user)
        check_member(viewer)
        return viewer, store.load(sid)

    def precondition(if_match: str | None) -> str:
        if not if_match:
            raise PreconditionRequired(
                "send If-Match with the ETag you read (changes without it are refused)"
            )
        return if_match

    def problems_for(viewer: Viewer) -> Callable[[dict[str, Any], list[tuple[str, str]]], Any]:
        def rename(doc: dict[str, Any], problems: list[tuple[str, str]]) -> Any:
            hidden = hidden_parties(doc, viewer)
            out = []
            for path, message in problems:
                parts = path.split(".")
                if len(parts) > 1 and parts[0] in ("preferences", "parties") and parts[1] in hidden:
                    out.append(("", "the change conflicts with data you may not see"))
                else:
                    out.append((path, message))
            return list(dict.fromkeys(out))

        return rename

    def tagged(response: Response, value: Any) -> Any:
        response.headers["ETag"] = resources.etag(value)
        return value

    # --- sign-in, tokens ----------------------------------------------------------------------

    @router.post("/login", response_model=SignedIn, tags=["auth"])
    def login(body: Login, response: Response) -> SignedIn:
        """Sign in with a password: sets the session cookie; returns the CSRF token to send
        with every change made through the cookie."""
        found = store.user_by_name(body.name)
        ok = auth.verify_password(found[1] if found else None, body.password)
        if not ok or found is None:
            raise Unauthenticated("wrong user name or password")
        user = found[0]
        csrf = start_session(service, response, user)
        return SignedIn(user=user.name, is_admin=user.is_admin, csrf=csrf)

    @router.post("/logout", status_code=204, tags=["auth"])
    def logout(request: Request, user: Caller) -> Response:
        cookie = request.cookies.get(auth.COOKIE)
        if cookie:
            store.end_session(auth.digest(cookie))
        response = Response(status_code=204)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    @router.get("/me", response_model=Me, tags=["auth"])
    def me(user: Caller) -> Me:
        rows = []
        for sid, role in store.scenarios_of(user):
            viewer = store.membership(sid, user)
            rows.append(Membership(scenario=sid, role=role, party=viewer.party))
        return Me(user=user.name, is_admin=user.is_admin, scenarios=rows)

    @router.get("/tokens", response_model=list[TokenInfo], tags=["auth"])
    def tokens(user: Caller) -> list[TokenInfo]:
        return [TokenInfo(**t) for t in store.tokens(user.id)]

    @router.post("/tokens", response_model=TokenCreated, status_code=201, tags=["auth"])
    def new_token(body: TokenRequest, user: Caller) -> TokenCreated:
        """A new API token (shown once; only its hash is kept)."""
        secret, digest = auth.new_secret(auth.TOKEN_PREFIX)
        token_id = store.add_token(user.id, body.name, digest)
        return TokenCreated(id=token_id, name=body.name, token=secret)

    @router.delete("/tokens/{token_id}", status_code=204, tags=["auth"])
    def revoke(token_id: int, user: Caller) -> Response:
        store.revoke_token(user.id, token_id)
        return Response(status_code=204)

    # --- scenarios ----------------------------------------------------------------------------

    @router.get("/scenarios", response_model=list[ScenarioInfo], tags=["scenarios"])
    def list_scenarios(user: Caller) -> list[ScenarioInfo]:
        out = []
        for sid, role in store.scenarios_of(user):
            loaded = store.load(sid)
            viewer = store.membership(sid, user)
            out.append(
                ScenarioInfo(
                    id=sid,
                    title=str(loaded.document.get("title", sid)),
                    version=loaded.version,
                    role=role,
                    party=viewer.party,
                )
            )
        return out

    @router.post("/scenarios", status_code=201, tags=["scenarios"])
    def create(
        user: Caller, response: Response, document: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        """Store a new scenario (site administrators); the caller becomes its owner."""
        if not user.is_admin:
            raise Forbidden("only a site administrator may create scenarios")
        loaded = store.create_scenario(document, user)
        return dict(tagged(response, loaded.document))

    @router.get("/scenarios/{sid}", tags=["scenarios"])
    def read_scenario(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        """The whole scenario as the caller may see it."""
        viewer, loaded = member(sid, user)
        return dict(tagged(response, public_document(loaded.document, viewer)))

    @router.get("/scenarios/{sid}/meta", tags=["scenarios"])
    def read_meta(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        _, loaded = member(sid, user)
        return dict(tagged(response, resources.get(loaded.document, ("meta",))))

    def _write(
        sid: str,
        user: User,
        response: Response,
        target: resources.Target,
        action: str,
        apply: Callable[[dict[str, Any]], None],
        if_match: str | None,
        guard: Callable[[dict[str, Any]], None] | None = None,
    ) -> Any:
        viewer = store.membership(sid, user)
        check_edit(viewer, target)
        _, after = store.change(
            sid,
            user,
            action,
            target,
            apply,
            if_match=if_match,
            guard=guard,
            name_problems=None if viewer.full else problems_for(viewer),
        )
        if after is not None:
            response.headers["ETag"] = resources.etag(after)
        return after

    def add(
        sid: str, user: User, response: Response, target: resources.Target, body: Any
    ) -> dict[str, Any]:
        """Create the resource at ``target`` (no precondition: it must not exist yet)."""

        def apply(doc: dict[str, Any]) -> None:
            resources.put(doc, target, body, create=True)

        return dict(_write(sid, user, response, target, "create", apply, None))

    def replace(
        sid: str,
        user: User,
        response: Response,
        target: resources.Target,
        body: Any,
        if_match: str | None,
    ) -> dict[str, Any]:
        """Replace the resource at ``target``; ``If-Match`` required (after the permission
        check: a caller who may not edit hears that first)."""
        check_edit(store.membership(sid, user), target)
        tag = precondition(if_match)

        def apply(doc: dict[str, Any]) -> None:
            resources.put(doc, target, body, create=False)

        return dict(_write(sid, user, response, target, "update", apply, tag))

    def remove(
        sid: str, user: User, response: Response, target: resources.Target, if_match: str | None
    ) -> Response:
        """Delete the resource at ``target``; ``If-Match`` required (after the permission
        check)."""
        check_edit(store.membership(sid, user), target)
        tag = precondition(if_match)
        _write(sid, user, response, target, "delete", lambda d: resources.delete(d, target), tag)
        return Response(status_code=204)

    @router.put("/scenarios/{sid}/meta", tags=["scenarios"])
    def write_meta(
        sid: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        return replace(sid, user, response, ("meta",), body, if_match)

    def _visible(doc: dict[str, Any], viewer: Viewer, kind: str, item: Any) -> Any:
        if kind == "parties" and item.get("id") in hidden_parties(doc, viewer):
            item = {k: v for k, v in item.items() if k != "batna"}
        return item

    def collection_routes(kind: str) -> None:
        """List, create, read, replace and delete for one collection of records."""
        noun = "party" if kind == "parties" else kind[:-1]

        @router.get(f"/scenarios/{{sid}}/{kind}", tags=[kind], summary=f"List the {kind}")
        def read_collection(sid: str, user: Caller, response: Response) -> list[dict[str, Any]]:
            viewer, loaded = member(sid, user)
            items = [
                _visible(loaded.document, viewer, kind, item)
                for item in loaded.document.get(kind, [])
            ]
            return list(tagged(response, items))

        @router.post(
            f"/scenarios/{{sid}}/{kind}", status_code=201, tags=[kind], summary=f"Add a {noun}"
        )
        def create_item(
            sid: str,
            user: Caller,
            response: Response,
            body: Annotated[dict[str, Any], Body()],
        ) -> dict[str, Any]:
            rid = body.get("id")
            if not isinstance(rid, str) or not rid:
                raise Invalid([("id", f"missing (expected the new {noun}'s id)")])
            target = (kind, rid)
            return add(sid, user, response, target, body)

        @router.get(f"/scenarios/{{sid}}/{kind}/{{rid}}", tags=[kind], summary=f"Read a {noun}")
        def read_item(sid: str, rid: str, user: Caller, response: Response) -> dict[str, Any]:
            viewer, loaded = member(sid, user)
            item = resources.get(loaded.document, (kind, rid))
            return dict(tagged(response, _visible(loaded.document, viewer, kind, item)))

        @router.put(
            f"/scenarios/{{sid}}/{kind}/{{rid}}",
            tags=[kind],
            summary=f"Replace a {noun} (If-Match required)",
        )
        def write_item(
            sid: str,
            rid: str,
            user: Caller,
            response: Response,
            body: Annotated[dict[str, Any], Body()],
            if_match: Annotated[str | None, Header()] = None,
        ) -> dict[str, Any]:
            return replace(sid, user, response, (kind, rid), body, if_match)

        @router.delete(
            f"/scenarios/{{sid}}/{kind}/{{rid}}",
            status_code=204,
            tags=[kind],
            summary=f"Delete a {noun} (If-Match required)",
        )
        def delete_item(
            sid: str,
            rid: str,
            user: Caller,
            response: Response,
            if_match: Annotated[str | None, Header()] = None,
        ) -> Response:
            return remove(sid, user, response, (kind, rid), if_match)

    for collection in Collection:
        collection_routes(collection.value)

    # --- preferences --------------------------------------------------------------------------

    @router.get("/scenarios/{sid}/preferences", tags=["preferences"])
    def read_preferences(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        """Every preference the caller may see, by party and issue."""
        viewer, loaded = member(sid, user)
        return dict(tagged(response, public_document(loaded.document, viewer)["preferences"]))

    def _readable_preference(loaded: Loaded, viewer: Viewer, party: str, issue: str) -> Any:
        if not may_read_preference(loaded.document, viewer, party, issue):
            raise resources.NotFound(f"no preference of {party} on {issue}")
        return resources.get(loaded.document, ("preferences", party, issue))

    @router.get("/scenarios/{sid}/preferences/{party}/{issue}", tags=["preferences"])
    def read_preference(
        sid: str, party: str, issue: str, user: Caller, response: Response
    ) -> dict[str, Any]:
        viewer, loaded = member(sid, user)
        return dict(tagged(response, _readable_preference(loaded, viewer, party, issue)))

    @router.put("/scenarios/{sid}/preferences/{party}/{issue}", tags=["preferences"])
    def write_preference(
        sid: str,
        party: str,
        issue: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Create or replace a preference. Replacing needs ``If-Match``; creating needs
        ``If-Match: *``... or none: a preference that does not exist yet is created."""
        target = ("preferences", party, issue)
        viewer = store.membership(sid, user)
        check_edit(viewer, target)
        loaded = store.load(sid)
        exists = loaded.document.get("preferences", {}).get(party, {}).get(issue) is not None
        tag = precondition(if_match) if exists else None

        def guard(doc: dict[str, Any]) -> None:
            now_exists = doc.get("preferences", {}).get(party, {}).get(issue) is not None
            if now_exists and tag is None:
                raise store_precondition(doc, target)

        return dict(
            _write(
                sid,
                user,
                response,
                target,
                "update" if exists else "create",
                lambda doc: resources.put(doc, target, body),
                tag,
                guard,
            )
        )

    @router.delete(
        "/scenarios/{sid}/preferences/{party}/{issue}", status_code=204, tags=["preferences"]
    )
    def delete_preference(
        sid: str,
        party: str,
        issue: str,
        user: Caller,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        return remove(sid, user, response, ("preferences", party, issue), if_match)

    # --- points -------------------------------------------------------------------------------

    @router.get("/scenarios/{sid}/drafts/{did}/points", tags=["drafts"])
    def read_points(sid: str, did: str, user: Caller, response: Response) -> list[dict[str, Any]]:
        _, loaded = member(sid, user)
        return list(
            tagged(response, resources.get(loaded.document, ("drafts", did)).get("points", []))
        )

    @router.post("/scenarios/{sid}/drafts/{did}/points", status_code=201, tags=["drafts"])
    def create_point(
        sid: str,
        did: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
    ) -> dict[str, Any]:
        """Add a point; its ``number`` is in the body."""
        number = body.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise Invalid(
                [("number", "missing (expected the new point's number, an integer >= 0)")]
            )
        target = ("drafts", did, "points", str(number))
        return add(sid, user, response, target, body)

    @router.get("/scenarios/{sid}/drafts/{did}/points/{number}", tags=["drafts"])
    def read_point(
        sid: str, did: str, number: int, user: Caller, response: Response
    ) -> dict[str, Any]:
        _, loaded = member(sid, user)
        return dict(
            tagged(response, resources.get(loaded.document, ("drafts", did, "points", str(number))))
        )

    @router.put("/scenarios/{sid}/drafts/{did}/points/{number}", tags=["drafts"])
    def write_point(
        sid: str,
        did: str,
        number: int,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Replace a point (its text, the options it sets, ...; ``If-Match`` required)."""
        return replace(sid, user, response, ("drafts", did, "points", str(number)), body, if_match)

    @router.delete(
        "/scenarios/{sid}/drafts/{did}/points/{number}", status_code=204, tags=["drafts"]
    )
    def delete_point(
        sid: str,
        did: str,
        number: int,
        user: Caller,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        return remove(sid, user, response, ("drafts", did, "points", str(number)), if_match)

    # --- members and audit --------------------------------------------------------------------

    @router.get("/scenarios/{sid}/members", response_model=list[Member], tags=["members"])
    def members(sid: str, user: Caller) -> list[Member]:
        viewer = store.membership(sid, user)
        check_full(viewer, "the member list")
        return [Member(**m) for m in store.members(sid)]

    @router.put("/scenarios/{sid}/members/{name}", status_code=204, tags=["members"])
    def set_member(sid: str, name: str, body: MemberRequest, user: Caller) -> Response:
        viewer = store.membership(sid, user)
        check_owner(viewer, "change members")
        try:
            store.set_member(sid, user, name, body.role, body.party)  # type: ignore[arg-type]
        except ValueError as exc:
            raise Invalid([("", str(exc))]) from None
        return Response(status_code=204)

    @router.delete("/scenarios/{sid}/members/{name}", status_code=204, tags=["members"])
    def remove_member(sid: str, name: str, user: Caller) -> Response:
        viewer = store.membership(sid, user)
        check_owner(viewer, "change members")
        store.set_member(sid, user, name, None, None)
        return Response(status_code=204)

    @router.get("/scenarios/{sid}/audit", response_model=list[AuditEntry], tags=["members"])
    def audit(
        sid: str,
        user: Caller,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[AuditEntry]:
        """Every change, oldest first (owner and mediator; nothing deletes it)."""
        viewer = store.membership(sid, user)
        check_full(viewer, "the audit log")
        return [AuditEntry(**e) for e in store.audit(sid, after_id=after, limit=limit)]

    # --- analyses -----------------------------------------------------------------------------

    Shocks = Annotated[list[str] | None, Query(max_length=8)]

    def analysis(sid: str, user: User, shock: list[str] | None) -> tuple[Viewer, Loaded, Compiled]:
        viewer, loaded = member(sid, user)
        compiled = service.compiled(loaded, viewer, tuple(shock or ()))
        return viewer, loaded, compiled

    def _parties(compiled: Compiled, viewer: Viewer, loaded: Loaded, parties: str | None) -> Any:
        if parties is None:
            return None
        chosen = [p.strip() for p in parties.split(",") if p.strip()]
        hidden = hidden_parties(loaded.document, viewer)
        kept_out = [p for p in chosen if p in hidden]
        if kept_out:
            raise BadRequest(
                f"{', '.join(kept_out)}: confidential preferences; your analyses leave"
                f" {'it' if len(kept_out) == 1 else 'them'} out"
            )
        unknown = [p for p in chosen if p not in compiled.party_ids]
        if unknown or not chosen:
            raise BadRequest(
                f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
                f" (expected some of: {', '.join(compiled.party_ids)})"
            )
        return chosen

    def _draft(compiled: Compiled, draft: str) -> str:
        if draft not in compiled.drafts:
            raise BadRequest(
                f"no draft {draft!r} (expected one of: {', '.join(compiled.drafts) or 'none'})"
            )
        return draft

    def _note(viewer: Viewer, loaded: Loaded) -> dict[str, Any]:
        hidden = sorted(hidden_parties(loaded.document, viewer))
        return {
            "version": loaded.version,
            "left_out": hidden,
            "note": (
                f"left out as their preferences are confidential: {', '.join(hidden)}"
                if hidden
                else None
            ),
        }

    @router.get("/scenarios/{sid}/evaluate", tags=["analysis"])
    def evaluate_drafts(
        sid: str,
        user: Caller,
        draft: Annotated[str | None, Query(max_length=80)] = None,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        """Each draft scored for each party the caller may see; ``acceptable_to_all`` says
        whether every party (including any left out) accepts it."""
        viewer, loaded, compiled = analysis(sid, user, shock)
        evaluations = evaluate_all(compiled)
        full = service.compiled(loaded, Viewer(0, "", False, "owner"), tuple(shock or ()))
        everyone = {e.draft: e.acceptable_to_all for e in evaluate_all(full)}
        rows = []
        for e in evaluations:
            if draft is not None and e.draft != _draft(compiled, draft):
                continue
            row = e.to_dict()
            row["acceptable_to_all"] = everyone[e.draft]
            rows.append(row)
        return _json({**_note(viewer, loaded), "evaluations": rows})

    @router.get("/scenarios/{sid}/diff", tags=["analysis"])
    def diff_drafts(
        sid: str,
        user: Caller,
        a: Annotated[str, Query(max_length=80)],
        b: Annotated[str, Query(max_length=80)],
        shock: Shocks = None,
    ) -> dict[str, Any]:
        viewer, loaded, compiled = analysis(sid, user, shock)
        result = diff(compiled, _draft(compiled, a), _draft(compiled, b))
        return _json({**_note(viewer, loaded), "diff": result.to_dict()})

    @router.get("/scenarios/{sid}/frontier", tags=["analysis"])
    def frontier(
        sid: str,
        user: Caller,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        acceptable_only: bool = False,
        cap: Annotated[int, Query(ge=1, le=5000)] = 200,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        viewer, loaded, compiled = analysis(sid, user, shock)
        chosen = _parties(compiled, viewer, loaded, parties)
        try:
            result = pareto_frontier(compiled, chosen, acceptable_only=acceptable_only, cap=cap)
        except SpaceTooLarge as exc:
            raise BadRequest(str(exc)) from None
        return _json({**_note(viewer, loaded), "frontier": result.to_dict(compiled)})

    @router.get("/scenarios/{sid}/bargain", tags=["analysis"])
    def bargain(
        sid: str,
        user: Caller,
        solution: Annotated[
            str | None, Query(pattern="^(nash|ks|egalitarian|utilitarian)$")
        ] = None,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        viewer, loaded, compiled = analysis(sid, user, shock)
        chosen = _parties(compiled, viewer, loaded, parties)
        names = [solution] if solution else list(SOLUTIONS)
        results = [solve_bargaining(compiled, n, chosen).to_dict(compiled) for n in names]
        return _json({**_note(viewer, loaded), "solutions": results})

    @router.get("/scenarios/{sid}/relax", tags=["analysis"])
    def relax(
        sid: str,
        user: Caller,
        max_size: Annotated[int, Query(ge=1, le=4)] = 3,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        viewer, loaded, compiled = analysis(sid, user, shock)
        zone = zopa(compiled)
        relaxations = minimal_relaxations(compiled, max_size=max_size)
        return _json(
            {
                **_note(viewer, loaded),
                "zopa": zone.to_dict(compiled),
                "relaxations": relaxations.to_dict(compiled),
            }
        )

    @router.get("/scenarios/{sid}/bridge", tags=["analysis"])
    def bridge_draft(
        sid: str,
        user: Caller,
        draft: Annotated[str, Query(max_length=80)],
        shock: Shocks = None,
    ) -> dict[str, Any]:
        viewer, loaded, compiled = analysis(sid, user, shock)
        result = bridge(compiled, _draft(compiled, draft))
        return _json({**_note(viewer, loaded), "bridge": result.to_dict(compiled)})

    @router.get("/scenarios/{sid}/forecast", tags=["analysis"])
    def forecast(
        sid: str,
        user: Caller,
        model: Annotated[list[str] | None, Query(max_length=4)] = None,
        runs: Annotated[int, Query(ge=1, le=2000)] = 200,
        seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        """Outcome distributions per issue (short runs; longer ones as a job)."""
        from dataclasses import asdict

        from accord.forecast.ensemble import run_ensemble

        viewer, loaded, _ = analysis(sid, user, shock)  # checks the shocks
        scenario = service.view_scenario(loaded, viewer)
        try:
            result = run_ensemble(
                scenario,
                models=model or ["compromise", "weighted_median"],
                runs=runs,
                seed=seed,
                shocks=service.view_shocks(loaded, viewer, tuple(shock or ())),
            )
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return _json(
            {
                **_note(viewer, loaded),
                "runs": result.runs,
                "shocks": list(result.shocks),
                "forecasts": [asdict(f) for f in result.forecasts],
            }
        )

    @router.get("/scenarios/{sid}/simulate", tags=["analysis"])
    def simulate(
        sid: str,
        user: Caller,
        protocol: Annotated[str, Query(pattern="^(single-text|alternating)$")] = "single-text",
        start: Annotated[str | None, Query(alias="from", max_length=80)] = None,
        policy: Annotated[str, Query(pattern="^(maximin|nash)$")] = "maximin",
        strategy: Annotated[list[str] | None, Query(max_length=16)] = None,
        deadline: Annotated[int, Query(ge=1, le=500)] = 12,
        seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        shock: Shocks = None,
    ) -> dict[str, Any]:
        """A single-text replay or an alternating-offers run, among the parties the caller may
        see."""
        from accord.simulate.protocols import alternating_offers
        from accord.simulate.single_text import replay
        from accord.simulate.specs import assign_strategies

        viewer, loaded, compiled = analysis(sid, user, shock)
        chosen = _parties(compiled, viewer, loaded, parties) or list(compiled.party_ids)
        if protocol == "single-text":
            first = start if start is not None else next(iter(compiled.drafts), None)
            if first is not None:
                _draft(compiled, first)
            run = replay(
                compiled,
                start=first,
                deadline=deadline,
                policy="nash" if policy == "nash" else "maximin",
                seed=seed,
                parties=chosen,
            )
            return _json({**_note(viewer, loaded), "simulation": run.to_dict()})
        if len(chosen) < 2:
            raise BadRequest("alternating offers need at least two parties")
        try:
            made = assign_strategies(strategy or [], chosen)
        except ValueError as exc:
            raise BadRequest(f"strategy {exc}") from None
        outcome = alternating_offers(
            compiled, made, deadline=deadline, seed=seed, parties=chosen
        ).run()
        return _json({**_note(viewer, loaded), "simulation": outcome.to_dict(compiled)})

    # --- jobs ---------------------------------------------------------------------------------

    @router.post("/scenarios/{sid}/jobs", response_model=JobInfo, status_code=202, tags=["jobs"])
    def start_job(sid: str, body: JobRequest, user: Caller) -> JobInfo:
        """Start an ensemble forecast or a tournament in the background; poll ``/api/jobs/{id}``."""
        viewer, loaded = member(sid, user)
        job_id = service.jobs.submit(loaded, viewer, user, body.kind, body.params)
        return JobInfo(**store.job(job_id))

    @router.get("/jobs/{job_id}", response_model=JobInfo, tags=["jobs"])
    def read_job(job_id: str, user: Caller) -> JobInfo:
        """A job's progress and, once done, its result (only for whoever started it)."""
        job = store.job(job_id)
        if job["user_id"] != user.id:
            raise Missing(f"no job {job_id!r}")
        return JobInfo(**job)

    return router


def store_precondition(doc: dict[str, Any], target: resources.Target) -> Exception:
    """A creation that found the resource already there (someone else created it first)."""
    from accord.service.store import PreconditionFailed

    return PreconditionFailed(resources.etag(resources.get(doc, target)))
