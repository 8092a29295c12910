"""Robust conclusions: ``robustness``, the share of sampled runs in which each headline
conclusion holds, its pivotal inputs, and what the zone of agreement depends on."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from accord.analysis.dependence import ZoneDependence
from accord.analysis.robustness import KINDS, Robustness
from accord.cli.common import (
    AsOfOpt,
    JsonOpt,
    ScenarioArg,
    ShockOpt,
    app,
    as_of_day,
    emit_json,
    out,
    progress_bar,
    user_errors,
)
from accord.forecast.registry import check_models
from accord.scenarios import resolve
from accord.workbench import Workbench

KIND_TITLES = {
    "acceptable": "Each draft, acceptable to each party",
    "acceptable_to_all": "Each draft, acceptable to all",
    "zone": "The zone of agreement",
    "bridge": "Each bridge (the stated one's package), acceptable to all",
    "forecast": "Each forecast option (the most frequent nearest option)",
}


@app.command()
def robustness(
    scenario: ScenarioArg = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Samples of the judgements.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")] = 0,
    model: Annotated[
        str, typer.Option("--model", help="The forecast model whose options are tested.")
    ] = "compromise",
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """How often each headline conclusion holds when the judgement numbers (saliences,
    capabilities, BATNAs, values-table entries) vary over their ranges: each draft acceptable to
    each party and to all, the zone of agreement open, each bridge, each forecast option; with
    the three inputs each is most sensitive to, and the red lines and BATNAs the zone depends
    on."""
    with user_errors():
        check_models([model], "scenario")
        bench = Workbench(resolve(scenario), tuple(shock or ()), as_of=as_of_day(as_of))
        started = time.perf_counter()
        dependence = bench.zone_dependence()
        with progress_bar("sampling the judgements") as tick:
            result = bench.robustness(
                runs=runs, seed=seed, model=model, dependence=dependence, progress=tick
            )
        seconds = time.perf_counter() - started
    if json_out:
        data = result.to_dict()
        data["scenario"] = bench.scenario.id
        data["shocks"] = list(bench.shocks)
        data["zone_dependence"] = dependence.to_dict()
        emit_json(data)
        return
    for line in robustness_lines(result, dependence, seconds):
        out.print(line)


def robustness_lines(
    result: Robustness, dependence: ZoneDependence, seconds: float | None = None
) -> list[Text | Table]:
    """The terminal rendering: what the zone depends on, then one table per kind of
    conclusion (share of runs, as stated, pivotal inputs), or the note where nothing is
    uncertain."""
    lines: list[Text | Table] = [Text("What the zone of agreement depends on", style="bold")]
    lines += [Text(f"  {x}") for x in dependence.lines()]
    if result.note is not None:
        lines.append(Text(result.note[0].upper() + result.note[1:] + "."))
        return lines
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    lines.append(
        Text(
            f"Shares of {result.runs:,} runs (seed {result.seed}) of {len(result.inputs)} sampled"
            f" judgement numbers{took}; {result.solves} feasibility solve(s) for the zone."
            " Pivotal: the inputs whose high and low halves differ most in how often the"
            " conclusion holds (shares of runs with the input low, high)."
        )
    )
    for kind in KINDS:
        mine = [c for c in result.conclusions if c.kind == kind]
        if not mine:
            continue
        table = Table(title=KIND_TITLES[kind], title_justify="left")
        table.add_column("conclusion")
        table.add_column("as stated", justify="center")
        table.add_column("share of runs", justify="right")
        table.add_column("pivotal inputs", overflow="fold")
        for c in mine:
            table.add_row(
                c.subject,
                "yes" if c.holds_as_stated else "no",
                f"{c.share:.0%}",
                "; ".join(p.describe() for p in c.pivotal) or "-",
            )
        lines.append(table)
    return lines
