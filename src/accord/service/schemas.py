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
