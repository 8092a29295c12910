"""The judgement numbers of a scenario and their uncertainty, in one place.

A judgement is a salience, a capability, a BATNA or an entry of a values table. Its spread is
its own ``range``/``dist`` where it states one; otherwise the default half-width that the
scenario's ``uncertainty:`` block gives for its provenance (``sourced`` for a number with a
source, ``assumed`` for one with an assumption note or none). A zero width leaves the number
fixed.

:func:`judgements` lists them; :func:`effective` gives the quantity with its spread as a
``range`` (what the ensemble samples); :func:`nothing_uncertain` is the check every command makes
before it prints a share of runs: when it returns a message, the command prints that message
instead of a percentage.

:func:`draw` samples one quantity from its spread and :func:`sample_runs` samples a list of them
for a range of runs, each run from its own stream (``SeedSequence(seed).spawn(runs)[r]``, the
quantities drawn in list order): the one sampler of the project. The forecast ensemble samples its
inputs (saliences, capabilities, ideal positions) with it, and :mod:`accord.analysis.robustness`
samples the same inputs first, in the same order, then the BATNAs and values-table entries, so run
``r`` of both sees the same saliences and capabilities.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from accord.model.records import Quantity, Scenario, Uncertainty

Kind = Literal["salience", "batna", "capability", "value"]

NOTHING_UNCERTAIN = (
    "nothing in this scenario is uncertain (no range, no dist and no uncertainty: block), so"
    " every run is the same: there is no share of runs to report"
)
"""What every command says instead of a percentage when :func:`nothing_uncertain` holds."""

_BOUNDS: dict[str, tuple[float, float]] = {
    "salience": (0.0, 1.0),
    "batna": (0.0, 1.0),
    "value": (0.0, 1.0),
    "capability": (0.0, math.inf),
}


@dataclass(frozen=True)
class Judgement:
    """One judgement number: ``kind``, whose (``party``), on what (``issue``, ``option``), the
    stated quantity and the quantity with its effective spread (``spread``)."""

    kind: Kind
    party: str
    issue: str | None
    option: str | None
    quantity: Quantity
    spread: Quantity

    @property
    def uncertain(self) -> bool:
        """True when the number varies between runs."""
        return self.spread.dist is not None or (
            self.spread.range is not None and self.spread.range[0] < self.spread.range[1]
        )

    @property
    def label(self) -> str:
        """A short name: ``salience RU crimea``, ``batna UA``, ``value RU nato no``."""
        return " ".join(x for x in (self.kind, self.party, self.issue, self.option) if x)


def bounds(kind: str) -> tuple[float, float]:
    """The valid range of a judgement of ``kind`` (``[0, 1]``; capability ``[0, inf)``)."""
    return _BOUNDS[kind]


def provenance(q: Quantity) -> Literal["sourced", "assumption"]:
    """``sourced`` for a number with a source, ``assumption`` otherwise (bare numbers included)."""
    return "sourced" if q.source else "assumption"


def effective(q: Quantity, kind: Kind, uncertainty: Uncertainty | None) -> Quantity:
    """``q`` with its spread: unchanged where it states a range or dist or where no default
    applies; otherwise with ``range`` set from the default width of its provenance (clipped to
    the kind's valid range)."""
    if q.range is not None or q.dist is not None or uncertainty is None:
        return q
    widths = uncertainty.sourced if provenance(q) == "sourced" else uncertainty.assumed
    w = float(getattr(widths, kind))
    if w == 0.0:
        return q
    low, high = _BOUNDS[kind]
    if kind == "capability":
        span = (q.value * (1.0 - w), q.value * (1.0 + w))
    else:
        span = (q.value - w, q.value + w)
    return q.model_copy(update={"range": (max(span[0], low), min(span[1], high))})


def judgements(scenario: Scenario) -> tuple[Judgement, ...]:
    """Every judgement number of ``scenario`` (parties in order, then preferences), each with its
    effective spread."""
    u = scenario.uncertainty
    out: list[Judgement] = []

    def add(kind: Kind, party: str, issue: str | None, option: str | None, q: Quantity) -> None:
        out.append(Judgement(kind, party, issue, option, q, effective(q, kind, u)))

    for party in scenario.parties:
        if party.capability is not None:
            add("capability", party.id, None, None, party.capability)
        if party.batna is not None:
            add("batna", party.id, None, None, party.batna)
    for pid, prefs in scenario.preferences.items():
        for iid, pref in prefs.items():
            add("salience", pid, iid, None, pref.salience)
            for oid, q in (pref.values or {}).items():
                add("value", pid, iid, oid, q)
    return tuple(out)


def uncertain_judgements(scenario: Scenario) -> tuple[Judgement, ...]:
    """The judgements that vary between runs."""
    return tuple(j for j in judgements(scenario) if j.uncertain)


def _ideal_uncertain(scenario: Scenario) -> bool:
    return any(
        isinstance(p.ideal, Quantity) and (p.ideal.range is not None or p.ideal.dist is not None)
        for prefs in scenario.preferences.values()
        for p in prefs.values()
    )


def nothing_uncertain(scenario: Scenario) -> str | None:
    """:data:`NOTHING_UNCERTAIN` when no input of ``scenario`` varies between runs (no
    judgement with a spread and no ideal position with a range or dist); None otherwise."""
    if uncertain_judgements(scenario) or _ideal_uncertain(scenario):
        return None
    return NOTHING_UNCERTAIN


# --- sampling ----------------------------------------------------------------------------------


def draw(rng: np.random.Generator, q: Quantity, low: float, high: float) -> float:
    """One draw of ``q`` from its ``dist`` (or uniformly in its ``range``), clipped to
    ``[low, high]``; ``q`` must state one of the two (see :func:`effective`)."""

    def f(value: float | None) -> float:
        assert value is not None  # the Distribution validator requires each kind's parameters
        return value

    if q.dist is not None:
        d = q.dist
        if d.kind == "uniform":
            value = rng.uniform(f(d.low), f(d.high))
        elif d.kind == "normal":
            value = rng.normal(f(d.mean), f(d.sd))
        elif d.kind == "triangular":
            value = rng.triangular(f(d.low), f(d.mode), f(d.high))
        else:
            value = rng.beta(f(d.a), f(d.b))
    else:
        assert q.range is not None
        value = rng.uniform(*q.range)
    return float(min(max(value, low), high))


def sample_runs(
    items: Sequence[tuple[Quantity, float, float]], seed: int, start: int, stop: int, runs: int
) -> npt.NDArray[np.float64]:
    """Runs ``start..stop-1`` of ``runs``: shape ``(stop - start, len(items))``, column ``k`` the
    draws of ``items[k] = (quantity, low, high)``. Run ``r`` draws every item in order from
    ``SeedSequence(seed).spawn(runs)[r]``, so a run's numbers depend only on the seed and its
    index, and a list that extends another draws the same numbers for the shared items."""
    out = np.empty((stop - start, len(items)))
    if not items:
        return out
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(runs)[start:stop]):
        rng = np.random.default_rng(child)
        for k, (q, low, high) in enumerate(items):
            out[r, k] = draw(rng, q, low, high)
    return out
