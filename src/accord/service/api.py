"""The REST API under ``/api``: sign-in and tokens, scenarios and their parts, members, the audit
log, analyses and background jobs.

Every endpoint resolves the caller (bearer token or session cookie plus CSRF token), then the
caller's role in the scenario (:mod:`accord.service.access`), and only then reads or writes.
Reads return what the role may see; analyses run on the caller's own view of the scenario.
Writes need ``If-Match`` with the entity tag the caller read (a stale one gets 412), and come
back with the new ``ETag``. The routes live in :mod:`~accord.service.routes_data` and
:mod:`~accord.service.routes_analysis`; sign-in and tokens are here.
"""

# No `from __future__ import annotations` here: FastAPI resolves the route annotations
# (`Caller`, a local alias) when the routes are defined.

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from accord.service import auth
from accord.service.kit import Kit, Service, check_password, start_session
from accord.service.routes_analysis import add_analysis_routes
from accord.service.routes_data import add_data_routes
from accord.service.schemas import (
    ERRORS,
    ErrorBody,
    Login,
    Me,
    Membership,
    SignedIn,
    TokenCreated,
    TokenInfo,
    TokenRequest,
    Unauthenticated,
)
from accord.service.store import User


def build_router(service: Service) -> APIRouter:
    """The API router: sign-in, tokens, data and analysis routes."""
    router = APIRouter(prefix="/api", responses=ERRORS)
    kit = Kit(service)
    store = kit.store
    Caller = Annotated[User, Depends(kit.caller)]

    # --- sign-in, tokens ----------------------------------------------------------------------

    @router.post(
        "/login",
        response_model=SignedIn,
        tags=["auth"],
        responses={429: {"model": ErrorBody, "description": "too many failed sign-ins"}},
    )
    def login(body: Login, request: Request, response: Response) -> SignedIn:
        """Sign in with a password: sets a new session cookie (ending the one sent, if any);
        returns the CSRF token to send with every change made through the cookie. Repeated
        failures for a name or from an address are refused for a while (429)."""
        user = check_password(service, request, body.name, body.password)
        if user is None:
            raise Unauthenticated("wrong user name or password")
        csrf = start_session(service, response, user, request)
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

    add_data_routes(router, kit)
    add_analysis_routes(router, kit)
    return router
