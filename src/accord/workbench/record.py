"""The analysis record: every result of one scenario's analysis, computed once, frozen, and
rendered by the terminal, the brief and the service alike (none of them calls an engine)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from accord.analysis import DraftDiff, DraftEvaluation
from accord.analysis.bargaining import BargainingSolution
from accord.analysis.conflict import Bridge, Relaxations, Zopa
from accord.analysis.dependence import ZoneDependence
from accord.analysis.robustness import Robustness
from accord.analysis.space import Frontier
from accord.compile import Compiled
from accord.forecast.ensemble import Ensemble
from accord.model.records import Scenario
from accord.simulate.single_text import Replay


@dataclass(frozen=True)
class VersionDiff:
    """One comparison of two versions of the text; ``linked`` when the later one's points
    revise the earlier one's (otherwise they are compared issue by issue)."""

    diff: DraftDiff
    linked: bool


@dataclass(frozen=True)
class Forecasts:
    """The forecast ensemble under one set of shocks: ``label`` is "as given" or ``+SHOCK``."""

    label: str
    shocks: tuple[str, ...]
    ensemble: Ensemble

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the label, the shocks, the runs and each issue's forecast per model."""
        return {
            "label": self.label,
            "shocks": list(self.shocks),
            "runs": self.ensemble.runs,
            "seed": self.ensemble.seed,
            "forecasts": [asdict(f) for f in self.ensemble.forecasts],
            "no_forecast": [asdict(m) for m in self.ensemble.missing],
        }


@dataclass(frozen=True)
class WhatIf:
    """The drafts and the zone of agreement under one declared shock (on top of the record's)."""

    shock: str
    evaluations: tuple[DraftEvaluation, ...]
    zopa: Zopa
    compiled: Compiled = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, keyed as ``analyze --json`` prints it under ``what_if``."""
        return {
            "shock": self.shock,
            "evaluations": [e.to_dict() for e in self.evaluations],
            "zopa": self.zopa.to_dict(self.compiled),
        }


@dataclass(frozen=True)
class FrontierView:
    """The principal pair's frontier (all packages, and those both could accept), or why there
    is none (``note``)."""

    pair: tuple[str, str] | None
    frontier: Frontier | None
    acceptable: Frontier | None
    note: str | None = None


@dataclass(frozen=True)
class Analysis:
    """One scenario's whole analysis under ``shocks``: the drafts, their versions, the agreement
    space, the forecasts (as given and under each declared shock), the drafts and the zone under
    each declared shock (``what_if``), a single-text replay, and the bottom line that opens
    every rendering. ``scenario`` is the scenario with ``shocks`` applied; ``compiled`` its
    compiled form (renderers use it for names and labels only)."""

    scenario: Scenario = field(repr=False, compare=False)
    compiled: Compiled = field(repr=False, compare=False)
    shocks: tuple[str, ...]
    settings: dict[str, Any]
    evaluations: tuple[DraftEvaluation, ...]
    versions: tuple[VersionDiff, ...]
    zopa: Zopa
    relaxations: Relaxations
    solutions: tuple[BargainingSolution, ...]
    bridges: tuple[Bridge, ...]
    frontier: FrontierView
    forecasts: tuple[Forecasts, ...]
    what_if: tuple[WhatIf, ...]
    replay: Replay | None
    leading: str | None
    bottom_line: tuple[str, ...]
    zone_dependence: ZoneDependence | None = None  # which red lines and BATNAs the zone needs
    robustness: Robustness | None = None  # shares of runs per conclusion (None: not sampled)

    @property
    def diffs(self) -> tuple[DraftDiff, ...]:
        """The version comparisons' diffs, in order."""
        return tuple(v.diff for v in self.versions)

    def evaluation(self, draft: str) -> DraftEvaluation:
        """The evaluation of ``draft`` (KeyError naming the valid ones if there is none)."""
        for e in self.evaluations:
            if e.draft == draft:
                return e
        raise KeyError(f"no draft {draft!r} (expected one of: {self._drafts()})")

    def _drafts(self) -> str:
        return ", ".join(e.draft for e in self.evaluations) or "none"

    def bridge(self, draft: str) -> Bridge:
        """The bridge from ``draft``."""
        for b in self.bridges:
            if b.draft == draft:
                return b
        raise KeyError(f"no draft {draft!r} (expected one of: {self._drafts()})")

    def to_dict(self) -> dict[str, Any]:
        """The record as plain data (``accord analyze --json``)."""
        c = self.compiled
        view = self.frontier
        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "as_of": self.scenario.as_of.isoformat(),
            "shocks": list(self.shocks),
            "settings": dict(self.settings),
            "bottom_line": list(self.bottom_line),
            "leading_draft": self.leading,
            "evaluations": [e.to_dict() for e in self.evaluations],
            "diffs": [dict(v.diff.to_dict(), linked=v.linked) for v in self.versions],
            "agreement_space": {
                "zopa": self.zopa.to_dict(c),
                "relaxations": self.relaxations.to_dict(c),
                "solutions": [r.to_dict(c) for r in self.solutions],
                "bridges": [b.to_dict(c) for b in self.bridges],
                "frontier": {
                    "pair": list(view.pair) if view.pair else None,
                    "note": view.note,
                    "all": None if view.frontier is None else _frontier_summary(view.frontier),
                    "acceptable": (
                        None if view.acceptable is None else _frontier_summary(view.acceptable)
                    ),
                },
            },
            "forecasts": {f.label: f.to_dict()["forecasts"] for f in self.forecasts},
            "what_if": [w.to_dict() for w in self.what_if],
            "simulation": None if self.replay is None else self.replay.to_dict(),
            **_robust_dict(self),
        }


def _robust_dict(a: Analysis) -> dict[str, Any]:
    """The record's robustness keys: ``zone_dependence`` and ``robustness`` (None where not
    computed)."""
    return {
        "zone_dependence": None if a.zone_dependence is None else a.zone_dependence.to_dict(),
        "robustness": None if a.robustness is None else a.robustness.to_dict(),
    }


def _frontier_summary(front: Frontier) -> dict[str, Any]:
    return {
        "parties": list(front.parties),
        "count": front.count,
        "size": front.size,
        "space_size": front.space_size,
        "truncated": front.truncated,
        "points": [[round(float(x), 6) for x in row] for row in front.points],
    }
