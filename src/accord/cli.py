"""The command line: parse, call an engine, render. No logic of its own.

Every command takes ``--json`` for scripting. Bad input (a malformed scenario, an unknown draft
or shock) prints one line per problem to stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from accord.analysis import (
    DraftDiff,
    DraftEvaluation,
    diff,
    evaluate,
    evaluate_all,
    utilities,
)
from accord.analysis.bargaining import SOLUTIONS, BargainingSolution
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import Bridge, Relaxations, Zopa, bridge, minimal_relaxations, zopa
from accord.analysis.space import SpaceTooLarge, pareto_frontier
from accord.compile import Compiled, CompileError, compile_scenario
from accord.forecast.ensemble import Ensemble, run_ensemble
from accord.forecast.validate import MODELS as FORECAST_MODELS
from accord.forecast.validate import cross_validate, score_models
from accord.io.genius import read_genius
from accord.io.positions import read_positions
from accord.model import (
    Scenario,
    ScenarioError,
    dumps_json,
    dumps_yaml,
    load_scenario,
    save_scenario,
)
from accord.model.errors import render_path
from accord.model.load import write_atomic
from accord.model.records import Preference
from accord.scenarios import DEFAULT, EMBEDDED, resolve
from accord.service import commands as service_commands
from accord.simulate.protocols import Outcome, alternating_offers
from accord.simulate.single_text import Replay, replay
from accord.simulate.specs import NAMES as SPEC_NAMES
from accord.simulate.specs import assign_strategies, parse_strategy
from accord.simulate.tournament import Tournament
from accord.simulate.tournament import tournament as run_tournament

app = typer.Typer(
    name="accord",
    help="Analyse multi-party negotiations: scenarios and drafts, red lines and ratification,"
    " the agreement space, forecasts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

err = Console(stderr=True, highlight=False, soft_wrap=True)


class _Out:
    """Standard output as a rich console, made when printing (so redirection and test runners
    are honoured). Off a terminal, tables get 140 columns (or $COLUMNS) instead of rich's 80."""

    def print(self, *objects: Any) -> None:
        width = None
        if not sys.stdout.isatty():
            width = int(os.environ.get("COLUMNS", "140"))
        Console(highlight=False, soft_wrap=False, width=width).print(*objects)


out = _Out()

ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help=f"An embedded scenario id ({', '.join(EMBEDDED)}) or a YAML/JSON file.",
        show_default=DEFAULT,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ShockOpt = Annotated[
    list[str] | None,
    typer.Option("--shock", help="Apply a named what-if shock before scoring (repeatable)."),
]

T = TypeVar("T")


class UsageFailure(Exception):
    """Bad input from the user that is not a scenario file problem."""


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except ScenarioError as exc:
        for line in exc.lines():
            err.print(Text(line))
        raise typer.Exit(2) from None
    except (CompileError, UsageFailure) as exc:
        err.print(Text(f"accord: {exc}"))
        raise typer.Exit(2) from None


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _compiled(scenario: Scenario, shocks: Sequence[str] | None) -> Compiled:
    return compile_scenario(scenario, shocks=tuple(shocks or ()))


def _draft_id(scenario: Scenario, draft: str) -> str:
    ids = [d.id for d in scenario.drafts]
    if draft not in ids:
        raise UsageFailure(
            f"scenario {scenario.id} has no draft {draft!r} (expected one of: {', '.join(ids)})"
        )
    return draft


def _label(compiled: Compiled, issue: str, option: str) -> str:
    i = compiled.issue_index(issue)
    return compiled.option_labels[i][compiled.option_index(i, option)]


def _point(number: int | None) -> str:
    return "silent: status quo" if number is None else f"P{number}"


# --- scenarios, show, validate, schema -------------------------------------------------------


@app.command()
def scenarios(json_out: JsonOpt = False) -> None:
    """List the embedded scenarios."""
    with _user_errors():
        rows: list[dict[str, Any]] = []
        for sid in EMBEDDED:
            s = resolve(sid)
            rows.append(
                {
                    "id": s.id,
                    "title": s.title,
                    "as_of": s.as_of.isoformat(),
                    "invented": s.invented,
                    "parties": len(s.parties),
                    "issues": len(s.issues),
                    "drafts": len(s.drafts),
                    "events": len(s.events),
                }
            )
    if json_out:
        _emit_json(rows)
        return
    table = Table(title="Embedded scenarios")
    for column in ("id", "title", "as of", "parties", "issues", "drafts", "events"):
        table.add_column(column)
    for r in rows:
        title = r["title"] + (" [invented]" if r["invented"] else "")
        table.add_row(
            r["id"],
            title,
            r["as_of"],
            *(str(r[k]) for k in ("parties", "issues", "drafts", "events")),
        )
    out.print(table)


def _ideal_label(scenario: Scenario, issue_id: str, pref: Preference) -> str:
    issue = scenario.issue(issue_id)
    if isinstance(pref.ideal, str):
        return next(o.label for o in issue.options if o.id == pref.ideal)
    if pref.ideal is not None:
        return f"{pref.ideal.value:g}"
    best = max(pref.values.items(), key=lambda kv: kv[1].value)[0] if pref.values else None
    return next((o.label for o in issue.options if o.id == best), "-")


def position_matrix(scenario: Scenario) -> list[dict[str, Any]]:
    rows = []
    for issue in scenario.issues:
        row: dict[str, Any] = {"issue": issue.id, "name": issue.name, "parties": {}}
        for party in scenario.parties:
            pref = scenario.preferences.get(party.id, {}).get(issue.id)
            if pref is None:
                continue
            row["parties"][party.id] = {
                "ideal": pref.ideal if isinstance(pref.ideal, str) else None,
                "ideal_label": _ideal_label(scenario, issue.id, pref),
                "salience": pref.salience.value,
                "red_lines": [r.option for r in pref.red_lines],
                "confidential": pref.confidential,
            }
        rows.append(row)
    return rows


@app.command()
def show(scenario: ScenarioArg = None, json_out: JsonOpt = False) -> None:
    """Parties, delegations, issues and the position matrix of a scenario."""
    with _user_errors():
        s = resolve(scenario)
    matrix = position_matrix(s)
    if json_out:
        _emit_json(
            {
                "id": s.id,
                "title": s.title,
                "as_of": s.as_of.isoformat(),
                "parties": [
                    p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in s.parties
                ],
                "issues": [i.model_dump(mode="json", exclude_none=True) for i in s.issues],
                "positions": matrix,
                "events": [e.model_dump(mode="json", exclude_none=True) for e in s.events],
            }
        )
        return
    out.print(Text(f"{s.title}  (as of {s.as_of})", style="bold"))
    if s.invented:
        out.print("Invented teaching scenario: nothing here describes real events.")
    parties = Table(title="Parties")
    for column in ("id", "name", "roles", "capability", "BATNA", "delegation (latest)"):
        parties.add_column(column)
    for p in s.parties:
        heads = [m for m in p.delegation if "head" in m.role.lower()]
        lead = heads[-1] if heads else (p.delegation[0] if p.delegation else None)
        lead_text = f"{lead.name}, {lead.role}" if lead else "-"
        if lead and lead.start:
            lead_text += f" (from {lead.start})"
        parties.add_row(
            p.id,
            p.name,
            ", ".join(r.value for r in p.roles),
            f"{p.capability.value:g}" if p.capability else "-",
            f"{p.batna.value:g}" if p.batna else "-",
            lead_text,
        )
    out.print(parties)
    issues = Table(title="Issues (status quo in brackets)")
    issues.add_column("id")
    issues.add_column("name")
    issues.add_column("options, in scale order")
    for issue in s.issues:
        ordered = sorted(issue.options, key=lambda o: o.position)
        issues.add_row(
            issue.id,
            issue.name,
            " | ".join(f"[{o.label}]" if o.id == issue.status_quo else o.label for o in ordered),
        )
    out.print(issues)
    party_ids = [p.id for p in s.parties if s.preferences.get(p.id)]
    table = Table(title="Positions: ideal (salience); red lines marked x")
    table.add_column("issue")
    for pid in party_ids:
        table.add_column(pid)
    for row in matrix:
        cells = []
        for pid in party_ids:
            cell = row["parties"].get(pid)
            if cell is None:
                cells.append("-")
                continue
            text = f"{cell['ideal_label']} ({cell['salience']:.2f})"
            if cell["confidential"]:
                text += " [confidential]"
            if cell["red_lines"]:
                labels = [
                    next(o.label for o in s.issue(row["issue"]).options if o.id == r)
                    for r in cell["red_lines"]
                ]
                text += "\nx " + "; x ".join(labels)
            cells.append(text)
        table.add_row(row["issue"], *cells)
    out.print(table)
    if s.events:
        timeline = Table(title="Timeline")
        for column in ("date", "kind", "event", "participants", "source"):
            timeline.add_column(column)
        for event in sorted(s.events, key=lambda e: e.date):
            when = event.date.isoformat()
            if event.end_date:
                when += f" to {event.end_date.isoformat()}"
            timeline.add_row(
                when,
                event.kind.value,
                event.title,
                ", ".join(event.participants),
                ", ".join(event.source or []),
            )
        out.print(timeline)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="A scenario file (YAML or JSON).")],
    json_out: JsonOpt = False,
) -> None:
    """Check a scenario file; print every problem as FILE:LINE field: what is wrong."""
    if json_out:
        try:
            s = load_scenario(file)
        except ScenarioError as exc:
            _emit_json(
                {
                    "file": file,
                    "ok": False,
                    "problems": [
                        {
                            "line": p.line,
                            "path": render_path(p.path, exc.data),
                            "message": p.message,
                        }
                        for p in exc.problems
                    ],
                }
            )
            raise typer.Exit(2) from None
        _emit_json({"file": file, "ok": True, "problems": [], **_counts(s)})
        return
    with _user_errors():
        s = load_scenario(file)
    counts = ", ".join(f"{n} {what}" for what, n in _counts(s).items())
    out.print(f"{file}: ok ({counts})")


def _counts(s: Scenario) -> dict[str, int]:
    return {
        "parties": len(s.parties),
        "issues": len(s.issues),
        "drafts": len(s.drafts),
        "events": len(s.events),
        "sources": len(s.sources),
    }


@app.command()
def export(
    scenario: ScenarioArg = None,
    output: Annotated[
        str, typer.Option("-o", "--output", help="Where to write: FILE.yaml or FILE.json.")
    ] = "-",
    json_out: Annotated[
        bool, typer.Option("--json", help="With -o -: write JSON instead of YAML.")
    ] = False,
) -> None:
    """Write a scenario as YAML or JSON (to stdout with -o -), validated and normalised."""
    with _user_errors():
        s = resolve(scenario)
        if output == "-":
            sys.stdout.write(dumps_json(s) if json_out else dumps_yaml(s))
            return
        try:
            save_scenario(s, output)
        except OSError as exc:
            raise UsageFailure(f"cannot write {output}: {exc.strerror}") from None
    out.print(f"wrote {output}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a scenario file."""
    _emit_json(Scenario.model_json_schema(by_alias=True))


# --- evaluate, diff, analyze -----------------------------------------------------------------


def evaluation_table(compiled: Compiled, evaluations: Sequence[DraftEvaluation]) -> Table:
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
                    _label(compiled, line.issue, line.option),
                    _point(line.point),
                )
    return table


def ratification_table(evaluations: Sequence[DraftEvaluation]) -> Table:
    table = Table(title="Ratification steps the drafts trigger", show_lines=True)
    for column in ("draft", "party", "step", "triggered by", "status", "why"):
        table.add_column(column)
    for e in evaluations:
        for step in e.ratification:
            table.add_row(
                e.draft,
                step.party,
                step.name,
                ", ".join(_point(n) for n in step.triggered_by),
                step.status,
                "; ".join(step.reasons),
            )
    return table


@app.command("evaluate")
def evaluate_cmd(
    scenario: ScenarioArg = None,
    draft: Annotated[str | None, typer.Option("--draft", help="Only this draft.")] = None,
    shock: ShockOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score every draft (or one) for every party: utility, acceptable, red lines crossed."""
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        if draft is not None:
            evaluations: tuple[DraftEvaluation, ...] = (evaluate(compiled, _draft_id(s, draft)),)
        else:
            evaluations = evaluate_all(compiled)
    if json_out:
        _emit_json(
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
    lines = [f"{d.a} -> {d.b}: {len(d.points)} point changes, {d.unchanged_points} unchanged"]
    for change in d.points:
        if change.kind == "added":
            lines.append(f"  + P{change.b[0]}: {_short(change.b_text[0])}")
        elif change.kind == "removed":
            lines.append(f"  - P{change.a[0]}: {_short(change.a_text[0])}")
        else:
            a_nums = ",".join(f"P{n}" for n in change.a)
            b_nums = ",".join(f"P{n}" for n in change.b)
            lines.append(f"  ~ {a_nums} -> {b_nums}: {_short(' / '.join(change.b_text))}")
    if d.issues:
        lines.append("Issues:")
    for ic in d.issues:
        lines.append(
            f"  {ic.issue}: {_label(compiled, ic.issue, ic.a_option)} ({_point(ic.a_point)})"
            f" -> {_label(compiled, ic.issue, ic.b_option)} ({_point(ic.b_point)})"
        )
    lines.append("Utility change:")
    for uc in d.utilities:
        acc = f"{'yes' if uc.a_acceptable else 'no'} -> {'yes' if uc.b_acceptable else 'no'}"
        lines.append(f"  {uc.party}: {uc.a:.3f} -> {uc.b:.3f} ({uc.delta:+.3f}); acceptable {acc}")
    return lines


def _short(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


@app.command("diff")
def diff_cmd(
    scenario: Annotated[str, typer.Argument(help="An embedded scenario id or a file.")],
    a: Annotated[str, typer.Argument(help="The earlier draft.")],
    b: Annotated[str, typer.Argument(help="The later draft.")],
    shock: ShockOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Points added, removed and changed between two drafts; issues moved; utility change."""
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        result = diff(compiled, _draft_id(s, a), _draft_id(s, b))
    if json_out:
        _emit_json(result.to_dict())
        return
    for line in diff_lines(compiled, result):
        out.print(Text(line))


def version_pairs(scenario: Scenario) -> list[tuple[str, str]]:
    """Each draft paired with the draft it is based on."""
    return [(d.based_on, d.id) for d in scenario.drafts if d.based_on]


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
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        evaluations = evaluate_all(compiled)
        diffs = [diff(compiled, a, b) for a, b in version_pairs(s)]
        with _spinner("searching the agreement space"):
            zone = zopa(compiled)
            relaxations = minimal_relaxations(compiled, max_size=3)
            solutions = [solve_bargaining(compiled, name) for name in SOLUTIONS]
            bridges = [bridge(compiled, d) for d in compiled.drafts]
            forecasts = _analyze_forecasts(s, shock)
        simulation = (
            replay(compiled, start=s.drafts[0].id, deadline=ANALYZE_REPLAY_ROUNDS)
            if s.drafts
            else None
        )
        brief_path = None if brief == "-" else (brief or f"{s.id}-brief.html")
        if brief_path is not None:
            from accord.report import ReportError, write_brief

            try:
                with _spinner("writing the brief"):
                    written = write_brief(brief_path, s, shocks=tuple(shock or ()))
            except ReportError as exc:
                raise UsageFailure(str(exc)) from None
            except OSError as exc:
                raise UsageFailure(f"cannot write {brief_path}: {exc.strerror or exc}") from None
    if json_out:
        _emit_json(
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
    json_out: Annotated[
        bool, typer.Option("--json", help="The brief's record as JSON (to stdout without -o).")
    ] = False,
) -> None:
    """Write the brief: one self-contained HTML page with charts (works offline), or Markdown or
    JSON. Sections: parties, timeline, positions, drafts, versions, agreement space, forecasts,
    simulation replay, sources and assumptions."""
    from accord.report import ReportError, build, format_for, render

    with _user_errors():
        if json_out:
            if format not in (None, "json"):
                raise UsageFailure(f"--json and --format {format} disagree (expected one of them)")
            format, output = "json", output or "-"
        s = resolve(scenario)
        target = output or f"{s.id}-brief.{format or 'html'}"
        try:
            fmt = format_for("" if target == "-" else target, format)
            with _spinner("building the brief"):
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


# --- the agreement space --------------------------------------------------------------------

PartiesOpt = Annotated[
    str | None,
    typer.Option("--parties", help="Comma-separated party ids (default: every party)."),
]


def _parties(compiled: Compiled, parties: str | None) -> list[str] | None:
    if parties is None:
        return None
    chosen = [p.strip() for p in parties.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in compiled.party_ids]
    if unknown or not chosen:
        raise UsageFailure(
            f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
            f" (expected some of: {', '.join(compiled.party_ids)})"
        )
    return chosen


def _package_text(compiled: Compiled, package: Sequence[int], against: Any) -> str:
    """The options of ``package`` that differ from ``against`` (the status quo)."""
    moved = [
        f"{compiled.issue_ids[i]}={compiled.option_ids[i][o]}"
        for i, o in enumerate(package)
        if o != against[i]
    ]
    return ", ".join(moved) if moved else "(the status quo on every issue)"


@app.command()
def frontier(
    scenario: ScenarioArg = None,
    parties: PartiesOpt = None,
    acceptable_only: Annotated[
        bool, typer.Option("--acceptable-only", help="Only packages every party accepts.")
    ] = False,
    cap: Annotated[int, typer.Option("--cap", help="Show at most this many points.")] = 20,
    shock: ShockOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The exact Pareto frontier over the chosen parties."""
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        chosen = _parties(compiled, parties)
        try:
            with _spinner("building the frontier"):
                result = pareto_frontier(compiled, chosen, acceptable_only=acceptable_only, cap=cap)
        except SpaceTooLarge as exc:
            raise UsageFailure(str(exc)) from None
    if json_out:
        _emit_json(result.to_dict(compiled))
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
            *(f"{x:.3f}" for x in point), _package_text(compiled, package, compiled.status_quo)
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
    json_out: JsonOpt = False,
) -> None:
    """Bargaining solutions over the packages every party accepts."""
    names = solution or list(SOLUTIONS)
    with _user_errors():
        bad = [n for n in names if n not in SOLUTIONS]
        if bad:
            raise UsageFailure(
                f"unknown solution {', '.join(map(repr, bad))} (expected: {', '.join(SOLUTIONS)})"
            )
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        chosen = _parties(compiled, parties)
        if baseline is not None:
            _draft_id(s, baseline)
        results = [solve_bargaining(compiled, n, chosen, baseline=baseline) for n in names]
    if json_out:
        _emit_json([r.to_dict(compiled) for r in results])
        return
    out.print(bargaining_table(compiled, results))


def bargaining_table(compiled: Compiled, results: Sequence[BargainingSolution]) -> Table:
    table = Table(title="Bargaining solutions: utility (gain over BATNA)")
    table.add_column("solution", no_wrap=True)
    parties = results[0].parties if results else ()
    for pid in parties:
        table.add_column(pid, justify="right")
    table.add_column("package (options that differ from the status quo)")
    for r in results:
        if r.package is None:
            table.add_row(r.solution, *("-" for _ in parties), r.reason or "none")
            continue
        cells = [f"{r.utilities[p]:.3f} ({r.gains[p]:+.3f})" for p in parties]
        table.add_row(r.solution, *cells, _package_text(compiled, r.package, compiled.status_quo))
    return table


@app.command()
def relax(
    scenario: ScenarioArg = None,
    parties: PartiesOpt = None,
    max_size: Annotated[int, typer.Option("--max-size", min=1, max=5)] = 3,
    batna_step: Annotated[
        float, typer.Option("--batna-step", min=0.0, max=1.0, help="How far a BATNA may drop.")
    ] = 0.1,
    shock: ShockOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Is there a zone of possible agreement? If not, the minimal sets of red lines and BATNAs
    whose relaxation would open it."""
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        chosen = _parties(compiled, parties)
        zone = zopa(compiled, chosen)
        with _spinner("searching for minimal relaxations"):
            result = minimal_relaxations(compiled, chosen, max_size=max_size, batna_step=batna_step)
    if json_out:
        _emit_json({"zopa": zone.to_dict(compiled), **result.to_dict(compiled)})
        return
    for line in relax_lines(compiled, zone, result):
        out.print(Text(line))


ANALYZE_MODELS = ("compromise", "weighted_median")
ANALYZE_REPLAY_ROUNDS = 12
"""The single-text replay in ``accord analyze``: a mediator (maximin policy) revising the
scenario's first draft for at most this many rounds."""


def _analyze_forecasts(s: Scenario, shocks: Sequence[str] | None) -> list[tuple[str, Ensemble]]:
    """The forecast as given, and under each of the scenario's other shocks (one at a time)."""
    base = tuple(shocks or ())
    runs = [(", ".join(base) or "baseline", base)]
    runs += [(f"+{sh.id}", (*base, sh.id)) for sh in s.shocks if sh.id not in base]
    return [
        (label, run_ensemble(s, models=ANALYZE_MODELS, runs=200, seed=0, shocks=shocks_))
        for label, shocks_ in runs
    ]


def relax_lines(compiled: Compiled, zone: Zopa, result: Relaxations) -> list[str]:
    if zone.open and zone.example is not None:
        utilities = ", ".join(f"{p} {u:.3f}" for p, u in zone.utilities.items())
        return [
            "A zone of possible agreement exists: some package crosses no red line and meets"
            " every BATNA.",
            f"  Example ({utilities}): "
            + _package_text(compiled, zone.example, compiled.status_quo),
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
    json_out: JsonOpt = False,
) -> None:
    """The package every party accepts that changes the fewest issues of a draft."""
    with _user_errors():
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        result = bridge(compiled, _draft_id(s, draft), _parties(compiled, parties))
    if json_out:
        _emit_json(result.to_dict(compiled))
        return
    for line in bridge_lines(compiled, result):
        out.print(Text(line))


def bridge_lines(compiled: Compiled, b: Bridge) -> list[str]:
    if not b.found:
        return [f"{b.draft}: no package is acceptable to every party, so no bridge exists."]
    lines = [f"{b.draft}: {len(b.changes)} change(s) make it acceptable to every party"]
    for c in b.changes:
        lines.append(
            f"  {c.issue}: {_label(compiled, c.issue, c.from_option)} ({_point(c.from_point)})"
            f" -> {_label(compiled, c.issue, c.to_option)}"
        )
    for pid, after in b.utilities_after.items():
        lines.append(f"  {pid}: {b.utilities_before[pid]:.3f} -> {after:.3f}")
    return lines


app.add_typer(service_commands.db_app, name="db")
app.add_typer(service_commands.user_app, name="user")
app.command("serve")(service_commands.serve)

import_app = typer.Typer(help="Import scenarios from other tools' formats.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("genius")
def import_genius(
    folder: Annotated[str, typer.Argument(help="A GENIUS domain folder (domain + profiles).")],
    output: Annotated[
        str, typer.Option("-o", "--output", help="Write FILE.yaml or FILE.json (default stdout).")
    ] = "-",
) -> None:
    """Read a GENIUS domain and its linear-additive profiles as an accord scenario."""
    with _user_errors():
        scenario = read_genius(folder)
        if output == "-":
            sys.stdout.write(dumps_yaml(scenario))
            return
        try:
            save_scenario(scenario, output)
        except OSError as exc:
            raise UsageFailure(f"cannot write {output}: {exc.strerror}") from None
    out.print(f"wrote {output}")


# --- forecasting ---------------------------------------------------------------------------


@app.command()
def forecast(
    scenario: ScenarioArg = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="compromise, weighted_median, mean, nash (repeatable)."),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Samples of the inputs.")] = 1000,
    shock: ShockOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="A dask scheduler address (dask backend).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")] = 0,
    chunk: Annotated[int, typer.Option("--chunk", min=1, help="Runs per chunk.")] = 250,
    json_out: JsonOpt = False,
) -> None:
    """Forecast each issue's outcome with spatial models over sampled inputs (ranges and
    distributions in the scenario), optionally under shocks."""
    models = model or ["compromise", "weighted_median"]
    with _user_errors():
        if backend not in ("local", "dask"):
            raise UsageFailure(f"unknown backend {backend!r} (expected local or dask)")
        s = resolve(scenario)
        _compiled(s, shock)  # checks the shock names
        try:
            with _progress("forecasting") as tick:
                result = run_ensemble(
                    s,
                    models=models,
                    runs=runs,
                    seed=seed,
                    shocks=tuple(shock or ()),
                    chunk=chunk,
                    backend=backend,  # type: ignore[arg-type]
                    scheduler=scheduler,
                    progress=tick,
                )
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
    if json_out:
        _emit_json(
            {
                "scenario": s.id,
                "runs": result.runs,
                "seed": result.seed,
                "shocks": list(result.shocks),
                "backend": result.backend,
                "forecasts": [asdict(f) for f in result.forecasts],
            }
        )
        return
    out.print(forecast_table(s, [(", ".join(result.shocks) or "baseline", result)], models))


def forecast_table(
    s: Scenario, ensembles: Sequence[tuple[str, Ensemble]], models: Sequence[str]
) -> Table:
    title = "Forecast per issue: most likely option (probability) and mean position"
    table = Table(title=title)
    table.add_column("issue", no_wrap=True)
    for label, _ in ensembles:
        for m in models:
            table.add_column(f"{m}\n[{label}]", overflow="fold")
    for issue in s.issues:
        cells = []
        for _, ensemble in ensembles:
            for m in models:
                try:
                    f = ensemble.get(m, issue.id)
                except StopIteration:
                    cells.append("-")
                    continue
                best = max(f.option_probability.items(), key=lambda kv: kv[1])
                cells.append(f"{best[0]} ({best[1]:.0%}); {f.mean:.4g}")
        table.add_row(issue.id, *cells)
    return table


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (on a terminal) fed by an engine's (done, total) calls."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


@app.command("forecast-eval")
def forecast_eval(
    file: Annotated[str, typer.Argument(help="A DEU table (.tsv) with recorded outcomes.")],
    models: Annotated[
        list[str] | None,
        typer.Option("--models", "--model", help="Models to score (repeatable; default all)."),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds.")] = 5,
    json_out: JsonOpt = False,
) -> None:
    """Score forecasting models against recorded outcomes: N, mean and median absolute error,
    split by decision rule and procedure, and the cross-validated error of picking the best."""
    with _user_errors():
        table = read_positions(file)
        chosen = models or list(FORECAST_MODELS)
        try:
            scores = score_models(table, chosen)
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
        cv = cross_validate(table, chosen, folds=folds)
    if json_out:
        _emit_json(
            {
                "file": file,
                "issues": table.n_issues,
                "models": [asdict(score) for score in scores],
                "cross_validation": asdict(cv),
            }
        )
        return
    table_out = Table(title=f"Forecast errors on {file} (0-100 scale)")
    for column in ("model", "N", "MAE", "median AE"):
        table_out.add_column(column, justify="right" if column != "model" else "left")
    groups = sorted({(a, v) for sc in scores for a, d in sc.by_group.items() for v in d})
    for _, value in groups:
        table_out.add_column(f"MAE {value}", justify="right")
    for sc in scores:
        cells = []
        for attribute, value in groups:
            g = sc.by_group.get(attribute, {}).get(value)
            cells.append(f"{g.mae:.2f}" if g and g.n else "-")
        table_out.add_row(
            sc.model,
            str(sc.overall.n),
            f"{sc.overall.mae:.2f}",
            f"{sc.overall.median_ae:.2f}",
            *cells,
        )
    out.print(table_out)
    picked = ", ".join(sorted(set(cv.chosen)))
    out.print(
        f"Cross-validated ({cv.folds} folds by proposal) error of picking the lowest-MAE model:"
        f" MAE {cv.score.mae:.2f} over {cv.score.n} issues; chosen: {picked}"
    )


# --- simulation ------------------------------------------------------------------------------

PROTOCOLS = ("single-text", "alternating")
DEFAULT_TOURNAMENT = (
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "tit-for-tat",
    "red-line-keeper(conceder(e=2))",
)


def _package_change(compiled: Compiled, package: Sequence[int] | None) -> str:
    if package is None:
        return "(pass)"
    return _package_text(compiled, package, compiled.status_quo)


def replay_lines(compiled: Compiled, r: Replay, *, diffs: bool = True) -> list[str]:
    """A single-text run, round by round, then the versions' diffs point by point."""
    o = r.outcome
    base = r.compiled
    lines = [
        f"Single negotiating text from {o.start or 'the status quo'}"
        f" ({o.policy} mediator, deadline {o.deadline} rounds, parties {', '.join(o.parties)})"
    ]
    for state in o.trace:
        version = r.versions[o.versions.index(state.text)].id
        u = utilities(compiled, state.text)
        scores = ", ".join(f"{p} {u[compiled.party_index(p)]:.3f}" for p in o.parties)
        lines.append(f"Round {state.round + 1}: text {version} ({scores})")
        for a in state.answers:
            if a.accepts:
                lines.append(f"  {a.party} accepts")
                continue
            asks = "; ".join(
                f"{compiled.issue_ids[q.issue]} -> {compiled.option_ids[q.issue][q.option]}"
                for q in a.requests
            )
            lines.append(f"  {a.party} rejects, asks {asks or 'nothing it can name'}")
        for ch in state.changes:
            lines.append(
                f"  mediator: {compiled.issue_ids[ch.issue]}"
                f" {compiled.option_ids[ch.issue][ch.previous]}"
                f" -> {compiled.option_ids[ch.issue][ch.option]} (asked by {ch.party})"
            )
        if state.deadlocked:
            lines.append(
                "  mediator: no admissible change left (each one asked for would undo a"
                " change the others accepted, or repeat an earlier text): the text stops moving"
            )
    lines.append(f"Outcome: {o.summary()}")
    if diffs:
        for d in r.diffs:
            lines.append("")
            lines.extend(diff_lines(base, d))
    return lines


def alternating_lines(compiled: Compiled, o: Outcome) -> list[str]:
    lines = [
        f"Alternating offers among {', '.join(o.parties)} (deadline {o.deadline} rounds):"
        f" {', '.join(f'{p} {s}' for p, s in zip(o.parties, o.strategies, strict=True))}"
    ]
    for state in o.trace:
        answers = ", ".join(
            f"{p} {'yes' if a else 'no'}"
            for p, a in zip(state.parties, state.responses, strict=True)
            if a is not None
        )
        scores = (
            ""
            if state.utilities is None
            else " ["
            + ", ".join(f"{p} {u:.3f}" for p, u in zip(o.parties, state.utilities, strict=True))
            + "]"
        )
        lines.append(
            f"Round {state.round + 1}: {state.proposer} offers"
            f" {_short(_package_change(compiled, state.offer), 90)}{scores}"
            + (f"; {answers}" if answers else "")
        )
    if o.agreement is not None:
        lines.append(
            f"Outcome: agreement in round {o.rounds}: {_package_change(compiled, o.agreement)}"
        )
    else:
        lines.append(f"Outcome: no agreement by round {o.deadline}; every party keeps its BATNA")
    lines.append(
        "Utilities: "
        + ", ".join(f"{p} {u:.3f}" for p, u in zip(o.parties, o.utilities, strict=True))
    )
    return lines


@app.command()
def simulate(
    scenario: ScenarioArg = None,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol", help="single-text (a mediator revises one text) or alternating."
        ),
    ] = "single-text",
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="single-text: the draft to start from (default: the first draft)."
        ),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help="alternating: STRATEGY for every party, or PARTY=STRATEGY (repeatable), e.g."
            f" UA=boulware RU=conceder(e=3). Strategies: {', '.join(SPEC_NAMES)},"
            " red-line-keeper(STRATEGY), negmas:CLASS (a NegMAS SAO negotiator). Default: linear.",
        ),
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="single-text: the mediator's policy, maximin or nash.")
    ] = "maximin",
    deadline: Annotated[
        int, typer.Option("--deadline", min=1, help="Rounds before walk-away.")
    ] = 12,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same trace.")] = 0,
    parties: PartiesOpt = None,
    shock: ShockOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replay a negotiation: a mediator's single negotiating text (each party asks for the
    changes it wants most; the mediator revises) or alternating offers between strategies.
    Prints the trace round by round, and for single-text the diff of each version."""
    with _user_errors():
        if protocol not in PROTOCOLS:
            raise UsageFailure(
                f"unknown protocol {protocol!r} (expected one of: {', '.join(PROTOCOLS)})"
            )
        s = resolve(scenario)
        compiled = _compiled(s, shock)
        chosen = _parties(compiled, parties) or list(compiled.party_ids)
        if protocol == "single-text":
            if strategy:
                raise UsageFailure(
                    "--strategy applies to --protocol alternating; in the single-text protocol"
                    " each party answers from its own preferences"
                )
            if policy not in ("maximin", "nash"):
                raise UsageFailure(f"unknown policy {policy!r} (expected maximin or nash)")
            first = start if start is not None else (s.drafts[0].id if s.drafts else None)
            if first is not None:
                _draft_id(s, first)
            result = replay(
                compiled,
                start=first,
                deadline=deadline,
                policy=policy,  # type: ignore[arg-type]
                seed=seed,
                parties=chosen,
            )
        else:
            if start is not None:
                raise UsageFailure(
                    "--from applies to --protocol single-text (alternating offers start from"
                    " each party's own proposals)"
                )
            if len(chosen) < 2:
                raise UsageFailure("alternating offers need at least two parties")
            try:
                strategies = assign_strategies(strategy or [], chosen)
            except ValueError as exc:
                raise UsageFailure(f"--strategy {exc}") from None
            outcome = alternating_offers(
                compiled, strategies, deadline=deadline, seed=seed, parties=chosen
            ).run()
    if protocol == "single-text":
        if json_out:
            _emit_json({"scenario": s.id, "shocks": list(compiled.shocks), **result.to_dict()})
            return
        for line in replay_lines(compiled, result):
            out.print(Text(line))
        return
    if json_out:
        _emit_json({"scenario": s.id, "shocks": list(compiled.shocks), **outcome.to_dict(compiled)})
        return
    for line in alternating_lines(compiled, outcome):
        out.print(Text(line))


@app.command("tournament")
def tournament_cmd(
    scenarios_: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SCENARIO]...",
            help=f"Embedded scenario ids or files (default: {DEFAULT}).",
        ),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help=f"A strategy to enter (repeatable; default: {', '.join(DEFAULT_TOURNAMENT)}).",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Seeds per lineup.")] = 20,
    deadline: Annotated[
        int, typer.Option("--deadline", min=1, help="Rounds before walk-away.")
    ] = 60,
    lineup: Annotated[
        str,
        typer.Option(
            "--lineup",
            help="self: every party plays the strategy; focal: one party plays it against"
            " --opponent, each party in turn.",
        ),
    ] = "self",
    opponent: Annotated[
        str, typer.Option("--opponent", help="focal: what the other parties play.")
    ] = "linear",
    parties: PartiesOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="A dask scheduler address (dask backend).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Alternating-offers tournament: every strategy on every scenario for every seed. Prints
    agreement rate, rounds, each party's mean gain over its BATNA, distance to the Nash point and
    to the Pareto frontier, the Pareto gap and the red lines crossed."""
    with _user_errors():
        if backend not in ("local", "dask"):
            raise UsageFailure(f"unknown backend {backend!r} (expected local or dask)")
        if lineup not in ("self", "focal"):
            raise UsageFailure(f"unknown lineup {lineup!r} (expected self or focal)")
        compiled_all: dict[str, Compiled] = {}
        for name in scenarios_ or [DEFAULT]:
            sc = resolve(name)
            compiled_all[sc.id] = _compiled(sc, None)
        chosen: dict[str, Sequence[str]] | None = None
        if parties is not None:
            chosen = {}
            for sid, c in compiled_all.items():
                picked = _parties(c, parties)
                assert picked is not None
                if len(picked) < 2:
                    raise UsageFailure("alternating offers need at least two parties")
                chosen[sid] = picked
        entries = {}
        for spec in strategy or DEFAULT_TOURNAMENT:
            try:
                made = parse_strategy(spec)
            except ValueError as exc:
                raise UsageFailure(f"--strategy {spec}: {exc}") from None
            entries[made.name] = made
        try:
            other = parse_strategy(opponent)
        except ValueError as exc:
            raise UsageFailure(f"--opponent {opponent}: {exc}") from None
        try:
            with _progress("negotiating") as tick:
                result = run_tournament(
                    compiled_all,
                    entries,
                    seeds=seeds,
                    deadline=deadline,
                    kind=lineup,  # type: ignore[arg-type]
                    opponent=other if lineup == "focal" else None,
                    parties=chosen,
                    backend=backend,  # type: ignore[arg-type]
                    scheduler=scheduler,
                    progress=tick,
                )
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
    if json_out:
        _emit_json(result.to_dict())
        return
    for table, (sid, note) in zip(tournament_tables(result), result.notes.items(), strict=True):
        out.print(table)
        out.print(Text(f"{sid}: {note}"))
    out.print(
        "to Nash / to frontier: Euclidean distance in utilities to the Nash point / the nearest"
        " acceptable Pareto-optimal outcome; gap: how much every party could have gained at once."
    )


def _maybe(x: float | None, fmt: str = ".3f") -> str:
    return "n/a" if x is None else format(x, fmt)


def tournament_tables(result: Tournament) -> list[Table]:
    """One table per scenario: a row per lineup, a gain column per party."""
    rows = result.summary()
    tables = []
    for sid in dict.fromkeys(r.scenario for r in rows):
        mine = [r for r in rows if r.scenario == sid]
        table = Table(
            title=f"{sid}: alternating offers, deadline {result.deadline} rounds,"
            f" {len(result.seeds)} seeds ({result.backend}); mean gain over BATNA per party"
        )
        table.add_column("lineup", overflow="fold")
        for column in ("agreed", "rounds", *mine[0].parties, "to Nash", "to frontier", "gap"):
            table.add_column(column, justify="right")
        table.add_column("red lines crossed", overflow="fold")
        for row in mine:
            table.add_row(
                row.lineup,
                f"{row.agreement_rate:.0%}",
                f"{row.mean_rounds:.1f}",
                *(f"{g:+.3f}" for g in row.mean_gains),
                _maybe(row.mean_nash_distance),
                _maybe(row.mean_pareto_distance),
                _maybe(row.mean_pareto_gap),
                ", ".join(f"{p}:{i} x{n}" for p, i, n in row.red_lines) or "none",
            )
        tables.append(table)
    return tables


@contextmanager
def _spinner(what: str) -> Iterator[None]:
    """A transient progress indicator on stderr, only on a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    with err.status(what + " ..."):
        yield


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point. User errors exit 2 inside the commands; anything else is a bug, reported in
    one line with exit code 1 (set ACCORD_DEBUG=1 to see the traceback)."""
    run: Callable[..., Any] = app
    try:
        run(args=list(argv) if argv is not None else None, prog_name="accord")
    except KeyboardInterrupt:
        err.print("accord: interrupted")
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("ACCORD_DEBUG"):
            raise
        err.print(Text(f"accord: internal error: {type(exc).__name__}: {exc} (please report it)"))
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
