"""Forecasts per issue: a model x issue table, and the first model's distributions with and
without each of the scenario's shocks."""

from __future__ import annotations

from typing import Any

from accord.forecast.ensemble import Ensemble, IssueForecast
from accord.model.records import Scenario
from accord.report.context import Context
from accord.report.record import Chart, Paragraph, Section, Table
from accord.report.sections.text import cell, signed, unavailable

TITLE = "Forecasts per issue"


def _scaled(s: Scenario, f: IssueForecast) -> dict[str, float]:
    """The forecast's quantiles as a percentage of the issue's scale."""
    scale = s.issue(f.issue).scale
    width = scale.max - scale.min
    return {k: round(100 * (v - scale.min) / width, 3) for k, v in f.quantiles.items()}


def _figure(x: float) -> str:
    """A number as people write it: 657,364 (no exponent), 52.4, 0.35."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _value(s: Scenario, issue: str, x: float) -> str:
    unit = s.issue(issue).scale.unit
    return _figure(x) + (f" {unit}" if unit else "")


def _predictive(s: Scenario, issue: str, f: IssueForecast) -> str:
    """The calibrated predictive distribution in a cell: median, 50% and 90% intervals and the
    most probable option with its probability."""
    p = f.predictive
    assert p is not None
    (lo50, hi50), (lo90, hi90) = p.intervals["0.5"], p.intervals["0.9"]
    option, prob = max(p.option_probability.items(), key=lambda kv: kv[1])
    unit = s.issue(issue).scale.unit
    v = _figure  # the unit once, at the end
    return (
        f"median {v(p.quantiles['q50'])}, 50% {v(lo50)}-{v(hi50)}, 90% {v(lo90)}-{v(hi90)}"
        + (f" {unit}" if unit else "")
        + f"; probability {prob:.0%} {option}"
    )


def forecasts(ctx: Context) -> Section:
    """The forecasts section: models x issues, under each declared shock."""
    s = ctx.scenario
    records = ctx.analysis.forecasts
    base_label = records[0].label
    runs: list[tuple[str, Ensemble]] = [(f.label, f.ensemble) for f in records]
    if not runs[0][1].forecasts:
        return unavailable(
            "forecasts",
            TITLE,
            "No forecast: no party states a position on an issue's numeric scale.",
        )
    extra = [sh for sh in s.shocks if sh.id not in ctx.shocks]
    base = runs[0][1]
    model = ctx.models[0]
    issues = [i.id for i in s.issues]

    fixed = all(len(set(f.quantiles.values())) == 1 for f in base.forecasts)
    rows = []
    for issue in s.issues:
        cells = [cell(issue.id)]
        for m in ctx.models:
            try:
                f = base.get(m, issue.id)
            except KeyError:
                cells.append(cell("-"))
                continue
            best = max(f.option_share.items(), key=lambda kv: kv[1])
            share = "" if fixed else f" ({best[1]:.0%} of runs)"
            text = f"{best[0]}{share}; mean {_value(s, issue.id, f.mean)}"
            if f.predictive is not None:
                text += "; " + _predictive(s, issue.id, f)
            cells.append(cell(text))
        rows.append(tuple(cells))
    basis = "; ".join(
        sorted(
            {
                f"{f.model}: N={f.predictive.n}"
                for f in base.forecasts
                if f.predictive is not None and f.model in ctx.models
            }
        )
    )
    blocks: list[Any] = [
        Paragraph(
            f"Spatial models per issue over {ctx.runs} samples of the scenario's inputs (seed"
            f" {ctx.seed}): each party's ideal position on the issue's scale, weighted by its"
            " salience and capability. Each cell gives the option nearest the most runs' outcome"
            " and the mean position (the share of runs is the spread of the sampled inputs,"
            " not a probability), then the calibrated predictive distribution: the model's"
            " error on the DEU III dev issues added to the runs, its median, central 50% and 90%"
            " intervals and the probability of the most probable option"
            + (f" ({basis})" if basis else "")
            + ". A dash: the model gives no forecast there (the expected-"
            "utility model needs every party's position on the issue)."
        ),
        Table(
            "forecast-models",
            f"Models x issues ({base_label}): most frequent nearest option (share of runs); mean"
            " position; calibrated predictive median, 50% and 90% intervals, probability",
            ("issue", *ctx.models),
            tuple(rows),
        ),
    ]
    missing = [m for m in base.missing if m.model in ctx.models]
    if missing:
        blocks.append(
            Paragraph(
                "No forecast where a model cannot give one: "
                + "; ".join(f"{m.model} on {m.issue} ({m.reason})" for m in missing)
                + "."
            )
        )
    if fixed:
        blocks.append(
            Paragraph(
                "The scenario gives no ranges or distributions for these inputs, so every run"
                " is equal and each distribution collapses to a line.",
                notice=True,
            )
        )
    if extra:
        for sh in extra:
            blocks.append(Paragraph(f"Shock {sh.id} ({sh.name}): {sh.rationale}"))
    else:
        blocks.append(Paragraph("The scenario defines no further shock to compare.", notice=True))

    comparisons = runs[1:] if len(runs) > 1 else []
    shown_issues = [i for i in issues if _has(base, model, i)]
    if not comparisons:
        blocks.append(_boxes(s, model, shown_issues, [runs[0]], "forecast-chart", None))
    for n, (lab, ens) in enumerate(comparisons):
        blocks.append(
            _boxes(s, model, shown_issues, [runs[0], (lab, ens)], f"forecast-chart-{n}", lab)
        )

    table_rows = []
    for issue_id in shown_issues:
        cells = [cell(issue_id)]
        for _, ens in runs:
            try:
                f = ens.get(model, issue_id)
            except KeyError:
                cells.append(cell("-"))
                continue
            q = f.quantiles
            spread = (
                ""
                if q["q05"] == q["q95"]
                else f" [{_value(s, issue_id, q['q05'])} to {_value(s, issue_id, q['q95'])}]"
            )
            cells.append(cell(_value(s, issue_id, q["q50"]) + spread))
        table_rows.append(tuple(cells))
    blocks.append(
        Table(
            "forecast-shocks",
            f"Model {model}: median position [5% to 95% of runs], as given and under each shock",
            ("issue", *(lab for lab, _ in runs)),
            tuple(table_rows),
        )
    )
    return Section("forecasts", TITLE, tuple(blocks))


def _has(ens: Ensemble, model: str, issue: str) -> bool:
    return any(f.model == model and f.issue == issue for f in ens.forecasts)


def _boxes(
    s: Scenario,
    model: str,
    issues: list[str],
    runs: list[tuple[str, Ensemble]],
    chart_id: str,
    shock: str | None,
) -> Chart:
    series: list[dict[str, Any]] = []
    per_run: list[list[dict[str, float] | None]] = []
    for lab, ens in runs:
        quantiles = [_scaled(s, ens.get(model, i)) if _has(ens, model, i) else None for i in issues]
        per_run.append(quantiles)
        series.append({"name": lab, "issues": issues, "quantiles": quantiles})
    if shock is None:
        reading = f"The spread of model {model}'s outcome on each issue over the runs."
        title = f"Distribution of the {model} forecast per issue (% of each issue's scale)"
    else:
        moves = []
        for k, issue in enumerate(issues):
            a, b = per_run[0][k], per_run[1][k]
            if a is not None and b is not None:
                moves.append((abs(b["q50"] - a["q50"]), b["q50"] - a["q50"], issue))
        moved = [m for m in moves if m[0] > 0.05]
        if moved:
            _, delta, issue = max(moved)
            reading = (
                f"Under {shock[1:]}, the median moves on {len(moved)} of {len(moves)} issues;"
                f" most on {issue} ({signed(delta, 1)} points of its scale)."
            )
        else:
            reading = f"Under {shock[1:]}, no median moves by more than 0.05% of its scale."
        title = f"The {model} forecast per issue, as given and {shock} (% of each issue's scale)"
    return Chart(
        chart_id,
        "boxes",
        title,
        reading,
        {"series": series, "x_title": "position (% of the issue's scale, min to max)"},
    )
