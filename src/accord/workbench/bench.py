"""The :class:`Workbench`: one scenario, compiled once per combination of shocks, every analysis
as a method, and :meth:`Workbench.analyze` for the whole analysis record."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from accord.analysis import DraftDiff, DraftEvaluation, diff, evaluate_all
from accord.analysis import evaluate as evaluate_draft
from accord.analysis.bargaining import SOLUTIONS, BargainingSolution
from accord.analysis.bargaining import solve as solve_bargaining
from accord.analysis.conflict import (
    Bridge,
    ExampleRule,
    Relaxations,
    Zopa,
    minimal_relaxations,
)
from accord.analysis.conflict import bridge as bridge_draft
from accord.analysis.conflict import zopa as zone_of_agreement
from accord.analysis.dependence import ZoneDependence, zone_dependence
from accord.analysis.robustness import DEFAULT_MODEL, Robustness
from accord.analysis.robustness import robustness as robust_conclusions
from accord.analysis.space import Frontier, SpaceTooLarge, pareto_frontier
from accord.compile import Compiled, apply_shocks, compile_scenario
from accord.forecast.ensemble import Ensemble, run_ensemble
from accord.forecast.registry import names as forecast_models
from accord.model.errors import UnknownId
from accord.model.records import Role, Scenario
from accord.model.timing import as_of as scenario_as_of
from accord.simulate.protocols import Outcome
from accord.simulate.single_text import Policy, Replay, replay
from accord.workbench.record import Analysis

DEFAULT_MODELS = ("compromise", "weighted_median", "nash", "eum")
"""The forecast models of the analysis record; the first one's distributions lead."""

Progress = Callable[[str], None]


def _resolve(scenario: Scenario | str | Path) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    from accord.scenarios import resolve

    return resolve(str(scenario))


def version_pairs(scenario: Scenario) -> list[tuple[str, str, bool]]:
    """The comparisons of the text's versions, as ``(earlier, later, linked)``: each draft after
    the draft it is ``based_on`` (linked: its points revise the earlier text's); each other draft
    without a ``based_on``, after the first such draft in the file (not linked: compared issue by
    issue)."""
    pairs = [(d.based_on, d.id, True) for d in scenario.drafts if d.based_on]
    roots = [d.id for d in scenario.drafts if not d.based_on]
    pairs += [(roots[0], other, False) for other in roots[1:]]
    return pairs


def leading_draft(scenario: Scenario) -> str | None:
    """The draft the bottom line leads with: the latest by date (undated drafts count as older
    than dated ones); among equals, the last in the file. None without drafts."""
    if not scenario.drafts:
        return None
    ranked = sorted(
        enumerate(scenario.drafts),
        key=lambda nd: (
            nd[1].date is not None,
            nd[1].date.isoformat() if nd[1].date else "",
            nd[0],
        ),
    )
    return ranked[-1][1].id


def principal_pair(scenario: Scenario, compiled: Compiled) -> tuple[str, str] | None:
    """The two parties whose frontier is drawn: the first two compiled parties (those that state
    preferences) with the role ``party``, in the scenario's order; failing that, the first two
    compiled parties; None with fewer than two."""
    principals = [
        p.id for p in scenario.parties if Role.PARTY in p.roles and p.id in compiled.party_ids
    ]
    chosen = principals if len(principals) >= 2 else list(compiled.party_ids)
    return (chosen[0], chosen[1]) if len(chosen) >= 2 else None


class Workbench:
    """One scenario with the shocks ``shocks`` applied, ready for every analysis.

    ``scenario`` is a :class:`~accord.model.records.Scenario`, an embedded id or a path to a
    YAML/JSON file. The compiled form is made once per combination of shocks (the what-if runs
    add one declared shock at a time) and kept; every id given to a method is checked against
    the scenario once, and an unknown one raises :class:`UnknownId`. With ``as_of`` (a date)
    every analysis sees the negotiation as it stood that day (:func:`accord.model.as_of`)."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        shocks: Sequence[str] = (),
        as_of: dt.date | None = None,
    ) -> None:
        base = _resolve(scenario)
        if as_of is not None:
            base = scenario_as_of(base, as_of)
        self.as_of = base.as_of
        self.source = base
        self.shocks = tuple(shocks)
        self._shock_ids = tuple(sh.id for sh in base.shocks)
        for sh in self.shocks:
            self._check("shock", sh, self._shock_ids)
        self.scenario = apply_shocks(base, self.shocks)
        self._compiled: dict[tuple[str, ...], Compiled] = {}

    # --- the compiled forms --------------------------------------------------------------------

    @property
    def compiled(self) -> Compiled:
        """The compiled form under the workbench's shocks."""
        return self.compiled_with(())

    def compiled_with(self, extra: Sequence[str]) -> Compiled:
        """The compiled form under the workbench's shocks plus ``extra`` (made once, then kept)."""
        for sh in extra:
            self._check("shock", sh, self._shock_ids)
        key = (*self.shocks, *(sh for sh in extra if sh not in self.shocks))
        if key not in self._compiled:
            self._compiled[key] = compile_scenario(self.source, shocks=key)
        return self._compiled[key]

    # --- checks --------------------------------------------------------------------------------

    @staticmethod
    def _check(kind: str, value: str, valid: Sequence[str]) -> str:
        if value not in valid:
            raise UnknownId(kind, value, valid)
        return value

    def draft_id(self, draft: str) -> str:
        """``draft`` if the scenario has it; :class:`UnknownId` otherwise."""
        return self._check("draft", draft, list(self.compiled.drafts))

    def party_ids(self, parties: Sequence[str] | None) -> list[str] | None:
        """``parties`` checked against the parties that state preferences (None: all)."""
        if parties is None:
            return None
        valid = self.compiled.party_ids
        for p in parties:
            self._check("party", p, valid)
        if not parties:
            raise UnknownId("party", "", valid)
        return list(parties)

    # --- analyses ------------------------------------------------------------------------------

    def evaluate(self, draft: str) -> DraftEvaluation:
        """One draft scored for every party (utility, gain, red lines, ratification)."""
        return evaluate_draft(self.compiled, self.draft_id(draft))

    def evaluate_all(self, extra_shocks: Sequence[str] = ()) -> tuple[DraftEvaluation, ...]:
        """Every draft scored for every party (under ``extra_shocks`` on top, if any)."""
        return evaluate_all(self.compiled_with(extra_shocks))

    def diff(self, a: str, b: str) -> DraftDiff:
        """What changed from draft ``a`` to draft ``b``: points, issues, utilities."""
        return diff(self.compiled, self.draft_id(a), self.draft_id(b))

    def frontier(
        self,
        parties: Sequence[str] | None = None,
        *,
        acceptable_only: bool = False,
        cap: int | None = None,
    ) -> Frontier:
        """The exact Pareto frontier over ``parties`` (default: every party)."""
        return pareto_frontier(
            self.compiled, self.party_ids(parties), acceptable_only=acceptable_only, cap=cap
        )

    def bargain(
        self, solution: str = "nash", parties: Sequence[str] | None = None
    ) -> BargainingSolution:
        """A bargaining solution by name (nash, ks, egalitarian, utilitarian), exact."""
        self._check("solution", solution, SOLUTIONS)
        return solve_bargaining(self.compiled, solution, self.party_ids(parties))

    def zopa(
        self,
        parties: Sequence[str] | None = None,
        extra_shocks: Sequence[str] = (),
        *,
        example: ExampleRule = "feasible",
        time_limit: float | None = None,
    ) -> Zopa:
        """Whether any package is acceptable to every party, with an example: the one the
        feasibility check found, or (``example="maximin"``) the one best for the worst-off;
        ``example_rule`` on the result says which."""
        return zone_of_agreement(
            self.compiled_with(extra_shocks),
            self.party_ids(parties),
            example=example,
            time_limit=time_limit,
        )

    def relax(
        self,
        max_size: int = 3,
        parties: Sequence[str] | None = None,
        *,
        example: ExampleRule = "feasible",
    ) -> Relaxations:
        """The minimal sets of red lines or BATNAs whose relaxation opens the zone."""
        return minimal_relaxations(
            self.compiled, self.party_ids(parties), max_size=max_size, example=example
        )

    def bridge(self, draft: str, parties: Sequence[str] | None = None) -> Bridge:
        """The acceptable package closest to ``draft`` (fewest issues changed)."""
        return bridge_draft(self.compiled, self.draft_id(draft), self.party_ids(parties))

    def zone_dependence(self, parties: Sequence[str] | None = None) -> ZoneDependence:
        """Which red lines and BATNAs the zone of agreement depends on (deterministic): each
        BATNA's margin before the zone changes, the red lines whose removal opens a closed
        zone, the options an open zone needs (a red line on one closes it)."""
        return zone_dependence(self.compiled, self.party_ids(parties))

    def robustness(
        self,
        *,
        runs: int = 1000,
        seed: int = 0,
        model: str = DEFAULT_MODEL,
        bridges: Sequence[Bridge] | None = None,
        dependence: ZoneDependence | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Robustness:
        """The share of ``runs`` samples of the judgement numbers in which each headline
        conclusion holds (each draft acceptable to each party and to all, the zone open, each
        bridge, each forecast option under ``model``), with its pivotal inputs. ``bridges`` and
        ``dependence`` are computed here unless given (the analysis record passes its own)."""
        self._check("forecast model", model, forecast_models("scenario"))
        if bridges is None:
            bridges = [self.bridge(d) for d in self.compiled.drafts]
        if dependence is None:
            dependence = self.zone_dependence()
        return robust_conclusions(
            self.scenario,
            self.compiled,
            runs=runs,
            seed=seed,
            model=model,
            bridges=bridges,
            dependence=dependence,
            progress=progress,
        )

    def forecast(
        self,
        models: Sequence[str] = DEFAULT_MODELS,
        *,
        runs: int = 200,
        seed: int = 0,
        extra_shocks: Sequence[str] = (),
        chunk: int = 250,
        backend: Literal["local", "dask"] = "local",
        scheduler: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Ensemble:
        """Outcome distributions per issue under each model, over ``runs`` samples of the
        scenario's uncertain inputs (with ``extra_shocks`` on top of the workbench's)."""
        for m in models:
            self._check("forecast model", m, forecast_models("scenario"))
        for sh in extra_shocks:
            self._check("shock", sh, self._shock_ids)
        shocks = (*self.shocks, *(sh for sh in extra_shocks if sh not in self.shocks))
        # Issues on which no party states a position give empty slices; the models return NaN
        # there and the summary drops them, so numpy's warnings about it carry nothing.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return run_ensemble(
                self.source,
                models=models,
                runs=runs,
                seed=seed,
                shocks=shocks,
                chunk=chunk,
                backend=backend,
                scheduler=scheduler,
                progress=progress,
            )

    def replay(
        self,
        start: str | None = None,
        *,
        deadline: int = 30,
        policy: Policy = "maximin",
        seed: int = 0,
        parties: Sequence[str] | None = None,
    ) -> Replay:
        """A mediator's single negotiating text from ``start`` (default: the first draft; the
        status quo where there is none), revised round by round, each version diffed."""
        first = (
            self.draft_id(start) if start is not None else next(iter(self.compiled.drafts), None)
        )
        return replay(
            self.compiled,
            start=first,
            deadline=deadline,
            policy=policy,
            seed=seed,
            parties=self.party_ids(parties),
        )

    def simulate(
        self,
        strategies: Sequence[str] = (),
        *,
        deadline: int = 100,
        seed: int = 0,
        parties: Sequence[str] | None = None,
    ) -> Outcome:
        """Alternating offers among ``parties`` with strategy specs (``SPEC`` or
        ``PARTY=SPEC``); returns the protocol's outcome record."""
        from accord.simulate.protocols import alternating_offers
        from accord.simulate.specs import assign_strategies

        chosen = self.party_ids(parties) or list(self.compiled.party_ids)
        made = assign_strategies(list(strategies), chosen)
        return alternating_offers(
            self.compiled, made, deadline=deadline, seed=seed, parties=chosen
        ).run()

    # --- the whole analysis --------------------------------------------------------------------

    def analyze(
        self,
        *,
        models: Sequence[str] = DEFAULT_MODELS,
        runs: int = 200,
        seed: int = 0,
        deadline: int = 30,
        max_relax: int = 3,
        pair: Sequence[str] | None = None,
        start: str | None = None,
        progress: Progress | None = None,
        robustness_runs: int | None = None,
    ) -> Analysis:
        """Every analysis once, in one frozen :class:`~accord.workbench.record.Analysis`.
        ``robustness_runs`` (default: ``runs``; 0 for none) samples for the robust
        conclusions."""
        from accord.workbench.build import build_analysis

        return build_analysis(
            self,
            models=tuple(models),
            runs=runs,
            seed=seed,
            deadline=deadline,
            max_relax=max_relax,
            pair=pair,
            start=start,
            progress=progress,
            robustness_runs=runs if robustness_runs is None else robustness_runs,
        )


__all__ = [
    "DEFAULT_MODELS",
    "Analysis",
    "SpaceTooLarge",
    "UnknownId",
    "Workbench",
    "leading_draft",
    "principal_pair",
    "version_pairs",
]
