"""Web pages (filled in below)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def mount_pages(app: FastAPI, service: Any) -> None:
    return None
