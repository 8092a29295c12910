"""Calibrated predictive distributions: each model's error, measured on the DEU III dev split.

A spatial model gives a point forecast; the ensemble gives the spread of that forecast over the
sampled judgement inputs (a share of runs, not a probability: the model's own error is not in
it). This module adds the model's error, measured where outcomes are known: the absolute
residuals ``|forecast - outcome|`` of each model on the DEU III dev split (Thomson et al.'s
*Decision-making in the European Union* data, issues on a 0-100 scale), summarised by
split-conformal quantiles:

* the quantile at level ``a`` of ``n`` absolute residuals is the ``ceil((n + 1) a)``-th smallest
  (infinite when that exceeds ``n``), so that on an exchangeable new issue the interval
  ``forecast +- q(a)`` holds the outcome with probability at least ``a``;
* the shipped numbers (``calibration.json`` beside this module) are these quantiles at the levels
  ``1/40 .. 39/40`` per model, fitted on the dev split and on nothing else; the script
  ``tools/fit_calibration.py`` regenerates them from the data and checks the shipped file.

Mapping to a scenario's issue scale: DEU positions run 0-100, so a residual is a share of the
scale's width; on an issue with scale ``[min, max]`` a residual ``q`` becomes
``q / 100 * (max - min)``. The error is taken as symmetric (the conformal interval is), added to
every run of the ensemble, and the result clipped to the scale's ends (outcomes cannot leave the
scale; DEU outcomes often sit at an end). The predictive distribution is thus the mixture, over
runs, of ``clip(forecast_run + e)``, with ``|e|`` distributed as the calibrated quantile function
(linear between the shipped levels, 0 at level 0 and the whole width at level 1) and a random
sign. Its central 50% and 90% intervals and the probability that the outcome lands nearest each
option are computed exactly from its distribution function (no sampling).

Honest evaluation (``accord forecast-eval``): :func:`cross_fitted_half_widths` refits the
quantiles on all folds but one (folds grouped by proposal) and scores the held-out fold, so a
model is never scored on proposals it was calibrated on.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

LEVELS: tuple[float, ...] = tuple(k / 40 for k in range(1, 40))
"""The levels at which the absolute-residual quantiles are fitted and shipped."""

INTERVALS: tuple[float, ...] = (0.5, 0.9)
"""The central intervals reported: 50% and 90%."""

PREDICTIVE_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantiles of each predictive distribution (the same keys as the ensemble's spread)."""

SCALE_WIDTH = 100.0
"""The width of the DEU scale (0-100) on which the residuals are measured."""

DATA_NAME = "DEU III dev"

ALIASES: dict[str, str] = {"nash": "nash_quadratic"}
"""Ensemble model names whose calibration is stored under the scoring name."""


def conformal_quantile(abs_residuals: npt.ArrayLike, level: float) -> float:
    """The split-conformal quantile at ``level``: the ``ceil((n + 1) level)``-th smallest of the
    ``n`` absolute residuals; ``inf`` when that rank exceeds ``n`` (too few residuals)."""
    r = np.sort(np.asarray(abs_residuals, dtype=float).ravel())
    k = math.ceil((r.size + 1) * level - 1e-12)
    if k > r.size or r.size == 0:
        return math.inf
    return float(r[max(k, 1) - 1])


def proposal_folds(groups: Sequence[str], folds: int, seed: int = 0) -> npt.NDArray[np.int64]:
    """The fold of each issue: proposals (``groups``) shuffled with ``seed`` and dealt round the
    ``folds``, so that the issues of one proposal always share a fold."""
    labels = np.asarray(groups)
    unique = np.unique(labels)
    rng = np.random.default_rng(seed)
    fold_of = dict(
        zip(unique.tolist(), (rng.permutation(len(unique)) % folds).tolist(), strict=True)
    )
    return np.array([fold_of[g] for g in labels.tolist()], dtype=np.int64)


def cross_fitted_half_widths(
    forecast: npt.ArrayLike,
    outcome: npt.ArrayLike,
    fold: npt.ArrayLike,
    levels: Sequence[float] = INTERVALS,
) -> FloatArray:
    """``(issues, levels)`` half-widths: for an issue in fold ``k``, the conformal quantile of
    the absolute residuals of the issues outside fold ``k`` (NaN where the issue has no forecast
    or no outcome: it is not scored)."""
    f = np.asarray(forecast, dtype=float)
    y = np.asarray(outcome, dtype=float)
    k_of = np.asarray(fold)
    ok = ~np.isnan(f) & ~np.isnan(y)
    errors = np.abs(f - y)
    out = np.full((f.size, len(levels)), np.nan)
    for k in np.unique(k_of[ok]):
        train = ok & (k_of != k)
        test = ok & (k_of == k)
        out[test] = [conformal_quantile(errors[train], a) for a in levels]
    return out


@dataclass(frozen=True)
class Coverage:
    """How often held-out outcomes fall inside the central intervals, and how wide they are:
    ``coverage[level]`` and ``width[level]`` (mean width in scale points, clipped to the scale)
    keyed ``"0.5"``, ``"0.9"``, over ``n`` scored issues."""

    n: int
    coverage: dict[str, float]
    width: dict[str, float]


def interval_coverage(
    forecast: npt.ArrayLike,
    outcome: npt.ArrayLike,
    half_widths: npt.ArrayLike,
    levels: Sequence[float] = INTERVALS,
    scale: tuple[float, float] = (0.0, SCALE_WIDTH),
) -> Coverage:
    """The coverage and mean clipped width of the intervals ``forecast +- half_width`` over the
    issues with a forecast, an outcome and a half-width."""
    f = np.asarray(forecast, dtype=float)
    y = np.asarray(outcome, dtype=float)
    h = np.asarray(half_widths, dtype=float).reshape(f.size, len(levels))
    ok = ~np.isnan(f) & ~np.isnan(y) & ~np.isnan(h).any(axis=1)
    n = int(ok.sum())
    cov: dict[str, float] = {}
    wid: dict[str, float] = {}
    for j, a in enumerate(levels):
        key = level_key(a)
        if n == 0:
            cov[key] = wid[key] = float("nan")
            continue
        fo, ho, yo = f[ok], h[ok, j], y[ok]
        cov[key] = float((np.abs(fo - yo) <= ho).mean())
        lo = np.maximum(fo - ho, scale[0])
        hi = np.minimum(fo + ho, scale[1])
        wid[key] = float((hi - lo).mean())
    return Coverage(n, cov, wid)


def level_key(level: float) -> str:
    """The key of an interval level in reports and JSON: ``0.5`` -> ``"0.5"``."""
    return f"{level:g}"


@dataclass(frozen=True)
class ModelError:
    """One model's absolute-residual quantiles on the DEU 0-100 scale: ``quantiles[j]`` at
    ``levels[j]``, fitted on ``n`` issues of ``proposals`` proposals."""

    model: str
    n: int
    proposals: int
    levels: tuple[float, ...]
    quantiles: tuple[float, ...]

    def half_width(self, level: float) -> float:
        """The half-width of the central ``level`` interval on the 0-100 scale."""
        return float(np.interp(level, *self._knots()))

    def _knots(self) -> tuple[FloatArray, FloatArray]:
        levels = np.array([0.0, *self.levels, 1.0])
        values = np.array([0.0, *self.quantiles, SCALE_WIDTH])
        return levels, np.minimum(np.maximum.accumulate(values), SCALE_WIDTH)

    def cdf(self, t: npt.ArrayLike) -> FloatArray:
        """``P(|e| <= t)`` for ``t`` on the 0-100 scale (linear between the fitted levels)."""
        levels, values = self._knots()
        x = np.asarray(t, dtype=float)
        # the right-continuous inverse of a quantile function with flat parts: the largest level
        # whose quantile is <= t, linear inside strictly increasing pieces
        k = np.clip(np.searchsorted(values, x, side="right"), 1, values.size - 1)
        v0, v1 = values[k - 1], values[k]
        l0, l1 = levels[k - 1], levels[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            inside = np.where(v1 > v0, l0 + (l1 - l0) * (x - v0) / (v1 - v0), l1)
        return np.asarray(np.where(x < 0, 0.0, np.where(x >= values[-1], 1.0, inside)))


@dataclass(frozen=True)
class Calibration:
    """The fitted model errors, with the data they come from (file name and SHA-256)."""

    data: str
    sha256: str
    method: str
    levels: tuple[float, ...]
    models: dict[str, ModelError]

    def error(self, model: str) -> ModelError | None:
        """The calibrated error of ``model`` (ensemble names included), or None."""
        return self.models.get(ALIASES.get(model, model))

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as stored in ``calibration.json``."""
        return {
            "data": self.data,
            "sha256": self.sha256,
            "scale": [0.0, SCALE_WIDTH],
            "method": self.method,
            "levels": list(self.levels),
            "models": {
                name: {"n": e.n, "proposals": e.proposals, "abs_error": list(e.quantiles)}
                for name, e in self.models.items()
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        """The inverse of :meth:`to_dict`."""
        levels = tuple(float(a) for a in d["levels"])
        return cls(
            data=str(d["data"]),
            sha256=str(d["sha256"]),
            method=str(d["method"]),
            levels=levels,
            models={
                name: ModelError(
                    name,
                    int(m["n"]),
                    int(m["proposals"]),
                    levels,
                    tuple(float(q) for q in m["abs_error"]),
                )
                for name, m in d["models"].items()
            },
        )


METHOD = (
    "split-conformal: at level a, the ceil((n+1)a)-th smallest absolute residual"
    " |forecast - outcome| of the model on the issues of the dev split (0-100 scale)"
)


def fit(
    forecasts: Mapping[str, npt.ArrayLike],
    outcome: npt.ArrayLike,
    groups: Sequence[str],
    *,
    data: str,
    sha256: str,
    levels: Sequence[float] = LEVELS,
) -> Calibration:
    """Fit each model's absolute-residual quantiles (rounded to 1e-6) on the issues where it
    gives a forecast and the outcome is recorded."""
    y = np.asarray(outcome, dtype=float)
    labels = np.asarray(groups)
    models = {}
    for name, forecast in forecasts.items():
        f = np.asarray(forecast, dtype=float)
        ok = ~np.isnan(f) & ~np.isnan(y)
        errors = np.abs(f[ok] - y[ok])
        q = [conformal_quantile(errors, a) for a in levels]
        models[name] = ModelError(
            name,
            int(ok.sum()),
            len(set(labels[ok].tolist())),
            tuple(levels),
            tuple(round(min(v, SCALE_WIDTH), 6) for v in q),
        )
    return Calibration(data, sha256, METHOD, tuple(levels), models)


def fit_file(path: str) -> Calibration:
    """Fit every model of :mod:`accord.forecast.registry` that runs on DEU tables on the DEU
    table at ``path``."""
    from pathlib import Path

    from accord.forecast.registry import REGISTRY, names
    from accord.io.positions import read_deu

    table = read_deu(path)
    forecasts = {
        name: np.asarray(REGISTRY[name].table_function()(table), dtype=float)
        for name in names("table")
    }
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    groups = table.attributes.get("prnr", table.issues)
    return fit(forecasts, table.outcome, groups, data=Path(path).name, sha256=digest)


CALIBRATION_FILE = "calibration.json"


@cache
def shipped() -> Calibration:
    """The calibration shipped with accord (``calibration.json``, fitted on DEU III dev)."""
    text = resources.files("accord.forecast").joinpath(CALIBRATION_FILE).read_text("utf-8")
    return Calibration.from_dict(json.loads(text))


@dataclass(frozen=True)
class Predictive:
    """A calibrated predictive distribution of one model's outcome on one issue: the ensemble's
    spread plus the model's error calibrated on DEU III dev, on the issue's own scale.
    ``quantiles`` (``q05`` .. ``q95``), the central ``intervals`` (``"0.5"``, ``"0.9"``: low,
    high), and ``option_probability``: the probability that the outcome lands nearest each
    option. ``basis`` says what it rests on; ``n`` is the number of dev issues calibrated on."""

    quantiles: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    option_probability: dict[str, float]
    basis: str
    calibration: str
    n: int


def basis_text(error: ModelError, spread: bool) -> str:
    """The stated basis of a predictive distribution."""
    source = f"model error calibrated on {DATA_NAME}, N={error.n}"
    return f"ensemble spread + {source}" if spread else f"{source}; the inputs give no spread"


def predictive(
    model: str,
    runs: npt.ArrayLike,
    low: float,
    high: float,
    option_positions: npt.ArrayLike,
    option_ids: Sequence[str],
    calibration: Calibration | None = None,
) -> Predictive | None:
    """The calibrated predictive distribution of ``model`` from its outcome in each run (see the
    module docstring); None where the model has no calibration or no run gives a value."""
    cal = shipped() if calibration is None else calibration
    error = cal.error(model)
    values = np.asarray(runs, dtype=float)
    values = values[~np.isnan(values)]
    if error is None or values.size == 0:
        return None
    centres, counts = np.unique(values, return_counts=True)
    weights = counts / counts.sum()
    factor = max(high - low, 0.0) / SCALE_WIDTH

    def cdf(y: FloatArray) -> FloatArray:
        """``P(clip(f + e) <= y)`` for each ``y``."""
        if factor == 0:
            inner = (centres[None, :] <= y[:, None]).astype(float)
        else:
            t = (y[:, None] - centres[None, :]) / factor
            half = 0.5 * error.cdf(np.abs(t))
            inner = np.where(t >= 0, 0.5 + half, 0.5 - half)
            # P(e = 0) mass sits at t = 0 only when the quantile function is flat at 0
        raw = inner @ weights
        return np.asarray(np.where(y >= high, 1.0, np.where(y < low, 0.0, raw)))

    targets = np.array(PREDICTIVE_QUANTILES)
    quantiles = _invert(cdf, targets, low, high)
    order = np.argsort(np.asarray(option_positions, dtype=float), kind="stable")
    pos = np.asarray(option_positions, dtype=float)[order]
    cuts = (pos[1:] + pos[:-1]) / 2
    at_cuts = cdf(cuts)
    # the ensemble's "nearest option" picks the first option of a tie (argmin); a cut exactly
    # between two options sends the point to the lower one, as argmin does
    bounds = np.concatenate([[0.0], at_cuts, [1.0]])
    mass = np.clip(np.diff(bounds), 0.0, 1.0)
    prob = np.zeros(len(option_ids))
    prob[order] = mass
    by_key = {f"q{round(a * 100):02d}": float(q) for a, q in zip(targets, quantiles, strict=True)}
    return Predictive(
        quantiles=by_key,
        intervals={"0.5": (by_key["q25"], by_key["q75"]), "0.9": (by_key["q05"], by_key["q95"])},
        option_probability={oid: float(p) for oid, p in zip(option_ids, prob, strict=True)},
        basis=basis_text(error, spread=centres.size > 1),
        calibration=error.model,
        n=error.n,
    )


def _invert(
    cdf: Any, targets: FloatArray, low: float, high: float, iterations: int = 60
) -> FloatArray:
    """The smallest ``y`` in ``[low, high]`` with ``cdf(y) >= target``, per target (bisection)."""
    lo = np.full(targets.size, float(low))
    hi = np.full(targets.size, float(high))
    done = cdf(lo) >= targets
    for _ in range(iterations):
        mid = (lo + hi) / 2
        up = cdf(mid) >= targets
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(done, float(low), hi)
