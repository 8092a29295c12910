"""The scenario as reported: parties and delegations, the timeline, the position matrix."""

from __future__ import annotations

from collections import Counter
from typing import Any

from accord.report.context import Context
from accord.report.record import Cell, Chart, Paragraph, Section, Table
from accord.report.sections.text import (
    cell,
    ideal_option,
    ideal_text,
    join_names,
    source_links,
    unavailable,
)


def _number(q: Any) -> str:
    return "-" if q is None else f"{q.value:g}"


def parties(ctx: Context) -> Section:
    """The parties section: roles, delegations, capability and BATNA with sources."""
    s = ctx.scenario
    party_rows = []
    for p in s.parties:
        party_rows.append(
            (
                cell(p.id),
                cell(p.name),
                cell(", ".join(r.value for r in p.roles)),
                cell(_number(p.capability)),
                cell(_number(p.batna)),
                cell("yes" if p.id in ctx.compiled.party_ids else "no"),
                cell(p.description or ""),
            )
        )
    member_rows = []
    for p in s.parties:
        for m in p.delegation:
            member_rows.append(
                (
                    cell(p.id),
                    cell(m.name),
                    cell(m.role),
                    cell(m.start.isoformat() if m.start else "-"),
                    cell(m.end.isoformat() if m.end else "-"),
                    Cell(m.assumption or "", links=source_links(s, m.source)),
                )
            )
    blocks: list[Any] = [
        Paragraph(
            f"{len(s.parties)} parties as the scenario lists them; {len(ctx.compiled.party_ids)}"
            " of them state preferences and are scored. Capability is relative power (used by"
            " the forecasts); BATNA is the value of no agreement on the party's own 0 to 1"
            " scale."
        ),
        Table(
            "parties",
            "Parties",
            ("id", "name", "roles", "capability", "BATNA", "scored", "description"),
            tuple(party_rows),
        ),
    ]
    if member_rows:
        blocks.append(
            Table(
                "delegations",
                "Delegations as reported (dated; open-ended where no end is given)",
                ("party", "name", "role", "from", "to", "source"),
                tuple(member_rows),
            )
        )
    else:
        blocks.append(Paragraph("No delegation members are recorded.", notice=True))
    return Section("parties", "Parties and delegations", tuple(blocks))


def timeline(ctx: Context) -> Section:
    """The timeline section: the events of the talks."""
    s = ctx.scenario
    title = "Timeline"
    if not s.events:
        return unavailable("timeline", title, "No timeline: the scenario records no events.")
    events = sorted(s.events, key=lambda e: (e.date, e.id))
    kinds = Counter(e.kind.value for e in events)
    common, n_common = kinds.most_common(1)[0]
    chart = Chart(
        "timeline-chart",
        "timeline",
        "Events by date and kind",
        f"{len(events)} events from {events[0].date.isoformat()} to"
        f" {(events[-1].end_date or events[-1].date).isoformat()}, as reported; the most"
        f" frequent kind is {common.replace('_', ' ')} ({n_common}).",
        {
            "events": [
                {
                    "date": e.date.isoformat(),
                    "end": e.end_date.isoformat() if e.end_date else None,
                    "kind": e.kind.value,
                    "title": e.title,
                    "participants": list(e.participants),
                }
                for e in events
            ]
        },
    )
    rows = []
    for e in events:
        when = e.date.isoformat() + (f" to {e.end_date.isoformat()}" if e.end_date else "")
        text = e.title + (f". {e.summary}" if e.summary else "")
        rows.append(
            (
                cell(when),
                cell(e.kind.value.replace("_", " ")),
                cell(text),
                cell(e.venue or "-"),
                cell(", ".join(e.participants) or "-"),
                Cell("" if e.source else (e.assumption or "no source"), source_links(s, e.source)),
            )
        )
    table = Table(
        "timeline",
        "Events (each linked to the source that reports it)",
        ("date", "kind", "event", "venue", "participants", "source"),
        tuple(rows),
    )
    return Section("timeline", title, (chart, table))


def positions(ctx: Context) -> Section:
    """The positions section: each party's ideal and salience per issue."""
    s = ctx.scenario
    title = "Position matrix"
    scored = [p.id for p in s.parties if s.preferences.get(p.id)]
    if not scored:
        return unavailable("positions", title, "No positions: no party states a preference.")
    hidden = 0
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    rows = []
    red_line_counts: Counter[str] = Counter()
    for issue in s.issues:
        z_row: list[float | None] = []
        t_row: list[str] = []
        h_row: list[str] = []
        cells = [cell(issue.name)]
        for pid in scored:
            pref = s.preferences[pid].get(issue.id)
            if pref is None:
                z_row.append(None)
                t_row.append("")
                h_row.append(f"{pid}: states no position")
                cells.append(cell("-"))
                continue
            if pref.confidential and not ctx.show_confidential:
                hidden += 1
                z_row.append(None)
                t_row.append("confidential")
                h_row.append(f"{pid}: confidential")
                cells.append(cell("confidential: not shown"))
                continue
            lines = [
                next(o.label for o in issue.options if o.id == r.option) for r in pref.red_lines
            ]
            if lines:
                red_line_counts[pid] += 1
            ideal = ideal_text(issue, pref)
            marker = " ✕" if lines else ""
            z_row.append(pref.salience.value)
            t_row.append(f"{ideal_option(issue, pref) or '-'}{marker}")
            h_row.append(
                f"{pid}: {ideal} (salience {pref.salience.value:.2f})"
                + (f"; red lines: {'; '.join(lines)}" if lines else "")
            )
            body = f"{ideal} (salience {pref.salience.value:.2f})"
            if pref.confidential:
                body += " [confidential]"
            if lines:
                body += ". Red lines: " + "; ".join(f"✕ {x}" for x in lines)
            cells.append(
                cell(
                    body,
                    "red_line" if lines else None,
                    source_links(s, pref.position_source or pref.salience.source),
                )
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
        rows.append(tuple(cells))
    counts = [f"{pid} on {red_line_counts[pid]}" for pid in scored if red_line_counts[pid]]
    reading = (
        "Darker cells carry more weight for the party; ✕ marks an issue on which it states red"
        f" lines ({join_names(counts)} issues)."
        if counts
        else "Darker cells carry more weight for the party; no party states a red line."
    )
    chart = Chart(
        "positions-chart",
        "heatmap",
        "Salience by issue and party; cell text: the ideal option",
        reading,
        {
            "x": scored,
            "y": [i.id for i in s.issues],
            "z": z,
            "text": text,
            "hover": hover,
            "zlabel": "salience",
        },
    )
    blocks: list[Any] = [
        Paragraph(
            "Each party's ideal option and its salience (0 to 1) on each issue, as reported by"
            " the sources linked in each cell; ✕ marks the options a party reportedly refuses"
            " outright (red lines)."
        ),
        chart,
    ]
    if hidden:
        blocks.append(
            Paragraph(
                f"{hidden} position(s) are marked confidential and not shown here. The model's"
                " figures and red-line checks elsewhere in this brief use them, so a reader can"
                " infer something of them from those.",
                notice=True,
            )
        )
    blocks.append(
        Table(
            "positions",
            "Issues x parties: ideal (salience); red lines marked ✕",
            ("issue", *scored),
            tuple(rows),
        )
    )
    return Section("positions", title, tuple(blocks))
