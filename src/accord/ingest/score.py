"""Precision and recall of ingest against hand-written expectations (tests/data/news)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from accord.ingest.patch import ingest_text
from accord.scenarios import resolve


def found(patch: dict[str, Any]) -> dict[str, set[tuple[str, ...]]]:
    """The people, events and position statements (party, stance, issue) of a patch."""
    out: dict[str, set[tuple[str, ...]]] = {"people": set(), "events": set(), "positions": set()}
    for e in patch["edits"]:
        if e["kind"] == "member":
            out["people"].add((e["party"], e["value"]["name"]))
        elif e["kind"] == "event":
            out["events"].add((str(e["value"]["date"]), str(e["value"].get("venue"))))
        elif e["kind"] == "position":
            out["positions"].add((e["party"], e["stance"], e["issue"]))
    return out


def score(expected_file: Path, root: Path) -> dict[str, Any]:
    """Per kind: true positives, found, expected, precision and recall over every case whose
    file exists (paths relative to ``root``); also the share of right positions whose option
    matches where the expectation names one."""
    cases = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    totals = {k: [0, 0, 0] for k in ("people", "events", "positions")}
    option_hits = option_total = 0
    used = []
    for name, case in cases.items():
        path = root / case["file"]
        if not path.exists():
            continue
        used.append(name)
        text = path.read_text(encoding="utf-8")
        day = (
            case["date"]
            if isinstance(case["date"], dt.date)
            else dt.date.fromisoformat(case["date"])
        )
        patch = ingest_text(resolve(case["scenario"]), text, date=day)
        got = found(patch)
        gold = {
            "people": {tuple(x) for x in case["people"]},
            "events": {(str(d), v) for d, v in case["events"]},
            "positions": {tuple(x[:3]) for x in case["positions"]},
        }
        for kind in totals:
            totals[kind][0] += len(got[kind] & gold[kind])
            totals[kind][1] += len(got[kind])
            totals[kind][2] += len(gold[kind])
        options = {
            (e["party"], e["stance"], e["issue"]): e["option"]
            for e in patch["edits"]
            if e["kind"] == "position"
        }
        for party, stance, issue, option in case["positions"]:
            if option is not None and (party, stance, issue) in options:
                option_total += 1
                option_hits += options[(party, stance, issue)] == option
    result: dict[str, Any] = {"cases": used}
    for kind, (tp, n_found, n_gold) in totals.items():
        result[kind] = {
            "tp": tp,
            "found": n_found,
            "expected": n_gold,
            "precision": tp / n_found if n_found else 1.0,
            "recall": tp / n_gold if n_gold else 1.0,
        }
    result["option_accuracy"] = option_hits / option_total if option_total else None
    return result
