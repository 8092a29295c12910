"""Forecast ensembles: same seed, same numbers, whatever the chunking or backend; inputs sampled
from the scenario's ranges and distributions; shocks move the forecast."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.forecast.ensemble import forecast_inputs, run_ensemble
from accord.scenarios import resolve

MODELS = ["compromise", "weighted_median", "mean", "nash"]


def test_same_seed_same_numbers_for_any_chunk_size() -> None:
    river = resolve("teaching-river")
    one = run_ensemble(river, models=MODELS, runs=120, seed=7, chunk=120)
    two = run_ensemble(river, models=MODELS, runs=120, seed=7, chunk=13)
    for name in MODELS:
        assert np.array_equal(one.raw[name], two.raw[name], equal_nan=True)
    other = run_ensemble(river, models=MODELS, runs=120, seed=8)
    assert not np.array_equal(one.raw["compromise"], other.raw["compromise"])


def test_uncertain_inputs_are_sampled_within_their_bounds() -> None:
    river = resolve("teaching-river")
    inputs = forecast_inputs(river)
    kinds = {kind for kind, *_ in inputs.uncertain}
    assert kinds == {"salience", "capability"}
    result = run_ensemble(river, models=["compromise"], runs=300, seed=1)
    water = result.raw["compromise"][:, 0]
    assert water.std() > 0  # the sampled salience and capability move the forecast
    f = result.get("compromise", "water_share")
    assert f.quantiles["q05"] <= f.quantiles["q50"] <= f.quantiles["q95"]
    assert sum(f.option_share.values()) == pytest.approx(1.0)


def test_dask_backend_gives_identical_numbers() -> None:
    pytest.importorskip("dask.distributed")
    river = resolve("teaching-river")
    local = run_ensemble(river, models=MODELS, runs=90, seed=5, chunk=20)
    dask = run_ensemble(river, models=MODELS, runs=90, seed=5, chunk=40, backend="dask")
    for name in MODELS:
        assert np.array_equal(local.raw[name], dask.raw[name], equal_nan=True)


def test_us_aid_shock_moves_the_ukraine_forecast() -> None:
    ukraine = resolve("ukraine-2025")
    base = run_ensemble(ukraine, models=["compromise"], runs=10)
    shocked = run_ensemble(ukraine, models=["compromise"], runs=10, shocks=["us_aid_withdrawn"])
    assert shocked.shocks == ("us_aid_withdrawn",)
    assert not np.allclose(base.raw["compromise"], shocked.raw["compromise"], equal_nan=True)


def test_bad_arguments_are_clear() -> None:
    river = resolve("teaching-river")
    with pytest.raises(ValueError, match="unknown model"):
        run_ensemble(river, models=["oracle"])
    with pytest.raises(ValueError, match="unknown backend"):
        run_ensemble(river, backend="spark")  # type: ignore[arg-type]


def test_forecast_cli_json_and_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["forecast", "teaching-river", "--runs", "50", "--seed", "2", "--json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["runs"] == 50 and {f["model"] for f in data["forecasts"]} == {
        "compromise",
        "weighted_median",
    }
    again = runner.invoke(
        app, ["forecast", "teaching-river", "--runs", "50", "--seed", "2", "--json"]
    )
    assert again.output == result.output
    bad = runner.invoke(app, ["forecast", "teaching-river", "--model", "oracle"])
    assert bad.exit_code == 2 and "unknown model" in bad.output
    bad = runner.invoke(app, ["forecast", "teaching-river", "--shock", "nope"])
    assert bad.exit_code == 2 and "unknown shock" in bad.output
