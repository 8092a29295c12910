"""Shared settings for the browser tests: Debian's Chromium driven by Playwright (its own browser
download is never used), and where screenshots go."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = Path(os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def keep_artifact(path: Path) -> None:
    """Copy a screenshot to $ACCORD_ARTIFACTS when set (CI keeps that folder)."""
    folder = os.environ.get("ACCORD_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)
