"""Addressing the parts of a scenario document: a target is a tuple of path parts.

==========================================  =========================================
target                                      what it names
==========================================  =========================================
``("meta",)``                               title, as_of, description, provenance, ...
``(COLLECTION, ID)``                        a party, issue, source, fact, draft, event
                                            or shock, by its ``id``
``("preferences", PARTY, ISSUE)``           a party's preference on an issue
``("drafts", DRAFT, "points", NUMBER)``     a point of a draft, by its number
==========================================  =========================================

Functions work on plain data (the scenario as JSON) and never validate: the store validates the
whole document after every change.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import numpy as np

COLLECTIONS = ("parties", "issues", "sources", "facts", "drafts", "events", "shocks")
META_FIELDS = ("title", "as_of", "description", "invented", "provenance")

Target = tuple[str, ...]


class NotFound(LookupError):
    """The target names nothing in the document."""


class Conflict(ValueError):
    """The change contradicts the target (an id that differs from the one in the address, or a
    resource that already exists)."""


def canonical(value: Any) -> str:
    """A value as canonical JSON (sorted keys, compact), for comparison and hashing."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def etag(value: Any) -> str:
    """A strong entity tag: a digest of the resource's canonical JSON."""
    return '"' + hashlib.sha256(canonical(value).encode()).hexdigest()[:40] + '"'


def target_text(target: Target) -> str:
    """A resource target as a path (issues/army_cap)."""
    return "/".join(target)


def _find(items: list[dict[str, Any]], key: str, field: str = "id") -> int | None:
    for n, item in enumerate(items):
        if str(item.get(field)) == key:
            return n
    return None


def get(doc: dict[str, Any], target: Target) -> Any:
    """The resource at ``target`` (a copy), or ``NotFound``."""
    kind = target[0]
    if kind == "meta" and len(target) == 1:
        return {k: doc[k] for k in META_FIELDS if k in doc}
    if kind == "preferences" and len(target) == 3:
        pref = doc.get("preferences", {}).get(target[1], {}).get(target[2])
        if pref is None:
            raise NotFound(f"no preference of {target[1]} on {target[2]}")
        return copy.deepcopy(pref)
    if kind in COLLECTIONS and len(target) == 2:
        n = _find(doc.get(kind, []), target[1])
        if n is None:
            raise NotFound(f"no {kind[:-1] if kind != 'parties' else 'party'} {target[1]!r}")
        return copy.deepcopy(doc[kind][n])
    if kind == "drafts" and len(target) == 4 and target[2] == "points":
        draft = get(doc, target[:2])
        n = _find(draft.get("points", []), target[3], "number")
        if n is None:
            raise NotFound(f"draft {target[1]!r} has no point {target[3]}")
        return draft["points"][n]
    raise NotFound(f"nothing is addressed as {target_text(target)!r}")


def put(doc: dict[str, Any], target: Target, value: Any, *, create: bool | None = None) -> None:
    """Set the resource at ``target`` to ``value`` in place (``create``: True must be new,
    False must exist, None either)."""
    if not isinstance(value, dict):
        raise Conflict(f"the body must be a JSON object (got {type(value).__name__})")
    kind = target[0]
    if kind == "meta" and len(target) == 1:
        unknown = sorted(set(value) - set(META_FIELDS))
        if unknown:
            raise Conflict(
                f"meta has no field {', '.join(unknown)}"
                f" (expected some of: {', '.join(META_FIELDS)})"
            )
        for k in META_FIELDS:
            if k in value:
                doc[k] = value[k]
            elif k in ("description",):
                doc.pop(k, None)
        return
    exists = True
    try:
        get(doc, target)
    except NotFound:
        exists = False
    if create is True and exists:
        raise Conflict(f"{target_text(target)} already exists")
    if create is False and not exists:
        raise NotFound(f"nothing at {target_text(target)}")
    if kind == "preferences" and len(target) == 3:
        doc.setdefault("preferences", {}).setdefault(target[1], {})[target[2]] = value
        return
    if kind in COLLECTIONS and len(target) == 2:
        if str(value.get("id", target[1])) != target[1]:
            raise Conflict(
                f"the body's id {value.get('id')!r} differs from the address {target[1]!r}"
            )
        value = {"id": target[1], **{k: v for k, v in value.items() if k != "id"}}
        items = doc.setdefault(kind, [])
        n = _find(items, target[1])
        if n is None:
            items.append(value)
        else:
            items[n] = value
        return
    if kind == "drafts" and len(target) == 4 and target[2] == "points":
        drafts = doc.get("drafts", [])
        d = _find(drafts, target[1])
        if d is None:
            raise NotFound(f"no draft {target[1]!r}")
        number = value.get("number", target[3])
        if str(number) != target[3]:
            raise Conflict(f"the body's number {number!r} differs from the address {target[3]}")
        try:
            value = {"number": int(target[3]), **{k: v for k, v in value.items() if k != "number"}}
        except ValueError:
            raise NotFound(f"point numbers are integers (got {target[3]!r})") from None
        points = drafts[d].setdefault("points", [])
        n = _find(points, target[3], "number")
        if n is None:
            points.append(value)
            points.sort(key=lambda p: int(p.get("number", 0)))
        else:
            points[n] = value
        return
    raise NotFound(f"nothing is addressed as {target_text(target)!r}")


def delete(doc: dict[str, Any], target: Target) -> None:
    """Remove the resource a target names from a scenario document (NotFound if absent)."""
    get(doc, target)  # NotFound if absent
    kind = target[0]
    if kind == "meta":
        raise Conflict("the scenario's meta data cannot be deleted")
    if kind == "preferences":
        party = doc["preferences"][target[1]]
        del party[target[2]]
        if not party:
            del doc["preferences"][target[1]]
        return
    if kind in COLLECTIONS and len(target) == 2:
        items = doc[kind]
        del items[_find(items, target[1]) or 0]
        return
    draft = doc["drafts"][_find(doc["drafts"], target[1]) or 0]
    points = draft["points"]
    del points[_find(points, target[3], "number") or 0]


def plain(value: Any) -> Any:
    """JSON-ready data from engine results (numpy scalars and arrays, tuples; NaN and infinities
    become null)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
