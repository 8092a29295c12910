"""The drafts side by side, and what changed from each version of the text to the next."""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.analysis import DraftDiff, DraftEvaluation
from accord.compile import Compiled
from accord.report.context import Context
from accord.report.record import Cell, Chart, Paragraph, Section, Table
from accord.report.sections.text import (
    cell,
    change_flag,
    label,
    point,
    points,
    short,
    signed,
    source_links,
    unavailable,
)


def drafts(ctx: Context) -> Section:
    """The drafts section: each draft scored for each party, red lines and ratification."""
    s, compiled = ctx.scenario, ctx.compiled
    title = "The drafts side by side"
    if not s.drafts:
        return unavailable("drafts", title, "No drafts: the scenario holds no negotiating text.")
    evaluations = ctx.analysis.evaluations
    parties = compiled.party_ids
    listing = Table(
        "draft-list",
        "The drafts, as reported",
        ("draft", "title", "date", "author", "based on", "points", "sources"),
        tuple(
            (
                cell(d.id),
                cell(d.title),
                cell(d.date.isoformat() if d.date else "-"),
                cell(d.author or "-"),
                cell(d.based_on or "-"),
                cell(str(len(d.points))),
                Cell("", source_links(s, d.source)),
            )
            for d in s.drafts
        ),
    )
    everyone = [e.draft for e in evaluations if e.acceptable_to_all]
    if everyone:
        verb = "is" if len(everyone) == 1 else "are"
        verdict = f"{', '.join(everyone)} {verb} acceptable to every party"
    else:
        verdict = "No draft is acceptable to every party"
    chart = Chart(
        "drafts-chart",
        "bars",
        "Gain over BATNA by draft and party",
        f"{verdict} under this encoding; a bar below zero falls short of the party's BATNA"
        " (−1 is the worst package for the party, +1 the best).",
        {
            "categories": [e.draft for e in evaluations],
            "series": [
                {"name": pid, "values": [round(e.parties[p].gain, 4) for e in evaluations]}
                for p, pid in enumerate(parties)
            ],
            "x_title": "draft",
            "y_title": "gain over BATNA (own range)",
            "range": [-1, 1],
        },
    )
    scores = Table(
        "draft-scores",
        "Drafts x parties: utility (gain over BATNA); ✓ acceptable, ✗ not",
        ("draft", *parties, "all accept"),
        tuple(
            (
                cell(e.draft),
                *(
                    cell(
                        f"{pe.utility:.2f} ({signed(pe.gain)}) {'✓' if pe.acceptable else '✗'}",
                        "yes" if pe.acceptable else "no",
                    )
                    for pe in e.parties
                ),
                cell(
                    "yes" if e.acceptable_to_all else "no", "yes" if e.acceptable_to_all else "no"
                ),
            )
            for e in evaluations
        ),
    )
    blocks: list[Any] = [
        Paragraph(
            "Each draft scored for each party that states preferences: its utility (0 to 1), its"
            " gain over its BATNA on its own range, and whether it could accept (no red line"
            " crossed and a utility at or above its BATNA). Where a draft is silent on an issue"
            " the status quo holds."
        ),
        listing,
        chart,
        scores,
    ]
    crossing_rows = [
        (
            cell(e.draft),
            cell(pe.party),
            cell(line.issue),
            cell(label(compiled, line.issue, line.option), "red_line"),
            cell(point(line.point)),
        )
        for e in evaluations
        for pe in e.parties
        for line in pe.red_lines
    ]
    if crossing_rows:
        blocks.append(
            Table(
                "red-lines",
                "Red lines crossed, with the point that crosses each",
                ("draft", "party", "issue", "option the draft puts there", "by"),
                tuple(crossing_rows),
            )
        )
    else:
        blocks.append(Paragraph("No draft crosses a stated red line."))
    blocks.extend(_ratification(evaluations))
    return Section("drafts", title, tuple(blocks))


def _ratification(evaluations: tuple[DraftEvaluation, ...]) -> list[Any]:
    rows = [
        (
            cell(e.draft),
            cell(step.party),
            cell(step.name),
            cell(", ".join(point(n) for n in step.triggered_by) or "-"),
            cell(step.status, "no" if step.status in ("blocked", "fails") else None),
            cell("; ".join(step.reasons)),
        )
        for e in evaluations
        for step in e.ratification
    ]
    if not rows:
        return []
    return [
        Table(
            "ratification",
            "Domestic ratification steps the drafts trigger",
            ("draft", "party", "step", "triggered by", "status", "why"),
            tuple(rows),
        )
    ]


# --- versions --------------------------------------------------------------------------------


def issue_deltas(compiled: Compiled, issue: str, a: str, b: str) -> list[float]:
    """What moving ``issue`` from option ``a`` to ``b`` adds to each party's utility."""
    i = compiled.issue_index(issue)
    oa, ob = compiled.option_index(i, a), compiled.option_index(i, b)
    return [
        float(compiled.weights[p, i] * (compiled.values[p, i, ob] - compiled.values[p, i, oa]))
        for p in range(compiled.n_parties)
    ]


def diff_tables(compiled: Compiled, d: DraftDiff, linked: bool, prefix: str) -> list[Any]:
    """The point changes (where the texts are linked), the issue changes with each party's gain
    or loss from each, and the utility change: the tables of one comparison."""
    blocks: list[Any] = []
    if linked:
        rows = []
        for c in d.points:
            text = " / ".join(c.b_text) if c.b_text else " / ".join(c.a_text)
            rows.append(
                (
                    cell(c.kind),
                    cell(points(c.a)),
                    cell(points(c.b)),
                    cell(short(text, 220)),
                )
            )
        blocks.append(
            Table(
                f"{prefix}-points",
                f"{d.a} → {d.b}: {len(d.points)} point change(s), {d.unchanged_points} unchanged"
                " (text shown: the later version; for removed points, the earlier)",
                ("change", f"in {d.a}", f"in {d.b}", "text"),
                tuple(rows),
            )
        )
    parties = compiled.party_ids
    issue_rows = []
    for ic in d.issues:
        deltas = issue_deltas(compiled, ic.issue, ic.a_option, ic.b_option)
        i = compiled.issue_index(ic.issue)
        ob = compiled.option_index(i, ic.b_option)
        party_cells = []
        for p, delta in enumerate(deltas):
            crosses = not bool(compiled.allowed[p, i, ob])
            party_cells.append(
                cell(
                    signed(delta, 3) + (" ✕" if crosses else ""),
                    "red_line" if crosses else change_flag(delta),
                )
            )
        issue_rows.append(
            (
                cell(ic.issue),
                cell(f"{label(compiled, ic.issue, ic.a_option)} ({point(ic.a_point)})"),
                cell(f"{label(compiled, ic.issue, ic.b_option)} ({point(ic.b_point)})"),
                *party_cells,
            )
        )
    if issue_rows:
        blocks.append(
            Table(
                f"{prefix}-issues",
                f"{d.a} → {d.b}: issues that move, and what each move adds to each party's"
                " utility (✕: the new option crosses that party's red line)",
                ("issue", f"{d.a}", f"{d.b}", *parties),
                tuple(issue_rows),
            )
        )
    else:
        blocks.append(Paragraph(f"{d.a} → {d.b}: no issue moves."))
    blocks.append(
        Table(
            f"{prefix}-utilities",
            f"{d.a} → {d.b}: utility change per party",
            ("party", d.a, d.b, "change", "acceptable"),
            tuple(
                (
                    cell(u.party),
                    cell(f"{u.a:.3f}"),
                    cell(f"{u.b:.3f}"),
                    cell(signed(u.delta, 3), change_flag(u.delta)),
                    cell(
                        f"{'yes' if u.a_acceptable else 'no'} → {'yes' if u.b_acceptable else 'no'}"
                    ),
                )
                for u in d.utilities
            ),
        )
    )
    return blocks


def versions(ctx: Context) -> Section:
    """The versions section: what changed between linked drafts."""
    compiled = ctx.compiled
    title = "Versions of the text"
    if not ctx.analysis.versions:
        return unavailable(
            "versions",
            title,
            "No comparison: the scenario has fewer than two drafts.",
        )
    diffs = [(v.diff, v.linked) for v in ctx.analysis.versions]
    names = [f"{d.a} → {d.b}" for d, _ in diffs]
    deltas = np.array([[u.delta for u in d.utilities] for d, _ in diffs])
    k, p = np.unravel_index(int(np.argmax(deltas)), deltas.shape)
    j, q = np.unravel_index(int(np.argmin(deltas)), deltas.shape)
    reading = (
        f"The largest gain: {compiled.party_ids[p]}'s, {names[k]}"
        f" ({signed(float(deltas[k, p]), 2)}); the largest loss: {compiled.party_ids[q]}'s,"
        f" {names[j]} ({signed(float(deltas[j, q]), 2)})."
    )
    chart = Chart(
        "versions-chart",
        "bars",
        "Utility change per party from each version to the next",
        reading,
        {
            "categories": names,
            "series": [
                {"name": pid, "values": [round(float(x), 4) for x in deltas[:, n]]}
                for n, pid in enumerate(compiled.party_ids)
            ],
            "x_title": "comparison",
            "y_title": "change in utility",
        },
    )
    independent = [f"{d.b} (against {d.a})" for d, linked in diffs if not linked]
    intro = (
        "Each draft is compared with the draft it is based on: points are matched through the"
        " versions of the text, then the issues each change moves and who gains or loses"
        " from each move (the party's weight on the issue times the change in its value)."
    )
    if independent:
        intro += (
            " Texts not based on another draft are compared issue by issue with the first such"
            f" draft: {', '.join(independent)}."
        )
    blocks: list[Any] = [Paragraph(intro), chart]
    for n, (d, linked) in enumerate(diffs):
        blocks.extend(diff_tables(compiled, d, linked, f"diff-{n}"))
    return Section("versions", title, tuple(blocks))
