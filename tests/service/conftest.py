"""Shared fixtures for the service tests: a migrated database (SQLite in a temporary folder, or
the PostgreSQL server named by $ACCORD_TEST_POSTGRES), users in every role, and scenarios with
confidential preferences."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient

from accord.model.load import to_data
from accord.scenarios import resolve
from accord.service import db
from accord.service.app import create_app
from accord.service.auth import hash_password
from accord.service.settings import Settings
from accord.service.store import Store, User

PASSWORD = "correct horse battery"
POSTGRES = os.environ.get("ACCORD_TEST_POSTGRES")


def confidential(document: dict[str, Any], parties: tuple[str, ...]) -> dict[str, Any]:
    """``document`` with every preference of ``parties`` marked confidential."""
    out = copy.deepcopy(document)
    for party in parties:
        for pref in out["preferences"][party].values():
            pref["confidential"] = True
    return out


def river_document() -> dict[str, Any]:
    """teaching-river with UP's and LO's preferences confidential and DE's all public."""
    doc = confidential(to_data(resolve("teaching-river")), ("UP", "LO"))
    for pref in doc["preferences"]["DE"].values():
        pref.pop("confidential", None)
    return doc


def ukraine_document() -> dict[str, Any]:
    return confidential(to_data(resolve("ukraine-2025")), ("UA", "RU"))


def _postgres_url() -> str:
    """A fresh database on the test server (dropped at the end by the fixture)."""
    assert POSTGRES is not None
    import sqlalchemy

    name = "accord_test_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str) -> None:
    import sqlalchemy

    assert POSTGRES is not None
    name = url.rsplit("/", 1)[1]
    admin = sqlalchemy.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend (PostgreSQL where the test server is set)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accord.db'}"
        db.upgrade(url)
        yield url
        return
    if not POSTGRES:
        pytest.skip("no PostgreSQL test server ($ACCORD_TEST_POSTGRES is unset)")
    url = _postgres_url()
    try:
        db.upgrade(url)
        yield url
    finally:
        _drop_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    db.upgrade(url)
    return url


@dataclass
class Team:
    """A store with a scenario and a user in every role."""

    store: Store
    url: str
    scenario: str
    users: dict[str, User]


ROLES = {
    # user: (role, party)
    "owner": ("owner", None),
    "mediator": ("mediator", None),
    "observer": ("observer", None),
}


def make_team(url: str, document: dict[str, Any], delegates: dict[str, str]) -> Team:
    store = Store(db.make_engine(url))
    hashed = hash_password(PASSWORD)  # one argon2 hash for every test user (it is slow on purpose)
    admin = store.add_user("admin", hashed, is_admin=True)
    loaded = store.create_scenario(document, admin)
    users = {"admin": admin}
    for name, (role, party) in {
        **ROLES,
        **{k: ("delegate", v) for k, v in delegates.items()},
    }.items():
        users[name] = store.add_user(name, hashed)
        store.set_member(loaded.id, admin, name, role, party)  # type: ignore[arg-type]
    users["outsider"] = store.add_user("outsider", hashed)
    return Team(store, url, loaded.id, users)


@pytest.fixture
def river(sqlite_url: str) -> Team:
    return make_team(sqlite_url, river_document(), {"up": "UP", "lo": "LO"})


class Client:
    """A signed-in test client that sends the CSRF token with every change."""

    def __init__(self, app: Any, name: str | None) -> None:
        # a browser sends Origin with every change; the service refuses cookie changes without
        self.http = TestClient(app, headers={"Origin": "http://testserver"})
        self.csrf = ""
        if name is not None:
            r = self.http.post("/api/login", json={"name": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.csrf = r.json()["csrf"]

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if method not in ("GET", "HEAD"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)


def app_for(team: Team) -> Any:
    return create_app(Settings(db=team.url, job_workers=1), store=team.store)
