"""Scoring forecasting models against recorded outcomes (``accord forecast-eval``).

Each model maps a :class:`~accord.io.positions.PositionsTable` to one forecast per issue. The
report gives, per model, N (issues with an outcome and a forecast), the mean and median absolute
error, and the same split by decision rule and by procedure where the table has them.

Cross-validation (``cross_validate``) measures the honest error of *choosing* a model on data:
the issues are split into folds by proposal (so issues of one proposal never sit on both sides),
the model with the lowest MAE on the other folds is picked, and its error on the held-out fold is
what counts. No model has parameters fitted to the outcomes; the models' own constants keep their
published defaults.

Calibration (:mod:`accord.forecast.calibrate`): each score also carries the coverage of the
central 50% and 90% intervals ``forecast +- q`` and their mean width, with ``q`` the conformal
quantile of the model's absolute residuals on the *other* folds (the same proposal-grouped folds),
so no issue is scored with a quantile fitted on its own proposal. :func:`evaluate` adds, per model,
the paired proposal-clustered bootstrap interval of its MAE difference from the compromise model
(:mod:`accord.forecast.bootstrap`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.forecast import spatial
from accord.forecast.bootstrap import RESAMPLES, Difference, clustered_difference
from accord.forecast.calibrate import (
    Coverage,
    cross_fitted_half_widths,
    interval_coverage,
    proposal_folds,
)
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
"""The DEU-table implementation of each model, by name; the public list, with descriptions and
where each runs, is :mod:`accord.forecast.registry`."""


@dataclass(frozen=True)
class Score:
    """Absolute errors of a model's forecasts: count, mean and median; where computed, the
    cross-fitted coverage of the central intervals and their mean width, keyed ``"0.5"`` and
    ``"0.9"`` (see :mod:`accord.forecast.calibrate`)."""

    n: int
    mae: float
    median_ae: float
    coverage: dict[str, float] | None = None
    width: dict[str, float] | None = None


@dataclass(frozen=True)
class ModelScore:
    """One model's scores, overall and by group."""

    model: str
    overall: Score
    by_group: dict[str, dict[str, Score]]  # attribute -> value -> score


def _score(errors: FloatArray, intervals: Coverage | None = None) -> Score:
    if errors.size == 0:
        return Score(0, float("nan"), float("nan"))
    return Score(
        int(errors.size),
        float(errors.mean()),
        float(np.median(errors)),
        None if intervals is None else intervals.coverage,
        None if intervals is None else intervals.width,
    )


def _coverage(
    forecast: FloatArray, table: PositionsTable, half: FloatArray, keep: npt.NDArray[np.bool_]
) -> Coverage:
    return interval_coverage(forecast[keep], table.outcome[keep], half[keep], scale=table.scale)


def _groups(table: PositionsTable) -> tuple[str, ...]:
    return table.attributes.get("prnr", table.issues)


def forecast_all(
    table: PositionsTable, models: Sequence[str] | None = None
) -> dict[str, FloatArray]:
    """Each named model's forecast of every issue of the table (NaN where it gives none)."""
    from accord.forecast.registry import check_models
    from accord.forecast.registry import names as registered

    names = list(models) if models else list(registered("table"))
    check_models(names, "table")
    return {name: np.asarray(MODELS[name](table), dtype=float) for name in names}


def require_outcomes(table: PositionsTable) -> None:
    """Raise ValueError when the table records no outcome at all (nothing to score against)."""
    if table.n_issues == 0 or bool(np.isnan(table.outcome).all()):
        raise ValueError(
            "the table records no outcomes (an 'out' column with at least one value is"
            " needed to score forecasts)"
        )


def score_models(
    table: PositionsTable,
    models: Sequence[str] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    forecasts: Mapping[str, FloatArray] | None = None,
) -> tuple[ModelScore, ...]:
    """Each model's errors against the recorded outcomes, with the cross-fitted coverage and
    width of its calibrated intervals (``folds`` proposal-grouped folds shuffled with ``seed``).
    ``forecasts`` (from :func:`forecast_all`) saves recomputing them."""
    require_outcomes(table)
    if forecasts is None:
        forecasts = forecast_all(table, models)
    names = list(models) if models else list(forecasts)
    groups = {k: v for k, v in table.attributes.items() if k in ("counvte", "proc")}
    fold = proposal_folds(_groups(table), folds, seed)
    out = []
    for name in names:
        forecast = forecasts[name]
        ok = ~np.isnan(forecast) & ~np.isnan(table.outcome)
        errors = np.abs(forecast - table.outcome)
        half = cross_fitted_half_widths(forecast, table.outcome, fold)

        by_group: dict[str, dict[str, Score]] = {}
        for attribute, values in groups.items():
            labels = np.array(values)
            by_group[attribute] = {}
            for value in sorted(set(values)):
                if value:
                    keep = ok & (labels == value)
                    by_group[attribute][value] = _score(
                        errors[keep], _coverage(forecast, table, half, keep)
                    )
        out.append(
            ModelScore(name, _score(errors[ok], _coverage(forecast, table, half, ok)), by_group)
        )
    return tuple(out)


@dataclass(frozen=True)
class CrossValidation:
    """Cross-validated model choice: folds, the model picked per fold and the score."""

    folds: int
    chosen: tuple[str, ...]  # the model picked on each fold's training part
    score: Score  # the chosen models' errors on their held-out folds, pooled


def cross_validate(
    table: PositionsTable,
    models: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    forecasts: Mapping[str, FloatArray] | None = None,
) -> CrossValidation:
    """K-fold cross-validation of picking the lowest-MAE model, folds grouped by proposal."""
    require_outcomes(table)
    if forecasts is None:
        forecasts = forecast_all(table, models)
    names = list(models) if models else list(forecasts)
    fold = proposal_folds(_groups(table), folds, seed)
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


BASELINE = "compromise"


@dataclass(frozen=True)
class Evaluation:
    """Everything ``forecast-eval`` reports: per-model scores (with calibrated coverage), the
    cross-validated model choice, and each model's MAE difference from ``baseline`` with its
    bootstrap interval (``differences``; empty when the baseline is not among the models)."""

    scores: tuple[ModelScore, ...]
    cross_validation: CrossValidation
    baseline: str
    differences: tuple[Difference, ...]

    def lowest(self) -> ModelScore:
        """The model with the lowest MAE (the first of a tie)."""
        scored = [s for s in self.scores if s.overall.n]
        return min(scored or self.scores, key=lambda s: s.overall.mae)

    def difference(self, model: str) -> Difference | None:
        """The bootstrap difference of ``model`` from the baseline, or None."""
        return next((d for d in self.differences if d.model == model), None)

    def verdict(self) -> str:
        """One sentence on which model forecasts best, calling one "best" only where its
        difference from the baseline is clear of 0 (and every other model's is worse)."""
        low = self.lowest()
        if not self.differences:
            return f"Lowest MAE: {low.model} ({low.overall.mae:.2f})."
        d0 = self.differences[0]
        level = f"{d0.level:.0%} proposal-bootstrap interval"
        if low.model == self.baseline:
            clear = [d.model for d in self.differences if d.low > 0]
            tied = [
                d.model for d in self.differences if d.model != self.baseline and d.includes_zero
            ]
            if tied:
                return (
                    f"Lowest MAE: {low.model} ({low.overall.mae:.2f}), but not shown best: the"
                    f" {level} of the MAE difference includes 0 for {', '.join(tied)}."
                )
            return (
                f"Best: {low.model} (MAE {low.overall.mae:.2f}); every other model's MAE is"
                f" higher, {level} clear of 0 ({', '.join(clear)})."
            )
        d = self.difference(low.model)
        assert d is not None
        if d.includes_zero:
            return (
                f"Lowest MAE: {low.model} ({low.overall.mae:.2f}), but not shown better than"
                f" {self.baseline}: the {level} of the difference, [{d.low:+.2f}, {d.high:+.2f}],"
                " includes 0."
            )
        return (
            f"{low.model} forecasts better than {self.baseline}: MAE lower by"
            f" {-d.difference:.2f} ({level} [{d.low:+.2f}, {d.high:+.2f}])."
        )


def evaluate(
    table: PositionsTable,
    models: Sequence[str] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    resamples: int = RESAMPLES,
    baseline: str = BASELINE,
) -> Evaluation:
    """Score, cross-validate and compare the models on one table (``forecast-eval``): the
    forecasts are computed once; the bootstrap draws ``resamples`` proposal resamples with
    ``seed``."""
    require_outcomes(table)
    forecasts = forecast_all(table, models)
    names = list(forecasts)
    scores = score_models(table, names, folds=folds, seed=seed, forecasts=forecasts)
    cv = cross_validate(table, names, folds=folds, seed=seed, forecasts=forecasts)
    differences: list[Difference] = []
    if baseline in forecasts:
        base_errors = forecasts[baseline] - table.outcome
        differences = [
            clustered_difference(
                forecasts[name] - table.outcome,
                base_errors,
                _groups(table),
                model=name,
                baseline=baseline,
                resamples=resamples,
                seed=seed,
            )
            for name in names
            if name != baseline
        ]
    return Evaluation(scores, cv, baseline, tuple(differences))
