"""Request and response bodies of the API (documented in the OpenAPI schema), its error
exceptions, and the collections of records it serves."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Unauthenticated(Exception):
    """No valid session or token."""


class PreconditionRequired(Exception):
    """A change without ``If-Match``."""


class BadRequest(ValueError):
    """A request the engines cannot answer as asked (the message says why)."""


# --- response bodies (documented in the OpenAPI schema) ----------------------------------------


class ProblemItem(BaseModel):
    """One problem with a request: the field path and the message."""

    path: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str
    problems: list[ProblemItem] = []


class Login(BaseModel):
    """A sign-in request: user name and password."""

    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)


class SignedIn(BaseModel):
    """The answer to a sign-in: the user and the CSRF token for cookie requests."""

    user: str
    is_admin: bool
    csrf: str


class Membership(BaseModel):
    """One scenario membership of a user: the scenario, role and party."""

    scenario: str
    role: str
    party: str | None = None


class Me(BaseModel):
    """The signed-in user and their memberships."""

    user: str
    is_admin: bool
    scenarios: list[Membership]


class TokenRequest(BaseModel):
    """A request for a new API token."""

    name: str = Field(min_length=1, max_length=80)


class TokenCreated(BaseModel):
    """A new API token (its secret is shown once)."""

    id: int
    name: str
    token: str


class TokenInfo(BaseModel):
    """An API token as listed (never its secret)."""

    id: int
    name: str
    created_at: str
    revoked: bool


class ScenarioInfo(BaseModel):
    """A scenario as listed."""

    id: str
    title: str
    version: int
    role: str
    party: str | None = None


class Member(BaseModel):
    """A member of a scenario: user, role and party."""

    user: str
    role: str
    party: str | None = None


class MemberRequest(BaseModel):
    """A request to add or change a membership."""

    role: str = Field(pattern="^(owner|mediator|delegate|observer)$")
    party: str | None = Field(default=None, max_length=80)


class AuditEntry(BaseModel):
    """One audit-log entry."""

    id: int
    version: int
    at: str
    user: str
    action: str
    target: str
    before: Any = None
    after: Any = None
    changes: list[str] = []  # the change in words, field by field (accord.service.changes)


class JobRequest(BaseModel):
    """A request for a background job (ensemble or tournament)."""

    kind: str = Field(pattern="^(ensemble|tournament)$")
    params: dict[str, Any] = {}


class JobInfo(BaseModel):
    """A background job: its kind, state and result."""

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
    """The kinds of scenario resources the API edits."""

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
