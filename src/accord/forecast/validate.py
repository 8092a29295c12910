"""Scoring forecasting models against recorded outcomes (``accord forecast-eval``).

Each model maps a :class:`~accord.io.positions.PositionsTable` to one forecast per issue. The
report gives, per model, N (issues with an outcome and a forecast), the mean and median absolute
error, and the same split by decision rule and by procedure where the table has them.

Cross-validation (``cross_validate``) measures the honest error of *choosing* a model on data:
the issues are split into folds by proposal (so issues of one proposal never sit on both sides),
the model with the lowest MAE on the other folds is picked, and its error on the held-out fold is
what counts. No model has parameters fitted to the outcomes; the models' own constants keep their
published defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.forecast import spatial
from accord.io.positions import PositionsTable

FloatArray = npt.NDArray[np.float64]
Model = Callable[[PositionsTable], FloatArray]


def _nash(loss: str) -> Model:
    def model(t: PositionsTable) -> FloatArray:
        return spatial.nash_reference(
            t.positions,
            t.salience,
            t.capability,
            t.reference,
            loss=loss,  # type: ignore[arg-type]
        )

    return model


def _eum(t: PositionsTable) -> FloatArray:
    """The expected-utility model (Scholz variant, 10 rounds) on each issue's present actors."""
    from accord.forecast import eum

    out = np.full(t.n_issues, np.nan)
    for i in range(t.n_issues):
        present = ~np.isnan(t.positions[i]) & ~np.isnan(t.salience[i]) & ~np.isnan(t.capability)
        if present.sum() < 2:
            continue
        result = eum.run(
            t.positions[i, present],
            t.capability[present],
            t.salience[i, present] / 100.0,
            10,
            scale=t.scale,
        )
        out[i] = float(result.forecast)
    return out


def _exchange(t: PositionsTable, rounds: int = 10) -> FloatArray:
    """Stokman's exchange model on each proposal's issues together (actors trade across the
    issues of one proposal), 10 rounds; the forecast is the last round's outcome. Actors with no
    position or a zero salience on an issue take no part in it."""
    from accord.forecast.exchange import exchange_model

    out = np.full(t.n_issues, np.nan)
    proposals = np.array(t.attributes.get("prnr", t.issues))
    for proposal in dict.fromkeys(proposals.tolist()):
        rows = np.flatnonzero(proposals == proposal)
        x = t.positions[rows].T.copy()  # actors x issues
        s = t.salience[rows].T / 100.0
        usable = ~np.isnan(x) & ~np.isnan(s) & (s > 0) & (t.capability[:, None] > 0)
        keep = usable.any(axis=1)
        if keep.sum() < 2:
            continue
        x = np.where(usable, x, np.nan)[keep]
        s = np.where(usable, s, np.nan)[keep]
        result = exchange_model(x, s, t.capability[keep], rounds=rounds)
        out[rows] = result.outcomes[-1] if result.rounds else np.nan
    return out


MODELS: dict[str, Model] = {
    "exchange": _exchange,
    "eum": _eum,
    "compromise": lambda t: spatial.compromise(t.positions, t.salience, t.capability),
    "salience_mean": lambda t: spatial.weighted_mean(t.positions, t.salience),
    "mean": lambda t: spatial.mean(t.positions),
    "weighted_median": lambda t: spatial.weighted_median(t.positions, t.salience, t.capability),
    "median": lambda t: spatial.median(t.positions),
    "reference_point": lambda t: t.reference.copy(),
    "nash_linear": _nash("linear"),
    "nash_quadratic": _nash("quadratic"),
}
"""The models ``forecast-eval`` knows, by name."""


@dataclass(frozen=True)
class Score:
    """Absolute errors of a model's forecasts: count, mean and median."""

    n: int
    mae: float
    median_ae: float


@dataclass(frozen=True)
class ModelScore:
    """One model's scores, overall and by group."""

    model: str
    overall: Score
    by_group: dict[str, dict[str, Score]]  # attribute -> value -> score


def _score(errors: FloatArray) -> Score:
    if errors.size == 0:
        return Score(0, float("nan"), float("nan"))
    return Score(int(errors.size), float(errors.mean()), float(np.median(errors)))


def require_outcomes(table: PositionsTable) -> None:
    """Raise ValueError when the table records no outcome at all (nothing to score against)."""
    if table.n_issues == 0 or bool(np.isnan(table.outcome).all()):
        raise ValueError(
            "the table records no outcomes (an 'out' column with at least one value is"
            " needed to score forecasts)"
        )


def score_models(
    table: PositionsTable, models: Sequence[str] | None = None
) -> tuple[ModelScore, ...]:
    """Each model's errors against the recorded outcomes."""
    names = list(models) if models else list(MODELS)
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        raise ValueError(
            f"unknown model(s) {', '.join(map(repr, unknown))}"
            f" (expected some of: {', '.join(MODELS)})"
        )
    require_outcomes(table)
    groups = {k: v for k, v in table.attributes.items() if k in ("counvte", "proc")}
    out = []
    for name in names:
        forecast = np.asarray(MODELS[name](table), dtype=float)
        ok = ~np.isnan(forecast) & ~np.isnan(table.outcome)
        errors = np.abs(forecast - table.outcome)
        by_group: dict[str, dict[str, Score]] = {}
        for attribute, values in groups.items():
            labels = np.array(values)
            by_group[attribute] = {
                value: _score(errors[ok & (labels == value)])
                for value in sorted(set(values))
                if value
            }
        out.append(ModelScore(name, _score(errors[ok]), by_group))
    return tuple(out)


@dataclass(frozen=True)
class CrossValidation:
    """Cross-validated model choice: folds, the model picked per fold and the score."""

    folds: int
    chosen: tuple[str, ...]  # the model picked on each fold's training part
    score: Score  # the chosen models' errors on their held-out folds, pooled


def cross_validate(
    table: PositionsTable, models: Sequence[str] | None = None, folds: int = 5, seed: int = 0
) -> CrossValidation:
    """K-fold cross-validation of picking the lowest-MAE model, folds grouped by proposal."""
    require_outcomes(table)
    names = list(models) if models else list(MODELS)
    forecasts = {name: np.asarray(MODELS[name](table), dtype=float) for name in names}
    proposals = np.array(table.attributes.get("prnr", table.issues))
    unique = np.unique(proposals)
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(unique, rng.permutation(len(unique)) % folds, strict=True))
    fold = np.array([fold_of[p] for p in proposals])
    held: list[FloatArray] = []
    chosen = []
    for k in range(folds):
        train, test = fold != k, fold == k
        best, best_mae = names[0], np.inf
        for name in names:
            f = forecasts[name]
            ok = train & ~np.isnan(f) & ~np.isnan(table.outcome)
            if not ok.any():
                continue
            mae = float(np.abs(f[ok] - table.outcome[ok]).mean())
            if mae < best_mae:
                best, best_mae = name, mae
        chosen.append(best)
        f = forecasts[best]
        ok = test & ~np.isnan(f) & ~np.isnan(table.outcome)
        held.append(np.abs(f[ok] - table.outcome[ok]))
    return CrossValidation(folds, tuple(chosen), _score(np.concatenate(held)))
