"""Build the report data record of a scenario: call each engine once, keep what the brief shows.

:func:`build` is the one entry point. It compiles the scenario (with any shocks), picks the pair
of parties whose frontier is drawn (:func:`principal_pair`) and the draft the simulated single
negotiating text starts from, and asks each section builder in :mod:`accord.report.sections` for
its :class:`~accord.report.record.Section`. Nothing here prints or writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.compile import Compiled, apply_shocks, compile_scenario
from accord.forecast.ensemble import MODELS
from accord.model.records import Role, Scenario
from accord.report.context import Context
from accord.report.record import Brief, Section
from accord.report.sections import drafts, forecast, scenario_parts, simulation, sources, space

DEFAULT_MODELS = ("compromise", "weighted_median", "nash", "eum")
"""Forecast models in the brief's model x issue table; the first one's distributions are drawn."""


class ReportError(ValueError):
    """The brief cannot be built as asked (an unknown party, draft, model or format)."""


def principal_pair(scenario: Scenario, compiled: Compiled) -> tuple[str, str] | None:
    """The two parties whose frontier the brief draws: the first two compiled parties (those
    that state preferences) with the role ``party``, in the scenario's order; failing that, the
    first two compiled parties; None with fewer than two."""
    principals = [
        p.id for p in scenario.parties if Role.PARTY in p.roles and p.id in compiled.party_ids
    ]
    chosen = principals if len(principals) >= 2 else list(compiled.party_ids)
    return (chosen[0], chosen[1]) if len(chosen) >= 2 else None


def build(
    scenario: Scenario,
    *,
    shocks: Sequence[str] = (),
    pair: Sequence[str] | None = None,
    start: str | None = None,
    deadline: int = 30,
    runs: int = 200,
    seed: int = 0,
    models: Sequence[str] = DEFAULT_MODELS,
    show_confidential: bool = False,
) -> Brief:
    """The brief of ``scenario`` (with ``shocks`` applied throughout).

    ``pair``: the two parties of the frontier chart (default :func:`principal_pair`). ``start``:
    the draft the simulated single negotiating text starts from (default the first draft in the
    file; the status quo where there is none). ``deadline``, ``runs``, ``seed`` and ``models``
    go to the simulation and the forecast ensembles. Positions marked ``confidential`` are left
    out of the position matrix and the list of assumptions unless ``show_confidential`` (the
    model's figures use them either way, and the brief says so). Raises :class:`ReportError` on
    a bad choice and :class:`~accord.compile.CompileError` on an unknown shock."""

    compiled = compile_scenario(scenario, shocks=tuple(shocks))
    shocked = apply_shocks(scenario, tuple(shocks))
    chosen_pair = _pair(shocked, compiled, pair)
    draft_ids = [d.id for d in shocked.drafts]
    if start is not None and start not in draft_ids:
        raise ReportError(
            f"scenario {scenario.id} has no draft {start!r}"
            f" (expected one of: {', '.join(draft_ids) or 'none: the scenario has no drafts'})"
        )
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ReportError(
            f"unknown forecast model(s) {', '.join(map(repr, unknown)) or '(none given)'}"
            f" (expected some of: {', '.join(MODELS)})"
        )
    if deadline < 1 or runs < 1:
        raise ReportError("deadline and runs must be at least 1")
    ctx = Context(
        scenario=shocked,
        compiled=compiled,
        shocks=tuple(shocks),
        pair=chosen_pair,
        start=start if start is not None else (draft_ids[0] if draft_ids else None),
        deadline=deadline,
        runs=runs,
        seed=seed,
        models=tuple(models),
        show_confidential=show_confidential,
    )
    sections: list[Section] = [
        scenario_parts.parties(ctx),
        scenario_parts.timeline(ctx),
        scenario_parts.positions(ctx),
        drafts.drafts(ctx),
        drafts.versions(ctx),
        space.agreement_space(ctx),
        forecast.forecasts(ctx),
        simulation.replay(ctx),
        sources.sources(ctx),
    ]
    shock_note = f" with the shock(s) {', '.join(shocks)} applied" if shocks else ""
    footer = (
        f"As of {shocked.as_of.isoformat()}. Scenario {shocked.id}{shock_note}. Positions are as"
        " reported by the sources cited; every figure is a model output of the scenario's stated"
        " inputs and assumptions, not a forecast of what the parties will do, and nothing here"
        " is a recommendation."
    )
    return Brief(
        scenario=shocked.id,
        title=shocked.title,
        as_of=shocked.as_of.isoformat(),
        invented=shocked.invented,
        description=shocked.description,
        settings={
            "shocks": list(shocks),
            "pair": list(chosen_pair) if chosen_pair else None,
            "start": ctx.start,
            "deadline": deadline,
            "runs": runs,
            "seed": seed,
            "models": list(models),
            "show_confidential": show_confidential,
        },
        sections=tuple(sections),
        footer=footer,
    )


def _pair(
    scenario: Scenario, compiled: Compiled, pair: Sequence[str] | None
) -> tuple[str, str] | None:
    if pair is None:
        return principal_pair(scenario, compiled)
    chosen = list(pair)
    unknown = [p for p in chosen if p not in compiled.party_ids]
    if len(chosen) != 2 or chosen[0] == chosen[1] or unknown:
        raise ReportError(
            f"the frontier pair must be two different parties that state preferences, got"
            f" {', '.join(map(repr, chosen)) or 'none'}"
            f" (expected two of: {', '.join(compiled.party_ids)})"
        )
    return (chosen[0], chosen[1])
