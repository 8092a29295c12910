"""Time: the negotiation as it stood on a given day.

Dated claims carry ``from``/``to`` (open-ended when absent: the scenario's whole span).
:func:`as_of` keeps what was known on a day: sources, events and drafts dated by then, claims
whose window includes the day. When several reports of one fact apply, the latest (by ``from``)
are kept, and conflicting reports of that same date stay side by side (never averaged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from accord.model.records import Scenario


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _holds(item: Mapping[str, Any], day: dt.date) -> bool:
    start, end = _date(item.get("from")), _date(item.get("to"))
    return (start is None or start <= day) and (end is None or day <= end)


def _known(item: Mapping[str, Any], day: dt.date, gone: set[str]) -> bool:
    """Within its window, and not reported only by sources dated after ``day``."""
    cited = item.get("source") or []
    if isinstance(cited, str):
        cited = [cited]
    return _holds(item, day) and not (cited and all(c in gone for c in cited))


def _latest(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claims of the latest ``from`` (an undated claim counts as the span's start)."""
    starts = [_date(c.get("from")) or dt.date.min for c in claims]
    newest = max(starts, default=dt.date.min)
    return [c for c, s in zip(claims, starts, strict=True) if s == newest]


def _strip_sources(node: Any, gone: set[str], day: dt.date) -> Any:
    """Drop citations of sources not yet published; a figure left with no source says so."""
    if isinstance(node, list):
        return [_strip_sources(item, gone, day) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strip_sources(v, gone, day) for k, v in node.items()}
    for key in ("source", "position_source"):
        cited = out.get(key)
        if isinstance(cited, str):
            cited = [cited]
        if isinstance(cited, list) and any(c in gone for c in cited):
            kept = [c for c in cited if c not in gone]
            if kept:
                out[key] = kept
            else:
                out.pop(key)
                if key == "source" and not out.get("assumption"):
                    later = ", ".join(c for c in cited if c in gone)
                    out["assumption"] = f"reported later ({later}, after {day.isoformat()})"
    return out


def as_of(scenario: Scenario, day: dt.date) -> Scenario:
    """The scenario as it stood on ``day``: only the sources, events and drafts dated by then and
    the claims (positions, red lines, BATNAs, facts, delegation members, drafts) whose
    ``from``/``to`` include the day. A day on or after the scenario's own ``as_of`` returns the
    scenario itself."""
    if day >= scenario.as_of:
        return scenario
    data: dict[str, Any] = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    data["as_of"] = day

    gone = {s["id"] for s in data["sources"] if (_date(s.get("date")) or dt.date.min) > day}
    data["sources"] = [s for s in data["sources"] if s["id"] not in gone]

    drafts = []
    for d in data["drafts"]:
        if (_date(d.get("date")) or dt.date.min) <= day and _known(d, day, gone):
            drafts.append(d)
    kept_drafts = {d["id"] for d in drafts}
    for d in drafts:
        if d.get("based_on") not in kept_drafts:
            d.pop("based_on", None)
        for point in d.get("points", []):
            point["revises"] = [
                r for r in point.get("revises", []) if r.split("#")[0] in kept_drafts
            ]
    data["drafts"] = drafts

    events = [e for e in data["events"] if _date(e["date"]) <= day and _known(e, day, gone)]  # type: ignore[operator]
    for e in events:
        e["drafts"] = [d for d in e.get("drafts", []) if d in kept_drafts]
        if (_date(e.get("end_date")) or day) > day:
            e.pop("end_date", None)
    data["events"] = events

    facts = []
    for fact in data["facts"]:
        claims = _latest([c for c in fact["claims"] if _known(c, day, gone)])
        if claims:
            facts.append({**fact, "claims": claims})
    kept_facts = {f["id"] for f in facts}
    data["facts"] = facts

    for party in data["parties"]:
        party["delegation"] = [m for m in party.get("delegation", []) if _known(m, day, gone)]
        batna = party.get("batna")
        if isinstance(batna, dict) and not _holds(batna, day):
            party.pop("batna")
        for rule in party.get("ratification", []):
            rule["blocked_while"] = [f for f in rule.get("blocked_while", []) if f in kept_facts]

    prefs: dict[str, dict[str, Any]] = {}
    for pid, table in data["preferences"].items():
        row = {}
        for iid, pref in table.items():
            if not _holds(pref, day):
                continue
            pref["red_lines"] = [r for r in pref.get("red_lines", []) if _known(r, day, gone)]
            row[iid] = pref
        if row:
            prefs[pid] = row
    data["preferences"] = prefs

    return Scenario.model_validate(_strip_sources(data, gone, day))
