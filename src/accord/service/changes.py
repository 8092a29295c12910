"""Audit entries in words: what a change did to a resource, field by field.

``describe(action, target, before, after)`` turns the before and after of an audit entry into
lines a person reads (``text: 'Old wording' -> 'New wording'``, ``+ sets.army_cap: 'cap_600k'``,
``role: delegate of UA -> mediator``) instead of two JSON documents side by side.
"""

from __future__ import annotations

import json
from typing import Any

LONGEST = 240  # characters of one value shown before it is cut short


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by dotted path; a list of records with ids is keyed by id (``points#6``),
    any other list by position."""
    if isinstance(value, dict):
        if not value and prefix:
            return {prefix: {}}
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        keys = [_item_key(item) for item in value]
        out = {}
        if all(k is not None for k in keys) and len(set(keys)) == len(keys):
            for key, item in zip(keys, value, strict=True):
                out.update(_flat(item, f"{prefix}#{key}"))
        else:
            for n, item in enumerate(value):
                out.update(_flat(item, f"{prefix}[{n}]"))
        return out
    return {prefix: value}


def _item_key(item: Any) -> str | None:
    if isinstance(item, dict):
        for field in ("id", "number", "option"):
            if field in item and isinstance(item[field], str | int):
                return str(item[field])
    return None


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _member(value: dict[str, Any] | None) -> str:
    if not value:
        return "no role"
    role = str(value.get("role"))
    return f"{role} of {value['party']}" if value.get("party") else role


def describe(action: str, target: str, before: Any, after: Any) -> list[str]:
    """The change of one audit entry as readable lines (an empty list: nothing changed)."""
    if target == "scenario":
        return ["the whole scenario, as first stored"] if action == "create" else []
    if target.startswith("members/"):
        who = target.split("/", 1)[1]
        if before is None:
            return [f"{who} joins as {_member(after)}"]
        if after is None:
            return [f"{who} leaves (was {_member(before)})"]
        return [f"{who}: {_member(before)} -> {_member(after)}"]
    if before is None and after is None:
        return []
    if before is None:
        return [f"created with {len(_flat(after))} field(s)"] + [
            f"+ {path or 'value'}: {_show(v)}" for path, v in _flat(after).items()
        ]
    if after is None:
        return ["deleted"] + [
            f"- {path or 'value'}: {_show(v)}" for path, v in _flat(before).items()
        ]
    old, new = _flat(before), _flat(after)
    lines = []
    for path in list(dict.fromkeys([*old, *new])):
        name = path or "value"
        if path not in new:
            lines.append(f"- {name}: {_show(old[path])}")
        elif path not in old:
            lines.append(f"+ {name}: {_show(new[path])}")
        elif old[path] != new[path]:
            lines.append(f"{name}: {_show(old[path])} -> {_show(new[path])}")
    return lines
