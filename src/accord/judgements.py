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

:func:`sample_runs` samples a list of quantities for a range of runs, each quantity from its own
stream (``SeedSequence(seed, spawn_key=(k,))``) by inverse transform, vectorised over runs, and
:func:`draw` is its one-number-at-a-time reference: the one sampler of the project. The forecast
ensemble samples its inputs (saliences, capabilities, ideal positions) with it, and
:mod:`accord.analysis.robustness` samples the same inputs first, in the same order, then the
BATNAs and values-table entries, so run ``r`` of both sees the same saliences and capabilities.
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


def _param(value: float | None) -> float:
    assert value is not None  # the Distribution validator requires each kind's parameters
    return value


def draw(u: float, q: Quantity, low: float, high: float) -> float:
    """The draw of ``q`` at uniform number ``u`` in [0, 1): the inverse of its ``dist``'s
    cumulative distribution (or of the uniform on its ``range``) at ``u``, clipped to
    ``[low, high]``; ``q`` must state one of the two (see :func:`effective`). The obvious,
    one-number-at-a-time reference of :func:`sample_runs`."""
    from scipy import stats

    if q.dist is not None:
        d = q.dist
        if d.kind == "uniform":
            value = _param(d.low) + (_param(d.high) - _param(d.low)) * u
        elif d.kind == "normal":
            value = float(stats.norm.ppf(u, _param(d.mean), _param(d.sd)))
        elif d.kind == "triangular":
            lo, hi = _param(d.low), _param(d.high)
            if hi == lo:
                value = lo
            else:
                c = (_param(d.mode) - lo) / (hi - lo)
                value = float(stats.triang.ppf(u, c, lo, hi - lo))
        else:
            value = float(stats.beta.ppf(u, _param(d.a), _param(d.b)))
    else:
        assert q.range is not None
        lo, hi = q.range
        value = lo + (hi - lo) * u
    return float(min(max(value, low), high))


def uniforms(seed: int, count: int, start: int, stop: int) -> npt.NDArray[np.float64]:
    """Uniform numbers in [0, 1) of shape ``(stop - start, count)``: column ``k`` is numbers
    ``start..stop-1`` of quantity ``k``'s own stream (PCG64 seeded by
    ``SeedSequence(seed, spawn_key=(k,))``). Each number takes one step of its stream, so the
    stream jumps straight to ``start`` (``advance``) and any split of the runs into chunks draws
    the same numbers."""
    out = np.empty((stop - start, count))
    for k in range(count):
        bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(k,)))
        bits.advance(start)
        out[:, k] = np.random.Generator(bits).random(stop - start)
    return out


def sample_runs(
    items: Sequence[tuple[Quantity, float, float]], seed: int, start: int, stop: int, runs: int
) -> npt.NDArray[np.float64]:
    """Runs ``start..stop-1`` of ``runs``: shape ``(stop - start, len(items))``, column ``k`` the
    draws of ``items[k] = (quantity, low, high)`` by inverse transform of :func:`uniforms`
    (vectorised over runs; :func:`draw` is the one-at-a-time reference). A run's numbers depend
    only on the seed and its index (never on ``runs`` or the chunking), and a list that extends
    another draws the same numbers for the shared items."""
    from scipy import special

    if not 0 <= start <= stop <= runs:
        raise ValueError(f"runs {start}..{stop} are not within 0..{runs}")
    u = uniforms(seed, len(items), start, stop)
    out = np.empty_like(u)
    for k, (q, low, high) in enumerate(items):
        col = u[:, k]
        d = q.dist
        if d is None:
            assert q.range is not None
            lo, hi = q.range
            value = lo + (hi - lo) * col
        elif d.kind == "uniform":
            value = _param(d.low) + (_param(d.high) - _param(d.low)) * col
        elif d.kind == "normal":
            value = _param(d.mean) + _param(d.sd) * special.ndtri(col)
        elif d.kind == "triangular":
            lo, mode, hi = _param(d.low), _param(d.mode), _param(d.high)
            if hi == lo:
                value = np.full_like(col, lo)
            else:
                c = (mode - lo) / (hi - lo)
                left = lo + np.sqrt(col * (hi - lo) * (mode - lo))
                right = hi - np.sqrt((1 - col) * (hi - lo) * (hi - mode))
                value = np.where(col < c, left, right)
        else:
            value = special.betaincinv(_param(d.a), _param(d.b), col)
        out[:, k] = np.clip(value, low, high)
    return out
