"""Forecasts: ``forecast`` and ``forecast-eval``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import (
    AsOfOpt,
    JsonOpt,
    ScenarioArg,
    ShockOpt,
    UsageFailure,
    app,
    compiled_for,
    emit_json,
    number,
    out,
    progress_bar,
    resolve_as_of,
    user_errors,
)
from accord.forecast.calibrate import Predictive
from accord.forecast.ensemble import Ensemble, run_ensemble
from accord.forecast.validate import MODELS as FORECAST_MODELS
from accord.forecast.validate import cross_validate, score_models
from accord.io.positions import read_positions
from accord.judgements import nothing_uncertain
from accord.model import (
    Scenario,
)

ANALYZE_MODELS = ("compromise", "weighted_median")


def analyze_forecasts(s: Scenario, shocks: Sequence[str] | None) -> list[tuple[str, Ensemble]]:
    """The forecast as given, and under each of the scenario's other shocks (one at a time)."""
    base = tuple(shocks or ())
    runs = [(", ".join(base) or "baseline", base)]
    runs += [(f"+{sh.id}", (*base, sh.id)) for sh in s.shocks if sh.id not in base]
    return [
        (label, run_ensemble(s, models=ANALYZE_MODELS, runs=200, seed=0, shocks=shocks_))
        for label, shocks_ in runs
    ]


@app.command()
def forecast(
    scenario: ScenarioArg = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="compromise, weighted_median, mean, nash (repeatable)."),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Samples of the inputs.")] = 1000,
    shock: ShockOpt = None,
    as_of: AsOfOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="A dask scheduler address (dask backend).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")] = 0,
    chunk: Annotated[int, typer.Option("--chunk", min=1, help="Runs per chunk.")] = 250,
    json_out: JsonOpt = False,
) -> None:
    """Forecast each issue's outcome with spatial models over sampled inputs (ranges and
    distributions in the scenario), optionally under shocks."""
    models = model or ["compromise", "weighted_median"]
    with user_errors():
        if backend not in ("local", "dask"):
            raise UsageFailure(f"unknown backend {backend!r} (expected local or dask)")
        s = resolve_as_of(scenario, as_of)
        compiled_for(s, shock)  # checks the shock names
        try:
            with progress_bar("forecasting") as tick:
                result = run_ensemble(
                    s,
                    models=models,
                    runs=runs,
                    seed=seed,
                    shocks=tuple(shock or ()),
                    chunk=chunk,
                    backend=backend,  # type: ignore[arg-type]
                    scheduler=scheduler,
                    progress=tick,
                )
        except ValueError as exc:
            raise UsageFailure(str(exc)) from None
    if json_out:
        emit_json(
            {
                "scenario": s.id,
                "runs": result.runs,
                "seed": result.seed,
                "shocks": list(result.shocks),
                "backend": result.backend,
                "forecasts": [asdict(f) for f in result.forecasts],
                "no_forecast": [asdict(m) for m in result.missing],
            }
        )
        return
    out.print(forecast_table(s, [(", ".join(result.shocks) or "baseline", result)], models))
    basis = predictive_basis(result, models)
    if basis:
        out.print(basis)
    for m in result.missing:
        out.print(f"No {m.model} forecast of {m.issue}: {m.reason}.")


def forecast_table(
    s: Scenario, ensembles: Sequence[tuple[str, Ensemble]], models: Sequence[str]
) -> Table:
    """The per-issue forecast table: each model's most frequent nearest option and mean, and
    its calibrated predictive distribution (central 90% and 50% intervals, most probable
    option)."""
    fixed = nothing_uncertain(s)
    calibrated = "; calibrated 90% and 50% intervals and most probable option"
    title = (
        f"Forecast per issue: nearest option and position ({fixed}){calibrated}"
        if fixed
        else "Forecast per issue: most frequent nearest option (share of runs), mean position"
        + calibrated
    )
    table = Table(title=title)
    table.add_column("issue", no_wrap=True)
    for label, _ in ensembles:
        for m in models:
            table.add_column(f"{m}\n[{label}]", overflow="fold")
    for issue in s.issues:
        cells = []
        for _, ensemble in ensembles:
            for m in models:
                try:
                    f = ensemble.get(m, issue.id)
                except KeyError:
                    cells.append("-")
                    continue
                best = max(f.option_share.items(), key=lambda kv: kv[1])
                share = "" if fixed else f" ({best[1]:.0%} of runs)"
                cell = f"{best[0]}{share}; {number(f.mean)}"
                if f.predictive is not None:
                    cell += "\n" + predictive_cell(f.predictive)
                cells.append(cell)
        table.add_row(issue.id, *cells)
    return table


def predictive_cell(p: Predictive) -> str:
    """A calibrated predictive distribution in a table cell: the central 90% and 50%
    intervals and the most probable option with its probability."""
    (lo90, hi90), (lo50, hi50) = p.intervals["0.9"], p.intervals["0.5"]
    option, prob = max(p.option_probability.items(), key=lambda kv: kv[1])
    return (
        f"90% interval {number(lo90)}-{number(hi90)}; 50% {number(lo50)}-{number(hi50)}\n"
        f"probability {prob:.0%}: {option}"
    )


def predictive_basis(ensemble: Ensemble, models: Sequence[str]) -> str:
    """The stated basis of the calibrated intervals and probabilities, one line per model."""
    seen: dict[str, str] = {}
    for f in ensemble.forecasts:
        if f.predictive is not None and f.model in models:
            seen.setdefault(f.model, f.predictive.basis)
    if not seen:
        return ""
    per_model = "; ".join(f"{m}: {basis}" for m, basis in seen.items())
    return (
        f"Intervals and probabilities ({per_model}). The DEU residuals, measured on a 0-100"
        " scale, are scaled to each issue's width and the outcome clipped to its ends."
    )


@app.command("forecast-eval")
def forecast_eval(
    file: Annotated[str, typer.Argument(help="A DEU table (.tsv) with recorded outcomes.")],
    models: Annotated[
        list[str] | None,
        typer.Option("--models", "--model", help="Models to score (repeatable; default all)."),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds.")] = 5,
    json_out: JsonOpt = False,
) -> None:
    """Score forecasting models against recorded outcomes: N, mean and median absolute error,
    split by decision rule and procedure, and the cross-validated error of picking the best."""
    with user_errors():
        table = read_positions(file)
        chosen = models or list(FORECAST_MODELS)
        try:
            scores = score_models(table, chosen)
        except ValueError as exc:
            raise UsageFailure(f"{file}: {exc}") from None
        cv = cross_validate(table, chosen, folds=folds)
    if json_out:
        emit_json(
            {
                "file": file,
                "issues": table.n_issues,
                "models": [asdict(score) for score in scores],
                "cross_validation": asdict(cv),
            }
        )
        return
    table_out = Table(title=f"Forecast errors on {file} (0-100 scale)")
    for column in ("model", "N", "MAE", "median AE"):
        table_out.add_column(column, justify="right" if column != "model" else "left")
    groups = sorted({(a, v) for sc in scores for a, d in sc.by_group.items() for v in d})
    for _, value in groups:
        table_out.add_column(f"MAE {value}", justify="right")
    for sc in scores:
        cells = []
        for attribute, value in groups:
            g = sc.by_group.get(attribute, {}).get(value)
            cells.append(f"{g.mae:.2f}" if g and g.n else "-")
        table_out.add_row(
            sc.model,
            str(sc.overall.n),
            f"{sc.overall.mae:.2f}",
            f"{sc.overall.median_ae:.2f}",
            *cells,
        )
    out.print(table_out)
    picked = ", ".join(sorted(set(cv.chosen)))
    out.print(
        f"Cross-validated ({cv.folds} folds by proposal) error of picking the lowest-MAE model:"
        f" MAE {cv.score.mae:.2f} over {cv.score.n} issues; chosen: {picked}"
    )
