"""Patch files: proposed edits written by ``accord ingest``, applied by ``accord apply``."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from accord.model import Scenario, ScenarioError, load_text, to_data
from accord.model.load import write_atomic

KINDS = ("source", "event", "member", "position", "draft")
STATUSES = ("proposed", "accepted", "rejected")


class PatchError(ValueError):
    """A patch file that cannot be applied, naming file, line and field."""


def ingest_text(
    scenario: Scenario,
    text: str,
    *,
    date: dt.date,
    url: str | None = None,
    outlet: str | None = None,
    article: str | None = None,
) -> dict[str, Any]:
    """The patch (plain data) of edits proposed for the news ``text``; nothing is applied."""
    from accord.ingest.extract import extract

    edits = extract(scenario, text, date=date, url=url, outlet=outlet)
    return {
        "patch_version": 1,
        "scenario": scenario.id,
        "article": article,
        "date": date.isoformat(),
        "edits": edits,
    }


def write_patch(patch: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write the patch as YAML (temporary file + rename)."""
    write_atomic(path, yaml.safe_dump(patch, sort_keys=False, allow_unicode=True, width=100))


def load_patch(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a patch file; :class:`PatchError` names the file, line and field."""
    name = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PatchError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(raw)
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise PatchError(f"{name}:{line}: not valid YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("edits"), list):
        raise PatchError(f"{name}:1: edits: expected a list of edits")
    lines = _edit_lines(node)
    for i, edit in enumerate(data["edits"]):
        line = lines[i] if i < len(lines) else "?"
        where = f"{name}:{line}: edits[{i}]"
        if not isinstance(edit, dict):
            raise PatchError(f"{where}: expected a mapping")
        if edit.get("kind") not in KINDS:
            raise PatchError(f"{where}.kind: expected one of {', '.join(KINDS)}")
        if edit.get("status", "proposed") not in STATUSES:
            raise PatchError(f"{where}.status: expected one of {', '.join(STATUSES)}")
        if edit["kind"] in ("member", "position") and not isinstance(edit.get("party"), str):
            raise PatchError(f"{where}.party: expected a party id")
        if edit["kind"] == "position":
            for key in ("issue", "option"):
                if not isinstance(edit.get(key), str):
                    raise PatchError(f"{where}.{key}: expected an id")
            if edit.get("stance") not in ("rejects", "seeks"):
                raise PatchError(f"{where}.stance: expected rejects or seeks")
        elif not isinstance(edit.get("value"), dict):
            raise PatchError(f"{where}.value: expected a mapping")
    data["_lines"] = lines
    data["_name"] = name
    return data


def _edit_lines(node: Any) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "edits" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def apply_patch(scenario: Scenario, patch: dict[str, Any]) -> tuple[Scenario, list[str]]:
    """The scenario with every edit not marked ``rejected`` applied, validated, and one line
    per applied edit. :class:`PatchError` names the edit that does not fit."""
    data = copy.deepcopy(to_data(scenario))
    name = patch.get("_name", "<patch>")
    lines = patch.get("_lines", [])
    done: list[str] = []
    parties = {p["id"]: p for p in data["parties"]}
    for i, edit in enumerate(patch["edits"]):
        if edit.get("status") == "rejected":
            continue
        where = f"{name}:{lines[i] if i < len(lines) else '?'}: edits[{i}]"
        kind = edit["kind"]
        if kind == "source":
            data.setdefault("sources", []).append(edit["value"])
            done.append(f"source {edit['value'].get('id')}")
        elif kind == "event":
            data.setdefault("events", []).append(edit["value"])
            done.append(f"event {edit['value'].get('id')}")
        elif kind == "draft":
            data.setdefault("drafts", []).append(edit["value"])
            done.append(f"draft {edit['value'].get('id')}")
        elif kind == "member":
            if edit["party"] not in parties:
                raise PatchError(f"{where}.party: unknown party {edit['party']!r}")
            parties[edit["party"]].setdefault("delegation", []).append(edit["value"])
            done.append(f"{edit['party']} delegation: {edit['value'].get('name')}")
        else:
            prefs = data.get("preferences", {}).get(edit["party"], {})
            pref = prefs.get(edit["issue"])
            if pref is None:
                raise PatchError(
                    f"{where}.issue: {edit['party']} states no preference on {edit['issue']!r}"
                    " to add this position to"
                )
            source = edit.get("source")
            if edit["stance"] == "rejects":
                line: dict[str, Any] = {"option": edit["option"]}
                if source:
                    line["source"] = source
                if edit.get("from"):
                    line["from"] = str(edit["from"])
                pref.setdefault("red_lines", []).append(line)
                done.append(f"{edit['party']} red line on {edit['issue']}: {edit['option']}")
            else:
                pref["ideal"] = edit["option"]
                if source:
                    pref["position_source"] = [source]
                done.append(f"{edit['party']} seeks {edit['issue']}: {edit['option']}")
    day = patch.get("date")
    if day is not None and str(day) > str(data["as_of"]):
        # the scenario now knows what the article reported: it stands as of the article's day
        data["as_of"] = str(day)
        done.append(f"as_of moved to {day}")
    try:
        new = load_text(yaml.safe_dump(data, sort_keys=False), name=f"{name} applied")
    except ScenarioError as exc:
        raise PatchError(
            f"{name}: the patched scenario is not valid: "
            + "; ".join(f"{p.path_text}: {p.message}" for p in exc.problems)
        ) from None
    return new, done
