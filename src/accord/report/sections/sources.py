"""Sources and assumptions: every source the scenario lists, where it is cited, and every
assumption it states, with what in the brief depends on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.model.errors import render_path
from accord.model.records import Scenario
from accord.report.context import Context
from accord.report.record import Cell, Link, Paragraph, Section, Table
from accord.report.sections.text import cell, source_href

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Note:
    """A ``source`` list or an ``assumption`` found at ``path`` of the scenario data; ``ids`` is
    the path with list items named by their id (or point number) where they have one."""

    path: Path
    ids: tuple[str, ...]
    where: str
    sources: tuple[str, ...]
    assumption: str | None
    value: Any


def notes(scenario: Scenario) -> Iterator[Note]:
    """Every record of the scenario that carries a source or an assumption, in file order."""
    data = scenario.model_dump(mode="python", by_alias=True)

    def walk(node: Any, path: Path, ids: tuple[str, ...]) -> Iterator[Note]:
        if isinstance(node, dict):
            cited: list[str] = []
            for key in ("source", "position_source"):
                found = node.get(key)
                if isinstance(found, str):
                    cited.append(found)
                elif isinstance(found, list):
                    cited.extend(x for x in found if isinstance(x, str))
            assumption = node.get("assumption")
            if cited or isinstance(assumption, str):
                yield Note(
                    path,
                    ids,
                    render_path(path, data),
                    tuple(dict.fromkeys(cited)),
                    assumption if isinstance(assumption, str) else None,
                    node.get("value"),
                )
            for key, child in node.items():
                if key != "sources":  # the source list itself cites nothing
                    yield from walk(child, (*path, key), (*ids, str(key)))
        elif isinstance(node, list):
            for k, child in enumerate(node):
                name = str(k)
                if isinstance(child, dict):
                    if isinstance(child.get("id"), str):
                        name = child["id"]
                    elif isinstance(child.get("number"), int):
                        name = f"#{child['number']}"
                yield from walk(child, (*path, k), (*ids, name))

    yield from walk(data, (), ())


def depends_on(ids: tuple[str, ...]) -> str:
    """What in the brief rests on the record at ``ids``, in words."""
    head = ids[0] if ids else ""
    if head == "preferences" and len(ids) >= 3:
        party, issue = ids[1], ids[2]
        field = ids[3] if len(ids) > 3 else ""
        if field == "salience":
            return (
                f"{party}'s weight on {issue}: {party}'s utility of every draft and package;"
                f" the forecasts of {issue}"
            )
        if field == "ideal":
            return f"{party}'s option values on {issue} and the forecasts of {issue}"
        if field == "values":
            return f"{party}'s option values on {issue}: {party}'s utilities"
        if field == "red_lines":
            return f"whether {party} accepts a package; the zone of possible agreement"
        return f"{party}'s position on {issue}"
    if head == "parties" and len(ids) >= 3:
        party, field = ids[1], ids[2]
        if field == "batna":
            return (
                f"whether {party} accepts a draft, its gains, the zone of agreement and the"
                " bargaining solutions"
            )
        if field == "capability":
            return f"{party}'s weight in every forecast"
        if field == "delegation":
            return "the list of delegations"
        if field == "ratification":
            return f"{party}'s ratification steps in the draft evaluations"
        return f"the record of {party}"
    if head == "parties" and len(ids) == 2:
        return f"the record of {ids[1]}"
    if head == "issues" and len(ids) >= 3:
        if ids[2] == "scale":
            return (
                f"where the options of {ids[1]} sit: distance-based values, forecasts of {ids[1]}"
            )
        if ids[2] == "options":
            return f"the option's place on the scale of {ids[1]}"
        return f"the issue {ids[1]}"
    if head == "drafts" and len(ids) >= 2:
        if len(ids) >= 4 and ids[2] == "points":
            return f"what point {ids[3]} of {ids[1]} sets: the evaluation of {ids[1]}"
        return f"the draft {ids[1]}"
    if head == "events":
        return "the timeline"
    if head == "facts" and len(ids) >= 2:
        return f"the fact {ids[1]}: the ratification steps it blocks"
    if head == "shocks" and len(ids) >= 2:
        return f"the shock {ids[1]}: the forecasts under it"
    return "the record it annotates"


def _confidential(scenario: Scenario, ids: tuple[str, ...]) -> bool:
    if len(ids) < 3 or ids[0] != "preferences":
        return False
    pref = scenario.preferences.get(ids[1], {}).get(ids[2])
    return pref is not None and pref.confidential


def sources(ctx: Context) -> Section:
    """The sources section: every source with its outlet, date and reliability."""
    s = ctx.scenario
    found = [n for n in notes(s) if ctx.show_confidential or not _confidential(s, n.ids)]
    cited: dict[str, list[str]] = {src.id: [] for src in s.sources}
    for n in found:
        for sid in n.sources:
            cited.setdefault(sid, []).append(n.where)
    rows = []
    for src in s.sources:
        href = source_href(s, src.id)
        title = src.title or src.outlet or src.id
        places = cited.get(src.id, [])
        where = (
            f"{len(places)}: " + ", ".join(places[:4]) + (" …" if len(places) > 4 else "")
            if places
            else "not cited by any record"
        )
        rows.append(
            (
                cell(src.id),
                Cell("", (Link(title, href),))
                if href.startswith("http")
                else cell(
                    f"{title} ({src.url}: not a web address, not linked)" if src.url else title
                ),
                cell(src.outlet or "-"),
                cell(src.date.isoformat() if src.date else "-"),
                cell(src.reliability.value),
                cell(where),
            )
        )
    blocks: list[Any] = [
        Paragraph(
            f"{len(s.sources)} source{'' if len(s.sources) == 1 else 's'}, each with the records"
            " that cite it; reliability as the"
            " scenario grades it (official, reported, low). Positions in this brief are as"
            " reported by these sources."
        ),
        Table(
            "sources",
            "Sources",
            ("id", "title", "outlet", "date", "reliability", "cited by"),
            tuple(rows),
            row_ids=tuple(f"src-{src.id}" for src in s.sources),
        ),
    ]
    assumptions = [n for n in found if n.assumption]
    if assumptions:
        blocks.append(
            Table(
                "assumptions",
                f"Assumptions ({len(assumptions)}): every number or record the scenario states"
                " without a source, or with a judgement beside its source",
                ("where", "assumption", "value", "what depends on it"),
                tuple(
                    (
                        cell(n.where),
                        cell(n.assumption or ""),
                        cell("-" if n.value is None else f"{n.value}"),
                        cell(depends_on(n.ids)),
                    )
                    for n in assumptions
                ),
            )
        )
    else:
        blocks.append(Paragraph("The scenario states no assumption.", notice=True))
    return Section("sources", "Sources and assumptions", tuple(blocks))
