"""Passwords (argon2), session cookies with CSRF tokens, and API tokens (stored hashed).

A session cookie or API token is a random secret; the database keeps only its SHA-256, so a
copy of the database signs nobody in. Pages and API calls made with the session cookie must send
the session's CSRF token (header ``X-CSRF-Token``, or form field ``csrf_token``) on every request
that changes something; calls made with a bearer token need none (no browser sends it on its
own). On top of the token, every such cookie request must come from this site
(:func:`same_origin`, checked by a middleware), and failed sign-ins are limited
(:class:`SignInLimiter`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

COOKIE = "accord_session"
TOKEN_PREFIX = "acc_"
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    """An Argon2 hash of a password."""
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (``stored`` None verifies a dummy hash)."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    """The SHA-256 digest of a secret (what the store keeps)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh secret and its digest."""
    secret = prefix + secrets.token_urlsafe(32)
    return secret, digest(secret)


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


class SignInLimiter:
    """At most ``limit`` failed sign-ins per user name and per client address in ``window``
    seconds; a success clears the name's count. In memory (per server process)."""

    def __init__(self, limit: int = 10, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, t: float) -> list[float]:
        kept = [x for x in self._failures.get(key, []) if t - x < self.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def blocked(self, name: str, address: str) -> bool:
        """Whether a sign-in for ``name`` from ``address`` must be refused now."""
        t = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, t)) >= self.limit for k in (f"n:{name}", f"a:{address}"))

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in for the name and the address."""
        t = time.monotonic()
        with self._lock:
            for key in (f"n:{name}", f"a:{address}"):
                self._failures[key] = [*self._recent(key, t), t]

    def succeeded(self, name: str) -> None:
        """Clear the name's failures after a sign-in."""
        with self._lock:
            self._failures.pop(f"n:{name}", None)


def same_origin(method: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> bool:
    """The CSRF origin check: a request that changes something (not GET/HEAD/OPTIONS), carries
    the session cookie and no bearer token must come from this site: its ``Origin`` (or, when
    absent, its ``Referer``) names the ``Host`` it was sent to. Everything else passes."""
    if method in ("GET", "HEAD", "OPTIONS") or COOKIE not in cookies:
        return True
    if headers.get("authorization", "").lower().startswith("bearer "):
        return True
    host = headers.get("host", "")
    source = headers.get("origin") or headers.get("referer") or ""
    if not host or not source or source == "null":
        return False
    parsed = urlsplit(source)
    return parsed.scheme in ("http", "https") and parsed.netloc.lower() == host.lower()
