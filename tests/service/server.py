"""A real server for the tests that need one: ``accord serve`` in a child process on a free
loopback port, over a prepared SQLite database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.log = self.folder / f"server-{self.port}.log"
        log = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "accord.cli",
                "serve",
                "--db",
                self.url,
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ACCORD_LOG_LEVEL": "info"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not come up within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> bool:
        """SIGTERM, then wait: True when the server shut down gracefully (its lifespan ran to the
        end and logged its stop; Uvicorn re-raises the signal after a graceful shutdown, so the
        exit status is that of SIGTERM)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        stopped = '"event": "stop"' in self.log.read_text(errors="replace")
        return stopped and self.process.returncode in (0, -signal.SIGTERM)

    def client(self, name: str, password: str) -> Any:
        # a browser sends Origin with every change; cookie changes without one are refused
        http = httpx.Client(base_url=self.base, timeout=60, headers={"Origin": self.base})
        r = http.post("/api/login", json={"name": name, "password": password})
        r.raise_for_status()
        http.headers["X-CSRF-Token"] = r.json()["csrf"]
        return http
