"""Passwords (argon2), session cookies with CSRF tokens, and API tokens (stored hashed).

A session cookie or API token is a random secret; the database keeps only its SHA-256, so a
copy of the database signs nobody in. Pages and API calls made with the session cookie must send
the session's CSRF token (header ``X-CSRF-Token``, or form field ``csrf_token``) on every request
that changes something; calls made with a bearer token need none (no browser sends it on its
own).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

COOKIE = "accord_session"
TOKEN_PREFIX = "acc_"
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
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
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh secret and its digest."""
    secret = prefix + secrets.token_urlsafe(32)
    return secret, digest(secret)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
