"""Paired, proposal-clustered bootstrap of the difference in mean absolute error of two models.

Issues of one proposal share actors, a procedure and a negotiation, so their errors are not
independent: resampling issues one by one would make intervals too narrow. The bootstrap here
resamples *proposals* with replacement (all issues of a drawn proposal come along) and recomputes,
on the same resampled issues for both models (paired), ``mean(|e_model|) - mean(|e_baseline|)``.
The interval is the percentile interval of the resampled differences. Randomness is explicit: the
resamples are drawn from ``numpy.random.default_rng(seed)``; same seed, same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

RESAMPLES = 2000
LEVEL = 0.95


@dataclass(frozen=True)
class Difference:
    """``model``'s MAE minus ``baseline``'s on the ``n`` issues (of ``proposals`` proposals)
    both forecast, with the ``level`` bootstrap interval ``[low, high]`` from ``resamples``
    proposal resamples drawn with ``seed``. Negative: ``model`` errs less."""

    model: str
    baseline: str
    n: int
    proposals: int
    difference: float
    low: float
    high: float
    level: float
    resamples: int
    seed: int

    @property
    def includes_zero(self) -> bool:
        """Whether the interval includes 0 (the data cannot tell the two models apart)."""
        return bool(self.low <= 0.0 <= self.high) or np.isnan(self.difference)


def clustered_difference(
    errors: npt.ArrayLike,
    baseline_errors: npt.ArrayLike,
    groups: Sequence[str],
    *,
    model: str = "model",
    baseline: str = "baseline",
    resamples: int = RESAMPLES,
    seed: int = 0,
    level: float = LEVEL,
) -> Difference:
    """The paired, proposal-clustered bootstrap of ``mean(|errors|) - mean(|baseline_errors|)``
    over the issues where both are known (see the module docstring)."""
    a = np.abs(np.asarray(errors, dtype=float))
    b = np.abs(np.asarray(baseline_errors, dtype=float))
    labels = np.asarray(groups)
    ok = ~np.isnan(a) & ~np.isnan(b)
    d = (a - b)[ok]
    names, cluster = np.unique(labels[ok], return_inverse=True)
    p = names.size
    if p == 0:
        nan = float("nan")
        return Difference(model, baseline, 0, 0, nan, nan, nan, level, resamples, seed)
    sums = np.bincount(cluster, weights=d, minlength=p)
    counts = np.bincount(cluster, minlength=p).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, p, size=(resamples, p))
    stats = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = (1.0 - level) / 2
    low, high = np.quantile(stats, [tail, 1.0 - tail])
    return Difference(
        model,
        baseline,
        int(d.size),
        int(p),
        float(d.mean()),
        float(low),
        float(high),
        level,
        resamples,
        seed,
    )
