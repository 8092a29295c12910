"""The main job, ``accord analyze``: every engine on one scenario, then the brief."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Annotated

import typer
from rich.text import Text

from accord.analysis import (
    diff,
    evaluate_all,
)
from accord.analysis.bargaining import SOLUTIONS
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import bridge, minimal_relaxations, zopa
from accord.cli.common import (
    JsonOpt,
    ScenarioArg,
    ShockOpt,
    UsageFailure,
    app,
    compiled_for,
    emit_json,
    out,
    spinner,
    user_errors,
)
from accord.cli.drafts import (
    diff_lines,
    evaluation_table,
    ratification_table,
    red_line_table,
    version_pairs,
)
from accord.cli.forecasting import ANALYZE_MODELS, analyze_forecasts, forecast_table
from accord.cli.simulation import replay_lines
from accord.cli.space import bargaining_table, bridge_lines, relax_lines
from accord.scenarios import resolve
from accord.simulate.single_text import replay


@app.command()
def analyze(
    scenario: ScenarioArg = None,
    shock: ShockOpt = None,
    brief: Annotated[
        str | None,
        typer.Option(
            "--brief",
            help="Where to write the brief (HTML; default SCENARIO-brief.html; - to write none).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The main job: evaluate and compare every draft, search the agreement space (zone of
    possible agreement, minimal relaxations, bargaining solutions, the bridge from each draft),
    forecast each issue, and replay a mediator's single negotiating text from the first draft."""
    with user_errors():
        s = resolve(scenario)
        compiled = compiled_for(s, shock)
        evaluations = evaluate_all(compiled)
        diffs = [diff(compiled, a, b) for a, b in version_pairs(s)]
        with spinner("searching the agreement space"):
            zone = zopa(compiled)
            relaxations = minimal_relaxations(compiled, max_size=3)
            solutions = [solve_bargaining(compiled, name) for name in SOLUTIONS]
            bridges = [bridge(compiled, d) for d in compiled.drafts]
            forecasts = analyze_forecasts(s, shock)
        simulation = (
            replay(compiled, start=s.drafts[0].id, deadline=ANALYZE_REPLAY_ROUNDS)
            if s.drafts
            else None
        )
        brief_path = None if brief == "-" else (brief or f"{s.id}-brief.html")
        if brief_path is not None:
            from accord.report import ReportError, write_brief

            try:
                with spinner("writing the brief"):
                    written = write_brief(brief_path, s, shocks=tuple(shock or ()))
            except ReportError as exc:
                raise UsageFailure(str(exc)) from None
            except OSError as exc:
                raise UsageFailure(f"cannot write {brief_path}: {exc.strerror or exc}") from None
    if json_out:
        emit_json(
            {
                "scenario": s.id,
                "as_of": s.as_of.isoformat(),
                "shocks": list(compiled.shocks),
                "evaluations": [e.to_dict() for e in evaluations],
                "diffs": [d.to_dict() for d in diffs],
                "agreement_space": {
                    "zopa": zone.to_dict(compiled),
                    "relaxations": relaxations.to_dict(compiled),
                    "solutions": [r.to_dict(compiled) for r in solutions],
                    "bridges": [b.to_dict(compiled) for b in bridges],
                },
                "forecasts": {label: [asdict(f) for f in e.forecasts] for label, e in forecasts},
                "simulation": None if simulation is None else simulation.to_dict(),
                "brief": brief_path,
            }
        )
        return
    out.print(Text(f"{s.title}  (as of {s.as_of})", style="bold"))
    out.print(
        "Figures are model outputs of the scenario's stated inputs; positions are as reported."
    )
    out.print(evaluation_table(compiled, evaluations))
    if any(pe.red_lines for e in evaluations for pe in e.parties):
        out.print(red_line_table(compiled, evaluations))
    if any(e.ratification for e in evaluations):
        out.print(ratification_table(evaluations))
    for d in diffs:
        out.print()
        for line in diff_lines(compiled, d):
            out.print(Text(line))
    out.print()
    out.print(Text("The agreement space", style="bold"))
    for line in relax_lines(compiled, zone, relaxations):
        out.print(Text(line))
    out.print(bargaining_table(compiled, solutions))
    for b in bridges:
        for line in bridge_lines(compiled, b):
            out.print(Text(line))
    out.print()
    out.print(forecast_table(s, forecasts, ANALYZE_MODELS))
    out.print()
    out.print(Text("A single-text replay", style="bold"))
    if simulation is None:
        out.print("No draft to start from: the scenario has no drafts.")
    else:
        for line in replay_lines(compiled, simulation, diffs=False):
            out.print(Text(line))
        out.print(
            f"(accord simulate {s.id} --from {s.drafts[0].id} shows the diff of each version)"
        )
    if brief_path is not None:
        out.print()
        out.print(
            Text(
                f"The brief: {os.path.abspath(brief_path)}"
                f" ({len(written.sections)} sections, {len(written.charts)} charts;"
                " open it in a browser, it works offline)",
                style="bold",
            )
        )


ANALYZE_REPLAY_ROUNDS = 12


"""The single-text replay in ``accord analyze``: a mediator (maximin policy) revising the
scenario's first draft for at most this many rounds."""
