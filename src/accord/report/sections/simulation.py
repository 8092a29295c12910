"""A replay of the single negotiating text: a simulated mediator revises one text, starting from
a draft, until every party accepts it, the deadline passes, or the text cannot move."""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.report.context import Context
from accord.report.record import Chart, Paragraph, Section, Table
from accord.report.sections.text import cell, change_flag, label, signed


def replay(ctx: Context) -> Section:
    """The simulation section: the single-text replay."""
    compiled = ctx.compiled
    run = ctx.analysis.replay
    if run is None:
        return Section(
            "simulation",
            "Simulation replay: a single negotiating text",
            (Paragraph("No replay was run for this analysis.", notice=True),),
        )
    outcome = run.outcome
    texts = run.versions
    names = [f"v{n}" for n in range(len(texts))]
    parties = outcome.parties
    values = [np.asarray(v) for v in run.version_utilities()]

    # the round that answered version n (the mediator never puts a text twice)
    answered_by = [
        next((st for st in outcome.trace if tuple(st.text) == tuple(v)), None)
        for v in outcome.versions
    ]
    start = ctx.start or "the status quo"
    if outcome.agreed:
        ending = f"Agreement after {outcome.rounds} round(s) on version {names[-1]}."
    else:
        how = "Deadlock" if outcome.deadlocked else "The deadline passed"
        blocks_text = "; ".join(
            f"{p} still asks to change {', '.join(issues) if issues else 'nothing it can name'}"
            for p, issues in outcome.blocking.items()
        )
        ending = f"{how} after {outcome.rounds} round(s) on version {names[-1]}: {blocks_text}."
    chart = Chart(
        "simulation-chart",
        "lines",
        f"Each party's utility of each version of the text, from {start}",
        ending,
        {
            "x": names,
            "series": [
                {"name": p, "values": [round(float(v[k]), 4) for v in values]}
                for k, p in enumerate(parties)
            ],
            "references": [
                {"name": f"{p} BATNA", "value": float(compiled.batna[compiled.party_index(p)])}
                for p in parties
            ],
            "x_title": "version",
            "y_title": "utility",
        },
    )
    rows = []
    for n in range(len(texts)):
        if n == 0:
            what = f"the starting text ({start})"
        else:
            d = run.diffs[n - 1]
            previous = answered_by[n - 1]
            asked = {(c.issue, c.option): c.party for c in (previous.changes if previous else ())}
            moves = []
            for ic in d.issues:
                i = compiled.issue_index(ic.issue)
                who = asked.get((i, compiled.option_index(i, ic.b_option)), "?")
                moves.append(
                    f"{ic.issue}: {label(compiled, ic.issue, ic.a_option)} →"
                    f" {label(compiled, ic.issue, ic.b_option)} (asked by {who})"
                )
            what = "; ".join(moves) or "no issue moves"
        state = answered_by[n]
        answered = (
            ", ".join(f"{a.party} {'accepts' if a.accepts else 'rejects'}" for a in state.answers)
            if state is not None
            else "-"
        )
        deltas = [0.0] * len(parties) if n == 0 else list(values[n] - values[n - 1])
        rows.append(
            (
                cell(names[n]),
                cell(what),
                *(
                    cell(
                        f"{values[n][k]:.2f}" + ("" if n == 0 else f" ({signed(deltas[k])})"),
                        None if n == 0 else change_flag(deltas[k]),
                    )
                    for k in range(len(parties))
                ),
                cell(answered),
            )
        )
    blocks: list[Any] = [
        Paragraph(
            f"A simulated mediator ({outcome.policy} policy, seed {ctx.seed}, deadline"
            f" {ctx.deadline} rounds) puts one text, starting from {start}, and revises it from"
            " the parties' answers alone; each simulated party answers from its own preferences"
            " only (accept, or reject and name the changes it wants most). This is a replay of the"
            " model under these rules, not a prediction."
        ),
        chart,
        Table(
            "simulation-versions",
            "Versions of the simulated text: what moved, each party's utility (change), and"
            " the answers to it",
            ("version", "changes from the previous version", *parties, "answers"),
            tuple(rows),
        ),
    ]
    if outcome.blocking:
        blocks.append(
            Table(
                "simulation-blocking",
                "Where it stops: the parties that still reject the last text",
                ("party", "issues it still asks to change"),
                tuple(
                    (cell(p), cell(", ".join(issues) or "none it can name", "no"))
                    for p, issues in outcome.blocking.items()
                ),
            )
        )
    return Section("simulation", "Simulation replay: a single negotiating text", tuple(blocks))
