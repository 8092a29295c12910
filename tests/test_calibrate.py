"""The calibrated model error (accord.forecast.calibrate): the shipped numbers reproduce from
the dev data, the conformal quantile matches its definition, and the predictive distribution
agrees with a sampled reference."""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.forecast.calibrate import (
    LEVELS,
    SCALE_WIDTH,
    Calibration,
    conformal_quantile,
    predictive,
    shipped,
)

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "validation" / "deu3_dev.tsv"
MODELS = sorted(shipped().models)


def _fit_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "fit_calibration", ROOT / "tools" / "fit_calibration.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not DEV.exists(), reason="the DEU III dev split (../shared) is absent")
def test_shipped_numbers_reproduce_from_the_dev_split(capsys: pytest.CaptureFixture[str]) -> None:
    script = _fit_script()
    assert script.main([str(DEV), "--check"]) == 0  # type: ignore[attr-defined]
    assert "equals the fit" in capsys.readouterr().out
    import hashlib

    assert shipped().sha256 == hashlib.sha256(DEV.read_bytes()).hexdigest()


def test_fit_script_refuses_a_missing_file(tmp_path: Path) -> None:
    assert _fit_script().main([str(tmp_path / "none.tsv"), "--check"]) == 2  # type: ignore[attr-defined]


def test_shipped_file_round_trips() -> None:
    cal = shipped()
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert cal.levels == LEVELS
    assert {"compromise", "weighted_median", "nash_quadratic"} <= set(cal.models)
    assert cal.error("nash") is cal.models["nash_quadratic"]


@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=0, max_size=60),
    st.floats(0.01, 0.99),
)
def test_conformal_quantile_is_the_ceil_n_plus_one_rank(
    residuals: list[float], level: float
) -> None:
    n = len(residuals)
    rank = math.ceil((n + 1) * level - 1e-12)
    expected = math.inf if rank > n or n == 0 else sorted(residuals)[max(rank, 1) - 1]
    assert conformal_quantile(residuals, level) == expected


@pytest.mark.parametrize("model", MODELS)
def test_half_widths_are_monotone_in_level(model: str) -> None:
    error = shipped().models[model]
    widths = [error.half_width(a) for a in np.linspace(0, 1, 201)]
    assert widths[0] == 0 and widths[-1] == SCALE_WIDTH
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(widths))
    # the interpolated cdf inverts the quantile function at the fitted levels
    for a in error.levels:
        assert error.cdf(error.half_width(a)) >= a - 1e-9


positions = st.floats(0, 1, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(MODELS),
    st.lists(positions, min_size=1, max_size=8),
    st.floats(-50, 50),
    st.floats(1, 1e6),
    st.lists(positions, min_size=1, max_size=5, unique=True),
)
def test_intervals_contain_the_point_forecast_and_nest(
    model: str, runs: list[float], low: float, width: float, options: list[float]
) -> None:
    high = low + width
    values = [low + r * width for r in runs]
    option_positions = [low + o * width for o in options]
    ids = [f"o{k}" for k in range(len(options))]
    p = predictive(model, values, low, high, option_positions, ids)
    assert p is not None
    (lo50, hi50), (lo90, hi90) = p.intervals["0.5"], p.intervals["0.9"]
    tol = 1e-6 * width
    assert low - tol <= lo90 <= lo50 + tol and hi50 <= hi90 + tol <= high + 2 * tol
    if len(set(values)) == 1:  # a single point forecast lies inside both intervals
        assert lo50 - tol <= values[0] <= hi50 + tol
    qs = [p.quantiles[k] for k in ("q05", "q25", "q50", "q75", "q95")]
    assert all(a <= b + tol for a, b in itertools.pairwise(qs))
    assert sum(p.option_probability.values()) == pytest.approx(1.0)
    assert p.n == shipped().error(model).n  # type: ignore[union-attr]


@pytest.mark.parametrize("model", ["compromise", "weighted_median"])
def test_predictive_agrees_with_a_sampled_reference(model: str) -> None:
    """Slow obvious reference: draw |e| by inverse transform of the quantile function, a random
    sign, add to a random run, clip, and count the nearest option."""
    rng = np.random.default_rng(3)
    low, high = 35.0, 40.0
    runs = np.array([36.0, 36.5, 38.2, 36.0])
    options = np.array([35.0, 37.5, 40.0])
    ids = ["a", "b", "c"]
    p = predictive(model, runs, low, high, options, ids)
    assert p is not None
    error = shipped().models[model]
    n = 200_000
    u = rng.uniform(size=n)
    abs_e = np.interp(u, *error._knots())
    e = abs_e * rng.choice([-1.0, 1.0], size=n) * (high - low) / SCALE_WIDTH
    y = np.clip(rng.choice(runs, size=n) + e, low, high)
    nearest = np.abs(y[:, None] - options[None, :]).argmin(axis=1)
    share = np.bincount(nearest, minlength=3) / n
    for k, oid in enumerate(ids):
        assert p.option_probability[oid] == pytest.approx(share[k], abs=0.01)
    for key, q in (("q05", 0.05), ("q25", 0.25), ("q50", 0.5), ("q75", 0.75), ("q95", 0.95)):
        assert p.quantiles[key] == pytest.approx(float(np.quantile(y, q)), abs=0.02 * (high - low))


def test_uncalibrated_model_has_no_predictive() -> None:
    assert predictive("no_such_model", [1.0], 0, 10, [0, 10], ["a", "b"]) is None
    assert predictive("compromise", [float("nan")], 0, 10, [0, 10], ["a", "b"]) is None
