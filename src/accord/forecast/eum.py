"""Bueno de Mesquita's expected-utility model (EUM), as reconstructed by Scholz, Calbert & Smith.

Scholz, Calbert & Smith (2011), "Unravelling Bueno De Mesquita's group decision model", Journal
of Theoretical Politics 23(4). One issue is a line segment; actor ``i`` holds position ``x_i``,
capability ``c_i`` and salience ``s_i``; ``w_i = c_i s_i``; ``Δ = high − low`` is the issue's
scale width (by default the range of the initial positions, as in the Scholz code). Each round:

1. Risk. With every exponent set to 1, actor ``i``'s danger is ``D_i = Σ_{j≠i} E^i(U_ji)`` (what
   the others expect from challenging ``i``). ``R_i = (2 D_i − max D − min D) / (max D − min D)``
   and ``r_i = (1 − k R_i) / (1 + k R_i)`` with ``k = (ρ − 1)/(ρ + 1)``; the published ``ρ = 2``
   gives ``k = 1/3`` and ``r ∈ [1/2, 2]``. (If every danger is equal, ``R = 0``.)
2. Expected utilities, from the perceiver ``h``'s view with ``h``'s exponent ``r_h`` and
   ``δ = |x_i − x_j| / Δ``::

       U_s = 2 − 4 (½ − ½ δ)^r_h     U_f = 2 − 4 (½ + ½ δ)^r_h     U_sq = 2 − 4 (½)^r_h
       U_b = 2 − 4 (½ − ¼ (|x_i − μ| + |x_i − x_j|)/Δ)^r_h     U_w: the same with +
       E^h(U_ij) = s_j [P_ij U_s + (1 − P_ij) U_f] + (1 − s_j) U_s − Q U_sq
                   − (1 − Q) [T U_b + (1 − T) U_w]

   where ``s_j`` is the *challenged* actor's salience and ``μ`` the current median.
3. Offers. Receiver ``i`` looks at every ``j`` with ``x_j ≠ x_i``, with ``a = E^i(U_ij)`` and
   ``b = E^i(U_ji)``: confrontation that ``i`` loses if ``b > a > 0`` (``i`` moves to ``x_j``);
   compromise if ``b > 0 > a`` and ``b > |a|`` (``i`` moves to ``x_i + (x_j − x_i)|a/b|``);
   capitulation if ``b > 0 > a`` and ``b < |a|`` (``i`` moves to ``x_j``). Confrontations come
   first (the smallest move), then compromises, then capitulations (the smallest move); ties go to
   the lowest actor index. Everyone moves at once.
4. Forecasts: the ``w``-weighted mean ``Σ w x / Σ w`` and the median, the position ``p`` among the
   actors' positions that wins the intensity vote ``Σ_k w_k (|x_k − m| − |x_k − p|)``, i.e. the
   ``w``-weighted median; the Scholz code scans the positions once, and so do we, in ascending
   order (ties go to the lower position). ``EUMResult.forecast`` is the final mean, the series
   Scholz et al. report.

Where the variants differ
-------------------------
``variant="scholz_code"`` reproduces the Python code that reproduces Scholz et al.'s published
trajectories (jmckib's, and dmasad's Python 3 fork): the 10-round EU example log matches to
1e-9. ``variant="paper"`` follows the formulas as printed. They differ in exactly five places:

* Win probability. ``scholz_code``: ``P_ab = Σ_k max(0, v_k(a, b)) / Σ_k Σ_{a'} Σ_{b'}
  |v_k(a', b')|`` with ``v_k(a, b) = w_k [(|x_k − x_b|/Δ)^r_k − (|x_k − x_a|/Δ)^r_k]`` (each
  voter's own exponent; the denominator sums over all ordered pairs of actors, so ``P`` is tiny).
  ``paper``: ``P_ab = Σ_{k: v_k>0} v_k / Σ_k |v_k|`` over the pair ``(a, b)`` only, with linear
  distances (no exponent), so ``P_ab + P_ba = 1`` (½ each when no voter cares).
* Capitulation. The paper's condition is ``b > 0 > a`` and ``b < |a|``. Both Python copies
  write ``eu_ji < abs(eu_ji)``, i.e. ``b < |b|``, which is never true once ``b > 0``: they never
  capitulate. ``scholz_code`` keeps that (capitulation never fires, as in the published runs);
  ``paper`` uses the printed condition.
* Choice among compromises. ``scholz_code`` takes the compromise minimising
  ``(|a| x_i + |b| x_j) / (|a| + |b|)`` (a special case in Scholz's code, behind Belgium's
  round-4 jump to the Netherlands' side); ``paper`` takes the one that moves ``i`` least, as the
  paper and BDM state for every offer.
* The ``(1 − Q)`` status-quo term. ``scholz_code`` subtracts ``Q U_sq`` only (its code has no
  ``T``, ``U_b`` or ``U_w``); ``paper`` includes ``(1 − Q)[T U_b + (1 − T) U_w]``. With the
  published ``Q = T = 1`` the term vanishes and the two agree here.
* (None other: both use the perceiver's exponent for every utility, the danger comparison across
  actors for ``R``, and the challenged actor's salience in ``E^j(U_ji)``. The printed
  ``E^j(U_ji)`` has ``s_j``, a typo Masad flags; with the challenger's salience the model no
  longer reproduces any published number, so both variants use ``s_i``.)

Invariances: everything depends on position differences and ``Δ``, so shifting every position
and the scale by ``d`` shifts every trajectory, the mean and the median by ``d`` (up to float
rounding), and relabelling the actors relabels the result, except that exactly tied offers (two
confrontations from equally distant positions on both sides) go to the lower actor index.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EUMResult",
    "OfferKind",
    "Offers",
    "Round",
    "Variant",
    "challenge_utilities",
    "iterate",
    "risk_exponents",
    "run",
    "weighted_mean",
    "weighted_median",
    "win_probabilities",
]

Variant = Literal["scholz_code", "paper"]
Float = NDArray[np.float64]
_CHUNK_ELEMENTS = 1 << 18
"""Rows are processed in chunks of about this many pairwise elements, to stay in cache."""


class OfferKind(IntEnum):
    """The kind of offer an actor accepts in a round."""

    NONE = 0
    CONFRONTATION = 1
    COMPROMISE = 2
    CAPITULATION = 3


@dataclass(frozen=True)
class Offers:
    """The offer each actor accepted in a round, shape ``(..., A)`` (receiver last).

    ``kind`` holds `OfferKind` codes; ``proposer`` the index of the actor who made the offer
    (−1 for none); ``position`` the receiver's new position; ``eu_own`` = ``E^i(U_ij)`` and
    ``eu_other`` = ``E^i(U_ji)`` of receiver ``i`` and proposer ``j`` (NaN for none)."""

    kind: NDArray[np.int8]
    proposer: NDArray[np.intp]
    position: Float
    eu_own: Float
    eu_other: Float


@dataclass(frozen=True)
class Round:
    """One round: the risk exponents used, the accepted offers, and the state after it.

    ``eu_challenge[..., i, j]`` = ``E^i(U_ij)`` and ``eu_challenged[..., i, j]`` = ``E^i(U_ji)``
    (the quadrant-chart coordinates) are kept only with ``keep_pairs=True``."""

    index: int
    risk: Float
    offers: Offers
    positions: Float
    mean: Float
    median: Float
    eu_challenge: Float | None = None
    eu_challenged: Float | None = None


@dataclass(frozen=True)
class EUMResult:
    """A whole run: the start and one `Round` per round."""

    variant: Variant
    initial_positions: Float
    initial_mean: Float
    initial_median: Float
    rounds: tuple[Round, ...]

    @property
    def final_positions(self) -> Float:
        """The positions after the last round (the initial ones without rounds)."""
        return self.rounds[-1].positions if self.rounds else self.initial_positions

    @property
    def means(self) -> Float:
        """Weighted mean per round, the start first: shape ``(rounds + 1, ...)``."""
        return np.stack([self.initial_mean, *(r.mean for r in self.rounds)])

    @property
    def medians(self) -> Float:
        """Median per round, the start first: shape ``(rounds + 1, ...)``."""
        return np.stack([self.initial_median, *(r.median for r in self.rounds)])

    @property
    def forecast(self) -> Float:
        """The model's forecast: the final capability x salience weighted mean."""
        out: Float = self.means[-1]
        return out


def weighted_mean(positions: ArrayLike, weights: ArrayLike) -> Float:
    """``Σ w x / Σ w`` over the last axis."""
    x = np.asarray(positions, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    out: Float = (w * x).sum(-1) / w.sum(-1)
    return out


def weighted_median(positions: ArrayLike, weights: ArrayLike) -> Float:
    """The actors' position that wins the pairwise intensity vote, scanning ascending.

    Starting at the lowest position, move to the next higher distinct position while
    ``Σ_k w_k (|x_k − current| − |x_k − next|) > 0``; this is the ``w``-weighted median."""
    x = np.asarray(positions, dtype=np.float64)
    x, w = np.broadcast_arrays(x, np.asarray(weights, dtype=np.float64))
    xs = np.sort(x, axis=-1)
    dist = np.abs(x[..., :, None] - xs[..., None, :])  # (..., voter, sorted candidate)
    gain = (w[..., :, None] * (dist[..., :-1] - dist[..., 1:])).sum(-2)
    stop = (xs[..., 1:] > xs[..., :-1]) & ~(gain > 0)
    stop = np.concatenate([stop, np.ones((*stop.shape[:-1], 1), dtype=bool)], axis=-1)
    out: Float = np.take_along_axis(xs, np.argmax(stop, axis=-1)[..., None], axis=-1)[..., 0]
    return out


def _count_below(sorted_values: Float, thresholds: Float) -> NDArray[np.intp]:
    """Per row, how many of ``sorted_values`` (B, K) are < each threshold (B, M): a vectorised
    binary search."""
    rows, k = sorted_values.shape
    count = np.zeros(thresholds.shape, dtype=np.intp)
    step = 1 << (k.bit_length() - 1)
    base = (np.arange(rows) * k)[:, None]
    flat = sorted_values.ravel()
    while step:
        cand = count + step
        probe = flat[base + np.minimum(cand, k) - 1]
        count = np.where((cand <= k) & (probe < thresholds), cand, count)
        step >>= 1
    return count


def _support(x: Float, w: Float, delta: Float, r: Float | None) -> Float:
    """``N[b, a, c] = Σ_k max(0, v_k(a, c))`` for flat rows ``(B, A)``, in O(A² log A).

    Voters strictly below the midpoint of ``x_a`` and ``x_c`` prefer the lower of the two,
    the others the higher (or neither), so each sum is a prefix or suffix sum over the voters in
    position order."""
    rows, n = x.shape
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, -1)
    d = np.abs(xs[:, :, None] - x[:, None, :]) / delta[:, None, None]  # (B, voter, candidate)
    if r is not None:
        d = d ** np.take_along_axis(r, order, -1)[:, :, None]
    d *= np.take_along_axis(w, order, -1)[:, :, None]
    cum = np.zeros((rows, n + 1, n))
    np.cumsum(d, axis=1, out=cum[:, 1:])
    total = cum[:, n, :]
    mid = 0.5 * (x[:, :, None] + x[:, None, :])
    m = _count_below(xs, mid.reshape(rows, n * n)).reshape(rows, n, n)
    flat = cum.reshape(rows, -1)
    base = (np.arange(rows) * (n + 1) * n)[:, None, None]
    idx = base + m * n
    cols = np.arange(n)
    gain = flat.ravel()[idx + cols[None, None, :]] - flat.ravel()[idx + cols[None, :, None]]
    lower = x[:, :, None] < x[:, None, :]
    higher = x[:, :, None] > x[:, None, :]
    upper = total[:, None, :] - total[:, :, None] - gain
    out: Float = np.where(lower, gain, np.where(higher, upper, 0.0))
    np.maximum(out, 0.0, out=out)
    return out


def win_probabilities(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    delta: ArrayLike,
    risk: ArrayLike | None = None,
    variant: Variant = "scholz_code",
) -> Float:
    """``P[..., a, b]``: probability that ``x_a`` beats ``x_b`` (0 where they are equal).

    ``risk`` holds the voters' exponents (``scholz_code`` only; None means 1)."""
    x = np.asarray(positions, dtype=np.float64)
    w = np.asarray(capability, dtype=np.float64) * np.asarray(salience, dtype=np.float64)
    x, w = np.broadcast_arrays(x, w)
    shape = x.shape
    xf = x.reshape(-1, shape[-1])
    wf = w.reshape(-1, shape[-1])
    df = np.broadcast_to(np.asarray(delta, dtype=np.float64), shape[:-1]).reshape(-1)
    if variant == "paper" or risk is None:
        rf = None
    else:
        rf = np.broadcast_to(np.asarray(risk, dtype=np.float64), shape).reshape(xf.shape)
    return _probabilities(xf, wf, df, rf, variant).reshape(shape + shape[-1:])


def _probabilities(x: Float, w: Float, delta: Float, r: Float | None, variant: Variant) -> Float:
    support = _support(x, w, delta, None if variant == "paper" else r)
    distinct = x[:, :, None] != x[:, None, :]
    if variant == "paper":
        both = support + support.transpose(0, 2, 1)
        p: Float = np.where(both > 0, support / np.where(both > 0, both, 1.0), 0.5)
    else:
        denom = 2.0 * support.sum(axis=(1, 2))
        p = support / np.where(denom > 0, denom, 1.0)[:, None, None]
    return np.where(distinct, p, 0.0)


def _expected(
    x: Float,
    s: Float,
    delta: Float,
    p: Float,
    r: Float | None,
    q: float,
    t: float,
    anchor: Float,
    variant: Variant,
) -> tuple[Float, Float]:
    """``(E^i(U_ij), E^i(U_ji))`` as ``(B, i, j)`` arrays, perceiver ``i`` with exponent ``r_i``."""
    dist = np.abs(x[:, :, None] - x[:, None, :])
    delta3 = delta[:, None, None]
    lo = 0.5 - 0.5 * dist / delta3
    hi = 0.5 + 0.5 * dist / delta3
    if r is None:
        u_s, u_f = 2.0 - 4.0 * lo, 2.0 - 4.0 * hi
        u_sq: Float | float = 0.0
    else:
        rr = r[:, :, None]
        u_s, u_f = 2.0 - 4.0 * lo**rr, 2.0 - 4.0 * hi**rr
        u_sq = 2.0 - 4.0 * 0.5**rr
    s_i = s[:, :, None]
    s_j = s[:, None, :]
    own = s_j * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_j) * u_s - q * u_sq
    pt = p.transpose(0, 2, 1)
    other = s_i * (pt * u_s + (1.0 - pt) * u_f) + (1.0 - s_i) * u_s - q * u_sq
    if variant == "paper" and q != 1.0:
        off = np.abs(x - anchor[:, None])
        for out, challenger in ((own, off[:, :, None]), (other, off[:, None, :])):
            spread = 0.25 * (challenger + dist) / delta3
            exps = 1.0 if r is None else r[:, :, None]
            u_b = 2.0 - 4.0 * (0.5 - spread) ** exps
            u_w = 2.0 - 4.0 * (0.5 + spread) ** exps
            out -= (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
    return own, other


def _risk(
    x: Float, w: Float, s: Float, delta: Float, q: float, t: float, rho: float, variant: Variant
) -> Float:
    p = _probabilities(x, w, delta, None, variant)
    anchor = weighted_median(x, w)
    _, other = _expected(x, s, delta, p, None, q, t, anchor, variant)
    n = x.shape[1]
    danger = np.where(np.eye(n, dtype=bool), 0.0, other).sum(-1)
    top = danger.max(-1, keepdims=True)
    bottom = danger.min(-1, keepdims=True)
    spread = top - bottom
    big_r = np.where(spread > 0, (2 * danger - top - bottom) / np.where(spread > 0, spread, 1), 0)
    k = (rho - 1.0) / (rho + 1.0)
    out: Float = (1 - k * big_r) / (1 + k * big_r)
    return out


def _offers(
    x: Float, own: Float, other: Float, variant: Variant
) -> tuple[NDArray[np.int8], NDArray[np.intp], Float]:
    xi = x[:, :, None]
    xj = x[:, None, :]
    valid = xi != xj
    confront = valid & (other > own) & (own > 0)
    weaker = valid & (other > 0) & (own < 0)
    compromise = weaker & (other > np.abs(own))
    capitulate = weaker & (other < np.abs(own)) if variant == "paper" else np.zeros_like(weaker)
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = xi + (xj - xi) * np.abs(own / other)
        if variant == "scholz_code":
            key = (np.abs(own) * xi + np.abs(other) * xj) / (np.abs(own) + np.abs(other))
        else:
            key = np.abs(xi - shift)
    move = np.abs(xi - xj)
    rows, n = x.shape
    kind = np.zeros((rows, n), dtype=np.int8)
    proposer = np.full((rows, n), -1, dtype=np.intp)
    for code, mask, score in (
        (OfferKind.CAPITULATION, capitulate, move),
        (OfferKind.COMPROMISE, compromise, key),
        (OfferKind.CONFRONTATION, confront, move),
    ):
        best = np.argmin(np.where(mask, score, np.inf), axis=-1)
        has = mask.any(-1)
        kind[has] = code
        proposer[has] = best[has]
    safe = np.maximum(proposer, 0)[:, :, None]
    shifted = np.take_along_axis(shift, safe, -1)[..., 0]
    target = np.take_along_axis(np.broadcast_to(xj, shift.shape), safe, -1)[..., 0]
    position = np.where(kind == OfferKind.COMPROMISE, shifted, target)
    position = np.where(kind == OfferKind.NONE, np.nan, position)
    return kind, proposer, position


def _round(
    x: Float,
    w: Float,
    s: Float,
    delta: Float,
    q: float,
    t: float,
    rho: float,
    update_risk: bool,
    variant: Variant,
) -> tuple[Float, Float, Float, Float, NDArray[np.int8], NDArray[np.intp], Float]:
    r = _risk(x, w, s, delta, q, t, rho, variant) if update_risk else np.ones_like(x)
    p = _probabilities(x, w, delta, r, variant)
    anchor = weighted_median(x, w)
    own, other = _expected(x, s, delta, p, r, q, t, anchor, variant)
    kind, proposer, position = _offers(x, own, other, variant)
    return r, own, other, np.where(kind > 0, position, x), kind, proposer, position


def _validate(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    scale: tuple[ArrayLike, ArrayLike] | None,
    variant: str,
) -> tuple[Float, Float, Float, Float]:
    if variant not in ("scholz_code", "paper"):
        raise ValueError(f"variant must be 'scholz_code' or 'paper', not {variant!r}")
    x, c, s = np.broadcast_arrays(
        np.asarray(positions, dtype=np.float64),
        np.asarray(capability, dtype=np.float64),
        np.asarray(salience, dtype=np.float64),
    )
    if x.ndim < 1 or x.shape[-1] < 2:
        raise ValueError("need at least two actors on the last axis")
    if not (np.isfinite(x).all() and np.isfinite(c).all() and np.isfinite(s).all()):
        raise ValueError("positions, capability and salience must be finite")
    if (c < 0).any() or (s < 0).any() or (s > 1).any():
        raise ValueError("capability must be >= 0 and salience in [0, 1]")
    if scale is None:
        low, high = x.min(-1), x.max(-1)
    else:
        low = np.broadcast_to(np.asarray(scale[0], dtype=np.float64), x.shape[:-1])
        high = np.broadcast_to(np.asarray(scale[1], dtype=np.float64), x.shape[:-1])
        if (x < low[..., None]).any() or (x > high[..., None]).any():
            raise ValueError("every position must lie within its issue's scale")
    delta = high - low
    return x, c, s, np.where(delta > 0, delta, 1.0)


def iterate(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    rounds: int,
    *,
    scale: tuple[ArrayLike, ArrayLike] | None = None,
    variant: Variant = "scholz_code",
    q: float = 1.0,
    t: float = 1.0,
    max_risk_exponent: float = 2.0,
    update_risk: bool = True,
    keep_pairs: bool = False,
    workers: int | None = None,
) -> Iterator[Round]:
    """Yield one `Round` per round; see `run` for the arguments."""
    x, c, s, delta = _validate(positions, capability, salience, scale, variant)
    shape = x.shape
    n = shape[-1]
    rows = int(np.prod(shape[:-1], dtype=np.intp))
    xf = x.reshape(rows, n).copy()
    wf = (c * s).reshape(rows, n)
    sf = s.reshape(rows, n)
    df = delta.reshape(rows)
    chunk = max(1, _CHUNK_ELEMENTS // (n * n))
    starts = range(0, rows, chunk)
    threads = min(len(starts), workers or os.cpu_count() or 1)

    def one(
        lo: int,
    ) -> tuple[Float, Float, Float, Float, NDArray[np.int8], NDArray[np.intp], Float]:
        sl = slice(lo, lo + chunk)
        return _round(xf[sl], wf[sl], sf[sl], df[sl], q, t, max_risk_exponent, update_risk, variant)

    with ThreadPoolExecutor(threads) as pool:
        for index in range(1, rounds + 1):
            parts = list(pool.map(one, starts)) if threads > 1 else [one(lo) for lo in starts]
            record, xf = _assemble(index, parts, shape, wf, keep_pairs)
            yield record


def _assemble(
    index: int,
    parts: list[tuple[Float, Float, Float, Float, NDArray[np.int8], NDArray[np.intp], Float]],
    shape: tuple[int, ...],
    wf: Float,
    keep_pairs: bool,
) -> tuple[Round, Float]:
    """Join the chunks of one round into a `Round`; also return the new flat positions."""
    n = shape[-1]
    r, own, other, new, kind, proposer, position = (
        np.concatenate([part[i] for part in parts]) for i in range(7)
    )
    safe = np.maximum(proposer, 0)[:, :, None]
    none = kind == OfferKind.NONE
    eu_own = np.where(none, np.nan, np.take_along_axis(own, safe, -1)[..., 0])
    eu_other = np.where(none, np.nan, np.take_along_axis(other, safe, -1)[..., 0])
    record = Round(
        index=index,
        risk=r.reshape(shape),
        offers=Offers(
            kind=kind.reshape(shape),
            proposer=proposer.reshape(shape),
            position=position.reshape(shape),
            eu_own=eu_own.reshape(shape),
            eu_other=eu_other.reshape(shape),
        ),
        positions=new.reshape(shape),
        mean=weighted_mean(new, wf).reshape(shape[:-1]),
        median=weighted_median(new, wf).reshape(shape[:-1]),
        eu_challenge=own.reshape((*shape, n)) if keep_pairs else None,
        eu_challenged=other.reshape((*shape, n)) if keep_pairs else None,
    )
    return record, new


def run(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    rounds: int,
    *,
    scale: tuple[ArrayLike, ArrayLike] | None = None,
    variant: Variant = "scholz_code",
    q: float = 1.0,
    t: float = 1.0,
    max_risk_exponent: float = 2.0,
    update_risk: bool = True,
    keep_pairs: bool = False,
    workers: int | None = None,
) -> EUMResult:
    """Run the EUM for ``rounds`` rounds on a batch of issues at once.

    ``positions``, ``capability`` and ``salience`` broadcast to ``(..., A)`` (leading dims: runs
    x issues; actors last). ``scale`` is ``(low, high)``, each broadcastable to the batch shape;
    None means the range of the initial positions (the Scholz code's ``Δ``). ``q``/``t`` are the
    status-quo constants (published default 1), ``max_risk_exponent`` is ``ρ`` (published 2, so
    ``r ∈ [1/2, 2]``); ``update_risk=False`` keeps every exponent at 1. ``keep_pairs`` keeps
    the ``(..., A, A)`` expected-utility matrices in each `Round`. Large batches run in
    cache-sized chunks of issues on ``workers`` threads (default: one per CPU); the result does
    not depend on either.

    >>> res = run([4.0, 7.0, 10.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5], 2)
    >>> res.initial_mean.item(), len(res.rounds)
    (7.0, 2)
    """
    x, c, s, _ = _validate(positions, capability, salience, scale, variant)
    w = c * s
    done = tuple(
        iterate(
            x,
            c,
            s,
            rounds,
            scale=scale,
            variant=variant,
            q=q,
            t=t,
            max_risk_exponent=max_risk_exponent,
            update_risk=update_risk,
            keep_pairs=keep_pairs,
            workers=workers,
        )
    )
    return EUMResult(
        variant=variant,
        initial_positions=x.copy(),
        initial_mean=weighted_mean(x, w),
        initial_median=weighted_median(x, w),
        rounds=done,
    )


def risk_exponents(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    *,
    scale: tuple[ArrayLike, ArrayLike] | None = None,
    variant: Variant = "scholz_code",
    q: float = 1.0,
    t: float = 1.0,
    max_risk_exponent: float = 2.0,
) -> Float:
    """The exponents ``r`` (..., A) that step 1 of a round gives for these positions."""
    x, c, s, delta = _validate(positions, capability, salience, scale, variant)
    n = x.shape[-1]
    out = _risk(
        x.reshape(-1, n),
        (c * s).reshape(-1, n),
        s.reshape(-1, n),
        delta.reshape(-1),
        q,
        t,
        max_risk_exponent,
        variant,
    )
    return out.reshape(x.shape)


def challenge_utilities(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    risk: ArrayLike,
    *,
    scale: tuple[ArrayLike, ArrayLike] | None = None,
    variant: Variant = "scholz_code",
    q: float = 1.0,
    t: float = 1.0,
) -> tuple[Float, Float]:
    """``(E^i(U_ij), E^i(U_ji))``, each ``(..., A, A)``, for the exponents ``risk`` (..., A)."""
    x, c, s, delta = _validate(positions, capability, salience, scale, variant)
    n = x.shape[-1]
    xf, wf, sf, df = x.reshape(-1, n), (c * s).reshape(-1, n), s.reshape(-1, n), delta.reshape(-1)
    rf = np.broadcast_to(np.asarray(risk, dtype=np.float64), x.shape).reshape(-1, n)
    p = _probabilities(xf, wf, df, rf, variant)
    own, other = _expected(xf, sf, df, p, rf, q, t, weighted_median(xf, wf), variant)
    return own.reshape((*x.shape, n)), other.reshape((*x.shape, n))
