"""One-shot spatial models: properties on random inputs, the DEU III dev-split baselines
reproduced exactly, and the positions-table readers' errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from typer.testing import CliRunner

from accord.cli import app
from accord.forecast import spatial
from accord.forecast.validate import cross_validate, score_models
from accord.io.positions import read_bdm, read_deu
from accord.model import ScenarioError

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "validation"
DEU = VALIDATION / "deu3_dev.tsv"

settings.register_profile("spatial", deadline=None, max_examples=100)

actors = st.integers(1, 9)


@st.composite
def issue(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(actors)
    x = draw(arrays(float, n, elements=st.floats(0, 100)))
    s = draw(arrays(float, n, elements=st.floats(0.01, 1)))
    c = draw(arrays(float, n, elements=st.floats(0.01, 10)))
    return x, s, c


@settings(settings.get_profile("spatial"))
@given(issue(), st.floats(-50, 50))
def test_compromise_properties(data: tuple[np.ndarray, ...], d: float) -> None:
    x, s, c = data
    f = spatial.compromise(x, s, c)
    assert x.min() - 1e-9 <= f <= x.max() + 1e-9
    assert spatial.compromise(x + d, s, c) == pytest.approx(f + d, abs=1e-9)
    order = np.random.default_rng(0).permutation(x.size)
    assert spatial.compromise(x[order], s[order], c[order]) == pytest.approx(f, abs=1e-9)
    med = spatial.weighted_median(x, s, c)
    assert med in x
    assert spatial.weighted_median(x + d, s, c) == pytest.approx(med + d, abs=1e-9)


@settings(settings.get_profile("spatial"))
@given(issue(), st.floats(0, 100), st.sampled_from(["linear", "quadratic"]))
def test_nash_reference_beats_a_dense_grid(
    data: tuple[np.ndarray, ...], q: float, loss: str
) -> None:
    x, s, c = data
    o = float(spatial.nash_reference(x, s, c, q, loss=loss))  # type: ignore[arg-type]
    a = 2.0 if loss == "quadratic" else 1.0
    d = np.abs(x - q)
    assert np.all(np.abs(x - o) <= d + 1e-9)  # every actor weakly prefers it to q

    def objective(points: np.ndarray) -> np.ndarray:
        gain = s * (d**a - np.abs(x[None, :] - points[:, None]) ** a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.all(gain > 0, axis=1), (c * np.log(gain)).sum(axis=1), -np.inf)

    width = (x + d).min() - (x - d).max()  # the outcomes every actor weakly prefers to q
    if width <= 1e-9:  # (almost) only q itself qualifies
        assert o == pytest.approx(q, abs=1e-9)
        return
    low, high = (x - d).max(), (x + d).min()
    grid = np.concatenate([np.linspace(low, high, 20_001)[1:-1], x[(x > low) & (x < high)]])
    best = objective(grid).max()
    # relative: near-degenerate intervals make gains like 1 - (1 - o), exact only to 1e-16
    assert objective(np.array([o]))[0] >= best - 1e-6 * max(1.0, abs(best))


def test_missing_values_are_skipped() -> None:
    x = np.array([10.0, np.nan, 30.0])
    s = np.array([1.0, 1.0, np.nan])
    assert spatial.compromise(x, s, np.ones(3)) == pytest.approx(10.0)
    assert spatial.mean(x) == pytest.approx(20.0)


deu = pytest.mark.skipif(not DEU.exists(), reason="../shared/data/validation is not present")


@deu
def test_deu3_dev_baselines_reproduced_exactly() -> None:
    table = read_deu(DEU)
    scores = {s.model: s.overall for s in score_models(table)}
    expected = {
        "compromise": (155, 23.31),
        "salience_mean": (155, 24.74),
        "mean": (155, 24.96),
        "weighted_median": (155, 26.98),
        "reference_point": (105, 47.37),
    }
    for model, (n, mae) in expected.items():
        assert scores[model].n == n, model
        assert round(scores[model].mae, 2) == mae, model
    cv = cross_validate(table)
    assert cv.score.n == 155 and cv.folds == 5


@deu
def test_forecast_eval_cli() -> None:
    result = CliRunner().invoke(app, ["forecast-eval", str(DEU), "--json"])
    assert result.exit_code == 0
    import json

    data = json.loads(result.output)
    assert {m["model"] for m in data["models"]} >= {"compromise", "nash_linear"}
    assert data["cross_validation"]["score"]["n"] == 155


def test_bad_tables_get_file_line_messages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("isnr\tpa\tsa\tpb\tsb\tout\nx1\t10\t50\tlots\t50\t20\nx2\t10\t150\t0\t50\t20\n")
    with pytest.raises(ScenarioError) as caught:
        read_deu(bad)
    assert caught.value.lines() == [
        f"{bad}:2 pb: 'lots' is not a number (expected a number or an empty cell)",
        f"{bad}:3 sa: 150 is out of range (expected 0 to 100)",
    ]
    csv_file = tmp_path / "bdm.csv"
    csv_file.write_text("Actor,Capability,Position\nA,1,2\n")
    with pytest.raises(ScenarioError, match="missing column"):
        read_bdm(csv_file)
    result = CliRunner().invoke(app, ["forecast-eval", str(bad)])
    assert result.exit_code == 2 and "'lots' is not a number" in result.output


def test_plain_median_takes_the_middle_of_an_even_count() -> None:
    x = np.array([[10.0, 20.0, 30.0, 40.0], [5.0, np.nan, 7.0, 6.0], [np.nan] * 4])
    out = spatial.median(x)
    assert out[0] == 25.0 and out[1] == 6.0 and np.isnan(out[2])
    assert spatial.weighted_median(x[0]) == 20.0  # the weighted median keeps the lower one


@deu
def test_unweighted_median_is_the_plain_median_on_deu_dev() -> None:
    table = read_deu(DEU)
    (median,) = score_models(table, ["median"])
    # the plain median of the stated positions (31.53); the lower median gave 30.75
    assert median.overall.n == 155 and round(median.overall.mae, 2) == 31.53


def test_a_table_without_outcomes_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "no_outcomes.tsv"
    empty.write_text("isnr\tpa\tsa\tpb\tsb\tout\nx1\t10\t50\t30\t50\t\nx2\t10\t50\t0\t50\t\n")
    with pytest.raises(ValueError, match="no outcomes"):
        score_models(read_deu(empty))
    result = CliRunner().invoke(app, ["forecast-eval", str(empty)])
    assert result.exit_code == 2 and "no outcomes" in result.output
    assert "Traceback" not in result.output
