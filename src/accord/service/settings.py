"""Configuration: flags override environment variables, which override the defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_DB = "sqlite:///accord.db"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its surroundings.

    ``db``: a SQLAlchemy URL (``sqlite:///accord.db`` by default, or
    ``postgresql+psycopg://user:pass@host/db``); ``secure_cookies``: mark session cookies
    ``Secure`` (on behind HTTPS); ``session_hours``: how long a sign-in lasts; ``job_workers``:
    threads for background jobs; ``log_level``: for the structured (JSON lines) log."""

    db: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = False
    session_hours: float = 12.0
    job_workers: int = 2
    log_level: str = "info"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ``ACCORD_*`` environment variables, then ``overrides`` (None: unset)."""
        base = cls(
            db=os.environ.get("ACCORD_DB", DEFAULT_DB),
            host=os.environ.get("ACCORD_HOST", "127.0.0.1"),
            port=int(os.environ.get("ACCORD_PORT", "8000")),
            secure_cookies=_env_bool("ACCORD_SECURE_COOKIES", False),
            session_hours=float(os.environ.get("ACCORD_SESSION_HOURS", "12")),
            job_workers=int(os.environ.get("ACCORD_JOB_WORKERS", "2")),
            log_level=os.environ.get("ACCORD_LOG_LEVEL", "info"),
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
