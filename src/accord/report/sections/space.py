"""The agreement space: the frontier of the principal pair with the drafts and the bargaining
solutions placed on it; whether a zone of possible agreement exists, the minimal relaxations
when it does not, and the bridge from each draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from accord.analysis.bargaining import BargainingSolution
from accord.analysis.conflict import Bridge
from accord.analysis.space import Frontier
from accord.compile import Compiled
from accord.report.context import Context
from accord.report.record import Chart, Paragraph, Section, Table
from accord.report.sections.text import cell, label, point, signed

SOLUTION_NAMES = {
    "nash": "Nash",
    "ks": "Kalai-Smorodinsky",
    "egalitarian": "egalitarian",
    "utilitarian": "utilitarian",
}


def package_text(compiled: Compiled, package: Sequence[int]) -> str:
    """The options of ``package`` that differ from the status quo."""
    moved = [
        f"{compiled.issue_ids[i]}: {compiled.option_ids[i][int(o)]}"
        for i, o in enumerate(package)
        if int(o) != int(compiled.status_quo[i])
    ]
    return "; ".join(moved) if moved else "the status quo on every issue"


def agreement_space(ctx: Context) -> Section:
    """The agreement-space section: zone, relaxations, bargaining solutions and frontier."""
    compiled = ctx.compiled
    analysis = ctx.analysis
    blocks: list[Any] = []
    solutions = analysis.solutions
    view = analysis.frontier
    if view.frontier is None or view.acceptable is None or view.pair is None:
        blocks.append(Paragraph(f"No frontier chart: {view.note}.", notice=True))
    else:
        blocks.extend(_frontier(ctx, view.pair, view.frontier, view.acceptable, solutions))
    blocks.extend(_zone(ctx))
    blocks.append(_solutions_table(compiled, solutions))
    bridges = analysis.bridges
    if bridges:
        blocks.append(_bridges_table(compiled, bridges))
    else:
        blocks.append(Paragraph("No bridge: the scenario holds no draft.", notice=True))
    return Section("agreement-space", "The agreement space", tuple(blocks))


def _frontier(
    ctx: Context,
    pair: tuple[str, str],
    front: Frontier,
    inner: Frontier,
    solutions: Sequence[BargainingSolution],
) -> list[Any]:
    compiled = ctx.compiled
    a, b = pair
    pa = compiled.party_index(a)
    pb = compiled.party_index(b)
    draft_points: list[dict[str, Any]] = []
    for e in ctx.analysis.evaluations:
        draft_points.append(
            {
                "id": e.draft,
                "x": round(e.party(a).utility, 4),
                "y": round(e.party(b).utility, 4),
                "acceptable": all(p.acceptable for p in e.parties),
            }
        )
    solution_points = []
    for r in solutions:
        if r.package is None or a not in r.utilities or b not in r.utilities:
            continue
        solution_points.append(
            {
                "name": SOLUTION_NAMES[r.solution],
                "x": round(r.utilities[a], 4),
                "y": round(r.utilities[b], 4),
            }
        )
    dominated = [
        p
        for p in draft_points
        if bool(
            np.any(
                (front.points[:, 0] > float(p["x"]) + 1e-9)
                & (front.points[:, 1] > float(p["y"]) + 1e-9)
            )
        )
    ]
    everyone = len(compiled.party_ids)
    reading = (
        f"{_count(front)} frontier packages for {a} and {b} in a space of"
        f" {front.space_size:,}; {_count(inner)} of them cross no red line of either and meet"
        f" both BATNAs. {len(dominated)} of {len(draft_points)} drafts lie inside the frontier,"
        f" where both could gain; the bargaining solutions are computed over all {everyone}"
        " parties, so they need not lie on this two-party frontier."
    )
    chart = Chart(
        "frontier-chart",
        "frontier",
        f"The {a}-{b} frontier, the drafts and the bargaining solutions",
        reading,
        {
            "parties": [a, b],
            "frontier": _xy(front),
            "acceptable": _xy(inner),
            "drafts": draft_points,
            "solutions": solution_points,
            "batna": [float(compiled.batna[pa]), float(compiled.batna[pb])],
            "truncated": front.truncated,
        },
    )
    intro = Paragraph(
        f"The Pareto frontier of {a} and {b} (the first two parties with the role party, unless"
        " chosen otherwise): the packages where neither can gain without the other losing."
        " The shaded line keeps only packages both could accept. Every draft is placed by what"
        " it gives these two; the dotted lines are their BATNAs."
    )
    return [intro, chart]


def _count(front: Frontier) -> str:
    return f"{front.count:,}" if front.count is not None else f"at least {front.size:,}"


def _xy(front: Frontier) -> dict[str, list[float]]:
    return {
        "x": [round(float(v), 4) for v in front.points[:, 0]],
        "y": [round(float(v), 4) for v in front.points[:, 1]],
    }


def _zone(ctx: Context) -> list[Any]:
    compiled = ctx.compiled
    zone = ctx.analysis.zopa
    if zone.open and zone.example is not None:
        utils = ", ".join(f"{p} {u:.2f}" for p, u in zone.utilities.items())
        return [
            Paragraph(
                "A zone of possible agreement exists under this encoding: some package crosses no"
                " stated red line and meets every BATNA. "
                + (
                    "The package that maximises the smallest gain"
                    if zone.example_rule == "maximin"
                    else "One such package, found by the feasibility check and not optimised"
                    " for anyone,"
                )
                + f" ({utils}) sets {package_text(compiled, zone.example)}. That such a"
                " package exists says the encoded red lines do not rule one out, not that the"
                " parties would agree."
            )
        ]
    blocks: list[Any] = [
        Paragraph(
            "No package crosses no red line and meets every BATNA: the zone of possible"
            " agreement is empty under this encoding."
            + (
                f" Red lines alone leave no option on: {', '.join(zone.blocked_issues)}."
                if zone.blocked_issues
                else ""
            )
        )
    ]
    relax = ctx.analysis.relaxations
    if not relax.relaxations:
        blocks.append(
            Paragraph(
                f"No set of up to {relax.max_size} relaxations opens it ({relax.checked} sets"
                " checked).",
                notice=True,
            )
        )
        return blocks
    blocks.append(
        Table(
            "relaxations",
            f"Minimal relaxations that would open the zone (up to {relax.max_size}; BATNA steps"
            f" of {relax.batna_step:g}; {relax.checked} sets checked)",
            ("relaxation", "what would move", "an example package then acceptable to all"),
            tuple(
                (
                    cell(str(n + 1)),
                    cell("; ".join(c.describe() for c in r.constraints)),
                    cell(package_text(compiled, r.example)),
                )
                for n, r in enumerate(relax.relaxations)
            ),
        )
    )
    return blocks


def _solutions_table(compiled: Compiled, solutions: Sequence[BargainingSolution]) -> Table:
    parties = compiled.party_ids
    rows = []
    for r in solutions:
        if r.package is None:
            rows.append(
                (
                    cell(SOLUTION_NAMES[r.solution]),
                    *(cell("-") for _ in parties),
                    cell(r.reason or "no package qualifies"),
                )
            )
            continue
        rows.append(
            (
                cell(SOLUTION_NAMES[r.solution]),
                *(cell(f"{r.utilities[p]:.2f} ({signed(r.gains[p])})") for p in parties),
                cell(package_text(compiled, r.package)),
            )
        )
    return Table(
        "bargaining",
        "Bargaining solutions over the packages every party accepts: utility (gain over BATNA);"
        " the package, as the options that differ from the status quo",
        ("solution", *parties, "package"),
        tuple(rows),
    )


def _bridges_table(compiled: Compiled, bridges: Sequence[Bridge]) -> Table:
    rows = []
    for b in bridges:
        if not b.found:
            rows.append(
                (
                    cell(b.draft),
                    cell("-"),
                    cell("no package is acceptable to every party, so no bridge exists"),
                    cell("-"),
                )
            )
            continue
        changes = "; ".join(
            f"{c.issue}: {label(compiled, c.issue, c.from_option)} ({point(c.from_point)}) →"
            f" {label(compiled, c.issue, c.to_option)}"
            for c in b.changes
        )
        moves = ", ".join(
            f"{p} {b.utilities_before[p]:.2f} → {u:.2f}" for p, u in b.utilities_after.items()
        )
        rows.append(
            (
                cell(b.draft),
                cell(str(len(b.changes))),
                cell(changes or "none: the draft is acceptable to every party as it stands"),
                cell(moves),
            )
        )
    return Table(
        "bridges",
        "The bridge from each draft: the package every party accepts that changes the fewest"
        " issues of the draft",
        ("draft", "changes", "what changes (point)", "utilities before → after"),
        tuple(rows),
    )
