"""Cross-reference checks: every id a scenario uses must be declared, once.

These run on plain data (what a file parses to, or ``Scenario.model_dump()``), tolerate any
shape, and return every problem found, so a user sees all of them at once. The same function
guards scenarios built in code (``Scenario``'s validator calls it) and files (the loader calls it
beside pydantic's structural checks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from accord.model.errors import Path, Problem


def _items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    seq = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, Mapping)]


def _ids(
    path: Path, items: list[tuple[int, Mapping[str, Any]]], what: str
) -> tuple[dict[str, Mapping[str, Any]], list[Problem]]:
    seen: dict[str, Mapping[str, Any]] = {}
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for index, item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            problems.append(
                Problem(
                    (*path, index, "id"),
                    f"duplicate {what} id {ident!r} (first used by item {first[ident] + 1};"
                    " expected unique ids)",
                )
            )
            continue
        seen[ident] = item
        first[ident] = index
    return seen, problems


def _choices(names: Any, limit: int = 12) -> str:
    names = [str(n) for n in names]
    if not names:
        return "none declared"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _as_ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _walk(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def late_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Content dated after the scenario's ``as_of`` (a ``date`` or ``from`` later than it): the
    scenario states the negotiation as known on ``as_of``, so nothing in it can be newer."""
    as_of = _day(data.get("as_of"))
    if as_of is None:
        return []
    problems = []
    for path, node in _walk(data, ()):
        if not isinstance(node, Mapping) or not path:
            continue
        for key in ("date", "from"):
            day = _day(node.get(key))
            if day is not None and day > as_of:
                problems.append(
                    Problem(
                        (*path, key),
                        f"dated {day.isoformat()}, after the scenario's as_of"
                        f" {as_of.isoformat()} (expected a date on or before as_of, or a later"
                        " as_of)",
                    )
                )
    return problems


def stale_warning(as_of: dt.date, today: dt.date | None = None) -> str | None:
    """A warning when ``as_of`` is more than 30 days before ``today``: the analysis may miss what
    happened since."""
    today = today or dt.date.today()
    days = (today - as_of).days
    if days > 30:
        return (
            f"as_of {as_of.isoformat()} is {days} days before today ({today.isoformat()}):"
            " the analysis does not know what happened since"
        )
    return None


def _options_of(issue: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {o["id"]: o for _, o in _items(issue, "options") if isinstance(o.get("id"), str)}


def cross_reference_problems(data: Any) -> list[Problem]:
    """Every dangling or duplicated reference in a scenario's plain data."""
    if not isinstance(data, Mapping):
        return []
    problems: list[Problem] = []

    sources, found = _ids(("sources",), _items(data, "sources"), "source")
    problems += found
    facts, found = _ids(("facts",), _items(data, "facts"), "fact")
    problems += found
    parties, found = _ids(("parties",), _items(data, "parties"), "party")
    problems += found
    issues, found = _ids(("issues",), _items(data, "issues"), "issue")
    problems += found
    drafts, found = _ids(("drafts",), _items(data, "drafts"), "draft")
    problems += found
    _, found = _ids(("events",), _items(data, "events"), "event")
    problems += found
    _, found = _ids(("shocks",), _items(data, "shocks"), "shock")
    problems += found

    options = {iid: _options_of(issue) for iid, issue in issues.items()}
    # A collection that is missing or malformed is reported by the structural checks; do not
    # bury that under one "unknown id" per reference to it.
    declared = {key: isinstance(data.get(key), list) for key in ("parties", "issues", "drafts")}

    def condition_problems(path: Path, conditions: Any) -> list[Problem]:
        out: list[Problem] = []
        if not isinstance(conditions, list):
            return out
        for ci, cond in enumerate(conditions):
            if not isinstance(cond, Mapping):
                continue
            out += option_refs((*path, ci), cond.get("issue"), _as_ids(cond.get("options")))
        return out

    def option_refs(path: Path, issue_id: Any, option_ids: list[str]) -> list[Problem]:
        if not isinstance(issue_id, str):
            return []
        if issue_id not in issues:
            return [
                Problem(
                    (*path, "issue"),
                    f"unknown issue {issue_id!r} (expected one of: {_choices(issues)})",
                )
            ]
        out = []
        for oi, oid in enumerate(option_ids):
            if oid not in options[issue_id]:
                out.append(
                    Problem(
                        (*path, "options", oi),
                        f"{oid!r} is not an option of issue {issue_id}"
                        f" (expected one of: {_choices(options[issue_id])})",
                    )
                )
        return out

    # issues: unique option ids, status quo declared
    for index, issue in _items(data, "issues"):
        _, found = _ids(("issues", index, "options"), _items(issue, "options"), "option")
        problems += found
        scale = issue.get("scale")
        low: Any = scale.get("min") if isinstance(scale, Mapping) else None
        high: Any = scale.get("max") if isinstance(scale, Mapping) else None
        if _is_number(low) and _is_number(high):
            for oi, option in _items(issue, "options"):
                pos = option.get("position")
                if _is_number(pos) and not low <= pos <= high:
                    problems.append(
                        Problem(
                            ("issues", index, "options", oi, "position"),
                            f"{pos:g} is outside the issue's scale"
                            f" (expected a position in [{low:g}, {high:g}])",
                        )
                    )
        sq = issue.get("status_quo")
        iid = issue.get("id")
        if isinstance(sq, str) and isinstance(iid, str) and sq not in _options_of(issue):
            problems.append(
                Problem(
                    ("issues", index, "status_quo"),
                    f"{sq!r} is not an option of issue {iid}"
                    f" (expected one of: {_choices(_options_of(issue))})",
                )
            )

    # facts: ended_by conditions
    for index, fact in _items(data, "facts"):
        problems += condition_problems(("facts", index, "ended_by"), fact.get("ended_by"))

    # parties: ratification rules
    for index, party in _items(data, "parties"):
        _, found = _ids(
            ("parties", index, "ratification"), _items(party, "ratification"), "ratification rule"
        )
        problems += found
        for ri, rule in _items(party, "ratification"):
            base: Path = ("parties", index, "ratification", ri)
            problems += condition_problems((*base, "triggered_by"), rule.get("triggered_by"))
            problems += condition_problems((*base, "requires"), rule.get("requires"))
            for fi, fid in enumerate(_as_ids(rule.get("blocked_while"))):
                if fid not in facts:
                    problems.append(
                        Problem(
                            (*base, "blocked_while", fi),
                            f"unknown fact {fid!r} (expected one of: {_choices(facts)})",
                        )
                    )

    # preferences
    prefs = data.get("preferences")
    if isinstance(prefs, Mapping):
        for pid, table in prefs.items():
            if pid not in parties:
                problems.append(
                    Problem(
                        ("preferences", pid),
                        f"preferences for unknown party {pid!r}"
                        f" (expected one of: {_choices(parties)})",
                    )
                )
                continue
            if not isinstance(table, Mapping):
                continue
            saliences = []
            for iid, pref in table.items():
                path: Path = ("preferences", pid, iid)
                if iid not in issues:
                    problems.append(
                        Problem(
                            path,
                            f"preference on unknown issue {iid!r}"
                            f" (expected one of: {_choices(issues)})",
                        )
                    )
                    continue
                if not isinstance(pref, Mapping):
                    continue
                problems += _preference_problems(path, iid, pref, issues[iid], options[iid])
                sal = pref.get("salience")
                sal = sal.get("value") if isinstance(sal, Mapping) else sal
                if isinstance(sal, int | float) and not isinstance(sal, bool):
                    saliences.append(sal)
            if saliences and all(s == 0 for s in saliences):
                problems.append(
                    Problem(
                        ("preferences", pid),
                        f"every salience of party {pid} is 0 (expected at least one above 0)",
                    )
                )

    # drafts
    for index, draft in _items(data, "drafts"):
        base = ("drafts", index)
        based_on = draft.get("based_on")
        if isinstance(based_on, str) and based_on not in drafts:
            problems.append(
                Problem(
                    (*base, "based_on"),
                    f"draft {based_on!r} does not exist (expected one of: {_choices(drafts)})",
                )
            )
        author = draft.get("author")
        if isinstance(author, str) and author not in parties:
            problems.append(
                Problem(
                    (*base, "author"),
                    f"unknown party {author!r} (expected one of: {_choices(parties)})",
                )
            )
        numbers: dict[int, int] = {}
        set_by: dict[str, int] = {}
        for pi, point in _items(draft, "points"):
            ppath: Path = (*base, "points", pi)
            number = point.get("number")
            if isinstance(number, int) and not isinstance(number, bool):
                if number in numbers:
                    problems.append(
                        Problem(
                            (*ppath, "number"),
                            f"point number {number} is used twice in draft"
                            f" {draft.get('id')} (expected unique point numbers)",
                        )
                    )
                numbers[number] = pi
            sets = point.get("sets")
            if isinstance(sets, Mapping):
                for iid, oid in sets.items():
                    problems += _set_problems((*ppath, "sets", iid), iid, oid, issues, options)
                    if iid in issues and isinstance(number, int):
                        if iid in set_by and set_by[iid] != number:
                            problems.append(
                                Problem(
                                    (*ppath, "sets", iid),
                                    f"issue {iid!r} is already set by point {set_by[iid]} of"
                                    f" draft {draft.get('id')} (expected each issue set by"
                                    " one point per draft)",
                                )
                            )
                        else:
                            set_by[iid] = number
            for ri, reading in _items(point, "readings"):
                rsets = reading.get("sets")
                if isinstance(rsets, Mapping):
                    for iid, oid in rsets.items():
                        problems += _set_problems(
                            (*ppath, "readings", ri, "sets", iid), iid, oid, issues, options
                        )
        if isinstance(based_on, str) and based_on in drafts:
            problems += _cycle_problems(base, draft, drafts)

    # point references (after all drafts are known)
    point_numbers = {
        did: {p.get("number") for _, p in _items(d, "points") if isinstance(p.get("number"), int)}
        for did, d in drafts.items()
    }
    for index, draft in _items(data, "drafts"):
        for pi, point in _items(draft, "points"):
            for ri, ref in enumerate(_as_ids(point.get("revises"))):
                did, _, num = ref.partition("#")
                path = ("drafts", index, "points", pi, "revises", ri)
                if did not in drafts:
                    problems.append(
                        Problem(
                            path,
                            f"{ref!r} names draft {did!r}, which does not exist"
                            f" (expected one of: {_choices(drafts)})",
                        )
                    )
                elif did == draft.get("id"):
                    problems.append(
                        Problem(path, f"{ref!r} names its own draft (expected an earlier draft)")
                    )
                elif num.isdigit() and int(num) not in point_numbers[did]:
                    problems.append(
                        Problem(
                            path,
                            f"draft {did} has no point {num}"
                            f" (expected one of: {_choices(point_numbers[did], 40)})",
                        )
                    )

    # events
    for index, event in _items(data, "events"):
        for ki, pid in enumerate(_as_ids(event.get("participants"))):
            if pid not in parties:
                problems.append(
                    Problem(
                        ("events", index, "participants", ki),
                        f"unknown party {pid!r} (expected one of: {_choices(parties)})",
                    )
                )
        for ki, did in enumerate(_as_ids(event.get("drafts"))):
            if did not in drafts:
                problems.append(
                    Problem(
                        ("events", index, "drafts", ki),
                        f"unknown draft {did!r} (expected one of: {_choices(drafts)})",
                    )
                )
        start, end = event.get("date"), event.get("end_date")
        if start is not None and end is not None and type(start) is type(end) and end < start:
            problems.append(
                Problem(
                    ("events", index, "end_date"),
                    f"ends ({end}) before it starts ({start}) (expected end_date >= date)",
                )
            )

    # shocks
    for index, shock in _items(data, "shocks"):
        edits = shock.get("edits")
        if not isinstance(edits, list):
            continue
        for ei, edit in enumerate(edits):
            if isinstance(edit, Mapping):
                problems += _edit_problems(
                    ("shocks", index, "edits", ei), edit, parties, issues, options, prefs
                )

    # cross-issue constraints
    _, found = _ids(("constraints",), _items(data, "constraints"), "constraint")
    problems += found
    for index, link in _items(data, "constraints"):
        for side in ("when", "then"):
            cond = link.get(side)
            if isinstance(cond, Mapping):
                problems += option_refs(
                    ("constraints", index, side), cond.get("issue"), _as_ids(cond.get("options"))
                )
        if link.get("source") is None and link.get("assumption") is None:
            problems.append(
                Problem(
                    ("constraints", index),
                    "a constraint needs a source or an assumption (expected one of them)",
                )
            )

    # sources: every id cited anywhere must be declared
    for path, node in _walk(data, ()):
        if not isinstance(node, Mapping):
            continue
        for key in ("source", "position_source"):
            for si, sid in enumerate(_as_ids(node.get(key))):
                if sid not in sources:
                    where: Path = (
                        (*path, key, si)
                        if isinstance(node.get(key), list)
                        else (
                            *path,
                            key,
                        )
                    )
                    problems.append(
                        Problem(
                            where,
                            f"source {sid!r} is never declared"
                            " (expected an id from the sources list)",
                        )
                    )

    if data.get("provenance") == "required":
        problems += _bare_numbers(data)
    problems += late_problems(data)
    names = {"parties": "party", "issues": "issue", "drafts": "draft"}
    undeclared = [f"unknown {names[key]} " for key, ok in declared.items() if not ok]
    if undeclared:
        problems = [p for p in problems if not any(u in p.message for u in undeclared)]
    return problems


def _preference_problems(
    path: Path,
    issue_id: str,
    pref: Mapping[str, Any],
    issue: Mapping[str, Any],
    options: Mapping[str, Any],
) -> list[Problem]:
    problems: list[Problem] = []
    ideal = pref.get("ideal")
    if isinstance(ideal, str) and ideal not in options:
        problems.append(
            Problem(
                (*path, "ideal"),
                f"{ideal!r} is not an option of issue {issue_id}"
                f" (expected one of: {_choices(options)})",
            )
        )
    values = pref.get("values")
    if isinstance(values, Mapping):
        for oid in values:
            if oid not in options:
                problems.append(
                    Problem(
                        (*path, "values", oid),
                        f"{oid!r} is not an option of issue {issue_id}"
                        f" (expected one of: {_choices(options)})",
                    )
                )
        missing = [o for o in options if o not in values]
        if missing and ideal is None:
            problems.append(
                Problem(
                    (*path, "values"),
                    f"no value for option(s) {', '.join(missing)}"
                    " (expected a value for every option, or an ideal to derive them from)",
                )
            )
    red = pref.get("red_lines")
    if isinstance(red, list):
        for ri, line in enumerate(red):
            if not isinstance(line, Mapping):
                continue
            oid = line.get("option")
            if isinstance(oid, str) and oid not in options:
                problems.append(
                    Problem(
                        (*path, "red_lines", ri, "option"),
                        f"{oid!r} is not an option of issue {issue_id}"
                        f" (expected one of: {_choices(options)})",
                    )
                )
            elif isinstance(oid, str) and oid == ideal:
                problems.append(
                    Problem(
                        (*path, "red_lines", ri, "option"),
                        f"{oid!r} is both the ideal and a red line"
                        " (expected a red line on an option the party refuses)",
                    )
                )
    return problems


def _set_problems(
    path: Path,
    issue_id: Any,
    option_id: Any,
    issues: Mapping[str, Any],
    options: Mapping[str, Mapping[str, Any]],
) -> list[Problem]:
    if issue_id not in issues:
        return [Problem(path, f"unknown issue {issue_id!r} (expected one of: {_choices(issues)})")]
    if isinstance(option_id, str) and option_id not in options[issue_id]:
        return [
            Problem(
                path,
                f"{option_id!r} is not an option of issue {issue_id}"
                f" (expected one of: {_choices(options[issue_id])})",
            )
        ]
    return []


def _cycle_problems(
    base: Path, draft: Mapping[str, Any], drafts: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    seen = [draft.get("id")]
    current = draft.get("based_on")
    while isinstance(current, str) and current in drafts:
        if current in seen:
            chain = " -> ".join([*map(str, seen), current])
            return [
                Problem(
                    (*base, "based_on"),
                    f"based_on forms a cycle ({chain}; expected a chain back to a first draft)",
                )
            ]
        seen.append(current)
        current = drafts[current].get("based_on")
    return []


def _edit_problems(
    path: Path,
    edit: Mapping[str, Any],
    parties: Mapping[str, Any],
    issues: Mapping[str, Any],
    options: Mapping[str, Mapping[str, Any]],
    prefs: Any,
) -> list[Problem]:
    target = edit.get("target")
    if not isinstance(target, str):
        return []
    parts = target.split(".")
    expected = (
        "expected parties.PARTY.capability, parties.PARTY.batna,"
        " preferences.PARTY.ISSUE.salience or preferences.PARTY.ISSUE.ideal"
    )
    if len(parts) == 3 and parts[0] == "parties" and parts[2] in ("capability", "batna"):
        if parts[1] not in parties:
            return [
                Problem(
                    (*path, "target"),
                    f"unknown party {parts[1]!r} (expected one of: {_choices(parties)})",
                )
            ]
        if edit.get("option") is not None:
            return [Problem((*path, "option"), f"{parts[2]} takes a value (expected value:)")]
        return []
    if len(parts) == 4 and parts[0] == "preferences" and parts[3] in ("salience", "ideal"):
        pid, iid = parts[1], parts[2]
        if pid not in parties:
            return [
                Problem(
                    (*path, "target"),
                    f"unknown party {pid!r} (expected one of: {_choices(parties)})",
                )
            ]
        if iid not in issues:
            return [
                Problem(
                    (*path, "target"),
                    f"unknown issue {iid!r} (expected one of: {_choices(issues)})",
                )
            ]
        table = prefs.get(pid) if isinstance(prefs, Mapping) else None
        if not isinstance(table, Mapping) or iid not in table:
            return [
                Problem(
                    (*path, "target"),
                    f"party {pid} has no preference on issue {iid} to edit"
                    " (expected a declared preference)",
                )
            ]
        option = edit.get("option")
        if parts[3] == "ideal" and isinstance(option, str) and option not in options[iid]:
            return [
                Problem(
                    (*path, "option"),
                    f"{option!r} is not an option of issue {iid}"
                    f" (expected one of: {_choices(options[iid])})",
                )
            ]
        if parts[3] == "salience" and option is not None:
            return [Problem((*path, "option"), "salience takes a value (expected value:)")]
        return []
    return [Problem((*path, "target"), f"cannot edit {target!r} ({expected})")]


def _bare_numbers(data: Mapping[str, Any]) -> list[Problem]:
    """Under ``provenance: required``: every quantity needs a source or an assumption, and every
    scale a basis for its option positions."""
    problems: list[Problem] = []
    message = (
        "a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY};"
        " provenance is required in this scenario)"
    )

    def check(path: Path, q: Any) -> None:
        bare = isinstance(q, int | float) and not isinstance(q, bool)
        unsourced = (
            isinstance(q, Mapping) and q.get("source") is None and q.get("assumption") is None
        )
        if bare or unsourced:
            problems.append(Problem(path, message))

    for index, party in _items(data, "parties"):
        for key in ("capability", "batna"):
            if party.get(key) is not None:
                check(("parties", index, key), party.get(key))
    for index, issue in _items(data, "issues"):
        scale = issue.get("scale")
        if (
            isinstance(scale, Mapping)
            and scale.get("source") is None
            and not scale.get("assumption")
        ):
            problems.append(
                Problem(
                    ("issues", index, "scale"),
                    "the scale has no basis for its option positions (expected source: ID or"
                    " assumption: WHY; provenance is required in this scenario)",
                )
            )
    prefs = data.get("preferences")
    if isinstance(prefs, Mapping):
        for pid, table in prefs.items():
            if not isinstance(table, Mapping):
                continue
            for iid, pref in table.items():
                if not isinstance(pref, Mapping):
                    continue
                path: Path = ("preferences", pid, iid)
                check((*path, "salience"), pref.get("salience"))
                if not isinstance(pref.get("ideal"), str | type(None)):
                    check((*path, "ideal"), pref.get("ideal"))
                values = pref.get("values")
                if isinstance(values, Mapping):
                    for oid, q in values.items():
                        check((*path, "values", oid), q)
    for index, shock in _items(data, "shocks"):
        edits = shock.get("edits")
        if isinstance(edits, list):
            for ei, edit in enumerate(edits):
                if isinstance(edit, Mapping) and edit.get("value") is not None:
                    check(("shocks", index, "edits", ei, "value"), edit.get("value"))
    return problems


# --- source hygiene (warnings, not errors) ---------------------------------------------------

_JUDGEMENT = (
    "a judgement without an assumption (expected assumption: WHY THIS NUMBER; a source that"
    " informs it does not make the number itself a report)"
)


def hygiene_problems(data: Any) -> list[Problem]:
    """Gaps a careful reader would flag, as warnings (a scenario with them still loads):

    - a source without an ``http(s)`` ``url`` (and no ``no_url: WHY``), without a ``date`` (and
      no ``undated: WHY``), or without an ``outlet``;
    - a judgement number (a party's ``capability`` or ``batna``, a preference's ``salience``)
      without an ``assumption`` giving its reasoning, even where a ``source`` informs it;
    - a party ``description`` with neither a ``source`` nor an ``assumption``.

    Paths point at the field (or the record, for a missing field), so a caller can add lines."""
    if not isinstance(data, Mapping):
        return []
    problems: list[Problem] = []
    for index, source in _items(data, "sources"):
        base: Path = ("sources", index)
        url = source.get("url")
        if url is None and not source.get("no_url"):
            problems.append(
                Problem(
                    (*base, "url"),
                    "no url (expected an http(s) address, or no_url: WHY there is none)",
                )
            )
        elif isinstance(url, str) and not url.lower().startswith(("http://", "https://")):
            problems.append(
                Problem(
                    (*base, "url"),
                    f"{url[:60]!r} is not an http(s) address (expected https://...)",
                )
            )
        if source.get("date") is None and not source.get("undated"):
            problems.append(
                Problem(
                    (*base, "date"),
                    "no date (expected date: YYYY-MM-DD, or undated: WHY there is none)",
                )
            )
        if not source.get("outlet"):
            problems.append(
                Problem((*base, "outlet"), "no outlet (expected outlet: who published it)")
            )

    def judgement(path: Path, q: Any) -> None:
        if q is None:
            return
        if not (isinstance(q, Mapping) and q.get("assumption")):
            problems.append(Problem(path, _JUDGEMENT))

    for index, party in _items(data, "parties"):
        for key in ("capability", "batna"):
            judgement(("parties", index, key), party.get(key))
        if party.get("description") and not (party.get("source") or party.get("assumption")):
            problems.append(
                Problem(
                    ("parties", index, "description"),
                    "a description without a source (expected source: IDS, or assumption: WHY)",
                )
            )
    prefs = data.get("preferences")
    if isinstance(prefs, Mapping):
        for pid, table in prefs.items():
            if not isinstance(table, Mapping):
                continue
            for iid, pref in table.items():
                if isinstance(pref, Mapping):
                    judgement(("preferences", pid, iid, "salience"), pref.get("salience"))
    return problems
