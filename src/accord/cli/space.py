"""The agreement space: ``frontier``, ``bargain``, ``relax``, ``bridge``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from accord.analysis.bargaining import SOLUTIONS, BargainingSolution
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import (
    EXAMPLE_RULES,
    Bridge,
    ExampleRule,
    Relaxations,
    Zopa,
    bridge,
    minimal_relaxations,
    zopa,
)
from accord.analysis.space import SpaceTooLarge, pareto_frontier
from accord.cli.common import (
    AsOfOpt,
    JsonOpt,
    PartiesOpt,
    ScenarioArg,
    ShockOpt,
    UsageFailure,
    app,
    chosen_parties,
    compiled_for,
    draft_id,
    emit_json,
    option_label,
    out,
    package_text,
    point_label,
    resolve_as_of,
    spinner,
    user_errors,
)
from accord.compile import Compiled


@app.command()
def frontier(
    scenario: ScenarioArg = None,
    parties: PartiesOpt = None,
    acceptable_only: Annotated[
        bool, typer.Option("--acceptable-only", help="Only packages every party accepts.")
    ] = False,
    cap: Annotated[int, typer.Option("--cap", help="Show at most this many points.")] = 20,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The exact Pareto frontier over the chosen parties."""
    with user_errors():
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        chosen = chosen_parties(compiled, parties)
        try:
            with spinner("building the frontier"):
                result = pareto_frontier(compiled, chosen, acceptable_only=acceptable_only, cap=cap)
        except SpaceTooLarge as exc:
            raise UsageFailure(str(exc)) from None
    if json_out:
        emit_json(result.to_dict(compiled))
        return
    count = f"{result.count:,}" if result.count is not None else "unknown (too many to build)"
    out.print(
        f"Pareto frontier over {', '.join(result.parties)}: {count} points in a space of"
        f" {result.space_size:,} packages{' (acceptable packages only)' if acceptable_only else ''}"
    )
    if result.truncated:
        out.print(f"Showing {result.size} points: the list is truncated.")
    table = Table(title="Frontier points (options that differ from the status quo)")
    for pid in result.parties:
        table.add_column(pid, justify="right")
    table.add_column("package")
    for point, package in zip(result.points, result.packages, strict=True):
        table.add_row(
            *(f"{x:.3f}" for x in point), package_text(compiled, package, compiled.status_quo)
        )
    out.print(table)


@app.command()
def bargain(
    scenario: ScenarioArg = None,
    solution: Annotated[
        list[str] | None,
        typer.Option(
            "--solution", help="nash, ks, egalitarian or utilitarian (repeatable; default all)."
        ),
    ] = None,
    parties: PartiesOpt = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="Draft the egalitarian gains start from.")
    ] = None,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Bargaining solutions over the packages every party accepts."""
    names = solution or list(SOLUTIONS)
    with user_errors():
        bad = [n for n in names if n not in SOLUTIONS]
        if bad:
            raise UsageFailure(
                f"unknown solution {', '.join(map(repr, bad))} (expected: {', '.join(SOLUTIONS)})"
            )
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        chosen = chosen_parties(compiled, parties)
        if baseline is not None:
            draft_id(s, baseline)
        results = [solve_bargaining(compiled, n, chosen, baseline=baseline) for n in names]
    if json_out:
        emit_json([r.to_dict(compiled) for r in results])
        return
    out.print(bargaining_table(compiled, results))


def bargaining_table(
    compiled: Compiled, results: Sequence[BargainingSolution], *, packages: bool = True
) -> Table:
    """The bargaining solutions, one row each: every party's utility (gain over BATNA) and,
    with ``packages``, the options that differ from the status quo (otherwise how many)."""
    table = Table(title="Bargaining solutions: utility (gain over BATNA)")
    table.add_column("solution", no_wrap=True)
    parties = results[0].parties if results else ()
    for pid in parties:
        table.add_column(pid, justify="right", no_wrap=True)
    if packages:
        table.add_column("package (options that differ from the status quo)")
    else:
        table.add_column("issues moved", justify="right")
    for r in results:
        if r.package is None:
            table.add_row(r.solution, *("-" for _ in parties), r.reason or "none")
            continue
        cells = [f"{r.utilities[p]:.3f} ({r.gains[p]:+.3f})" for p in parties]
        if packages:
            last = package_text(compiled, r.package, compiled.status_quo)
        else:
            last = str(sum(1 for i, o in enumerate(r.package) if o != compiled.status_quo[i]))
        table.add_row(r.solution, *cells, last)
    return table


@app.command()
def relax(
    scenario: ScenarioArg = None,
    parties: PartiesOpt = None,
    max_size: Annotated[int, typer.Option("--max-size", min=1, max=5)] = 3,
    batna_step: Annotated[
        float, typer.Option("--batna-step", min=0.0, max=1.0, help="How far a BATNA may drop.")
    ] = 0.1,
    example: Annotated[
        str,
        typer.Option(
            "--example",
            help="Which example package: feasible (the first acceptable one found, fast) or"
            " maximin (the one best for the worst-off, one more optimisation).",
        ),
    ] = "feasible",
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Is there a zone of possible agreement? If not, the minimal sets of red lines and BATNAs
    whose relaxation would open it."""
    with user_errors():
        if example not in ("feasible", "maximin"):
            raise UsageFailure(f"unknown --example {example!r} (expected feasible or maximin)")
        rule: ExampleRule = "maximin" if example == "maximin" else "feasible"
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        chosen = chosen_parties(compiled, parties)
        zone = zopa(compiled, chosen, example=rule)
        with spinner("searching for minimal relaxations"):
            result = minimal_relaxations(
                compiled, chosen, max_size=max_size, batna_step=batna_step, example=rule
            )
    if json_out:
        emit_json({"zopa": zone.to_dict(compiled), **result.to_dict(compiled)})
        return
    for line in relax_lines(compiled, zone, result):
        out.print(Text(line))


def relax_lines(compiled: Compiled, zone: Zopa, result: Relaxations) -> list[str]:
    """The zone and its relaxations as lines of text."""
    if zone.open and zone.example is not None:
        utilities = ", ".join(f"{p} {u:.3f}" for p, u in zone.utilities.items())
        return [
            "A zone of possible agreement exists: some package crosses no red line and meets"
            " every BATNA.",
            f"  Example, {EXAMPLE_RULES[zone.example_rule or 'feasible']} ({utilities}): "
            + package_text(compiled, zone.example, compiled.status_quo),
        ]
    lines = ["No package is acceptable to every party (the zone of possible agreement is empty)."]
    if zone.blocked_issues:
        lines.append(f"  Red lines alone leave no option on: {', '.join(zone.blocked_issues)}")
    if not result.relaxations:
        lines.append(
            f"  No set of up to {result.max_size} relaxations opens it"
            f" ({result.checked} sets checked)."
        )
    else:
        lines.append(
            f"Minimal relaxations that open it (up to {result.max_size}; BATNA steps of"
            f" {result.batna_step:g}; {result.checked} sets checked):"
        )
    for r in result.relaxations:
        lines.append("  - " + "; ".join(c.describe() for c in r.constraints))
    return lines


@app.command("bridge")
def bridge_cmd(
    scenario: Annotated[str, typer.Argument(help="An embedded scenario id or a file.")],
    draft: Annotated[str, typer.Argument(help="The draft to bridge from.")],
    parties: PartiesOpt = None,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The package every party accepts that changes the fewest issues of a draft."""
    with user_errors():
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        result = bridge(compiled, draft_id(s, draft), chosen_parties(compiled, parties))
    if json_out:
        emit_json(result.to_dict(compiled))
        return
    for line in bridge_lines(compiled, result):
        out.print(Text(line))


def bridge_lines(compiled: Compiled, b: Bridge) -> list[str]:
    """A bridge as lines of text."""
    if not b.found:
        return [f"{b.draft}: no package is acceptable to every party, so no bridge exists."]
    lines = [f"{b.draft}: {len(b.changes)} change(s) make it acceptable to every party"]
    for c in b.changes:
        lines.append(
            f"  {c.issue}: {option_label(compiled, c.issue, c.from_option)}"
            f" ({point_label(c.from_point)})"
            f" -> {option_label(compiled, c.issue, c.to_option)}"
        )
    for pid, after in b.utilities_after.items():
        lines.append(f"  {pid}: {b.utilities_before[pid]:.3f} -> {after:.3f}")
    return lines
