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
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Who the audit log credits (default: cli:<OS user name>)."),
    ] = None,
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
        loaded = store.create_scenario(to_data(s), found[0], by=_actor(actor))
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


ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who the audit log credits with the change (default: cli:<your OS user name>).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _actor(actor: str | None) -> str:
    """The audit log's name for a change made on the command line."""
    if actor:
        return actor
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{who}"


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
    actor: ActorOpt = None,
    db_url: DbOpt = None,
) -> None:
    """Add a user (the password is asked for, read from stdin, or taken from $ACCORD_PASSWORD),
    optionally with a role in a scenario. With a role, the user and the role are made together:
    a wrong role, scenario or party leaves no user behind."""
    from accord.service.auth import hash_password
    from accord.service.resources import Conflict
    from accord.service.store import Missing, check_role

    if (role is None) != (scenario is None):
        raise _fail("--role and --scenario go together")
    if party is not None and role is None:
        raise _fail("--party needs --role delegate and --scenario")
    try:
        check_role(role, party)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    store, _ = _store(db_url)
    if scenario is not None and scenario not in store.scenario_ids():
        raise _fail(f"no scenario {scenario!r} (import one with accord db import)")
    try:
        hashed = hash_password(_password(password_stdin))
        if role is None:
            user = store.add_user(name, hashed, is_admin=admin)
        else:
            assert scenario is not None
            user = store.add_member_user(
                name,
                hashed,
                is_admin=admin,
                scenario=scenario,
                role=role,
                party=party,
                by=_actor(actor),
            )
    except (ValueError, Conflict, Missing) as exc:
        raise _fail(str(exc)) from None
    err.print(f"added user {user.name}{' (administrator)' if admin else ''}")
    if role is not None:
        err.print(f"{name} is {role}{f' of {party}' if party else ''} in {scenario}")


def _grant(store: Any, name: str, role: str, scenario: str, party: str | None, actor: str) -> None:
    from accord.service.store import Missing

    try:
        store.set_member(scenario, actor, name, role, party)
    except (ValueError, LookupError, Missing) as exc:
        raise _fail(str(exc)) from None
    err.print(f"{name} is {role}{f' of {party}' if party else ''} in {scenario}")


@user_app.command("grant")
def user_grant(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[str, typer.Option("--role", help="owner, mediator, delegate or observer.")],
    scenario: Annotated[str, typer.Option("--scenario", help="The scenario id.")],
    party: Annotated[str | None, typer.Option("--party", help="A delegate's party.")] = None,
    actor: ActorOpt = None,
    db_url: DbOpt = None,
) -> None:
    """Give a user a role in a scenario (replacing any role it had there)."""
    store, _ = _store(db_url)
    if store.user_by_name(name) is None:
        raise _fail(f"no user named {name!r}")
    _grant(store, name, role, scenario, party, _actor(actor))


@user_app.command("list")
def user_list(json_out: JsonOpt = False, db_url: DbOpt = None) -> None:
    """Every user: administrator or not, live API tokens, and their roles in scenarios."""
    import json

    store, _ = _store(db_url)
    rows = store.user_rows()
    if json_out:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False)
    for column in ("user", "admin", "tokens", "roles", "created"):
        table.add_column(column)
    for r in rows:
        roles = ", ".join(
            f"{m['role']}{' of ' + m['party'] if m['party'] else ''} in {m['scenario']}"
            for m in r["scenarios"]
        )
        table.add_row(
            Text(r["name"]),
            "yes" if r["admin"] else "",
            str(r["tokens"]),
            Text(roles or "-"),
            r["created_at"][:19].replace("T", " "),
        )
    Console(highlight=False, soft_wrap=True).print(table)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The user name.")],
    actor: ActorOpt = None,
    db_url: DbOpt = None,
) -> None:
    """Delete a user: their roles (each removal is in that scenario's audit log), sign-ins, API
    tokens and jobs. What they changed stays in the audit log under their name."""
    from accord.service.store import Missing

    store, _ = _store(db_url)
    try:
        sids = store.remove_user(name, _actor(actor))
    except Missing as exc:
        raise _fail(str(exc)) from None
    where = f" (and their roles in {', '.join(sids)})" if sids else ""
    err.print(Text(f"removed user {name}{where}"))


@user_app.command("reset-password")
def user_reset_password(
    name: Annotated[str, typer.Argument(help="The user name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a random password and print it once.")
    ] = False,
    db_url: DbOpt = None,
) -> None:
    """Set a new password (asked for, read from stdin, taken from $ACCORD_PASSWORD, or made up
    with --generate). The user's sign-ins end and their API tokens are revoked."""
    import secrets

    from accord.service.auth import hash_password
    from accord.service.store import Missing

    store, _ = _store(db_url)
    if store.user_by_name(name) is None:
        raise _fail(f"no user named {name!r}")
    password = secrets.token_urlsafe(15) if generate else _password(password_stdin)
    try:
        store.set_password(name, hash_password(password))
    except (ValueError, Missing) as exc:
        raise _fail(str(exc)) from None
    if generate:
        sys.stdout.write(password + "\n")
    err.print(f"new password set for {name}: their sign-ins ended and their API tokens revoked")


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
