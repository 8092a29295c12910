"""Build the brief of a scenario from its analysis record: the engines run once, in
:meth:`accord.Workbench.analyze`; the section builders in :mod:`accord.report.sections` only read
that record (and the scenario, for names, sources and the position matrix).

:func:`brief_of` turns an :class:`~accord.workbench.record.Analysis` into a
:class:`~accord.report.record.Brief`; :func:`build` is the shortcut that makes the analysis of a
scenario first. Nothing here prints or writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.model.records import Scenario
from accord.report.context import Context
from accord.report.record import Brief, Section
from accord.report.sections import drafts, forecast, scenario_parts, simulation, sources, space
from accord.report.sections import robustness as robust_section
from accord.workbench import DEFAULT_MODELS, Analysis, UnknownId, Workbench
from accord.workbench.bench import principal_pair

__all__ = ["DEFAULT_MODELS", "ReportError", "brief_of", "build", "principal_pair"]


class ReportError(ValueError):
    """The brief cannot be built as asked (an unknown party, draft, model or format)."""


def build(
    scenario: Scenario | Analysis,
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
    """The brief of ``scenario`` (with ``shocks`` applied throughout), or of an analysis record.

    Given a scenario, its analysis is made first with these settings: ``pair``, the two parties
    of the frontier chart (default :func:`principal_pair`); ``start``, the draft the simulated
    single negotiating text starts from (default the first draft in the file; the status quo
    where there is none); ``deadline``, ``runs``, ``seed`` and ``models`` go to the simulation
    and the forecast ensembles. Given an :class:`Analysis`, those settings are the record's and
    the arguments other than ``show_confidential`` must be left as they are. Positions marked
    ``confidential`` are left out of the position matrix and the list of assumptions unless
    ``show_confidential`` (the model's figures use them either way, and the brief says so).
    Raises :class:`ReportError` on a bad choice, and
    :class:`~accord.workbench.UnknownId` on an unknown shock."""
    if isinstance(scenario, Analysis):
        return brief_of(scenario, show_confidential=show_confidential)
    bench = Workbench(scenario, shocks)
    if deadline < 1 or runs < 1:
        raise ReportError("deadline and runs must be at least 1")
    if not models:
        raise ReportError("unknown forecast model(s) (none given)")
    try:
        analysis = bench.analyze(
            models=models, runs=runs, seed=seed, deadline=deadline, pair=pair, start=start
        )
    except UnknownId as exc:
        raise ReportError(str(exc)) from None
    except ValueError as exc:
        if "frontier pair" in str(exc):
            raise ReportError(str(exc)) from None
        raise
    return brief_of(analysis, show_confidential=show_confidential)


def brief_of(analysis: Analysis, *, show_confidential: bool = False) -> Brief:
    """The brief that renders ``analysis`` (no engine runs here)."""
    settings = analysis.settings
    pair = settings.get("pair")
    ctx = Context(
        analysis=analysis,
        scenario=analysis.scenario,
        compiled=analysis.compiled,
        shocks=analysis.shocks,
        pair=(pair[0], pair[1]) if pair else None,
        start=settings.get("start"),
        deadline=int(settings["deadline"]),
        runs=int(settings["runs"]),
        seed=int(settings["seed"]),
        models=tuple(settings["models"]),
        show_confidential=show_confidential,
    )
    shocked = analysis.scenario
    shocks = analysis.shocks
    sections: list[Section] = [
        scenario_parts.parties(ctx),
        scenario_parts.timeline(ctx),
        scenario_parts.positions(ctx),
        drafts.drafts(ctx),
        drafts.versions(ctx),
        space.agreement_space(ctx),
        forecast.forecasts(ctx),
        robust_section.robustness(ctx),
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
            "pair": list(pair) if pair else None,
            "start": ctx.start,
            "deadline": ctx.deadline,
            "runs": ctx.runs,
            "seed": ctx.seed,
            "models": list(ctx.models),
            "show_confidential": show_confidential,
        },
        bottom_line=analysis.bottom_line,
        sections=tuple(sections),
        footer=footer,
    )
