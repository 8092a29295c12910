"""Forecast ensembles: sample a scenario's uncertain inputs, apply shocks, run every model on all
runs at once, and summarise the outcome per issue as a distribution.

Each issue's actors are the parties that state a preference on it. Their position is the ideal's
place on the issue's scale, their salience is the stated salience, and their capability is the
party's capability. Saliences and capabilities take their effective spread from
:func:`accord.judgements.effective` (their own ``range``/``dist``, or the default width of the
scenario's ``uncertainty:`` block). A number given as a ``range`` is sampled uniformly in
it; a number given as a ``dist`` is sampled from that distribution (clipped to its valid
range); a plain number stays fixed. Shocks are applied to the scenario first.

Each uncertain input has its own random stream (:func:`accord.judgements.sample_runs`), and run
``r`` takes its ``r``-th number. Results therefore depend only on the seed and the run index,
never on how the runs are chunked or which backend computes them (``"local"``, numpy in this
process; ``"dask"``, chunks as tasks on a ``dask.distributed`` cluster). Models see arrays of
shape ``(runs, issues, actors)`` with NaN for actors absent from an issue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from accord.compile import apply_shocks
from accord.forecast import spatial
from accord.forecast.calibrate import Predictive, predictive
from accord.judgements import effective, sample_runs
from accord.model.records import Quantity, Scenario
from accord.parallel import dask_client, distributed

FloatArray = npt.NDArray[np.float64]
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class ForecastInputs:
    """Issues x actors arrays of one scenario, with the quantities behind them (for sampling)."""

    issues: tuple[str, ...]
    actors: tuple[str, ...]
    positions: FloatArray  # (I, A), NaN where the actor states nothing on the issue
    salience: FloatArray  # (I, A)
    capability: FloatArray  # (A,)
    reference: FloatArray  # (I,) the status quo's position
    low: FloatArray  # (I,) scale ends
    high: FloatArray
    option_positions: tuple[FloatArray, ...]  # per issue
    option_ids: tuple[tuple[str, ...], ...]
    uncertain: tuple[tuple[str, int, int, Quantity], ...]  # (kind, issue, actor, quantity)


def forecast_inputs(scenario: Scenario) -> ForecastInputs:
    """The issues x actors arrays of a scenario, with the uncertain quantities behind them."""
    actors = [p.id for p in scenario.parties if scenario.preferences.get(p.id)]
    n_i, n_a = len(scenario.issues), len(actors)
    positions = np.full((n_i, n_a), np.nan)
    salience = np.full((n_i, n_a), np.nan)
    capability = np.ones(n_a)
    uncertain: list[tuple[str, int, int, Quantity]] = []
    for a, pid in enumerate(actors):
        party = scenario.party(pid)
        if party.capability is not None:
            capability[a] = party.capability.value
            cap = effective(party.capability, "capability", scenario.uncertainty)
            if cap.range or cap.dist:
                uncertain.append(("capability", -1, a, cap))
    for i, issue in enumerate(scenario.issues):
        where = {o.id: o.position for o in issue.options}
        for a, pid in enumerate(actors):
            pref = scenario.preferences[pid].get(issue.id)
            if pref is None:
                continue
            if isinstance(pref.ideal, str):
                positions[i, a] = where[pref.ideal]
            elif isinstance(pref.ideal, Quantity):
                positions[i, a] = pref.ideal.value
                if pref.ideal.range or pref.ideal.dist:
                    uncertain.append(("position", i, a, pref.ideal))
            elif pref.values:
                best = max(pref.values.items(), key=lambda kv: kv[1].value)[0]
                positions[i, a] = where[best]
            salience[i, a] = pref.salience.value
            sal = effective(pref.salience, "salience", scenario.uncertainty)
            if sal.range or sal.dist:
                uncertain.append(("salience", i, a, sal))
    return ForecastInputs(
        issues=tuple(issue.id for issue in scenario.issues),
        actors=tuple(actors),
        positions=positions,
        salience=salience,
        capability=capability,
        reference=np.array(
            [next(o.position for o in i.options if o.id == i.status_quo) for i in scenario.issues]
        ),
        low=np.array([i.scale.min for i in scenario.issues]),
        high=np.array([i.scale.max for i in scenario.issues]),
        option_positions=tuple(np.array([o.position for o in i.options]) for i in scenario.issues),
        option_ids=tuple(tuple(o.id for o in i.options) for i in scenario.issues),
        uncertain=tuple(uncertain),
    )


def sample_items(inputs: ForecastInputs) -> list[tuple[Quantity, float, float]]:
    """The uncertain inputs as :func:`accord.judgements.sample_runs` items (quantity, low,
    high), in the order of ``inputs.uncertain``."""
    items = []
    for kind, i, _, q in inputs.uncertain:
        if kind == "capability":
            items.append((q, 0.0, np.inf))
        elif kind == "salience":
            items.append((q, 0.0, 1.0))
        else:
            items.append((q, float(inputs.low[i]), float(inputs.high[i])))
    return items


def place(inputs: ForecastInputs, draws: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Positions and saliences (R, I, A) and capability (R, A) with ``draws`` (R, K: one column
    per entry of ``inputs.uncertain``, further columns ignored) put in place."""
    n = draws.shape[0]
    x = np.broadcast_to(inputs.positions, (n, *inputs.positions.shape)).copy()
    s = np.broadcast_to(inputs.salience, (n, *inputs.salience.shape)).copy()
    c = np.broadcast_to(inputs.capability, (n, *inputs.capability.shape)).copy()
    for k, (kind, i, a, _) in enumerate(inputs.uncertain):
        if kind == "capability":
            c[:, a] = draws[:, k]
        elif kind == "salience":
            s[:, i, a] = draws[:, k]
        else:
            x[:, i, a] = draws[:, k]
    return x, s, c


def sample(
    inputs: ForecastInputs, seed: int, start: int, stop: int, runs: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Runs ``start..stop-1`` of ``runs``: positions and saliences (R, I, A), capability (R, A),
    drawn by :func:`accord.judgements.sample_runs`."""
    return place(inputs, sample_runs(sample_items(inputs), seed, start, stop, runs))


Model = Callable[[FloatArray, FloatArray, FloatArray, ForecastInputs], FloatArray]


EUM_ROUNDS = 10


def _eum(x: FloatArray, s: FloatArray, c: FloatArray, inputs: ForecastInputs) -> FloatArray:
    """Bueno de Mesquita's expected-utility model (Scholz's published variant), run for
    ``EUM_ROUNDS`` rounds, issue by issue over the actors that state a position and a salience
    on it: a silent actor takes no part (it is never given a position). NaN for an issue on
    which no actor speaks."""
    from accord.forecast import eum

    out = np.full(x.shape[:-1], np.nan)
    for i in range(x.shape[-2]):
        xi, si = x[..., i, :], s[..., i, :]
        # who speaks is fixed across runs (perturbation moves values, never removes them)
        speaks = ~(np.isnan(xi) | np.isnan(si)).reshape(-1, xi.shape[-1]).any(axis=0)
        if not speaks.any():
            continue
        low, high = float(inputs.low[i]), float(inputs.high[i])
        if high <= low or speaks.sum() == 1:
            # one actor (or a one-point scale): nothing to confront; the outcome is its position
            out[..., i] = spatial.weighted_mean(xi[..., speaks])
            continue
        result = eum.run(
            xi[..., speaks],
            np.broadcast_to(c[..., speaks], xi[..., speaks].shape),
            si[..., speaks],
            EUM_ROUNDS,
            scale=(low, high),
        )
        out[..., i] = result.forecast
    return out


MODELS: dict[str, Model] = {
    "eum": _eum,
    "compromise": lambda x, s, c, inp: spatial.compromise(x, s, c[:, None, :]),
    "weighted_median": lambda x, s, c, inp: spatial.weighted_median(x, s, c[:, None, :]),
    "mean": lambda x, s, c, inp: spatial.mean(x),
    "nash": lambda x, s, c, inp: spatial.nash_reference(
        x, s, c[:, None, :], np.broadcast_to(inp.reference, x.shape[:-1])
    ),
}


@dataclass(frozen=True)
class IssueForecast:
    """One model's forecast of one issue over the runs: mean, quantiles and, per option, the
    share of runs whose outcome lands nearest that option (``option_share``: the spread of the
    sampled inputs, not a probability). ``predictive`` adds the model's error calibrated on DEU
    III dev (:mod:`accord.forecast.calibrate`): intervals and the probability of each option;
    None where the model has no calibration."""

    issue: str
    model: str
    mean: float
    quantiles: dict[str, float]
    option_share: dict[str, float]
    predictive: Predictive | None = None


@dataclass(frozen=True)
class NoForecast:
    """An issue a model gives no forecast on, and why."""

    issue: str
    model: str
    reason: str


@dataclass(frozen=True)
class Ensemble:
    """Every model's forecasts over the runs of one (shocked) scenario, with the issues a model
    could not forecast (``missing``, each with its reason) and the raw outcomes per run."""

    runs: int
    seed: int
    shocks: tuple[str, ...]
    backend: str
    forecasts: tuple[IssueForecast, ...]
    raw: dict[str, FloatArray]  # model -> (runs, issues)
    missing: tuple[NoForecast, ...] = ()

    def find(self, model: str, issue: str) -> IssueForecast | None:
        """The forecast of a model on an issue, or None where it gives none."""
        return next((f for f in self.forecasts if f.model == model and f.issue == issue), None)

    def get(self, model: str, issue: str) -> IssueForecast:
        """The forecast of a model on an issue (KeyError saying why where it gives none)."""
        found = self.find(model, issue)
        if found is not None:
            return found
        why = next(
            (m.reason for m in self.missing if m.model == model and m.issue == issue),
            f"no model {model!r} or issue {issue!r} in this ensemble",
        )
        raise KeyError(f"no {model} forecast of {issue}: {why}")


def _chunk(
    inputs: ForecastInputs, models: Sequence[str], seed: int, start: int, stop: int, runs: int
) -> dict[str, FloatArray]:
    x, s, c = sample(inputs, seed, start, stop, runs)
    return {name: np.asarray(MODELS[name](x, s, c, inputs), dtype=float) for name in models}


def run_ensemble(
    scenario: Scenario,
    *,
    models: Sequence[str] = ("compromise", "weighted_median"),
    runs: int = 1000,
    seed: int = 0,
    shocks: Sequence[str] = (),
    chunk: int = 250,
    backend: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run every model on ``runs`` samples of the (shocked) scenario; see the module docstring."""
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(
            f"unknown model(s) {', '.join(map(repr, unknown))}"
            f" (expected some of: {', '.join(MODELS)})"
        )
    if runs < 1 or chunk < 1:
        raise ValueError("runs and chunk must be at least 1")
    inputs = forecast_inputs(apply_shocks(scenario, shocks))
    bounds = [(start, min(start + chunk, runs)) for start in range(0, runs, chunk)]
    parts: list[dict[str, FloatArray]] = []
    if backend == "local":
        for k, (start, stop) in enumerate(bounds):
            parts.append(_chunk(inputs, models, seed, start, stop, runs))
            if progress is not None:
                progress(k + 1, len(bounds))
    elif backend == "dask":
        parts = _run_dask(inputs, models, seed, runs, bounds, scheduler, workers, progress)
    else:
        raise ValueError(f"unknown backend {backend!r} (expected 'local' or 'dask')")
    raw = {name: np.concatenate([p[name] for p in parts], axis=0) for name in models}
    return Ensemble(
        runs=runs,
        seed=seed,
        shocks=tuple(shocks),
        backend=backend,
        forecasts=tuple(_summaries(inputs, raw)),
        raw=raw,
        missing=tuple(_missing(inputs, raw)),
    )


def _run_dask(
    inputs: ForecastInputs,
    models: Sequence[str],
    seed: int,
    runs: int,
    bounds: list[tuple[int, int]],
    scheduler: str | None,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, FloatArray]]:
    with dask_client(scheduler, workers=workers, processes=True) as client:
        futures = [
            client.submit(_chunk, inputs, list(models), seed, start, stop, runs, pure=False)
            for start, stop in bounds
        ]
        for done, _ in enumerate(distributed().as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(bounds))
        return list(client.gather(futures))


def _missing(inputs: ForecastInputs, raw: dict[str, FloatArray]) -> list[NoForecast]:
    out = []
    for name, values in raw.items():
        for i, issue in enumerate(inputs.issues):
            if not np.isnan(values[:, i]).all():
                continue
            silent = [
                a for a, x in zip(inputs.actors, inputs.positions[i], strict=True) if np.isnan(x)
            ]
            if len(silent) == len(inputs.actors):
                reason = "no party states a position on this issue"
            elif name == "eum" and silent:
                reason = (
                    "the expected-utility model needs a position from every party, and "
                    f"{', '.join(silent)} state{'s' if len(silent) == 1 else ''} none on this issue"
                )
            else:
                reason = "the model gave no value in any run"
            out.append(NoForecast(issue=issue, model=name, reason=reason))
    return out


def nearest_option(options: FloatArray, outcomes: FloatArray) -> npt.NDArray[np.int64]:
    """The index of the option (positions ``options``) nearest each outcome (the first of
    equals); the rule behind every share of runs per option."""
    return np.asarray(np.abs(outcomes[..., None] - options).argmin(axis=-1), dtype=np.int64)


def _summaries(inputs: ForecastInputs, raw: dict[str, FloatArray]) -> list[IssueForecast]:
    out = []
    for name, values in raw.items():
        for i, issue in enumerate(inputs.issues):
            column = values[:, i]
            column = column[~np.isnan(column)]
            if column.size == 0:
                continue
            options = inputs.option_positions[i]
            nearest = nearest_option(options, column)
            counts = np.bincount(nearest, minlength=options.size) / column.size
            out.append(
                IssueForecast(
                    issue=issue,
                    model=name,
                    mean=float(column.mean()),
                    quantiles={
                        f"q{int(q * 100):02d}": float(np.quantile(column, q)) for q in QUANTILES
                    },
                    option_share={
                        oid: float(p) for oid, p in zip(inputs.option_ids[i], counts, strict=True)
                    },
                    predictive=predictive(
                        name,
                        column,
                        float(inputs.low[i]),
                        float(inputs.high[i]),
                        options,
                        inputs.option_ids[i],
                    ),
                )
            )
    return out
