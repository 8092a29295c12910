"""The main job, ``accord analyze``: the analysis record of one scenario, answer first.

The record is made once (:meth:`accord.Workbench.analyze`); the terminal output, ``--json`` and
the brief all render that one record, so they show the same numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from accord.cli.common import (
    AsOfOpt,
    JsonOpt,
    ScenarioArg,
    ShockOpt,
    UsageFailure,
    app,
    as_of_day,
    emit_json,
    err,
    number,
    out,
    point_label,
    user_errors,
)
from accord.cli.drafts import (
    diff_lines,
    evaluation_table,
    ratification_table,
    red_line_table,
)
from accord.cli.robust import robustness_lines
from accord.cli.simulation import replay_lines
from accord.cli.space import bargaining_table, bridge_lines, relax_lines
from accord.scenarios import resolve
from accord.workbench import Analysis, Workbench

SECTIONS: dict[str, str] = {
    "bottom-line": "the answer first: who accepts what, the zone, the leading draft, the shocks",
    "drafts": "each draft scored for each party, with the red lines it crosses",
    "ratification": "the domestic ratification steps each draft triggers",
    "versions": "what changed from each version of the text to the next (point by point)",
    "space": "the zone of agreement, minimal relaxations and the bargaining solutions",
    "bridges": "the fewest changes that make each draft acceptable to every party",
    "forecasts": "the forecast per issue, as given and under each shock",
    "what-if": "the drafts and the zone under each declared shock",
    "robustness": "how often each conclusion holds over the judgement ranges, and what the zone"
    " depends on",
    "replay": "a mediator's single negotiating text from the first draft",
}
"""The sections of ``accord analyze``, in printing order."""

DEFAULT_SECTIONS = (
    "bottom-line",
    "drafts",
    "versions",
    "space",
    "forecasts",
    "what-if",
    "robustness",
    "replay",
)
"""What prints without ``--section`` or ``--full`` (short forms of versions and replay)."""


@contextmanager
def _stages() -> Iterator[Callable[[str], None]]:
    """A transient status line on stderr naming the stage of the analysis (terminal only)."""
    import sys

    if not sys.stderr.isatty():
        yield lambda what: None
        return
    with err.status("analysing ...") as status:
        yield lambda what: status.update(what + " ...")


@app.command()
def analyze(
    scenario: ScenarioArg = None,
    shock: ShockOpt = None,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            help="Print only this section (repeatable): " + ", ".join(SECTIONS) + ".",
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Print every section in full (long diffs too).")
    ] = False,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Forecast samples.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")] = 0,
    brief: Annotated[
        str | None,
        typer.Option(
            "--brief",
            help="Where to write the brief (HTML, or .md/.json by suffix; default"
            " SCENARIO-brief.html; - to write none).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The main job: the bottom line first, then each draft scored and compared, the agreement
    space (zone of agreement, minimal relaxations, bargaining solutions, the bridge from each
    draft), the forecasts, what each declared shock changes, and a mediator's single-text
    replay; the brief renders the same record."""
    with user_errors():
        chosen = list(section or [])
        unknown = [s for s in chosen if s not in SECTIONS]
        if unknown:
            raise UsageFailure(
                f"unknown section(s) {', '.join(map(repr, unknown))}"
                f" (expected some of: {', '.join(SECTIONS)})"
            )
        bench = Workbench(resolve(scenario), tuple(shock or ()), as_of=as_of_day(as_of))
        with _stages() as stage:
            analysis = bench.analyze(runs=runs, seed=seed, progress=stage)
            brief_path = None if brief == "-" else (brief or f"{analysis.scenario.id}-brief.html")
            written = None
            if brief_path is not None:
                from accord.report import ReportError, write_brief

                stage("writing the brief")
                try:
                    written = write_brief(brief_path, analysis)
                except ReportError as exc:
                    raise UsageFailure(str(exc)) from None
                except OSError as exc:
                    raise UsageFailure(
                        f"cannot write {brief_path}: {exc.strerror or exc}"
                    ) from None
    if json_out:
        data = analysis.to_dict()
        data["brief"] = brief_path
        emit_json(data)
        return
    shown = (
        [s for s in SECTIONS if s in chosen]
        if chosen
        else list(SECTIONS if full else DEFAULT_SECTIONS)
    )
    for name in shown:
        RENDER[name](analysis, full or bool(chosen))
    if brief_path is not None and written is not None and (not chosen or "bottom-line" in chosen):
        out.print()
        out.print(
            Text(
                f"The brief: {os.path.abspath(brief_path)}"
                f" ({len(written.sections)} sections, {len(written.charts)} charts;"
                " open it in a browser, it works offline)",
                style="bold",
            )
        )
    if not chosen and not full:
        out.print(
            Text(
                "More: --section NAME (" + ", ".join(SECTIONS) + ") or --full.",
                style="dim",
            )
        )


# --- sections ------------------------------------------------------------------------------


def _heading(text: str) -> None:
    out.print()
    out.print(Text(text, style="bold"))


def _bottom_line(a: Analysis, full: bool) -> None:
    s = a.scenario
    shocks = f"; shocks: {', '.join(a.shocks)}" if a.shocks else ""
    out.print(Text(f"{s.title}  (as of {s.as_of}{shocks})", style="bold"))
    out.print(
        Text(
            "Figures are model outputs of the scenario's stated inputs; positions are as reported."
        )
    )
    _heading("The bottom line")
    for line in a.bottom_line:
        out.print(Text(line))


def _drafts(a: Analysis, full: bool) -> None:
    _heading("The drafts")
    if not a.evaluations:
        out.print("The scenario holds no draft.")
        return
    out.print(evaluation_table(a.compiled, a.evaluations))
    if any(pe.red_lines for e in a.evaluations for pe in e.parties):
        if full:
            out.print(red_line_table(a.compiled, a.evaluations))
        else:
            out.print(Text("Red lines crossed (the point that crosses it):"))
            for e in a.evaluations:
                for pe in e.parties:
                    if pe.red_lines:
                        where = ", ".join(
                            f"{r.issue} ({point_label(r.point)})" for r in pe.red_lines
                        )
                        out.print(Text(f"  {e.draft}, {pe.party}: {where}"))
    silent = [e for e in a.evaluations if e.silent_issues]
    for e in silent:
        out.print(
            Text(f"{e.draft} is silent on {', '.join(e.silent_issues)} (the status quo holds).")
        )
    if not full and any(e.ratification for e in a.evaluations):
        n = sum(len(e.ratification) for e in a.evaluations)
        out.print(Text(f"{n} ratification step(s) triggered: --section ratification."))


def _ratification(a: Analysis, full: bool) -> None:
    _heading("Ratification")
    if any(e.ratification for e in a.evaluations):
        out.print(ratification_table(a.evaluations))
    else:
        out.print("No draft triggers a ratification step the scenario declares.")


def _versions(a: Analysis, full: bool) -> None:
    _heading("Versions of the text")
    if not a.versions:
        out.print("Fewer than two drafts: nothing to compare.")
        return
    for v in a.versions:
        d = v.diff
        if full:
            out.print()
            for line in diff_lines(a.compiled, d):
                out.print(Text(line))
            continue
        moves = ", ".join(f"{u.party} {u.delta:+.2f}" for u in d.utilities)
        how = "revises" if v.linked else "compared issue by issue with"
        out.print(
            Text(
                f"{d.b} {how} {d.a}: {len(d.points)} point change(s), {len(d.issues)} issue(s)"
                f" moved; utility {moves}"
            )
        )
    if not full:
        out.print(Text("Point by point: --section versions.", style="dim"))


def _space(a: Analysis, full: bool) -> None:
    _heading("The agreement space")
    for line in relax_lines(a.compiled, a.zopa, a.relaxations):
        out.print(Text(line))
    out.print(bargaining_table(a.compiled, a.solutions, packages=full))
    view = a.frontier
    if view.frontier is not None and view.pair is not None:
        count = view.frontier.count
        many = number(count) if count is not None else "at least " + number(view.frontier.size)
        out.print(
            Text(
                f"The {view.pair[0]}-{view.pair[1]} Pareto frontier: {many}"
                f" package(s) in a space of {number(view.frontier.space_size)}."
            )
        )


def _bridges(a: Analysis, full: bool) -> None:
    _heading("Bridges: the fewest changes that make each draft acceptable")
    for b in a.bridges:
        for line in bridge_lines(a.compiled, b):
            out.print(Text(line))


def _forecasts(a: Analysis, full: bool) -> None:
    _heading("Forecasts")
    s = a.scenario
    models = a.settings["models"]
    first = a.forecasts[0].ensemble
    fixed = all(len(set(f.quantiles.values())) == 1 for f in first.forecasts)
    if fixed:
        out.print(
            Text(
                "The scenario states no uncertain input, so every run is equal: each cell is the"
                " model's single outcome, and no share of runs is shown."
            )
        )
    else:
        out.print(
            Text(
                f"Each cell: the option nearest the most runs' outcome (share of {first.runs}"
                " runs) and the median position."
            )
        )
    out.print(
        Text(f"Per issue ({a.forecasts[0].label}); models giving the same option share a line:")
    )
    for issue in s.issues:
        by_option: dict[str, list[str]] = {}
        for m in models:
            f = next((x for x in first.forecasts if x.model == m and x.issue == issue.id), None)
            if f is None:
                continue
            best, share = max(f.option_share.items(), key=lambda kv: kv[1])
            unit = f" {issue.scale.unit}" if issue.scale.unit else ""
            where = number(f.quantiles.get("q50", f.mean)) + unit
            by_option.setdefault(best, []).append(
                f"{m} {where}" if fixed else f"{m} {where}, {share:.0%} of runs"
            )
        missing = [m for m in first.missing if m.issue == issue.id and m.model in models]
        if not by_option:
            why = missing[0].reason if missing else "no model gave a value"
            out.print(Text(f"  {issue.id}: no forecast ({why})"))
            continue
        parts = [f"{option} ({'; '.join(ms)})" for option, ms in by_option.items()]
        parts += [f"no {m.model} forecast: {m.reason}" for m in missing]
        out.print(Text(f"  {issue.id}: " + " | ".join(parts)))
    if len(a.forecasts) > 1:
        moved = []
        for fc in a.forecasts[1:]:
            n = _moved(first, fc.ensemble, models[0])
            moved.append(f"{fc.label}: {models[0]} moves on {n} issue(s)")
        out.print(Text("Under the declared shocks: " + "; ".join(moved) + "."))


def _moved(base: object, other: object, model: str) -> int:
    def modal(ens: object) -> dict[str, str]:
        return {
            f.issue: max(f.option_share.items(), key=lambda kv: kv[1])[0]
            for f in ens.forecasts  # type: ignore[attr-defined]
            if f.model == model and f.option_share
        }

    x, y = modal(base), modal(other)
    return sum(1 for k in x if k in y and x[k] != y[k])


def _what_if(a: Analysis, full: bool) -> None:
    _heading("What if: the drafts and the zone under each declared shock")
    if not a.what_if:
        out.print("The scenario declares no further shock.")
        return
    parties = a.compiled.party_ids
    table = Table()
    table.add_column("draft", no_wrap=True)
    labels = ["as given", *(f"+{w.shock}" for w in a.what_if)]
    for label in labels:
        table.add_column(label)
    rows = [a.evaluations, *(w.evaluations for w in a.what_if)]
    for k, e in enumerate(a.evaluations):
        cells = []
        for evs in rows:
            ev = evs[k]
            yes = [p.party for p in ev.parties if p.acceptable]
            cells.append("all" if len(yes) == len(parties) else ", ".join(yes) or "none")
        table.add_row(e.draft, *cells)
    zones = [a.zopa, *(w.zopa for w in a.what_if)]
    table.add_row("zone of agreement", *("open" if z.open else "closed" for z in zones))
    table.title = "Who accepts each draft, as given and under each shock"
    out.print(table)


def _robustness(a: Analysis, full: bool) -> None:
    _heading("Robustness: how often each conclusion holds over the judgement ranges")
    if a.zone_dependence is None:
        out.print("The zone's dependence was not computed.")
        return
    if a.robustness is None:
        for line in a.zone_dependence.lines():
            out.print(Text(f"  {line}"))
        out.print(Text("No runs were sampled (robustness_runs 0)."))
        return
    if full:
        for item in robustness_lines(a.robustness, a.zone_dependence):
            out.print(item)
        return
    out.print(Text("What the zone of agreement depends on:"))
    for line in a.zone_dependence.lines():
        out.print(Text(f"  {line}"))
    r = a.robustness
    if r.note is not None:
        out.print(Text(r.note[0].upper() + r.note[1:] + "."))
        return
    unsure = [c for c in r.conclusions if 0.0 < c.share < 1.0]
    out.print(
        Text(
            f"{len(r.conclusions) - len(unsure)} of {len(r.conclusions)} conclusions hold in every"
            f" or no run of {r.runs:,}; those that vary (share of runs, pivotal inputs):"
        )
    )
    for c in sorted(unsure, key=lambda c: abs(c.share - 0.5))[:12]:
        pivots = "; ".join(p.describe() for p in c.pivotal) or "-"
        out.print(Text(f"  {c.share:4.0%}  {c.subject}: {pivots}"))
    if len(unsure) > 12:
        out.print(Text(f"  ... and {len(unsure) - 12} more: --section robustness."))


def _replay(a: Analysis, full: bool) -> None:
    _heading("A single-text replay")
    if a.replay is None:
        out.print("No replay was run.")
        return
    for line in replay_lines(a.compiled, a.replay, diffs=full):
        if full or not line.startswith("  "):
            out.print(Text(line))
    if not full:
        out.print(Text("Each version's diff: --section replay.", style="dim"))


RENDER: dict[str, Callable[[Analysis, bool], None]] = {
    "bottom-line": _bottom_line,
    "drafts": _drafts,
    "ratification": _ratification,
    "versions": _versions,
    "space": _space,
    "bridges": _bridges,
    "forecasts": _forecasts,
    "what-if": _what_if,
    "robustness": _robustness,
    "replay": _replay,
}
