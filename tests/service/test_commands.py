"""The service's command line: database upgrade, import, users and roles, tokens, backup of a
live database; bad input exits 2 with one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.service import db
from accord.service.store import Store

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_upgrade_import_users_roles_tokens_and_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    env = {"ACCORD_DB": url, "ACCORD_PASSWORD": "a long password"}
    code, out = run("db", "import", "teaching-river", "--owner", "admin", env=env)
    assert code == 2 and "is empty: run accord db upgrade first" in out
    assert run("db", "upgrade", env=env)[0] == 0
    assert db.current_revision(url) == "0001"
    assert run("user", "add", "admin", "--admin", env=env)[0] == 0
    code, out = run("db", "import", "teaching-river", "--owner", "admin", env=env)
    assert code == 0 and "imported teaching-river (version 1), owned by admin" in out
    code, out = run("db", "import", "teaching-river", "--owner", "admin", env=env)
    assert code == 2 and "already exists" in out
    code, out = run(
        "user",
        "add",
        "kyiv",
        "--role",
        "delegate",
        "--party",
        "UP",
        "--scenario",
        "teaching-river",
        "--password-stdin",
        env={"ACCORD_DB": url},
        stdin="another long password\n",
    )
    assert code == 0 and "kyiv is delegate of UP in teaching-river" in out
    code, out = run(
        "user",
        "grant",
        "kyiv",
        "--role",
        "delegate",
        "--party",
        "XX",
        "--scenario",
        "teaching-river",
        env=env,
    )
    assert code == 2 and "has no party 'XX'" in out
    code, out = run("user", "add", "short", env={"ACCORD_DB": url, "ACCORD_PASSWORD": "abc"})
    assert code == 2 and "at least 8 characters" in out
    code, out = run("user", "token", "kyiv", env=env)
    assert code == 0 and out.strip().startswith("acc_")
    store = Store(db.make_engine(url))
    from accord.service.auth import digest

    user = store.token_user(digest(out.strip()))
    assert user is not None and user.name == "kyiv"
    assert store.membership("teaching-river", user).party == "UP"

    # a consistent online copy, checked, moved into place
    copy = tmp_path / "backup.db"
    code, out = run("db", "backup", str(copy), env=env)
    assert code == 0 and "integrity check: ok" in out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT id FROM scenarios").fetchall() == [("teaching-river",)]
        assert {r[0] for r in conn.execute("SELECT name FROM users")} == {
            "admin",
            "kyiv",
            "short",
        } - {"short"}
    assert not list(tmp_path.glob(".backup.db.partial"))


def test_backup_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    code, out = run(
        "db", "backup", str(tmp_path / "b.db"), "--db", f"sqlite:///{tmp_path / 'none.db'}"
    )
    assert code == 2 and "no database at" in out
    code, out = run(
        "db", "backup", str(tmp_path / "b.db"), "--db", "postgresql+psycopg://x@localhost/y"
    )
    assert code == 2 and "use pg_dump" in out


def test_backup_while_writes_go_on(tmp_path: Path) -> None:
    """The copy is a consistent snapshot even while another connection writes."""
    import threading

    from tests.service.conftest import make_team, river_document

    url = f"sqlite:///{tmp_path / 'live.db'}"
    db.upgrade(url)
    team = make_team(url, river_document(), {"up": "UP"})
    stop = threading.Event()

    def write() -> None:
        from accord.service import resources

        n = 0
        while not stop.is_set():
            event = {"id": f"w{n}", "date": "2024-06-01", "kind": "talks", "title": "x"}
            team.store.change(
                "teaching-river",
                team.users["owner"],
                "create",
                ("events", event["id"]),
                lambda doc, e=event: resources.put(doc, ("events", e["id"]), e, create=True),
                if_match=None,
            )
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for k in range(3):
            target = tmp_path / f"copy{k}.db"
            db.backup(url, target)
            with sqlite3.connect(target) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                version = conn.execute("SELECT version FROM scenarios").fetchone()[0]
                audited = conn.execute("SELECT max(version) FROM audit").fetchone()[0]
                assert version == audited  # the change and its audit record: both or neither
    finally:
        stop.set()
        writer.join()


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["user", "add", "x"]])
def test_an_unusable_database_is_a_clean_error(command: list[str]) -> None:
    code, out = run(*command, "--db", "sqlite:////nonexistent/dir/x.db")
    assert code == 2
    assert "cannot open the database at sqlite:////nonexistent/dir/x.db" in " ".join(out.split())
