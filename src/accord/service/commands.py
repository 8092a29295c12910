"""Command-line commands of the service: ``accord serve``, ``accord db ...``, ``accord user ...``.

This module imports nothing from the ``service`` extra at import time: the core command line
works without it, and these commands say what to install when it is missing.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $ACCORD_DB or sqlite:///accord.db)."),
]

db_app = typer.Typer(
    help="The service's database: migrations, import, backup.", no_args_is_help=True
)
user_app = typer.Typer(help="Users of the service and their roles.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    err.print(Text(f"accord: {message}"))
    return typer.Exit(2)


def _service() -> Any:
    try:
        from accord.service import db, store
        from accord.service.settings import Settings
    except ImportError as exc:
        raise _fail(
            f"the service needs the service extra (pip install 'accord[service]'): {exc}"
        ) from None
    return db, store, Settings


def _revision(db: Any, url: str) -> str | None:
    """The database's schema revision (None: empty), or a clean exit when it cannot be opened."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    try:
        return db.current_revision(url)  # type: ignore[no-any-return]
    except (OperationalError, ArgumentError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise _fail(f"cannot open the database at {url}: {reason}") from None


def _store(url: str | None) -> Any:
    db, store, settings_cls = _service()
    settings = settings_cls.from_env(db=url)
    revision = _revision(db, settings.db)
    if revision is None:
        raise _fail(f"the database at {settings.db} is empty: run accord db upgrade first")
    return store.Store(db.make_engine(settings.db)), settings


@db_app.command("upgrade")
def db_upgrade(db_url: DbOpt = None) -> None:
    """Create the database or bring it to the current schema (Alembic migrations)."""
    db, _, settings_cls = _service()
    settings = settings_cls.from_env(db=db_url)
    _revision(db, settings.db)  # can it be opened at all?
    db.upgrade(settings.db)
    err.print(f"database at {settings.db} is at revision {db.current_revision(settings.db)}")


@db_app.command("backup")
def db_backup(
    file: Annotated[str, typer.Argument(help="Where to write the copy.")],
    db_url: DbOpt = None,
) -> None:
    """A consistent copy of a live SQLite database (online; the server may keep running)."""
    db, _, settings_cls = _service()
    settings = settings_cls.from_env(db=db_url)
    try:
        db.backup(settings.db, file)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    err.print(f"backed up {settings.db} to {file} (integrity check: ok)")


@db_app.command("import")
def db_import(
    scenario: Annotated[str, typer.Argument(help="An embedded scenario id or a YAML/JSON file.")],
    owner: Annotated[str, typer.Option("--owner", help="The user who will own it.")],
    db_url: DbOpt = None,
) -> None:
    """Store a scenario in the service (the embedded ones by id), owned by ``--owner``."""
    from accord.model import ScenarioError
    from accord.model.load import to_data
    from accord.scenarios import resolve

    store, _ = _store(db_url)
    try:
        s = resolve(scenario)
    except ScenarioError as exc:
        for line in exc.lines():
            err.print(Text(line))
        raise typer.Exit(2) from None
    found = store.user_by_name(owner)
    if found is None:
        raise _fail(f"no user named {owner!r} (add one with accord user add)")
    from accord.service.resources import Conflict

    try:
        loaded = store.create_scenario(to_data(s), found[0])
    except Conflict as exc:
        raise _fail(str(exc)) from None
    err.print(f"imported {loaded.id} (version {loaded.version}), owned by {owner}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get("ACCORD_PASSWORD")
    if env:
        return env
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise _fail("the passwords differ")
    return first


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user name (sign-in name).")],
    admin: Annotated[bool, typer.Option("--admin", help="A site administrator.")] = False,
    role: Annotated[
        str | None,
        typer.Option("--role", help="A role in --scenario: owner, mediator, delegate or observer."),
    ] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="The scenario id.")] = None,
    party: Annotated[str | None, typer.Option("--party", help="A delegate's party.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db_url: DbOpt = None,
) -> None:
    """Add a user (the password is asked for, read from stdin, or taken from $ACCORD_PASSWORD),
    optionally with a role in a scenario."""
    from accord.service.auth import hash_password
    from accord.service.resources import Conflict

    store, _ = _store(db_url)
    try:
        hashed = hash_password(_password(password_stdin))
        user = store.add_user(name, hashed, is_admin=admin)
    except (ValueError, Conflict) as exc:
        raise _fail(str(exc)) from None
    err.print(f"added user {user.name}{' (administrator)' if admin else ''}")
    if role is not None:
        _grant(store, name, role, scenario, party)


def _grant(store: Any, name: str, role: str, scenario: str | None, party: str | None) -> None:
    if scenario is None:
        raise _fail("--role needs --scenario")
    found = store.user_by_name(name)
    try:
        store.set_member(scenario, found[0], name, role, party)
    except (ValueError, LookupError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"{name} is {role}{f' of {party}' if party else ''} in {scenario}")


@user_app.command("grant")
def user_grant(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[str, typer.Option("--role", help="owner, mediator, delegate or observer.")],
    scenario: Annotated[str, typer.Option("--scenario", help="The scenario id.")],
    party: Annotated[str | None, typer.Option("--party", help="A delegate's party.")] = None,
    db_url: DbOpt = None,
) -> None:
    """Give a user a role in a scenario (replacing any role it had there)."""
    store, _ = _store(db_url)
    if store.user_by_name(name) is None:
        raise _fail(f"no user named {name!r}")
    _grant(store, name, role, scenario, party)


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="The user name.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    db_url: DbOpt = None,
) -> None:
    """Make an API token for a user and print it (shown once; only its hash is kept)."""
    from accord.service.auth import TOKEN_PREFIX, new_secret

    store, _ = _store(db_url)
    found = store.user_by_name(name)
    if found is None:
        raise _fail(f"no user named {name!r}")
    secret, digest = new_secret(TOKEN_PREFIX)
    store.add_token(found[0].id, label, digest)
    sys.stdout.write(secret + "\n")


def serve(
    db_url: DbOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8000).")] = None,
    log_level: Annotated[
        str | None, typer.Option("--log-level", help="debug, info, warning.")
    ] = None,
) -> None:
    """Run the service (API, pages, health check) on Uvicorn. Stops gracefully on SIGTERM or
    Ctrl-C: requests in flight finish first."""
    db, _, settings_cls = _service()
    settings = settings_cls.from_env(db=db_url, host=host, port=port, log_level=log_level)
    revision = _revision(db, settings.db)
    if revision is None:
        db.upgrade(settings.db)  # a new database: create it
    else:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(db.alembic_config(settings.db)).get_current_head()
        if revision != head:
            raise _fail(
                f"the database is at revision {revision}, the code needs {head}:"
                " run accord db upgrade"
            )
    import uvicorn

    from accord.service.app import configure_logging, create_app

    configure_logging(settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=30,
    )
