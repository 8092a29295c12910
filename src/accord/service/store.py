"""The store: every read and write the service makes, each in one transaction.

A change to a scenario is one transaction: take the write lock, read the document, check the
caller's ``If-Match`` against the resource as it is now, apply the change, validate the whole
document (the same checks and words as the command line), write it with the next version, and
append the audit record (who, when, what, before, after). Either all of that commits or none of
it does, so an acknowledged change is in the document and in the audit log, and a stale one is
refused (``PreconditionFailed``), never silently applied.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from accord.model import Scenario, ScenarioError
from accord.model.errors import render_path
from accord.model.load import to_data, validate
from accord.model.parse import Parsed
from accord.service import db
from accord.service.access import ROLES, Role, Viewer
from accord.service.changes import describe
from accord.service.resources import Conflict, Target, etag, get, target_text


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)


class PreconditionFailed(Exception):
    """The resource changed since the caller read it (its ``If-Match`` is stale)."""

    def __init__(self, current: str | None) -> None:
        self.current = current
        super().__init__("the resource has changed since you read it (reload it and retry)")


class Invalid(Exception):
    """The change would make the scenario invalid; ``problems`` are (path, message) pairs in the
    command line's words."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems))


class Missing(LookupError):
    """No such scenario, user, token or job."""


@dataclass(frozen=True)
class Loaded:
    """A scenario at one version: its document (plain JSON data) and the validated record."""

    id: str
    version: int
    document: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class User:
    """A user account."""

    id: int
    name: str
    is_admin: bool


def check_document(doc: dict[str, Any], name: str) -> Scenario:
    """Validate a whole document; ``Invalid`` with every problem (path rendered as the CLI does)."""
    try:
        return validate(Parsed(doc), name=name)
    except ScenarioError as exc:
        raise Invalid([(render_path(p.path, doc), p.message) for p in exc.problems]) from None


class Store:
    """All database access. Thread-safe; holds a small cache of validated scenarios by version
    (a cache keyed by version never changes a result)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, Loaded] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction. On SQLite, this process's writers also queue on a lock first:
        the database takes one writer at a time anyway, and a queue is fairer (and faster) than
        SQLite's busy-wait retries."""
        if self.engine.dialect.name != "sqlite":
            with db.writing(self.engine) as conn:
                yield conn
            return
        with self._write_lock, db.writing(self.engine) as conn:
            yield conn

    # --- users --------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, *, is_admin: bool = False) -> User:
        """Create a user (Conflict where the name is taken)."""
        with self._writing() as conn:
            return self._insert_user(conn, name, password_hash, is_admin)

    def _insert_user(self, conn: Connection, name: str, password_hash: str, is_admin: bool) -> User:
        if conn.execute(select(db.users.c.id).where(db.users.c.name == name)).first():
            raise Conflict(f"a user named {name!r} already exists")
        row = conn.execute(
            insert(db.users).values(
                name=name, password_hash=password_hash, is_admin=is_admin, created_at=now()
            )
        )
        key = row.inserted_primary_key
        assert key is not None
        return User(int(key[0]), name, is_admin)

    def set_password(self, name: str, password_hash: str) -> None:
        """Set the password of ``name``; its sessions end and its API tokens are revoked."""
        with self._writing() as conn:
            done = conn.execute(
                update(db.users).where(db.users.c.name == name).values(password_hash=password_hash)
            )
            if done.rowcount == 0:
                raise Missing(f"no user named {name!r}")
            # a new password ends every sign-in and revokes every API token of the user
            uid = select(db.users.c.id).where(db.users.c.name == name).scalar_subquery()
            conn.execute(db.sessions.delete().where(db.sessions.c.user_id == uid))
            conn.execute(
                update(db.api_tokens)
                .where(db.api_tokens.c.user_id == uid, db.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )

    def user_by_name(self, name: str) -> tuple[User, str] | None:
        """A user and their password hash by name, or None."""
        with db.reading(self.engine) as conn:
            row = conn.execute(select(db.users).where(db.users.c.name == name)).first()
        if row is None:
            return None
        return User(row.id, row.name, bool(row.is_admin)), row.password_hash

    def user(self, user_id: int) -> User | None:
        """A user by id, or None."""
        with db.reading(self.engine) as conn:
            row = conn.execute(select(db.users).where(db.users.c.id == user_id)).first()
        return None if row is None else User(row.id, row.name, bool(row.is_admin))

    def users(self) -> list[User]:
        """Every user, by name."""
        with db.reading(self.engine) as conn:
            rows = conn.execute(select(db.users).order_by(db.users.c.id)).all()
        return [User(r.id, r.name, bool(r.is_admin)) for r in rows]

    # --- sessions and tokens ------------------------------------------------------------------

    def add_session(self, digest: str, user_id: int, csrf: str, hours: float) -> None:
        """Record a sign-in session (digest of the cookie) for some hours."""
        t = now()
        with self._writing() as conn:
            conn.execute(
                insert(db.sessions).values(
                    id=digest,
                    user_id=user_id,
                    csrf=csrf,
                    created_at=t,
                    expires_at=t + dt.timedelta(hours=hours),
                )
            )

    def session(self, digest: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or None."""
        with db.reading(self.engine) as conn:
            row = conn.execute(
                select(db.sessions, db.users.c.name, db.users.c.is_admin)
                .join(db.users, db.users.c.id == db.sessions.c.user_id)
                .where(db.sessions.c.id == digest)
            ).first()
        if row is None or _aware(row.expires_at) <= now():
            return None
        return User(row.user_id, row.name, bool(row.is_admin)), row.csrf

    def end_session(self, digest: str) -> None:
        """End a session (sign-out)."""
        with self._writing() as conn:
            conn.execute(db.sessions.delete().where(db.sessions.c.id == digest))

    def add_token(self, user_id: int, name: str, digest: str) -> int:
        """Record an API token (its digest) and return its id."""
        with self._writing() as conn:
            row = conn.execute(
                insert(db.api_tokens).values(
                    user_id=user_id, name=name, token_hash=digest, created_at=now()
                )
            )
            key = row.inserted_primary_key
            assert key is not None
        return int(key[0])

    def token_user(self, digest: str) -> User | None:
        """The user of a live API token, or None."""
        with db.reading(self.engine) as conn:
            row = conn.execute(
                select(db.users)
                .join(db.api_tokens, db.api_tokens.c.user_id == db.users.c.id)
                .where(db.api_tokens.c.token_hash == digest, db.api_tokens.c.revoked_at.is_(None))
            ).first()
        return None if row is None else User(row.id, row.name, bool(row.is_admin))

    def tokens(self, user_id: int) -> list[dict[str, Any]]:
        """A user's API tokens (never their secrets)."""
        with db.reading(self.engine) as conn:
            rows = conn.execute(
                select(db.api_tokens)
                .where(db.api_tokens.c.user_id == user_id)
                .order_by(db.api_tokens.c.id)
            ).all()
        return [
            {
                "id": r.id,
                "name": r.name,
                "created_at": _aware(r.created_at).isoformat(),
                "revoked": r.revoked_at is not None,
            }
            for r in rows
        ]

    def revoke_token(self, user_id: int, token_id: int) -> None:
        """Revoke one of a user's API tokens."""
        with self._writing() as conn:
            done = conn.execute(
                update(db.api_tokens)
                .where(
                    db.api_tokens.c.id == token_id,
                    db.api_tokens.c.user_id == user_id,
                    db.api_tokens.c.revoked_at.is_(None),
                )
                .values(revoked_at=now())
            )
            if done.rowcount == 0:
                raise Missing(f"no active token {token_id} of yours")

    # --- scenarios ----------------------------------------------------------------------------

    def create_scenario(
        self, document: dict[str, Any], user: User, *, by: User | str | None = None
    ) -> Loaded:
        """Store a new scenario (validated) with ``user`` as its owner; the audit log credits
        ``by`` (default: ``user``; ``cli:alice`` for the command line)."""
        doc = copy.deepcopy(document)
        sid = doc.get("id")
        scenario = check_document(doc, f"scenario {sid}")
        doc = to_data(scenario)
        t = now()
        with self._writing() as conn:
            if conn.execute(
                select(db.scenarios.c.id).where(db.scenarios.c.id == scenario.id)
            ).first():
                raise Conflict(f"a scenario {scenario.id!r} already exists")
            conn.execute(
                insert(db.scenarios).values(
                    id=scenario.id, version=1, document=json.dumps(doc), created_at=t, updated_at=t
                )
            )
            conn.execute(
                insert(db.memberships).values(
                    scenario_id=scenario.id, user_id=user.id, role="owner", party=None
                )
            )
            actor = _actor(user if by is None else by)
            self._audit(conn, scenario.id, 1, actor, "create", ("scenario",), None, doc)
        return Loaded(scenario.id, 1, doc, scenario)

    def scenario_ids(self) -> list[str]:
        """Every scenario id."""
        with db.reading(self.engine) as conn:
            return [
                r.id for r in conn.execute(select(db.scenarios.c.id).order_by(db.scenarios.c.id))
            ]

    def load(self, sid: str) -> Loaded:
        """The current version of a scenario (Missing where absent)."""
        with db.reading(self.engine) as conn:
            version = conn.execute(
                select(db.scenarios.c.version).where(db.scenarios.c.id == sid)
            ).scalar()
            if version is None:
                raise Missing(f"no scenario {sid!r}")
            with self._lock:
                cached = self._cache.get(sid)
            if cached is not None and cached.version == version:
                return cached
            row = conn.execute(
                select(db.scenarios.c.version, db.scenarios.c.document).where(
                    db.scenarios.c.id == sid
                )
            ).one()
        doc = json.loads(row.document)
        loaded = Loaded(sid, int(row.version), doc, check_document(doc, sid))  # reads only
        with self._lock:
            current = self._cache.get(sid)
            if current is None or current.version < loaded.version:
                self._cache[sid] = loaded
        return loaded

    def change(
        self,
        sid: str,
        user: User,
        action: str,
        target: Target,
        apply: Callable[[dict[str, Any]], None],
        *,
        if_match: str | None,
        guard: Callable[[dict[str, Any]], None] | None = None,
        name_problems: Callable[[dict[str, Any], list[tuple[str, str]]], list[tuple[str, str]]]
        | None = None,
    ) -> tuple[Loaded, Any]:
        """Apply one change (see the module docstring). ``if_match``: the entity tag the caller
        read (None: no precondition, only for creations); ``guard(doc)`` may refuse the change
        after the lock is taken; ``name_problems`` may rewrite validation problems (to keep a
        viewer's errors free of data it may not see). Returns the new version and the resource
        after the change (None after a delete)."""
        with self._writing() as conn:
            row = _locked_scenario(conn, sid)
            doc = json.loads(row.document)
            if guard is not None:
                guard(doc)
            before = _try_get(doc, target)
            if if_match is not None and (before is None or etag(before) != if_match.strip()):
                raise PreconditionFailed(None if before is None else etag(before))
            apply(doc)
            try:
                scenario = check_document(doc, sid)  # validation only reads the data
            except Invalid as exc:
                problems = (
                    exc.problems if name_problems is None else name_problems(doc, exc.problems)
                )
                raise Invalid(problems) from None
            clean = to_data(scenario)
            after = _try_get(clean, target)
            version = int(row.version) + 1
            conn.execute(
                update(db.scenarios)
                .where(db.scenarios.c.id == sid)
                .values(version=version, document=json.dumps(clean), updated_at=now())
            )
            self._audit(conn, sid, version, user.name, action, target, before, after)
        loaded = Loaded(sid, version, clean, scenario)
        with self._lock:
            current = self._cache.get(sid)
            if current is None or current.version < version:
                self._cache[sid] = loaded
        return loaded, after

    def _audit(
        self,
        conn: Connection,
        sid: str,
        version: int,
        user: str,
        action: str,
        target: Target,
        before: Any,
        after: Any,
    ) -> None:
        conn.execute(
            insert(db.audit).values(
                scenario_id=sid,
                version=version,
                at=now(),
                user_name=user,
                action=action,
                target=target_text(target),
                before=None if before is None else json.dumps(before),
                after=None if after is None else json.dumps(after),
            )
        )

    def audit(self, sid: str, *, after_id: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        """A scenario's audit entries after an id, oldest first."""
        with db.reading(self.engine) as conn:
            rows = conn.execute(
                select(db.audit)
                .where(db.audit.c.scenario_id == sid, db.audit.c.id > after_id)
                .order_by(db.audit.c.id)
                .limit(limit)
            ).all()
        out = [
            {
                "id": r.id,
                "version": r.version,
                "at": _aware(r.at).isoformat(),
                "user": r.user_name,
                "action": r.action,
                "target": r.target,
                "before": None if r.before is None else json.loads(r.before),
                "after": None if r.after is None else json.loads(r.after),
            }
            for r in rows
        ]
        for entry in out:
            entry["changes"] = describe(
                entry["action"], entry["target"], entry["before"], entry["after"]
            )
        return out

    def audit_count(self, sid: str) -> int:
        """The number of audit entries of a scenario."""
        with db.reading(self.engine) as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(db.audit).where(db.audit.c.scenario_id == sid)
                ).scalar_one()
            )

    # --- members ------------------------------------------------------------------------------

    def membership(self, sid: str, user: User) -> Viewer:
        """A user's membership of a scenario as a Viewer (no role where not a member)."""
        with db.reading(self.engine) as conn:
            exists = conn.execute(select(db.scenarios.c.id).where(db.scenarios.c.id == sid)).first()
            if exists is None:
                raise Missing(f"no scenario {sid!r}")
            row = conn.execute(
                select(db.memberships).where(
                    db.memberships.c.scenario_id == sid, db.memberships.c.user_id == user.id
                )
            ).first()
        if user.is_admin:
            return Viewer(user.id, user.name, True, "owner", None)
        if row is None:
            return Viewer(user.id, user.name, False, None, None)
        return Viewer(user.id, user.name, False, row.role, row.party)

    def scenarios_of(self, user: User) -> list[tuple[str, str]]:
        """(scenario id, role) for every scenario the user may open."""
        with db.reading(self.engine) as conn:
            if user.is_admin:
                return [
                    (r.id, "owner")
                    for r in conn.execute(select(db.scenarios.c.id).order_by(db.scenarios.c.id))
                ]
            rows = conn.execute(
                select(db.memberships.c.scenario_id, db.memberships.c.role)
                .where(db.memberships.c.user_id == user.id)
                .order_by(db.memberships.c.scenario_id)
            ).all()
        return [(r.scenario_id, r.role) for r in rows]

    def members(self, sid: str) -> list[dict[str, Any]]:
        """The members of a scenario."""
        with db.reading(self.engine) as conn:
            rows = conn.execute(
                select(db.memberships, db.users.c.name)
                .join(db.users, db.users.c.id == db.memberships.c.user_id)
                .where(db.memberships.c.scenario_id == sid)
                .order_by(db.users.c.name)
            ).all()
        return [{"user": r.name, "role": r.role, "party": r.party} for r in rows]

    def set_member(
        self, sid: str, by: User | str, name: str, role: Role | None, party: str | None
    ) -> None:
        """Give ``name`` a role in ``sid`` (None: remove), audited as done by ``by`` (a user,
        or an actor's name such as ``cli:alice`` for the command line)."""
        check_role(role, party)
        with self._writing() as conn:
            user = conn.execute(select(db.users).where(db.users.c.name == name)).first()
            if user is None:
                raise Missing(f"no user named {name!r}")
            self._set_member(conn, sid, _actor(by), user.id, name, role, party)

    def _set_member(
        self,
        conn: Connection,
        sid: str,
        actor: str,
        user_id: int,
        name: str,
        role: Role | None,
        party: str | None,
    ) -> None:
        row = _locked_scenario(conn, sid)
        if party and party not in {p["id"] for p in json.loads(row.document)["parties"]}:
            raise ValueError(f"scenario {sid} has no party {party!r}")
        where = (db.memberships.c.scenario_id == sid) & (db.memberships.c.user_id == user_id)
        old = conn.execute(select(db.memberships).where(where)).first()
        before = None if old is None else {"role": old.role, "party": old.party}
        conn.execute(db.memberships.delete().where(where))
        after = None
        if role is not None:
            conn.execute(
                insert(db.memberships).values(
                    scenario_id=sid, user_id=user_id, role=role, party=party
                )
            )
            after = {"role": role, "party": party}
        if before == after:
            return
        version = int(row.version) + 1
        conn.execute(update(db.scenarios).where(db.scenarios.c.id == sid).values(version=version))
        self._audit(conn, sid, version, actor, "member", ("members", name), before, after)

    def add_member_user(
        self,
        name: str,
        password_hash: str,
        *,
        is_admin: bool,
        scenario: str,
        role: Role,
        party: str | None,
        by: User | str,
    ) -> User:
        """Create a user with a role in a scenario, in one transaction: where the role, the
        scenario or the party is wrong, nothing is created."""
        check_role(role, party)
        with self._writing() as conn:
            user = self._insert_user(conn, name, password_hash, is_admin)
            self._set_member(conn, scenario, _actor(by), user.id, name, role, party)
        return user

    def remove_user(self, name: str, by: User | str) -> list[str]:
        """Delete a user: their memberships (each removal audited as done by ``by``), sessions,
        API tokens and jobs. Returns the scenarios they were a member of."""
        with self._writing() as conn:
            row = conn.execute(select(db.users).where(db.users.c.name == name)).first()
            if row is None:
                raise Missing(f"no user named {name!r}")
            sids = [
                r.scenario_id
                for r in conn.execute(
                    select(db.memberships.c.scenario_id)
                    .where(db.memberships.c.user_id == row.id)
                    .order_by(db.memberships.c.scenario_id)
                )
            ]
            for sid in sids:
                self._set_member(conn, sid, _actor(by), row.id, name, None, None)
            for table in (db.sessions, db.api_tokens, db.jobs):
                conn.execute(table.delete().where(table.c.user_id == row.id))
            conn.execute(db.users.delete().where(db.users.c.id == row.id))
        return sids

    def user_rows(self) -> list[dict[str, Any]]:
        """Every user with their creation time, live API tokens and memberships, by name."""
        with db.reading(self.engine) as conn:
            users = conn.execute(select(db.users).order_by(db.users.c.name)).all()
            members = conn.execute(
                select(db.memberships).order_by(db.memberships.c.scenario_id)
            ).all()
            tokens = conn.execute(
                select(db.api_tokens.c.user_id, func.count())
                .where(db.api_tokens.c.revoked_at.is_(None))
                .group_by(db.api_tokens.c.user_id)
            ).all()
        live = {uid: int(n) for uid, n in tokens}
        return [
            {
                "name": u.name,
                "admin": bool(u.is_admin),
                "created_at": _aware(u.created_at).isoformat(),
                "tokens": live.get(u.id, 0),
                "scenarios": [
                    {"scenario": m.scenario_id, "role": m.role, "party": m.party}
                    for m in members
                    if m.user_id == u.id
                ],
            }
            for u in users
        ]

    # --- jobs ---------------------------------------------------------------------------------

    def add_job(self, sid: str, user: User, kind: str, params: dict[str, Any]) -> str:
        """Record a queued job and return its id."""
        job_id = str(uuid.uuid4())
        with self._writing() as conn:
            conn.execute(
                insert(db.jobs).values(
                    id=job_id,
                    scenario_id=sid,
                    user_id=user.id,
                    kind=kind,
                    params=json.dumps(params),
                    status="queued",
                    done=0,
                    total=0,
                    created_at=now(),
                )
            )
        return job_id

    def update_job(self, job_id: str, **values: Any) -> None:
        """Update a job's state or result."""
        if "result" in values and values["result"] is not None:
            values["result"] = json.dumps(values["result"])
        if values.get("status") in ("done", "failed"):
            values["finished_at"] = now()
        with self._writing() as conn:
            conn.execute(update(db.jobs).where(db.jobs.c.id == job_id).values(**values))

    def job(self, job_id: str) -> dict[str, Any]:
        """A job by id (Missing where absent)."""
        with db.reading(self.engine) as conn:
            row = conn.execute(select(db.jobs).where(db.jobs.c.id == job_id)).first()
        if row is None:
            raise Missing(f"no job {job_id!r}")
        return {
            "id": row.id,
            "scenario": row.scenario_id,
            "user_id": row.user_id,
            "kind": row.kind,
            "params": json.loads(row.params),
            "status": row.status,
            "done": row.done,
            "total": row.total,
            "result": None if row.result is None else json.loads(row.result),
            "error": row.error,
            "created_at": _aware(row.created_at).isoformat(),
            "finished_at": None if row.finished_at is None else _aware(row.finished_at).isoformat(),
        }

    def interrupt_jobs(self) -> int:
        """Mark jobs left running by a stopped process as failed; how many."""
        with self._writing() as conn:
            done = conn.execute(
                update(db.jobs)
                .where(db.jobs.c.status.in_(("queued", "running")))
                .values(status="failed", error="interrupted: the server stopped", finished_at=now())
            )
        return int(done.rowcount or 0)


def check_role(role: str | None, party: str | None) -> None:
    """Refuse (ValueError) a role that is unknown or a party that does not fit it."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r} (expected one of: {', '.join(ROLES)})")
    if role == "delegate" and not party:
        raise ValueError("a delegate is bound to one party (expected a party)")
    if role != "delegate" and party:
        raise ValueError(f"only a delegate is bound to a party (got party for a {role})")


def _actor(by: User | str) -> str:
    return by if isinstance(by, str) else by.name


def _locked_scenario(conn: Connection, sid: str) -> Any:
    """The scenario's version and document, its row locked for this write transaction (on
    PostgreSQL; SQLite's writer already holds the database); ``Missing`` if there is none."""
    row = conn.execute(
        select(db.scenarios.c.version, db.scenarios.c.document)
        .where(db.scenarios.c.id == sid)
        .with_for_update()
    ).first()
    if row is None:
        raise Missing(f"no scenario {sid!r}")
    return row


def _try_get(doc: dict[str, Any], target: Target) -> Any:
    if target and target[0] in ("scenario", "members"):
        return None
    try:
        return get(doc, target)
    except LookupError:
        return None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
