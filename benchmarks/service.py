"""A bounded load run of the service on loopback: N concurrent clients for D seconds, a mix of
reads, evaluations and edits, against ``accord serve`` (SQLite, one Uvicorn worker) on
ukraine-2025.

Each client signs in as the mediator and loops: 60% reads (a point, the preferences, the drafts,
an event), 25% evaluations (``/evaluate`` of one draft), 15% edits (read its own event, then
replace it with ``If-Match``). Prints requests per second, p50 and p99 latency per kind, and the
errors: any 5xx, transport error or unexpected status. A 412 would be a refused stale write
(counted apart); each client edits its own event, so there should be none.

    python -m benchmarks.service [--clients 50] [--duration 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "benchmark password"
SID = "ukraine-2025"
S = f"/api/scenarios/{SID}"
MIX = (("read", 0.60), ("evaluate", 0.25), ("edit", 0.15))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path, clients: int) -> str:
    from accord.model.load import to_data
    from accord.scenarios import resolve
    from accord.service import db
    from accord.service.auth import hash_password
    from accord.service.store import Store

    url = f"sqlite:///{folder / 'accord.db'}"
    db.upgrade(url)
    store = Store(db.make_engine(url))
    admin = store.add_user("admin", hash_password(PASSWORD), is_admin=True)
    store.create_scenario(to_data(resolve(SID)), admin)
    store.add_user("mediator", hash_password(PASSWORD))
    store.set_member(SID, admin, "mediator", "mediator", None)
    from accord.service import resources

    for n in range(clients):
        event = {"id": f"load-{n}", "date": "2025-12-01", "kind": "talks", "title": "Load"}
        store.change(
            SID,
            admin,
            "create",
            ("events", event["id"]),
            lambda doc, e=event: resources.put(doc, ("events", e["id"]), e, create=True),
            if_match=None,
        )
    return url


async def client(
    n: int, base: str, deadline: float, rng: random.Random, out: dict[str, list[Any]]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120, headers={"Origin": base}) as http:
        r = await http.post("/api/login", json={"name": "mediator", "password": PASSWORD})
        r.raise_for_status()
        http.headers["X-CSRF-Token"] = r.json()["csrf"]
        drafts = ["us-28", "geneva-19", "e3-counter", "framework-20", "ru-memo-2025-06"]
        reads = [
            f"{S}/drafts/us-28/points/6",
            f"{S}/preferences",
            f"{S}/drafts",
            f"{S}/events/load-{n}",
        ]
        edits = 0
        while time.monotonic() < deadline:
            kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            start = time.perf_counter()
            try:
                if kind == "read":
                    r = await http.get(rng.choice(reads))
                    ok = r.status_code == 200
                elif kind == "evaluate":
                    r = await http.get(f"{S}/evaluate", params={"draft": rng.choice(drafts)})
                    ok = r.status_code == 200
                else:
                    r = await http.get(f"{S}/events/load-{n}")
                    edits += 1
                    body = {**r.json(), "title": f"Load, edit {edits}"}
                    r = await http.put(
                        f"{S}/events/load-{n}", json=body, headers={"If-Match": r.headers["etag"]}
                    )
                    ok = r.status_code == 200
                    if r.status_code == 412:
                        out["refused"].append(n)
                        continue
            except httpx.HTTPError as exc:
                out["errors"].append(f"{kind}: {type(exc).__name__}")
                continue
            elapsed = time.perf_counter() - start
            out[kind].append(elapsed)
            if not ok:
                out["errors"].append(f"{kind}: HTTP {r.status_code}")


async def load(base: str, clients: int, duration: float, seed: int) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {
        "read": [],
        "evaluate": [],
        "edit": [],
        "errors": [],
        "refused": [],
    }
    deadline = time.monotonic() + duration
    rng = random.Random(seed)
    await asyncio.gather(
        *(client(n, base, deadline, random.Random(rng.random()), out) for n in range(clients))
    )
    return out


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = prepare(folder, args.clients)
        port = _free_port()
        log = open(folder / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "accord.cli", "serve", "--db", url, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ACCORD_LOG_LEVEL": "warning"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            start = time.monotonic()
            out = asyncio.run(load(base, args.clients, args.duration, args.seed))
            wall = time.monotonic() - start
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    total = sum(len(out[k]) for k, _ in MIX)
    print(
        f"service load: {args.clients} clients, {args.duration:g} s on loopback,"
        f" {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'kind':<10}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, _ in MIX:
        v = out[kind]
        p50, p99 = _quantile(v, 0.5) * 1000, _quantile(v, 0.99) * 1000
        print(f"{kind:<10}{len(v):>10}{p50:>10.1f}{p99:>10.1f}")
    every = [x for k, _ in MIX for x in out[k]]
    print(
        f"{'all':<10}{total:>10}{_quantile(every, 0.5) * 1000:>10.1f}"
        f"{_quantile(every, 0.99) * 1000:>10.1f}"
    )
    print(f"requests per second: {total / wall:.1f} (an edit counts as its read and its write: 1)")
    kinds = f" {sorted(set(out['errors']))}" if out["errors"] else ""
    print(f"errors: {len(out['errors'])}{kinds}")
    print(f"refused stale writes (412): {len(out['refused'])}")


if __name__ == "__main__":
    main()
