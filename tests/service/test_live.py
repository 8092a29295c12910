"""Against a real server process: 20 clients editing one draft at once lose no update; a server
killed (SIGKILL) in the middle of a stream of writes comes back with every acknowledged write and
an intact database; SIGTERM lets requests in flight finish."""

from __future__ import annotations

import itertools
import json
import re
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from accord.service import db
from tests.service.conftest import PASSWORD, make_team, river_document
from tests.service.server import Server

httpx = pytest.importorskip("httpx")
S = "/api/scenarios/teaching-river"
POINT = f"{S}/drafts/commission-1/points/1"


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    db.upgrade(url)
    make_team(url, river_document(), {"up": "UP", "lo": "LO"})
    return url, tmp_path


def test_twenty_clients_editing_one_draft_lose_no_update(prepared: tuple[str, Path]) -> None:
    url, folder = prepared
    server = Server(url, folder).start()
    try:
        clients = [server.client("mediator", PASSWORD) for _ in range(20)]
        audit_before = len(clients[0].get(f"{S}/audit", params={"limit": 1000}).json())
        accepted: list[str] = []
        refused: list[int] = []
        other: list[int] = []
        lock = threading.Lock()
        start = threading.Barrier(20)

        def edit(n: int, http: Any) -> None:
            mark = f"[c{n}]"
            start.wait()
            while True:
                r = http.get(POINT)
                body = {**r.json(), "text": r.json()["text"] + mark}
                w = http.put(POINT, json=body, headers={"If-Match": r.headers["etag"]})
                with lock:
                    if w.status_code == 200:
                        accepted.append(mark)
                        return
                    if w.status_code == 412:
                        refused.append(n)
                        continue
                    other.append(w.status_code)
                    return

        threads = [threading.Thread(target=edit, args=(n, c)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert other == []
        assert len(accepted) == 20 and len(refused) > 0  # they did collide, and were refused
        text = clients[0].get(POINT).json()["text"]
        assert all(text.count(f"[c{n}]") == 1 for n in range(20))  # every accepted write is there
        audit = clients[0].get(f"{S}/audit", params={"limit": 1000}).json()[audit_before:]
        assert len(audit) == 20
        last_mark = [re.search(r"\[c\d+\]$", e["after"]["text"]) for e in audit]
        assert sorted(m.group(0) for m in last_mark if m) == sorted(accepted)
        # each audit record's "after" is the next one's "before": no write was lost in between
        for a, b in itertools.pairwise(audit):
            assert a["after"] == b["before"]
    finally:
        assert server.stop()


def test_sigkill_in_a_stream_of_writes_loses_no_acknowledged_write(
    prepared: tuple[str, Path],
) -> None:
    url, folder = prepared
    server = Server(url, folder).start()
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        http = server.client("mediator", PASSWORD)
        n = 0
        while not stop.is_set():
            event = {"id": f"e{n}", "date": "2024-06-01", "kind": "talks", "title": f"Round {n}"}
            try:
                r = http.post(f"{S}/events", json=event)
            except httpx.HTTPError:
                return  # the server is gone: this write was never acknowledged
            if r.status_code == 201:
                acknowledged.append(event["id"])
            n += 1

    writer = threading.Thread(target=stream)
    writer.start()
    while len(acknowledged) < 25:
        time.sleep(0.01)
    server.kill()
    stop.set()
    writer.join()
    path = folder / "accord.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server = Server(url, folder).start()
    try:
        http = server.client("mediator", PASSWORD)
        stored = {e["id"] for e in http.get(f"{S}/events").json()}
        assert set(acknowledged) <= stored
        audited = {e["target"] for e in http.get(f"{S}/audit", params={"limit": 1000}).json()}
        assert {f"events/{e}" for e in acknowledged} <= audited
        assert len(acknowledged) >= 25
    finally:
        assert server.stop()


def test_sigterm_lets_a_request_in_flight_finish(prepared: tuple[str, Path]) -> None:
    """A write whose body is still arriving when SIGTERM comes is finished and answered, and it
    is in the database after the restart."""
    url, folder = prepared
    server = Server(url, folder).start()
    http = server.client("mediator", PASSWORD)
    current = http.get(POINT)
    body = json.dumps({**current.json(), "text": "Sent across a shutdown"}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    head = (
        f"PUT {POINT} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n"
        f"X-CSRF-Token: {http.headers['X-CSRF-Token']}\r\nIf-Match: {current.headers['etag']}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as conn:
        conn.sendall(head + body[:10])  # the request is now in flight, its body unfinished
        time.sleep(0.5)
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        conn.sendall(body[10:])
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert server.stop()
    server = Server(url, folder).start()
    try:
        assert server.client("mediator", PASSWORD).get(POINT).json()["text"] == (
            "Sent across a shutdown"
        )
    finally:
        assert server.stop()
