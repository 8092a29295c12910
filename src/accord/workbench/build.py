"""Build the :class:`~accord.workbench.record.Analysis` of a workbench: each engine once, then the
bottom line read off the results (never off a second computation)."""

from __future__ import annotations

from collections.abc import Sequence

from accord.analysis import DraftEvaluation, diff, evaluate_all
from accord.analysis.bargaining import SOLUTIONS
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import Bridge, Relaxations, Zopa, bridge, minimal_relaxations, zopa
from accord.analysis.dependence import ZoneDependence
from accord.analysis.robustness import DEFAULT_MODEL, Robustness
from accord.analysis.space import SpaceTooLarge, pareto_frontier
from accord.compile import Compiled
from accord.forecast.ensemble import MODELS
from accord.workbench.bench import (
    Progress,
    UnknownId,
    Workbench,
    leading_draft,
    principal_pair,
    version_pairs,
)
from accord.workbench.record import Analysis, Forecasts, FrontierView, VersionDiff, WhatIf

BOTTOM_LINE_MAX = 15
ZONE_EXAMPLE_SECONDS = 2.0  # how long the record's zone may look for the maximin example
"""The bottom line never runs longer than this many lines."""


def build_analysis(
    bench: Workbench,
    *,
    models: tuple[str, ...],
    runs: int,
    seed: int,
    deadline: int,
    max_relax: int,
    pair: Sequence[str] | None,
    start: str | None,
    progress: Progress | None,
    robustness_runs: int = 0,
) -> Analysis:
    """Every analysis of ``bench`` once; see :meth:`Workbench.analyze`."""

    def stage(what: str) -> None:
        if progress is not None:
            progress(what)

    s, compiled = bench.scenario, bench.compiled
    if runs < 1 or deadline < 1 or max_relax < 0:
        raise ValueError("runs and deadline must be at least 1, max_relax at least 0")
    if start is not None:
        bench.draft_id(start)
    chosen_pair = _pair(bench, pair, principal_pair(s, compiled))
    stage("scoring the drafts")
    evaluations = evaluate_all(compiled)
    versions = tuple(VersionDiff(diff(compiled, a, b), linked) for a, b, linked in version_pairs(s))
    stage("searching the agreement space")
    # the zone's answer comes from feasibility; its example is the maximin one where that is
    # proven within ZONE_EXAMPLE_SECONDS, else the feasible one (zone.example_rule says which)
    zone = zopa(compiled, example="maximin", time_limit=ZONE_EXAMPLE_SECONDS)
    relaxations = minimal_relaxations(compiled, max_size=max_relax) if max_relax else None
    if relaxations is None:
        relaxations = Relaxations(zone.open, 0, 0.1, 0, 0)
    solutions = tuple(solve_bargaining(compiled, name) for name in SOLUTIONS)
    bridges = tuple(bridge(compiled, d) for d in compiled.drafts)
    frontier = _frontier_view(compiled, chosen_pair)
    stage("forecasting")
    declared = [sh.id for sh in bench.source.shocks if sh.id not in bench.shocks]
    forecasts = [
        Forecasts(
            "as given" if not bench.shocks else "with " + ", ".join(bench.shocks),
            bench.shocks,
            bench.forecast(models, runs=runs, seed=seed),
        )
    ]
    forecasts += [
        Forecasts(
            f"+{sh}",
            (*bench.shocks, sh),
            bench.forecast(models, runs=runs, seed=seed, extra_shocks=(sh,)),
        )
        for sh in declared
    ]
    stage("what-if: the drafts under each shock")
    what_if = tuple(
        WhatIf(sh, evaluate_all(c), zopa(c), c)
        for sh in declared
        for c in (bench.compiled_with((sh,)),)
    )
    stage("replaying a single negotiating text")
    replay = bench.replay(start, deadline=deadline, seed=seed)
    leading = leading_draft(s)
    dependence, robust = _robust(bench, bridges, robustness_runs, seed, models, stage)
    lines = bottom_line(
        compiled, evaluations, zone, relaxations, bridges, leading, what_if, forecasts
    )
    lines = _with_robust_line(lines, zone, dependence, robust)
    return Analysis(
        scenario=s,
        compiled=compiled,
        shocks=bench.shocks,
        settings={
            "models": list(models),
            "runs": runs,
            "seed": seed,
            "deadline": deadline,
            "max_relax": max_relax,
            "pair": list(chosen_pair) if chosen_pair else None,
            "start": replay.outcome.start,
            "robustness_runs": robustness_runs,
        },
        evaluations=evaluations,
        versions=versions,
        zopa=zone,
        relaxations=relaxations,
        solutions=solutions,
        bridges=bridges,
        frontier=frontier,
        forecasts=tuple(forecasts),
        what_if=what_if,
        replay=replay,
        leading=leading,
        bottom_line=lines,
        zone_dependence=dependence,
        robustness=robust,
    )


def _robust(
    bench: Workbench,
    bridges: Sequence[Bridge],
    runs: int,
    seed: int,
    models: Sequence[str],
    stage: Progress,
) -> tuple[ZoneDependence, Robustness | None]:
    """The zone's dependence on red lines and BATNAs, and (``runs`` > 0) the robust conclusions
    under the record's first forecast model."""
    stage("what the zone depends on")
    dependence = bench.zone_dependence()
    if runs <= 0:
        return dependence, None
    stage(f"robust conclusions ({runs} runs)")
    model = next((m for m in models if m in MODELS), DEFAULT_MODEL)
    robust = bench.robustness(
        runs=runs, seed=seed, model=model, bridges=bridges, dependence=dependence
    )
    return dependence, robust


def _with_robust_line(
    lines: tuple[str, ...], zone: Zopa, dependence: ZoneDependence, robust: Robustness | None
) -> tuple[str, ...]:
    """The bottom line with, after the zone's line, one line on how robust the zone is and what
    decides it (kept within :data:`BOTTOM_LINE_MAX`: the last line gives way)."""
    line = robust_line(zone, dependence, robust)
    at = next((k + 1 for k, x in enumerate(lines) if "zone of agreement" in x.lower()), len(lines))
    out = [*lines[:at], line, *lines[at:]]
    if len(out) > BOTTOM_LINE_MAX:
        out = [*out[: BOTTOM_LINE_MAX - 1], out[-1]]
    return tuple(out)


def robust_line(zone: Zopa, dependence: ZoneDependence, robust: Robustness | None) -> str:
    """One sentence: the zone's share of runs (or why there is none) and what decides it: the
    red lines it depends on and the tightest BATNA margin."""
    parts = []
    found = robust.find("zone", "a zone of agreement exists") if robust else None
    if robust is not None and robust.note is None and found is not None:
        parts.append(
            f"The zone is {'open' if zone.open else 'closed'} as stated and open in"
            f" {found.share:.0%} of {robust.runs} runs of the judgement ranges"
        )
    elif robust is not None and robust.note is not None:
        parts.append(f"The zone's robustness: {robust.note}")
    decides = [r.describe() for r in dependence.red_lines[:2]]
    margins = [b for b in dependence.batnas if b.margin is not None]
    if margins:
        tight = min(margins, key=lambda b: abs(b.margin or 0.0))
        decides.append(tight.describe())
    if decides:
        parts.append("it turns on: " + "; ".join(decides))
    return ("; ".join(parts) or "No robustness was computed") + "."


def _pair(
    bench: Workbench,
    pair: Sequence[str] | None,
    default: tuple[str, str] | None,
) -> tuple[str, str] | None:
    if pair is None:
        return default
    chosen = list(pair)
    valid = bench.compiled.party_ids
    for p in chosen:
        if p not in valid:
            raise UnknownId("party", p, valid)
    if len(chosen) != 2 or chosen[0] == chosen[1]:
        raise ValueError(
            f"the frontier pair must be two different parties that state preferences, got"
            f" {', '.join(map(repr, chosen)) or 'none'}"
            f" (expected two of: {', '.join(valid)})"
        )
    return (chosen[0], chosen[1])


def _frontier_view(compiled: Compiled, pair: tuple[str, str] | None) -> FrontierView:
    if pair is None:
        return FrontierView(None, None, None, "it needs two parties that state preferences")
    try:
        front = pareto_frontier(compiled, list(pair))
        inner = pareto_frontier(compiled, list(pair), acceptable_only=True)
    except SpaceTooLarge as exc:
        return FrontierView(pair, None, None, str(exc))
    return FrontierView(pair, front, inner)


# --- the bottom line -------------------------------------------------------------------------


def _names(items: Sequence[str], empty: str = "none") -> str:
    return ", ".join(items) if items else empty


def bottom_line(
    compiled: Compiled,
    evaluations: Sequence[DraftEvaluation],
    zone: Zopa,
    relaxations: Relaxations,
    bridges: Sequence[Bridge],
    leading: str | None,
    what_if: Sequence[WhatIf],
    forecasts: Sequence[Forecasts],
) -> tuple[str, ...]:
    """At most :data:`BOTTOM_LINE_MAX` lines: which drafts each party accepts, whether a zone of
    agreement exists and what opens it, the fewest changes that make the leading draft
    acceptable, and what each declared shock changes."""
    lines: list[str] = []
    drafts = [e.draft for e in evaluations]
    if drafts:
        everyone = [e.draft for e in evaluations if e.acceptable_to_all]
        lines.append(
            f"Acceptable to every party: {_names(everyone, f'none of the {len(drafts)} drafts')}."
        )
        for p in compiled.party_ids:
            yes = [e.draft for e in evaluations if e.party(p).acceptable]
            lines.append(f"  {p} accepts {len(yes)} of {len(drafts)}: {_names(yes)}.")
    else:
        lines.append("The scenario holds no draft to score.")
    lines.append(_zone_line(compiled, zone, relaxations))
    if leading is not None:
        lines.append(_leading_line(compiled, evaluations, bridges, leading))
    budget = BOTTOM_LINE_MAX - len(lines)
    shock_lines = [_shock_line(evaluations, zone, w, forecasts) for w in what_if]
    if len(shock_lines) > budget:
        kept = shock_lines[: max(budget - 1, 0)]
        kept.append(
            f"... and {len(shock_lines) - len(kept)} more shock(s): see the what-if section."
        )
        shock_lines = kept
    lines.extend(shock_lines)
    return tuple(lines[:BOTTOM_LINE_MAX])


def _example_words(zone: Zopa) -> str:
    """The zone's example as the rule that chose it."""
    if zone.example_rule == "maximin":
        return "the one best for the worst-off"
    return "one found by the feasibility check, not optimised for anyone,"


def _zone_line(compiled: Compiled, zone: Zopa, relaxations: Relaxations) -> str:
    if zone.open:
        gains = ", ".join(f"{p} {u:.2f}" for p, u in zone.utilities.items())
        return (
            "A zone of agreement exists: some package crosses no red line and meets every BATNA"
            f" ({_example_words(zone)} gives utilities {gains})."
        )
    if zone.blocked_issues:
        why = f"the red lines leave no option on {_names(list(zone.blocked_issues))}"
    else:
        why = "no package crosses no red line and meets every BATNA"
    found = relaxations.relaxations
    if not found:
        opens = (
            f"no set of up to {relaxations.max_size} red lines or BATNAs opens it"
            if relaxations.max_size
            else "relaxations were not searched"
        )
    else:
        shown = [" + ".join(c.describe() for c in r.constraints) for r in found[:3]]
        more = f" ({len(found) - 3} more)" if len(found) > 3 else ""
        opens = "it opens if " + "; or ".join(shown) + more
    return f"No zone of agreement: {why}; {opens}."


def _leading_line(
    compiled: Compiled,
    evaluations: Sequence[DraftEvaluation],
    bridges: Sequence[Bridge],
    leading: str,
) -> str:
    e = next(x for x in evaluations if x.draft == leading)
    b = next(x for x in bridges if x.draft == leading)
    head = f"The leading draft, {leading} (the latest),"
    if e.acceptable_to_all:
        return f"{head} is acceptable to every party as it stands."
    refusing = [p.party for p in e.parties if not p.acceptable]
    if not b.found:
        return (
            f"{head} is refused by {_names(refusing)}; no change of it is acceptable to every"
            " party (the zone of agreement is empty)."
        )
    moves = ", ".join(
        f"{c.issue} {c.from_option} -> {c.to_option}"
        + (f" (P{c.from_point})" if c.from_point is not None else "")
        for c in b.changes
    )
    n = len(b.changes)
    return (
        f"{head} is refused by {_names(refusing)}; the fewest changes that make it acceptable"
        f" to all: {n} issue{'s' if n != 1 else ''}, {moves}."
    )


def _shock_line(
    base: Sequence[DraftEvaluation],
    zone: Zopa,
    w: WhatIf,
    forecasts: Sequence[Forecasts],
) -> str:
    changes: list[str] = []
    before = {(e.draft, p.party): p.acceptable for e in base for p in e.parties}
    for e in w.evaluations:
        for p in e.parties:
            was = before.get((e.draft, p.party))
            if was is not None and was != p.acceptable:
                verb = "now accepts" if p.acceptable else "no longer accepts"
                changes.append(f"{p.party} {verb} {e.draft}")
    if w.zopa.open != zone.open:
        changes.append("the zone of agreement " + ("opens" if w.zopa.open else "closes"))
    moved = _forecast_moves(forecasts, w.shock)
    if moved:
        changes.append(f"the leading forecast moves on {_names(moved)}")
    if not changes:
        return f"Under {w.shock}: no draft's acceptance, the zone or the leading forecast changes."
    if len(changes) > 4:
        changes = [*changes[:4], f"{len(changes) - 4} more change(s)"]
    return f"Under {w.shock}: " + "; ".join(changes) + "."


def _forecast_moves(forecasts: Sequence[Forecasts], shock: str) -> list[str]:
    """The issues whose most frequent option under the first model changes with ``shock``."""
    if not forecasts:
        return []
    base = forecasts[0].ensemble
    shocked = next((f.ensemble for f in forecasts if f.label == f"+{shock}"), None)
    if shocked is None or not base.forecasts:
        return []
    model = base.forecasts[0].model

    def modal(ens: object) -> dict[str, str]:
        out = {}
        for f in ens.forecasts:  # type: ignore[attr-defined]
            if f.model == model and f.option_share:
                out[f.issue] = max(f.option_share.items(), key=lambda kv: kv[1])[0]
        return out

    a, b = modal(base), modal(shocked)
    return [issue for issue in a if issue in b and a[issue] != b[issue]]
