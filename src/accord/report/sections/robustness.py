"""Robustness: how often each headline conclusion holds when the judgement numbers vary over
their ranges (a bar of shares, the pivotal inputs on hover and in the table), and which red
lines and BATNAs the zone of agreement depends on."""

from __future__ import annotations

from typing import Any

from accord.analysis.robustness import KINDS, Conclusion
from accord.report.context import Context
from accord.report.record import Chart, Paragraph, Section, Table
from accord.report.sections.text import cell, unavailable

TITLE = "Robustness of the conclusions"

KIND_NAMES = {
    "acceptable": "a draft, acceptable to a party",
    "acceptable_to_all": "a draft, acceptable to all",
    "zone": "the zone of agreement",
    "bridge": "a bridge, acceptable to all",
    "forecast": "a forecast option",
}


def _shown(conclusions: tuple[Conclusion, ...]) -> list[Conclusion]:
    """The conclusions the chart draws: the zone, and every one whose share of runs is neither
    0 nor 1 (the rest hold in every run or in none, and are counted in the reading)."""
    return [c for c in conclusions if c.kind == "zone" or 0.0 < c.share < 1.0]


def robustness(ctx: Context) -> Section:
    """The robustness section: the zone's dependence, then the shares of runs."""
    a = ctx.analysis
    if a.zone_dependence is None:
        return unavailable("robustness", TITLE, "The zone's dependence was not computed.")
    blocks: list[Any] = [
        Paragraph(
            "What the zone of agreement depends on (exact, no sampling): "
            + "; ".join(a.zone_dependence.lines())
            + "."
        )
    ]
    r = a.robustness
    if r is None:
        blocks.append(Paragraph("No runs of the judgement ranges were sampled.", notice=True))
        return Section("robustness", TITLE, tuple(blocks))
    if r.note is not None:
        blocks.append(Paragraph(r.note[0].upper() + r.note[1:] + ".", notice=True))
        return Section("robustness", TITLE, tuple(blocks))
    shown = sorted(_shown(r.conclusions), key=lambda c: (KINDS.index(c.kind), c.share))
    always = sum(1 for c in r.conclusions if c.share == 1.0 and c.kind != "zone")
    never = sum(1 for c in r.conclusions if c.share == 0.0 and c.kind != "zone")
    blocks.append(
        Paragraph(
            f"{len(r.inputs)} judgement numbers (saliences, capabilities, BATNAs and"
            " values-table entries, each over its own range or the scenario's stated default"
            f" width) sampled {r.runs:,} times (seed {r.seed}); each conclusion re-scored in"
            " every run. A share of runs is how often a conclusion holds over these ranges, not"
            " a probability. Pivotal inputs: those whose high and low halves differ most in how"
            " often the conclusion holds (differences within two standard errors left out);"
            " where fewer move it, the red lines that decide it."
        )
    )
    reading = (
        f"{len(shown)} conclusion(s) drawn; {always} more hold in every run and {never} in"
        " none. Hover a bar for its pivotal inputs."
    )
    blocks.append(
        Chart(
            "robustness-chart",
            "shares",
            f"Share of {r.runs:,} runs in which each conclusion holds",
            reading,
            {
                "bars": [
                    {
                        "label": c.subject,
                        "share": round(c.share, 4),
                        "group": KIND_NAMES[c.kind],
                        "hover": "; ".join(p.describe() for p in c.pivotal) or "none",
                    }
                    for c in shown
                ],
                "x_title": "share of runs",
            },
        )
    )
    blocks.append(
        Table(
            "robustness",
            "The conclusions that vary over the runs: as stated, share of runs, pivotal inputs"
            " (shares of runs with the input low, high)",
            ("conclusion", "as stated", "share of runs", "pivotal inputs"),
            tuple(
                (
                    cell(c.subject),
                    cell("yes" if c.holds_as_stated else "no"),
                    cell(f"{c.share:.0%}"),
                    cell("; ".join(p.describe() for p in c.pivotal) or "-"),
                )
                for c in shown
            ),
        )
    )
    return Section("robustness", TITLE, tuple(blocks))
