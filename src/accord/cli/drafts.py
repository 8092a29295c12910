"""Draft commands: ``evaluate``, ``diff`` and ``report`` (the brief), with their tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from accord.analysis import (
    DraftDiff,
    DraftEvaluation,
    diff,
    evaluate,
    evaluate_all,
)
from accord.cli.common import (
    AsOfOpt,
    JsonOpt,
    ScenarioArg,
    ShockOpt,
    UsageFailure,
    app,
    compiled_for,
    draft_id,
    emit_json,
    option_label,
    out,
    point_label,
    resolve_as_of,
    shorten,
    spinner,
    user_errors,
)
from accord.compile import Compiled
from accord.model import (
    Scenario,
)
from accord.model.load import write_atomic


def evaluation_table(compiled: Compiled, evaluations: Sequence[DraftEvaluation]) -> Table:
    """The draft-by-party table of utilities and acceptance."""
    title = "Drafts x parties: utility (gain over BATNA); * = would not accept"
    if compiled.shocks:
        title += f"  [shocks: {', '.join(compiled.shocks)}]"
    table = Table(title=title)
    table.add_column("draft", no_wrap=True)
    for pid in compiled.party_ids:
        table.add_column(pid, justify="right")
    table.add_column("all accept")
    for e in evaluations:
        cells = [
            f"{pe.utility:.2f} ({pe.gain:+.2f}){'' if pe.acceptable else ' *'}" for pe in e.parties
        ]
        table.add_row(e.draft, *cells, "yes" if e.acceptable_to_all else "no")
    return table


def red_line_table(compiled: Compiled, evaluations: Sequence[DraftEvaluation]) -> Table:
    """The red lines each draft crosses, by party."""
    table = Table(title="Red lines crossed")
    for column in ("draft", "party", "issue", "option the draft puts there", "by"):
        table.add_column(column, no_wrap=column != "option the draft puts there")
    for e in evaluations:
        for pe in e.parties:
            for line in pe.red_lines:
                table.add_row(
                    e.draft,
                    pe.party,
                    line.issue,
                    option_label(compiled, line.issue, line.option),
                    point_label(line.point),
                )
    return table


def ratification_table(evaluations: Sequence[DraftEvaluation]) -> Table:
    """The ratification steps each draft triggers."""
    table = Table(title="Ratification steps the drafts trigger", show_lines=True)
    for column in ("draft", "party", "step", "triggered by", "status", "why"):
        table.add_column(column)
    for e in evaluations:
        for step in e.ratification:
            table.add_row(
                e.draft,
                step.party,
                step.name,
                ", ".join(point_label(n) for n in step.triggered_by),
                step.status,
                "; ".join(step.reasons),
            )
    return table


@app.command("evaluate")
def evaluate_cmd(
    scenario: ScenarioArg = None,
    draft: Annotated[str | None, typer.Option("--draft", help="Only this draft.")] = None,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score every draft (or one) for every party: utility, acceptable, red lines crossed."""
    with user_errors():
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        if draft is not None:
            evaluations: tuple[DraftEvaluation, ...] = (evaluate(compiled, draft_id(s, draft)),)
        else:
            evaluations = evaluate_all(compiled)
    if json_out:
        emit_json(
            {
                "scenario": s.id,
                "shocks": list(compiled.shocks),
                "drafts": [e.to_dict() for e in evaluations],
            }
        )
        return
    out.print(evaluation_table(compiled, evaluations))
    if any(pe.red_lines for e in evaluations for pe in e.parties):
        out.print(red_line_table(compiled, evaluations))
    for e in evaluations:
        if e.silent_issues:
            names = ", ".join(e.silent_issues)
            out.print(f"{e.draft}: silent on {names} (the status quo holds there)")
    if any(e.ratification for e in evaluations):
        out.print(ratification_table(evaluations))


def diff_lines(compiled: Compiled, d: DraftDiff) -> list[str]:
    """A draft diff as lines of text."""
    lines = [f"{d.a} -> {d.b}: {len(d.points)} point changes, {d.unchanged_points} unchanged"]
    for change in d.points:
        if change.kind == "added":
            lines.append(f"  + P{change.b[0]}: {shorten(change.b_text[0])}")
        elif change.kind == "removed":
            lines.append(f"  - P{change.a[0]}: {shorten(change.a_text[0])}")
        else:
            a_nums = ",".join(f"P{n}" for n in change.a)
            b_nums = ",".join(f"P{n}" for n in change.b)
            lines.append(f"  ~ {a_nums} -> {b_nums}: {shorten(' / '.join(change.b_text))}")
    if d.issues:
        lines.append("Issues:")
    for ic in d.issues:
        lines.append(
            f"  {ic.issue}: {option_label(compiled, ic.issue, ic.a_option)}"
            f" ({point_label(ic.a_point)})"
            f" -> {option_label(compiled, ic.issue, ic.b_option)} ({point_label(ic.b_point)})"
        )
    lines.append("Utility change:")
    for uc in d.utilities:
        acc = f"{'yes' if uc.a_acceptable else 'no'} -> {'yes' if uc.b_acceptable else 'no'}"
        lines.append(f"  {uc.party}: {uc.a:.3f} -> {uc.b:.3f} ({uc.delta:+.3f}); acceptable {acc}")
    return lines


@app.command("diff")
def diff_cmd(
    scenario: Annotated[str, typer.Argument(help="An embedded scenario id or a file.")],
    a: Annotated[str, typer.Argument(help="The earlier draft.")],
    b: Annotated[str, typer.Argument(help="The later draft.")],
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Points added, removed and changed between two drafts; issues moved; utility change."""
    with user_errors():
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        result = diff(compiled, draft_id(s, a), draft_id(s, b))
    if json_out:
        emit_json(result.to_dict())
        return
    for line in diff_lines(compiled, result):
        out.print(Text(line))


def version_pairs(scenario: Scenario) -> list[tuple[str, str]]:
    """Each draft paired with the draft it is based on."""
    return [(d.based_on, d.id) for d in scenario.drafts if d.based_on]


@app.command()
def report(
    scenario: ScenarioArg = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Where to write the brief (- for stdout; default SCENARIO-brief.html).",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="html, md or json (default: from the file's suffix)."),
    ] = None,
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair", help="Two party ids for the frontier chart (default: the first two parties)."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="The draft the simulated text starts from (default: first)."),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Forecast samples.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same brief.")] = 0,
    show_confidential: Annotated[
        bool,
        typer.Option("--show-confidential", help="Show positions marked confidential."),
    ] = False,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="The brief's record as JSON (to stdout without -o).")
    ] = False,
) -> None:
    """Write the brief: one self-contained HTML page with charts (works offline), or Markdown or
    JSON. Sections: parties, timeline, positions, drafts, versions, agreement space, forecasts,
    simulation replay, sources and assumptions."""
    from accord.report import ReportError, build, format_for, render

    with user_errors():
        if json_out:
            if format not in (None, "json"):
                raise UsageFailure(f"--json and --format {format} disagree (expected one of them)")
            format, output = "json", output or "-"
        s = resolve_as_of(scenario, as_of)
        target = output or f"{s.id}-brief.{format or 'html'}"
        try:
            fmt = format_for("" if target == "-" else target, format)
            with spinner("building the brief"):
                brief = build(
                    s,
                    shocks=tuple(shock or ()),
                    pair=None if pair is None else [p.strip() for p in pair.split(",")],
                    start=start,
                    runs=runs,
                    seed=seed,
                    show_confidential=show_confidential,
                )
            text = render(brief, fmt)
        except ReportError as exc:
            raise UsageFailure(str(exc)) from None
        if target == "-":
            sys.stdout.write(text)
            return
        try:
            write_atomic(target, text)
        except OSError as exc:
            raise UsageFailure(f"cannot write {target}: {exc.strerror or exc}") from None
    out.print(f"wrote {target} ({len(brief.sections)} sections, {len(brief.charts)} charts)")
