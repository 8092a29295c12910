"""What the endpoints share: the :class:`Service` (settings, store, caches, jobs), sign-in, and
the :class:`Kit` of request helpers (the caller, its membership, preconditions, writes)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header, Request, Response

from accord.compile import Compiled, CompileError
from accord.model import Scenario
from accord.service import auth, resources
from accord.service.access import (
    Forbidden,
    Viewer,
    analysis_document,
    check_edit,
    check_member,
    hidden_parties,
)
from accord.service.resources import plain
from accord.service.schemas import (
    BadRequest,
    PreconditionRequired,
    Unauthenticated,
)
from accord.service.settings import Settings
from accord.service.store import Loaded, Store, User, check_document
from accord.workbench import Analysis, UnknownId, Workbench

# --- state -------------------------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Service:
    """What the endpoints share: settings, the store, the analysis cache and the job runner."""

    settings: Settings
    store: Store
    jobs: Any = None  # accord.service.jobs.Jobs, set by the app
    limiter: auth.SignInLimiter = field(default_factory=auth.SignInLimiter)
    _views: OrderedDict[tuple[Any, ...], Scenario] = field(default_factory=OrderedDict)
    _benches: OrderedDict[tuple[Any, ...], Workbench] = field(default_factory=OrderedDict)
    _analyses: OrderedDict[tuple[Any, ...], Analysis] = field(default_factory=OrderedDict)
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

    def workbench(
        self,
        loaded: Loaded,
        viewer: Viewer,
        shocks: tuple[str, ...],
        as_of: dt.date | None = None,
    ) -> Workbench:
        """The workbench of ``viewer``'s view under ``shocks`` (cached by version, view, shocks
        and ``as_of``): every analysis route runs on it, so nothing hidden from the viewer
        enters. With ``as_of`` it sees the negotiation as it stood that day."""
        key = (loaded.id, loaded.version, viewer.full, viewer.party, shocks, as_of)
        with self._lock:
            found = self._benches.get(key)
        if found is None:
            view = self.view_scenario(loaded, viewer)
            if not any(view.preferences.values()):
                raise BadRequest(
                    "every party's preferences are confidential to you: there is nothing you"
                    " may analyse"
                )
            try:
                found = Workbench(view, self.view_shocks(loaded, viewer, shocks), as_of=as_of)
                found.compiled  # noqa: B018  (compile now: a bad shock is the caller's error)
            except (CompileError, UnknownId) as exc:
                raise BadRequest(str(exc)) from None
            with self._lock:
                self._benches[key] = found
                while len(self._benches) > 64:
                    self._benches.popitem(last=False)
        return found

    def compiled(self, loaded: Loaded, viewer: Viewer, shocks: tuple[str, ...]) -> Compiled:
        """The compiled form of ``viewer``'s view under ``shocks``."""
        return self.workbench(loaded, viewer, shocks).compiled

    def analysis(
        self,
        loaded: Loaded,
        viewer: Viewer,
        shocks: tuple[str, ...],
        as_of: dt.date | None = None,
    ) -> Analysis:
        """The whole analysis record of ``viewer``'s view (cached like the workbench)."""
        key = (loaded.id, loaded.version, viewer.full, viewer.party, shocks, as_of)
        with self._lock:
            found = self._analyses.get(key)
        if found is None:
            found = self.workbench(loaded, viewer, shocks, as_of).analyze()
            with self._lock:
                self._analyses[key] = found
                while len(self._analyses) > 16:
                    self._analyses.popitem(last=False)
        return found


def json_body(value: Any) -> dict[str, Any]:
    """A value as a plain JSON body (dict)."""
    out = plain(value)
    assert isinstance(out, dict)
    return out


class TooManySignIns(Exception):
    """Too many failed sign-ins for this name or from this address (429)."""


def check_password(service: Service, request: Request, name: str, password: str) -> User | None:
    """The user ``name`` if ``password`` is theirs, else None; raises :class:`TooManySignIns`
    while the name or the client address has too many recent failures."""
    address = request.client.host if request.client else ""
    if service.limiter.blocked(name, address):
        raise TooManySignIns("too many failed sign-ins: wait a few minutes and try again")
    found = service.store.user_by_name(name)
    if not auth.verify_password(found[1] if found else None, password) or found is None:
        service.limiter.failed(name, address)
        return None
    service.limiter.succeeded(name)
    return found[0]


def start_session(
    service: Service, response: Response, user: User, request: Request | None = None
) -> str:
    """Sign ``user`` in: a new session (only its digest is stored) whose secret goes in an
    HttpOnly, SameSite=Strict cookie on ``response``; returns the session's CSRF token. The
    session of the cookie ``request`` came with, if any, ends (a sign-in never keeps a session
    id chosen before it)."""
    old = request.cookies.get(auth.COOKIE) if request is not None else None
    if old:
        service.store.end_session(auth.digest(old))
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


class Kit:
    """The helpers every route uses, bound to one :class:`Service`."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store

    def caller(
        self,
        request: Request,
        x_csrf_token: Annotated[str | None, Header()] = None,
    ) -> User:
        """The signed-in user of a request (bearer token or session cookie with its CSRF header)."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            user = self.store.token_user(auth.digest(header[7:].strip()))
            if user is None:
                raise Unauthenticated("the API token is unknown or revoked")
            return user
        cookie = request.cookies.get(auth.COOKIE)
        if not cookie:
            raise Unauthenticated("sign in first (POST /api/login), or send a bearer token")
        found = self.store.session(auth.digest(cookie))
        if found is None:
            raise Unauthenticated("the session has expired: sign in again")
        user, csrf = found
        if request.method not in SAFE_METHODS and not auth.same(x_csrf_token or "", csrf):
            raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
        return user

    def member(self, sid: str, user: User) -> tuple[Viewer, Loaded]:
        """The caller's membership of a scenario and the scenario (Forbidden for non-members)."""
        viewer = self.store.membership(sid, user)
        check_member(viewer)
        return viewer, self.store.load(sid)

    def precondition(self, if_match: str | None) -> str:
        """The If-Match header, required on every change."""
        if not if_match:
            raise PreconditionRequired(
                "send If-Match with the ETag you read (changes without it are refused)"
            )
        return if_match

    def problems_for(
        self, viewer: Viewer
    ) -> Callable[[dict[str, Any], list[tuple[str, str]]], Any]:
        """A function that hides the problems touching data the viewer may not see."""

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

    def tagged(self, response: Response, value: Any) -> Any:
        """Set the ETag of a value on the response and return the value."""
        response.headers["ETag"] = resources.etag(value)
        return value

    def write(
        self,
        sid: str,
        user: User,
        response: Response,
        target: resources.Target,
        action: str,
        apply: Callable[[dict[str, Any]], None],
        if_match: str | None,
        guard: Callable[[dict[str, Any]], None] | None = None,
    ) -> Any:
        """Apply one change to a scenario under If-Match, validated, and answer the new version."""
        viewer = self.store.membership(sid, user)
        check_edit(viewer, target)
        _, after = self.store.change(
            sid,
            user,
            action,
            target,
            apply,
            if_match=if_match,
            guard=guard,
            name_problems=None if viewer.full else self.problems_for(viewer),
        )
        if after is not None:
            response.headers["ETag"] = resources.etag(after)
        return after

    def add(
        self, sid: str, user: User, response: Response, target: resources.Target, body: Any
    ) -> dict[str, Any]:
        """Create the resource at ``target`` (no precondition: it must not exist yet)."""

        def apply(doc: dict[str, Any]) -> None:
            resources.put(doc, target, body, create=True)

        return dict(self.write(sid, user, response, target, "create", apply, None))

    def replace(
        self,
        sid: str,
        user: User,
        response: Response,
        target: resources.Target,
        body: Any,
        if_match: str | None,
    ) -> dict[str, Any]:
        """Replace the resource at ``target``; ``If-Match`` required (after the permission
        check: a caller who may not edit hears that first)."""
        check_edit(self.store.membership(sid, user), target)
        tag = self.precondition(if_match)

        def apply(doc: dict[str, Any]) -> None:
            resources.put(doc, target, body, create=False)

        return dict(self.write(sid, user, response, target, "update", apply, tag))

    def remove(
        self,
        sid: str,
        user: User,
        response: Response,
        target: resources.Target,
        if_match: str | None,
    ) -> Response:
        """Delete the resource at ``target``; ``If-Match`` required (after the permission
        check)."""
        check_edit(self.store.membership(sid, user), target)
        tag = self.precondition(if_match)
        self.write(
            sid, user, response, target, "delete", lambda d: resources.delete(d, target), tag
        )
        return Response(status_code=204)

    def visible(self, doc: dict[str, Any], viewer: Viewer, kind: str, item: Any) -> Any:
        """An item as the viewer may read it (hidden parties' BATNAs left out)."""
        if kind == "parties" and item.get("id") in hidden_parties(doc, viewer):
            item = {k: v for k, v in item.items() if k != "batna"}
        return item


def store_precondition(doc: dict[str, Any], target: resources.Target) -> Exception:
    """A creation that found the resource already there (someone else created it first)."""
    from accord.service.store import PreconditionFailed

    return PreconditionFailed(resources.etag(resources.get(doc, target)))
