"""The one forecast-model registry: every implementation listed once, unknown names refused
with the valid ones, eum and exchange in `accord forecast`, silent parties given nothing."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.cli.common import resolve_as_of
from accord.forecast import ensemble, validate
from accord.forecast.registry import REGISTRY, check_models, names
from accord.model.errors import UnknownId


def test_registry_lists_every_implementation_once() -> None:
    assert set(REGISTRY) == set(ensemble.MODELS) | set(validate.MODELS)
    for m in REGISTRY.values():
        assert m.description
        assert m.on_scenario == (m.name in ensemble.MODELS)
        assert m.on_table == (m.name in validate.MODELS)
    assert {"eum", "exchange"} <= set(names("scenario")) & set(names("table"))


def test_unknown_model_names_the_valid_ones() -> None:
    with pytest.raises(UnknownId, match=r"expected one of: .*exchange"):
        check_models(["nope"], "scenario")
    result = CliRunner().invoke(app, ["forecast", "teaching-river", "--model", "nope"])
    assert result.exit_code == 2
    assert "unknown forecast model 'nope'" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["teaching-river", "ukraine-2025"])
def test_eum_and_exchange_run_in_accord_forecast(name: str) -> None:
    s = resolve_as_of(name, None)
    result = ensemble.run_ensemble(s, models=["eum", "exchange"], runs=2)
    inputs = ensemble.forecast_inputs(s)
    for f in result.forecasts:
        issue = s.issue(f.issue)
        assert issue.scale.min - 1e-9 <= f.mean <= issue.scale.max + 1e-9
        i = inputs.issues.index(f.issue)
        stated = inputs.positions[i][~np.isnan(inputs.positions[i])]
        assert stated.size  # a forecast only where some party speaks
    spoken = {f.issue for f in result.forecasts} | {m.issue for m in result.missing}
    assert spoken == {i.id for i in s.issues}  # each issue: a forecast or a reason
    assert all(m.reason for m in result.missing)
    cli = CliRunner().invoke(app, ["forecast", name, "--model", "exchange", "--runs", "2"])
    assert cli.exit_code == 0, cli.output
