"""Content Security Policies: a strict one for the pages, and one per document for
self-contained HTML the service hands out (the brief, whose Plotly and chart scripts are inline).

The pages run scripts from this site only (``script-src 'self'``: no inline script, no ``eval``;
each page's script is ``static/app.js``). A self-contained document instead allows exactly its
own inline scripts, by the SHA-256 of each (``'sha256-...'``), and nothing else: a script that
scenario text managed to smuggle into the page would have another hash and never run.

Styles may be inline in both (``style-src 'unsafe-inline'``): Plotly sets styles at run time and
the pages colour cells with ``style`` attributes. A style cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi.responses import HTMLResponse

_COMMON = (
    "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

PAGES = f"{_COMMON}; script-src 'self'; style-src 'self' 'unsafe-inline'"
"""The pages' policy (and every response's unless it carries its own)."""

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_DATA_TYPES = frozenset({"application/json", "application/ld+json", "text/plain"})


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source (``'sha256-...'``) of every inline script a browser would run in
    ``html``: data blocks (``type="application/json"``) and scripts with ``src`` are left out."""
    out: list[str] = []
    for attrs, body in _SCRIPT.findall(html):
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            continue
        kind = _TYPE.search(attrs)
        if kind and kind.group(1).lower() in _DATA_TYPES:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out


def for_document(html: str) -> str:
    """The policy for one self-contained document: its own inline scripts (by hash) and nothing
    else; no script from anywhere, not even this site."""
    scripts = " ".join(inline_script_hashes(html)) or "'none'"
    return f"{_COMMON}; script-src {scripts}; style-src 'self' 'unsafe-inline'"


def document_response(
    html: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A self-contained HTML document (such as the brief) with its own policy."""
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={**(headers or {}), "Content-Security-Policy": for_document(html)},
    )
