"""Robust conclusions: how often each headline conclusion holds when the judgement numbers vary.

:func:`robustness` samples every uncertain input of a scenario ``runs`` times and, in each run,
re-scores the headline conclusions:

* ``acceptable``: a draft is acceptable to a party (:func:`accord.analysis.evaluate_all`);
* ``acceptable_to_all``: a draft is acceptable to all (as the evaluation says);
* ``zone``: a zone of agreement exists (:func:`accord.analysis.conflict.zopa`);
* ``bridge``: the bridge from a draft found at the stated numbers (its package) stays acceptable
  to all;
* ``forecast``: under the default forecast model, an issue's outcome lands nearest the option
  that is the most frequent over the runs.

**Sampling.** The inputs are those of the forecast ensemble (saliences, capabilities, ideal
positions with a range or dist), in its order, then every uncertain BATNA and values-table
entry of the parties that state preferences (:func:`accord.judgements.judgements`); each run draws
them all with :func:`accord.judgements.sample_runs`, so run ``r`` sees the same saliences and
capabilities as run ``r`` of ``accord forecast`` with the same seed. Option positions are plain
numbers in the model (not judgements) and stay fixed. A run changes only the numbers: the
compiled arrays (values, weights, BATNAs, saliences, capabilities) are replaced, never the
structure (red lines, constraints, drafts), so no run recompiles the scenario.

**Speed.** The drafts are re-scored in numpy. The zone first tries every acceptable package found
so far (the stated example, the drafts, the bridges and each earlier run's example: one vector
check); only when none is acceptable does it make one feasibility solve (HiGHS), whose example
joins the cache.

**Pivotal inputs.** For a conclusion and an input, the *effect* is the share of runs in which the
conclusion holds among the runs where the input lies above its median, minus that share among
the other runs (+0.4: it holds 40 points more often when the input is high). Only inputs that
can move the conclusion are ranked: the party's own numbers for its acceptance of a draft, every
preference-side number of the parties for the zone, the bridges and acceptance by all, and the
saliences, capabilities and ideal positions on the issue for a forecast. The three largest
effects (in size; ties in input order) are the pivotal inputs, among those whose effect exceeds
:data:`SIGNIFICANCE` (2) standard errors of a no-effect difference, ``sqrt(p (1 - p) (1/n_high +
1/n_low))`` with ``p`` the conclusion's share (about 0.03 at 1,000 runs and ``p`` = 0.5): smaller
effects are noise and are not listed. Where fewer than three sampled inputs move a conclusion,
the red lines that decide it fill the list: the red lines a draft crosses (and the constraints it
breaks), and for the zone those that :func:`accord.analysis.dependence.zone_dependence` finds.

:func:`reference_runs` is the slow, obvious reference: each run writes its numbers into the
scenario and analyses it from scratch with a new :class:`~accord.Workbench`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from accord.analysis.bargaining import _problem
from accord.analysis.conflict import Bridge, zopa
from accord.analysis.dependence import ZoneDependence
from accord.analysis.evaluate import evaluate_all
from accord.compile import Compiled, links_satisfied, option_values
from accord.forecast.ensemble import MODELS, forecast_inputs, nearest_option, place, sample_items
from accord.judgements import (
    judgements,
    nothing_uncertain,
    sample_runs,
)
from accord.model.records import Quantity, Scenario

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_MODEL = "compromise"
"""The forecast model whose options the robustness conclusions test."""

SIGNIFICANCE = 2.0
"""An effect counts only where it exceeds this many standard errors (noise otherwise)."""

KINDS = ("acceptable", "acceptable_to_all", "zone", "bridge", "forecast")
"""The kinds of conclusion, in the order the report lists them."""


@dataclass(frozen=True)
class Input:
    """One sampled input: ``kind`` (salience, capability, ideal, batna, value), whose, on what,
    and its stated value."""

    kind: str
    party: str
    issue: str | None
    option: str | None
    stated: float

    @property
    def label(self) -> str:
        """A short name: ``salience RU crimea``, ``batna UA``, ``value RU nato no``."""
        return " ".join(x for x in (self.kind, self.party, self.issue, self.option) if x)


@dataclass(frozen=True)
class Pivot:
    """An input a conclusion is sensitive to: its label and kind, the share of runs in which the
    conclusion holds with the input above its median (``share_high``) and at or below it
    (``share_low``), and ``effect = share_high - share_low``. A red line (``kind``
    "red_line") is not sampled: it decides the conclusion in every run, and its shares are None."""

    input: str
    kind: str
    effect: float | None
    share_high: float | None = None
    share_low: float | None = None

    def describe(self) -> str:
        """The pivot in a few words."""
        if self.effect is None:
            return self.input
        return f"{self.input} ({self.share_low:.0%} low, {self.share_high:.0%} high)"


@dataclass(frozen=True)
class Conclusion:
    """One headline conclusion: ``kind`` (see :data:`KINDS`), ``subject`` (what it is about, in
    words), whether it holds at the stated numbers, the share of runs in which it holds, and its
    pivotal inputs (at most three)."""

    kind: str
    subject: str
    share: float
    holds_as_stated: bool
    pivotal: tuple[Pivot, ...]
    draft: str | None = None
    party: str | None = None
    issue: str | None = None
    option: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "share": self.share,
            "holds_as_stated": self.holds_as_stated,
            "pivotal": [dataclasses.asdict(p) for p in self.pivotal],
            "draft": self.draft,
            "party": self.party,
            "issue": self.issue,
            "option": self.option,
        }


@dataclass(frozen=True)
class Robustness:
    """The shares of runs in which each headline conclusion holds (see the module docstring).
    ``note`` is the message that replaces the shares where nothing is uncertain (then
    ``conclusions`` is empty); ``solves`` counts the feasibility solves the zone needed."""

    runs: int
    seed: int
    model: str
    inputs: tuple[Input, ...]
    conclusions: tuple[Conclusion, ...]
    solves: int
    note: str | None = None

    def find(self, kind: str, subject: str) -> Conclusion | None:
        """The conclusion of ``kind`` about ``subject``, or None."""
        return next((c for c in self.conclusions if c.kind == kind and c.subject == subject), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``accord robustness --json``)."""
        return {
            "runs": self.runs,
            "seed": self.seed,
            "model": self.model,
            "note": self.note,
            "solves": self.solves,
            "method": "effect = share of runs holding with the input above its median minus"
            " with it at or below; the three largest effects in size",
            "inputs": [dict(dataclasses.asdict(i), label=i.label) for i in self.inputs],
            "conclusions": [c.to_dict() for c in self.conclusions],
        }


def bridge_subject(b: Bridge) -> str:
    """The subject of a bridge's conclusion: ``the bridge from us-28 (3 changes)``."""
    n = len(b.changes)
    return f"the bridge from {b.draft} ({n} change{'s' if n != 1 else ''}) acceptable to all"


# --- the inputs and their draws --------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What is sampled and where each draw goes."""

    inputs: tuple[Input, ...]
    items: list[tuple[Quantity, float, float]]
    n_forecast: int  # the first columns are the ensemble's
    forecast: Any  # ForecastInputs


def _plan(scenario: Scenario, compiled: Compiled) -> _Plan:
    finputs = forecast_inputs(scenario)
    items = sample_items(finputs)
    inputs = []
    names = {"position": "ideal"}
    for kind, i, a, q in finputs.uncertain:
        issue = None if kind == "capability" else finputs.issues[i]
        inputs.append(Input(names.get(kind, kind), finputs.actors[a], issue, None, q.value))
    n_forecast = len(items)
    for j in judgements(scenario):
        if j.kind in ("batna", "value") and j.uncertain and j.party in compiled.party_ids:
            items.append((j.spread, 0.0, 1.0))
            inputs.append(Input(j.kind, j.party, j.issue, j.option, j.quantity.value))
    return _Plan(tuple(inputs), items, n_forecast, finputs)


def _arrays(
    scenario: Scenario, compiled: Compiled, plan: _Plan, draws: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per run: values (R, P, I, O), salience (R, P, I), BATNA (R, P), capability (R, P)."""
    n = draws.shape[0]
    values = np.broadcast_to(compiled.values, (n, *compiled.values.shape)).copy()
    salience = np.broadcast_to(compiled.salience, (n, *compiled.salience.shape)).copy()
    batna = np.broadcast_to(compiled.batna, (n, *compiled.batna.shape)).copy()
    capability = np.broadcast_to(compiled.capability, (n, *compiled.capability.shape)).copy()
    ideals: list[tuple[int, int, int]] = []  # (column, party, issue)
    for k, inp in enumerate(plan.inputs):
        p = compiled.party_index(inp.party)
        i = compiled.issue_index(inp.issue) if inp.issue is not None else -1
        if inp.kind == "salience":
            salience[:, p, i] = draws[:, k]
        elif inp.kind == "capability":
            capability[:, p] = draws[:, k]
        elif inp.kind == "batna":
            batna[:, p] = draws[:, k]
        elif inp.kind == "value":
            assert inp.option is not None
            values[:, p, i, compiled.option_index(i, inp.option)] = draws[:, k]
        else:
            ideals.append((k, p, i))
    for k, p, i in ideals:  # the shape's values from the sampled ideal, the table on top
        pref = scenario.preferences[compiled.party_ids[p]][compiled.issue_ids[i]]
        n_o = int(compiled.n_options[i])
        index = {o: j for j, o in enumerate(compiled.option_ids[i])}
        positions = compiled.positions[i, :n_o]
        assert isinstance(pref.ideal, Quantity)
        for r in range(n):
            table = None
            if pref.values is not None:
                table = {
                    o: q.model_copy(update={"value": float(values[r, p, i, index[o]])})
                    for o, q in pref.values.items()
                }
            moved = pref.model_copy(
                update={
                    "ideal": pref.ideal.model_copy(update={"value": float(draws[r, k])}),
                    "values": table,
                }
            )
            values[r, p, i, :n_o] = option_values(moved, positions, index)
    return values, salience, batna, capability


def _run_compiled(
    compiled: Compiled, values: FloatArray, salience: FloatArray, batna: FloatArray, cap: FloatArray
) -> Compiled:
    """The compiled form with one run's numbers (the structure shared, never recompiled)."""
    totals = salience.sum(axis=1, keepdims=True)
    weights = np.divide(salience, totals, out=np.zeros_like(salience), where=totals > 0)
    arrays = {"values": values, "weights": weights, "salience": salience, "batna": batna}
    arrays["capability"] = cap
    for a in arrays.values():
        a.setflags(write=False)
    return dataclasses.replace(compiled, **arrays)


# --- the conclusions in each run -------------------------------------------------------------


@dataclass
class _Zone:
    """The zone in each run: cached acceptable packages first, one feasibility solve otherwise."""

    cache: npt.NDArray[np.int64]
    solves: int = 0

    def open(self, run: Compiled) -> bool:
        problem = _problem(run, None)
        if self.cache.shape[0]:
            issues = np.arange(run.n_issues)
            points = problem.contrib[issues, self.cache].sum(axis=1)  # (K, P')
            if np.any(np.all(points >= problem.batna - 1e-12, axis=1)):
                return True
        self.solves += 1
        zone = zopa(run)
        if zone.open and zone.example is not None:
            self.cache = np.vstack([np.array(zone.example, dtype=np.int64)[None], self.cache])
        return zone.open


def _cache(compiled: Compiled, bridges: Sequence[Bridge]) -> npt.NDArray[np.int64]:
    """Packages that cross no red line of the zone's parties and satisfy every constraint: the
    drafts' and the bridges'; only these can be acceptable in any run."""
    problem = _problem(compiled, None)
    rows = [d.package for d in compiled.drafts.values()]
    rows += [np.array(b.package) for b in bridges if b.package is not None]
    if not rows:
        return np.zeros((0, compiled.n_issues), dtype=np.int64)
    packages = np.unique(np.array(rows, dtype=np.int64), axis=0)
    issues = np.arange(compiled.n_issues)
    inside = problem.mask[issues, packages].all(axis=1)
    keep = inside & links_satisfied(problem.links, packages)
    return packages[keep]


def _bridge_ok(run: Compiled, packages: npt.NDArray[np.int64]) -> BoolArray:
    """Whether each bridge package (within the mask by construction) is acceptable in ``run``."""
    if packages.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    problem = _problem(run, None)
    points = problem.contrib[np.arange(run.n_issues), packages].sum(axis=1)
    return np.asarray(np.all(points >= problem.batna - 1e-12, axis=1))


# --- pivots ----------------------------------------------------------------------------------


def effects(
    holds: BoolArray, draws: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """For conclusions ``holds`` (R, C) and inputs ``draws`` (R, K): the share of runs holding
    with each input above its median and at or below it (K, C each), their difference (the
    effect; 0 where one side has no run) and the effect's standard error under no effect
    (``sqrt(p (1 - p) (1/n_high + 1/n_low))``, ``p`` the conclusion's share)."""
    high = draws > np.median(draws, axis=0, keepdims=True)  # (R, K)
    h = holds.astype(float)
    n_high = high.sum(axis=0)[:, None].astype(float)
    n_low = (~high).sum(axis=0)[:, None].astype(float)
    shape = (high.shape[1], h.shape[1])
    share_high = np.divide(high.T.astype(float) @ h, n_high, out=np.zeros(shape), where=n_high > 0)
    share_low = np.divide((~high).T.astype(float) @ h, n_low, out=np.zeros(shape), where=n_low > 0)
    both = (n_high > 0) & (n_low > 0)
    effect = np.where(both, share_high - share_low, 0.0)
    p = h.mean(axis=0)[None, :] if h.shape[0] else np.zeros((1, h.shape[1]))
    inverse = np.divide(1.0, n_high, out=np.zeros_like(n_high), where=n_high > 0) + np.divide(
        1.0, n_low, out=np.zeros_like(n_low), where=n_low > 0
    )
    se = np.sqrt(p * (1.0 - p) * inverse)
    return share_high, share_low, effect, se


def _relevant(inp: Input, kind: str, party: str | None, issue: str | None) -> bool:
    """Whether an input can move a conclusion of ``kind`` (see the module docstring)."""
    if kind == "forecast":
        return (
            inp.kind in ("salience", "ideal") and inp.issue == issue
        ) or inp.kind == "capability"
    if inp.kind == "capability":
        return False
    if kind == "acceptable":
        return inp.party == party
    return True


def _pivots(
    inputs: Sequence[Input],
    column: int,
    kind: str,
    party: str | None,
    issue: str | None,
    tables: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    red_lines: Sequence[Pivot],
) -> tuple[Pivot, ...]:
    share_high, share_low, effect, se = tables
    ranked = sorted(
        (
            (-abs(float(effect[k, column])), k)
            for k, inp in enumerate(inputs)
            if _relevant(inp, kind, party, issue)
            and abs(float(effect[k, column])) > max(SIGNIFICANCE * float(se[k, column]), 1e-12)
        ),
    )
    out = [
        Pivot(
            inputs[k].label,
            inputs[k].kind,
            float(effect[k, column]),
            float(share_high[k, column]),
            float(share_low[k, column]),
        )
        for _, k in ranked[:3]
    ]
    out += list(red_lines[: 3 - len(out)])
    return tuple(out)


# --- the whole run ---------------------------------------------------------------------------


def robustness(
    scenario: Scenario,
    compiled: Compiled,
    *,
    runs: int = 1000,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    bridges: Sequence[Bridge] = (),
    dependence: ZoneDependence | None = None,
    chunk: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> Robustness:
    """The share of ``runs`` samples in which each headline conclusion of ``scenario`` (compiled
    as ``compiled``, the same shocks applied) holds, with its pivotal inputs; ``bridges`` are
    the bridges found at the stated numbers (their packages are tested), ``dependence`` the zone's
    (its red lines fill the zone's pivots). See the module docstring."""
    if runs < 1 or chunk < 1:
        raise ValueError("runs and chunk must be at least 1")
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r} (expected one of: {', '.join(MODELS)})")
    plan = _plan(scenario, compiled)
    fixed = nothing_uncertain(scenario)
    if fixed is not None:
        return Robustness(runs, seed, model, plan.inputs, (), 0, fixed)
    found = [b for b in bridges if b.found and b.package is not None]
    bridge_packages = np.array([b.package for b in found], dtype=np.int64).reshape(
        len(found), compiled.n_issues
    )
    zone = _Zone(_cache(compiled, found))
    stated_evals = evaluate_all(compiled)
    stated_zone = zopa(compiled)
    if stated_zone.open and stated_zone.example is not None:
        zone.cache = np.vstack([np.array(stated_zone.example, dtype=np.int64)[None], zone.cache])
    accept_rows: list[BoolArray] = []  # (D, P) per run
    all_rows: list[BoolArray] = []
    zone_rows: list[bool] = []
    bridge_rows: list[BoolArray] = []
    draws_parts: list[FloatArray] = []
    outcomes: list[FloatArray] = []
    bounds = [(start, min(start + chunk, runs)) for start in range(0, runs, chunk)]
    for step, (start, stop) in enumerate(bounds, start=1):
        draws = sample_runs(plan.items, seed, start, stop, runs)
        draws_parts.append(draws)
        x, s, c = place(plan.forecast, draws[:, : plan.n_forecast])
        with np.errstate(all="ignore"):
            outcomes.append(np.asarray(MODELS[model](x, s, c, plan.forecast), dtype=float))
        values, salience, batna, cap = _arrays(scenario, compiled, plan, draws)
        for r in range(stop - start):
            run = _run_compiled(compiled, values[r], salience[r], batna[r], cap[r])
            evals = evaluate_all(run)
            accept_rows.append(np.array([[p.acceptable for p in e.parties] for e in evals]))
            all_rows.append(np.array([e.acceptable_to_all for e in evals]))
            zone_rows.append(zone.open(run))
            bridge_rows.append(_bridge_ok(run, bridge_packages))
        if progress is not None:
            progress(step, len(bounds))
    draws = np.concatenate(draws_parts)
    outcome = np.concatenate(outcomes)  # (R, I)
    columns: list[BoolArray] = []
    heads: list[dict[str, Any]] = []
    red: list[tuple[Pivot, ...]] = []
    accept = np.array(accept_rows).reshape(runs, len(stated_evals), compiled.n_parties)
    for d, e in enumerate(stated_evals):
        for p, pe in enumerate(e.parties):
            columns.append(accept[:, d, p])
            heads.append(
                dict(
                    kind="acceptable",
                    subject=f"{e.draft} acceptable to {pe.party}",
                    holds_as_stated=pe.acceptable,
                    draft=e.draft,
                    party=pe.party,
                )
            )
            red.append(
                tuple(
                    Pivot(f"red line {pe.party} {r.issue} {r.option}", "red_line", None)
                    for r in pe.red_lines
                )
            )
    every = np.array(all_rows).reshape(runs, len(stated_evals))
    for d, e in enumerate(stated_evals):
        columns.append(every[:, d])
        heads.append(
            dict(
                kind="acceptable_to_all",
                subject=f"{e.draft} acceptable to all",
                holds_as_stated=e.acceptable_to_all,
                draft=e.draft,
            )
        )
        crossed = [
            Pivot(f"red line {pe.party} {r.issue} {r.option}", "red_line", None)
            for pe in e.parties
            for r in pe.red_lines
        ]
        crossed += [Pivot(f"constraint {c}", "constraint", None) for c in e.broken_constraints]
        red.append(tuple(crossed))
    columns.append(np.array(zone_rows, dtype=bool))
    heads.append(
        dict(kind="zone", subject="a zone of agreement exists", holds_as_stated=stated_zone.open)
    )
    red.append(_zone_red_lines(dependence))
    bridged = np.array(bridge_rows, dtype=bool).reshape(runs, len(found))
    for b_index, b in enumerate(found):
        columns.append(bridged[:, b_index])
        heads.append(
            dict(
                kind="bridge",
                subject=bridge_subject(b),
                holds_as_stated=True,
                draft=b.draft,
            )
        )
        red.append(())
    fx = plan.forecast
    with np.errstate(all="ignore"):
        stated_outcome = np.asarray(
            MODELS[model](fx.positions[None], fx.salience[None], fx.capability[None], fx),
            dtype=float,
        )[0]
    for i, issue in enumerate(plan.forecast.issues):
        column = outcome[:, i]
        if np.isnan(column).all():
            continue
        options = plan.forecast.option_positions[i]
        near = nearest_option(options, np.nan_to_num(column, nan=np.inf))
        near = np.where(np.isnan(column), -1, near)
        counts = np.bincount(near[near >= 0], minlength=options.size)
        modal = int(np.argmax(counts))
        option = plan.forecast.option_ids[i][modal]
        at_stated = stated_outcome[i]
        columns.append(near == modal)
        heads.append(
            dict(
                kind="forecast",
                subject=f"{issue}: {option} under {model}",
                holds_as_stated=bool(int(nearest_option(options, np.array(at_stated))) == modal),
                issue=issue,
                option=option,
            )
        )
        red.append(())
    holds = np.stack(columns, axis=1) if columns else np.zeros((runs, 0), dtype=bool)
    tables = effects(holds, draws)
    conclusions = []
    for col, (head, reds) in enumerate(zip(heads, red, strict=True)):
        conclusions.append(
            Conclusion(
                share=float(holds[:, col].mean()),
                pivotal=_pivots(
                    plan.inputs,
                    col,
                    head["kind"],
                    head.get("party"),
                    head.get("issue"),
                    tables,
                    reds,
                ),
                **head,
            )
        )
    return Robustness(runs, seed, model, plan.inputs, tuple(conclusions), zone.solves)


def _zone_red_lines(dependence: ZoneDependence | None) -> tuple[Pivot, ...]:
    if dependence is None:
        return ()
    out = []
    for r in dependence.red_lines:
        if r.change == "remove":
            out.append(
                Pivot(f"red line {r.party} {r.issue} {' '.join(r.options)}", "red_line", None)
            )
        else:
            out.append(Pivot(f"a red line on {r.issue} {r.options[0]}", "red_line", None))
    return tuple(out)


# --- the slow reference ----------------------------------------------------------------------


def sampled_scenario(scenario: Scenario, inputs: Sequence[Input], row: FloatArray) -> Scenario:
    """``scenario`` with one run's numbers written in (``row[k]`` for ``inputs[k]``), every
    other range and dist removed and no ``uncertainty:`` block: nothing left uncertain."""
    data: dict[str, Any] = scenario.model_dump(mode="python", by_alias=True)

    def strip(node: object) -> None:
        if isinstance(node, dict):
            if "value" in node:
                node.pop("range", None)
                node.pop("dist", None)
            for v in node.values():
                strip(v)
        elif isinstance(node, list):
            for v in node:
                strip(v)

    strip(data)
    data["uncertainty"] = None
    parties = {p["id"]: p for p in data["parties"]}
    for inp, value in zip(inputs, row, strict=True):
        fixed = {"value": float(value), "assumption": "one run's sampled value"}
        if inp.kind in ("capability", "batna"):
            parties[inp.party][inp.kind] = fixed
        else:
            assert inp.issue is not None
            pref = data["preferences"][inp.party][inp.issue]
            if inp.kind == "value":
                assert inp.option is not None
                pref["values"][inp.option] = fixed
            else:
                pref[inp.kind] = fixed
    return Scenario.model_validate(data)


def reference_shares(
    scenario: Scenario,
    *,
    runs: int,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    bridges: Sequence[Bridge] = (),
) -> dict[tuple[str, str], float]:
    """The reference for :func:`robustness`: the same draws, each run written into the scenario
    and analysed from scratch by a new :class:`~accord.Workbench` (compiled again, every draft
    evaluated, the zone solved, the forecast run once). Returns ``{(kind, subject): share}``;
    the forecast conclusions use the option most frequent over these runs."""
    from accord.analysis.evaluate import acceptable
    from accord.workbench import Workbench

    bench = Workbench(scenario)
    plan = _plan(scenario, bench.compiled)
    draws = sample_runs(plan.items, seed, 0, runs, runs)
    counts: dict[tuple[str, str], int] = {}
    chosen: dict[str, list[str | None]] = {}
    found = [b for b in bridges if b.found and b.package is not None]

    def count(kind: str, subject: str, holds: bool) -> None:
        counts[(kind, subject)] = counts.get((kind, subject), 0) + int(holds)

    for r in range(runs):
        run = Workbench(sampled_scenario(scenario, plan.inputs, draws[r]))
        for e in run.evaluate_all():
            for pe in e.parties:
                count("acceptable", f"{e.draft} acceptable to {pe.party}", pe.acceptable)
            count("acceptable_to_all", f"{e.draft} acceptable to all", e.acceptable_to_all)
        count("zone", "a zone of agreement exists", run.zopa().open)
        for b in found:
            assert b.package is not None
            package = np.array(b.package)
            holds = bool(acceptable(run.compiled, package).all())
            holds = holds and bool(links_satisfied(run.compiled.links, package))
            count("bridge", bridge_subject(b), holds)
        ensemble = run.forecast([model], runs=1, seed=0)
        for issue in plan.forecast.issues:
            f = ensemble.find(model, issue)
            best = None if f is None else max(f.option_share.items(), key=lambda kv: kv[1])
            chosen.setdefault(issue, []).append(None if best is None else best[0])
    shares = {key: n / runs for key, n in counts.items()}
    for issue, options in chosen.items():
        named = [o for o in options if o is not None]
        if not named:
            continue
        ids = plan.forecast.option_ids[plan.forecast.issues.index(issue)]
        modal = max(ids, key=lambda o: (named.count(o), -ids.index(o)))
        shares[("forecast", f"{issue}: {modal} under {model}")] = named.count(modal) / runs
    return shares
