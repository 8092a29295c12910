"""Simulation: ``simulate`` (single text or alternating offers) and ``tournament``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from accord.analysis import (
    utilities,
)
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
    out,
    package_text,
    progress_bar,
    resolve_as_of,
    shorten,
    user_errors,
)
from accord.cli.drafts import diff_lines
from accord.compile import Compiled
from accord.scenarios import DEFAULT, resolve
from accord.simulate.protocols import Outcome, alternating_offers
from accord.simulate.single_text import Replay, replay
from accord.simulate.specs import NAMES as SPEC_NAMES
from accord.simulate.specs import assign_strategies, parse_strategy
from accord.simulate.tournament import Tournament
from accord.simulate.tournament import tournament as run_tournament

PROTOCOLS = ("single-text", "alternating")


DEFAULT_TOURNAMENT = (
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "tit-for-tat",
    "red-line-keeper(conceder(e=2))",
    "accommodating",
)


def _package_change(compiled: Compiled, package: Sequence[int] | None) -> str:
    if package is None:
        return "(pass)"
    return package_text(compiled, package, compiled.status_quo)


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
    """An alternating-offers outcome as lines of text."""
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
            f" {shorten(_package_change(compiled, state.offer), 90)}{scores}"
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
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replay a negotiation: a mediator's single negotiating text (each party asks for the
    changes it wants most; the mediator revises) or alternating offers between strategies.
    Prints the trace round by round, and for single-text the diff of each version."""
    with user_errors():
        if protocol not in PROTOCOLS:
            raise UsageFailure(
                f"unknown protocol {protocol!r} (expected one of: {', '.join(PROTOCOLS)})"
            )
        s = resolve_as_of(scenario, as_of)
        compiled = compiled_for(s, shock)
        chosen = chosen_parties(compiled, parties) or list(compiled.party_ids)
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
                draft_id(s, first)
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
            emit_json({"scenario": s.id, "shocks": list(compiled.shocks), **result.to_dict()})
            return
        for line in replay_lines(compiled, result):
            out.print(Text(line))
        return
    if json_out:
        emit_json({"scenario": s.id, "shocks": list(compiled.shocks), **outcome.to_dict(compiled)})
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
    with user_errors():
        if backend not in ("local", "dask"):
            raise UsageFailure(f"unknown backend {backend!r} (expected local or dask)")
        if lineup not in ("self", "focal"):
            raise UsageFailure(f"unknown lineup {lineup!r} (expected self or focal)")
        compiled_all: dict[str, Compiled] = {}
        for name in scenarios_ or [DEFAULT]:
            sc = resolve(name)
            compiled_all[sc.id] = compiled_for(sc, None)
        chosen: dict[str, Sequence[str]] | None = None
        if parties is not None:
            chosen = {}
            for sid, c in compiled_all.items():
                picked = chosen_parties(c, parties)
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
            with progress_bar("negotiating") as tick:
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
        emit_json(result.to_dict())
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
