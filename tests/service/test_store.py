"""The store on SQLite and on PostgreSQL: migrations match the tables, a change and its audit
record commit together, stale and invalid changes leave nothing behind, and concurrent writers
never lose an update."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text

from accord.service import db, resources
from accord.service.auth import hash_password
from accord.service.store import Invalid, PreconditionFailed, Store
from tests.service.conftest import river_document

POINT = ("drafts", "commission-1", "points", "1")


def fresh(url: str) -> tuple[Store, Any]:
    store = Store(db.make_engine(url))
    admin = store.add_user("admin", hash_password("a long password"), is_admin=True)
    store.create_scenario(river_document(), admin)
    return store, admin


def test_migrations_match_the_tables(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
    assert db.current_revision(db_url) == "0001"


def test_a_change_and_its_audit_record_commit_together(db_url: str) -> None:
    store, admin = fresh(db_url)
    loaded = store.load("teaching-river")
    before = resources.get(loaded.document, POINT)
    after_body = {**before, "text": "A new text"}
    new, after = store.change(
        "teaching-river",
        admin,
        "update",
        POINT,
        lambda doc: resources.put(doc, POINT, after_body),
        if_match=resources.etag(before),
    )
    assert new.version == loaded.version + 1 and after["text"] == "A new text"
    assert resources.get(store.load("teaching-river").document, POINT)["text"] == "A new text"
    entry = store.audit("teaching-river")[-1]
    assert (entry["action"], entry["target"], entry["user"]) == (
        "update",
        "drafts/commission-1/points/1",
        "admin",
    )
    assert entry["before"] == before and entry["after"] == after


def test_stale_and_invalid_changes_leave_nothing_behind(db_url: str) -> None:
    store, admin = fresh(db_url)
    loaded = store.load("teaching-river")
    count = store.audit_count("teaching-river")
    with pytest.raises(PreconditionFailed):
        store.change(
            "teaching-river",
            admin,
            "update",
            POINT,
            lambda doc: resources.put(doc, POINT, {"text": "x"}),
            if_match='"stale"',
        )
    current = resources.etag(resources.get(loaded.document, POINT))
    with pytest.raises(Invalid) as caught:
        store.change(
            "teaching-river",
            admin,
            "update",
            POINT,
            lambda doc: resources.put(doc, POINT, {"text": "x", "sets": {"fund": "fund_999"}}),
            if_match=current,
        )
    assert caught.value.problems[0][0] == "drafts.commission-1.points#1.sets.fund"
    assert "is not an option of issue fund" in caught.value.problems[0][1]
    assert store.load("teaching-river").version == loaded.version
    assert store.audit_count("teaching-river") == count


def test_concurrent_writers_lose_no_update(db_url: str) -> None:
    """16 threads each append their mark to the same point, re-reading on 412: every mark ends
    in the text, and the audit log holds exactly the accepted writes."""
    store, admin = fresh(db_url)
    count = store.audit_count("teaching-river")
    accepted: list[str] = []
    refused = [0]
    lock = threading.Lock()

    def writer(n: int) -> None:
        mark = f"[w{n}]"
        while True:
            current = resources.get(store.load("teaching-river").document, POINT)
            body = {**current, "text": current["text"] + mark}
            try:
                store.change(
                    "teaching-river",
                    admin,
                    "update",
                    POINT,
                    lambda doc, body=body: resources.put(doc, POINT, body),
                    if_match=resources.etag(current),
                )
            except PreconditionFailed:
                with lock:
                    refused[0] += 1
                continue
            with lock:
                accepted.append(mark)
            return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = resources.get(store.load("teaching-river").document, POINT)["text"]
    assert sorted(accepted) == sorted(f"[w{n}]" for n in range(16))
    assert all(final.count(mark) == 1 for mark in accepted)
    assert store.audit_count("teaching-river") == count + 16
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version FROM scenarios")).scalar_one()
    assert version == store.load("teaching-river").version


def test_members_and_tokens(db_url: str) -> None:
    store, admin = fresh(db_url)
    ua = store.add_user("ua", hash_password("a long password"))
    store.set_member("teaching-river", admin, "ua", "delegate", "UP")
    assert store.membership("teaching-river", ua).party == "UP"
    with pytest.raises(ValueError, match="has no party 'XX'"):
        store.set_member("teaching-river", admin, "ua", "delegate", "XX")
    token = store.add_token(ua.id, "t", "d" * 64)
    assert store.token_user("d" * 64) == ua
    store.revoke_token(ua.id, token)
    assert store.token_user("d" * 64) is None
    assert [e["target"] for e in store.audit("teaching-river")][-1] == "members/ua"
