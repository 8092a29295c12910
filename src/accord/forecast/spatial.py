"""One-shot spatial models of an issue's outcome: pure, vectorised functions.

Every function takes arrays whose last axis is the actors, ``(..., A)``: positions on the issue's
scale, saliences and capabilities (any leading axes are batches: runs, issues). A missing value
is NaN: an actor without a position takes no part; an actor with a position but no salience
takes no part in the salience-weighted models (it still counts in the unweighted mean). The
result has the leading shape ``(...)``.

* :func:`compromise`: the capability x salience weighted mean (the "compromise model").
* :func:`weighted_mean`: any weights, e.g. salience only; :func:`mean`: unweighted.
* :func:`median`: the plain median (mean of the two middle positions when they are even).
* :func:`weighted_median`: sort by position, weight by capability x salience, the first
  position where the cumulative weight reaches half (Black's median voter, weighted).
* :func:`nash_reference`: the asymmetric Nash bargaining solution with the reference point as
  the disagreement point, ``argmax_o sum_i c_i log(u_i(o) - u_i(q))`` with
  ``u_i(o) = -s_i |x_i - o|^a`` (a = 1 linear, 2 quadratic loss), over the outcomes every actor
  weakly prefers to ``q``. When actors stand on both sides of ``q`` only ``q`` itself qualifies
  (any move hurts someone), and the forecast is ``q``: the textbook solution, without the
  approximations some studies use.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _weights(positions: FloatArray, *weights: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(positions, dtype=float)
    w = np.ones_like(x)
    for factor in weights:
        w = w * np.broadcast_to(np.asarray(factor, dtype=float), x.shape)
    usable = ~np.isnan(x) & ~np.isnan(w) & (w > 0)
    return np.where(usable, x, 0.0), np.where(usable, w, 0.0)


def weighted_mean(positions: npt.ArrayLike, *weights: npt.ArrayLike) -> FloatArray:
    """``sum_i w_i x_i / sum_i w_i`` with ``w`` the product of ``weights``; NaN where no actor
    has a usable weight."""
    x, w = _weights(np.asarray(positions, dtype=float), *weights)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(total > 0, (w * x).sum(axis=-1) / total, np.nan))


def compromise(
    positions: npt.ArrayLike, salience: npt.ArrayLike, capability: npt.ArrayLike
) -> FloatArray:
    """The compromise model: capability x salience weighted mean."""
    return weighted_mean(positions, salience, capability)


def mean(positions: npt.ArrayLike) -> FloatArray:
    """The unweighted mean of the positions actors hold (NaNs skipped)."""
    x = np.asarray(positions, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.nanmean(np.where(np.isnan(x), np.nan, x), axis=-1))


def median(positions: npt.ArrayLike) -> FloatArray:
    """The plain (unweighted) median of the positions actors hold, NaNs skipped: with an even
    number of actors, the mean of the two middle positions (unlike :func:`weighted_median`,
    which picks the lower one)."""
    x = np.asarray(positions, dtype=float)
    out = np.full(x.shape[:-1], np.nan)
    some = ~np.isnan(x).all(axis=-1)
    if some.any():
        out[some] = np.nanmedian(x[some], axis=-1)
    return out


def weighted_median(positions: npt.ArrayLike, *weights: npt.ArrayLike) -> FloatArray:
    """The first position, in increasing order, where the cumulative normalised weight reaches
    one half (ties in position keep their order)."""
    x, w = _weights(np.asarray(positions, dtype=float), *weights)
    big = np.where(w > 0, x, np.inf)
    order = np.argsort(big, axis=-1, kind="stable")
    xs = np.take_along_axis(big, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    total = ws.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.cumsum(ws, axis=-1) / total
    at = np.argmax(share >= 0.5 - 1e-12, axis=-1)
    picked = np.take_along_axis(xs, at[..., None], axis=-1)[..., 0]
    return np.asarray(np.where(total[..., 0] > 0, picked, np.nan))


def nash_reference(
    positions: npt.ArrayLike,
    salience: npt.ArrayLike,
    capability: npt.ArrayLike,
    reference: npt.ArrayLike,
    *,
    loss: Literal["linear", "quadratic"] = "quadratic",
    iterations: int = 200,
) -> FloatArray:
    """The asymmetric Nash bargaining solution with the reference point as disagreement point
    (see the module docstring). The log Nash product is concave on the feasible interval, so
    the maximiser is found by bisection on its derivative, to float precision."""
    x, w = _weights(np.asarray(positions, dtype=float), salience, capability)
    s = np.where(w > 0, np.broadcast_to(np.asarray(salience, dtype=float), x.shape), 0.0)
    c = np.where(w > 0, np.broadcast_to(np.asarray(capability, dtype=float), x.shape), 0.0)
    q = np.asarray(reference, dtype=float)[..., None]
    a = 2.0 if loss == "quadratic" else 1.0
    active = w > 0
    d = np.abs(x - q)
    # feasible outcomes: |x_i - o| <= |x_i - q| for every active actor
    lo = np.where(active, x - d, -np.inf).max(axis=-1)
    hi = np.where(active, x + d, np.inf).min(axis=-1)
    qq = q[..., 0]
    degenerate = ~(hi - lo > 1e-12) | ~np.any(active & (d > 0), axis=-1)

    def slope(o: FloatArray) -> FloatArray:
        gap = x - o[..., None]
        dist = np.abs(gap)
        gain = s * (d**a - dist**a)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(
                active & (gain > 0), c * a * s * dist ** (a - 1) * np.sign(gap) / gain, 0.0
            )
        return np.asarray(term.sum(axis=-1))

    left = np.where(degenerate, qq, lo)
    right = np.where(degenerate, qq, hi)
    for _ in range(iterations):
        mid = 0.5 * (left + right)
        up = slope(mid) > 0
        left = np.where(up, mid, left)
        right = np.where(up, right, mid)
    out = 0.5 * (left + right)
    missing = np.isnan(qq) | ~np.any(active, axis=-1)
    return np.asarray(np.where(missing, np.nan, np.where(degenerate, qq, out)))
