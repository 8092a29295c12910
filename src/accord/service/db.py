"""The database: tables, engines (SQLite in WAL mode, or PostgreSQL), migrations and backup.

Writes run in transactions that take the write lock up front (``BEGIN IMMEDIATE`` on SQLite,
``SELECT ... FOR UPDATE`` on the scenario row on PostgreSQL), so a check-then-write is atomic. On
SQLite, ``synchronous=FULL`` makes every acknowledged commit durable.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, Engine, make_url

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie's secret
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("document", Text, nullable=False),  # the scenario as JSON (accord's own format)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("scenario_id", String(80), ForeignKey("scenarios.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("party", String(80), nullable=True),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(80), nullable=False),
    Column("action", String(16), nullable=False),
    Column("target", String(400), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)
Index("ix_audit_scenario", audit.c.scenario_id, audit.c.id)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("scenario_id", String(80), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("params", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)


def is_sqlite(url: str) -> bool:
    """Whether a database URL is SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, full sync, foreign keys and a busy timeout, and
    transactions that say ``BEGIN`` themselves (so writes can ask for ``BEGIN IMMEDIATE``)."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.info.pop("begin", "BEGIN"))

    return engine


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: commits on success, rolls back on any exception. On SQLite it holds
    the database's write lock from its first statement."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.info["begin"] = "BEGIN IMMEDIATE"
        with conn.begin():
            yield conn


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction, for reads."""
    with engine.connect() as conn, conn.begin():
        yield conn


MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Any:
    """The Alembic configuration for a database URL (migrations shipped in the package)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating it if needed)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The Alembic revision a database is at, or None where it has none."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def backup(url: str, target: str | Path) -> Path:
    """A consistent copy of a live SQLite database in ``target`` (SQLite's online backup API,
    written to a temporary file and renamed into place)."""
    if not is_sqlite(url):
        raise ValueError(
            "accord db backup copies SQLite databases; for PostgreSQL use pg_dump"
            f" (got {make_url(url).get_backend_name()})"
        )
    source_path = make_url(url).database
    if not source_path or source_path == ":memory:":
        raise ValueError("an in-memory database has nothing to back up")
    if not Path(source_path).exists():
        raise ValueError(f"no database at {source_path}")
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    source = sqlite3.connect(source_path, timeout=60)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            check = copy.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise ValueError(f"the copy failed its integrity check: {check}")
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)
    return target
