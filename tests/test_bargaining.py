"""Bargaining solutions: the exact MILP answers equal plain enumeration on random small spaces,
the Nash point lies on the acceptable frontier, and every solution is invariant under a positive
affine rescaling of one party's values (and BATNA)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.bargaining import SOLUTIONS, nash, pareto_gap, solve
from accord.analysis.evaluate import acceptable, utilities
from accord.analysis.space import pareto_frontier
from accord.compile import compile_scenario
from accord.model import Scenario
from accord.scenarios import resolve

from .strategies import scenario_data, scenarios

settings.register_profile("bargain", deadline=None, max_examples=60)


@settings(settings.get_profile("bargain"))
@given(scenarios(max_parties=4, max_issues=4))
def test_milp_equals_enumeration(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    for name in SOLUTIONS:
        exact = solve(compiled, name, method="milp")
        slow = solve(compiled, name, method="enumerate")
        assert exact.found == slow.found, name
        if exact.found:
            assert exact.objective is not None and slow.objective is not None
            assert exact.objective == pytest.approx(slow.objective, abs=1e-9), name


@settings(settings.get_profile("bargain"))
@given(scenarios(max_parties=3, max_issues=4))
def test_nash_point_lies_on_the_acceptable_frontier(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    point = nash(compiled)
    if not point.found:
        return
    frontier = pareto_frontier(compiled, acceptable_only=True)
    u = np.array([point.utilities[p] for p in frontier.parties])
    assert np.any(np.all(np.abs(frontier.points - u) <= 1e-9, axis=1))
    assert all(g > 0 for g in point.gains.values())


def rescaled(data: dict[str, Any], party: str, a: float, b: float) -> dict[str, Any]:
    """Party's option values v -> a v + b (and its BATNA alike), every value given as a table."""
    out = {**data, "parties": [dict(p) for p in data["parties"]], "preferences": {}}
    compiled = compile_scenario(Scenario.model_validate(data))
    p = compiled.party_index(party) if party in compiled.party_ids else None
    for pid, table in data["preferences"].items():
        new_table = {}
        for iid, pref in table.items():
            pref = dict(pref)
            if pid == party and p is not None:
                i = compiled.issue_index(iid)
                options = compiled.option_ids[i]
                values = compiled.values[p, i, : len(options)]
                pref["values"] = {o: float(a * v + b) for o, v in zip(options, values, strict=True)}
                pref.pop("ideal", None)
                pref.pop("shape", None)
            new_table[iid] = pref
        out["preferences"][pid] = new_table
    for record in out["parties"]:
        if record["id"] == party:
            record["batna"] = a * record["batna"] + b
    return out


@settings(settings.get_profile("bargain"))
@given(st.data())
def test_solutions_invariant_under_affine_rescaling(data: st.DataObject) -> None:
    raw = data.draw(scenario_data(max_parties=3, max_issues=3))
    party = data.draw(st.sampled_from([p["id"] for p in raw["parties"]]))
    a = data.draw(st.floats(0.2, 1.0))
    b = data.draw(st.floats(0.0, 1.0 - a))
    before = compile_scenario(Scenario.model_validate(raw))
    after = compile_scenario(Scenario.model_validate(rescaled(raw, party, a, b)))
    for name in SOLUTIONS:
        one = solve(before, name, method="enumerate")
        two = solve(after, name, method="enumerate")
        assert one.found == two.found, name
        if one.found and one.objective is not None and two.objective is not None:
            if name == "nash":
                # the product scales by a (a constant): the log objective shifts by log a
                shift = np.log(a) if party in before.party_ids else 0.0
                assert two.objective == pytest.approx(one.objective + shift, abs=1e-9)
            else:
                assert two.objective == pytest.approx(one.objective, abs=1e-9), name


def test_ukraine_solutions_exist_and_are_acceptable() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    for name in SOLUTIONS:
        result = solve(compiled, name, ["UA", "RU"])
        assert result.found
        assert all(g >= -1e-12 for g in result.gains.values())
    four = nash(compiled)
    assert four.found and set(four.utilities) == {"UA", "RU", "US", "EU"}


def test_bad_weights_are_refused() -> None:
    compiled = compile_scenario(resolve("teaching-river"))
    with pytest.raises(ValueError, match="weights must be 3 positive numbers"):
        nash(compiled, weights=[1.0, -1.0, 1.0])


@settings(settings.get_profile("bargain"))
@given(st.data())
def test_pareto_gap_milp_equals_enumeration(data: st.DataObject) -> None:
    compiled = compile_scenario(data.draw(scenarios(max_parties=4, max_issues=4)))
    package = [data.draw(st.integers(0, int(n) - 1)) for n in compiled.n_options]
    point = utilities(compiled, package)
    slow = pareto_gap(compiled, point, method="enumerate")
    exact = pareto_gap(compiled, point, method="milp")
    assert (exact is None) == (slow is None)
    if exact is not None and slow is not None:
        assert exact == pytest.approx(slow, abs=1e-9)
        # the reference, spelled out: the best uniform gain over every acceptable package
        grid = np.array(list(itertools.product(*(range(int(n)) for n in compiled.n_options))))
        ok = acceptable(compiled, grid).all(axis=1)
        assert slow == pytest.approx((utilities(compiled, grid[ok]) - point).min(axis=1).max())


@settings(settings.get_profile("bargain"))
@given(scenarios(max_parties=3, max_issues=4))
def test_pareto_gap_is_zero_exactly_on_the_acceptable_frontier(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    frontier = pareto_frontier(compiled, acceptable_only=True)
    for point in frontier.points:
        assert pareto_gap(compiled, point) == pytest.approx(0.0, abs=1e-9)
    if frontier.size:
        below = frontier.points[0] - 0.25
        assert pareto_gap(compiled, below) == pytest.approx(0.25, abs=1e-9)


def test_pareto_gap_checks_the_point() -> None:
    compiled = compile_scenario(resolve("teaching-river"))
    with pytest.raises(ValueError, match="expected one per party: 3"):
        pareto_gap(compiled, [0.5, 0.5])
