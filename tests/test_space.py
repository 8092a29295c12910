"""The Pareto frontier: the fast issue-by-issue method equals plain enumeration on random small
spaces (2-4 parties, random red lines); no frontier point is dominated by any package."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from accord.analysis.space import SpaceTooLarge, nondominated, pareto_frontier
from accord.compile import Compiled, compile_scenario, links_satisfied
from accord.model import Scenario
from accord.scenarios import resolve

from .strategies import scenarios

settings.register_profile("space", deadline=None, max_examples=80)


def all_points(compiled: Compiled, ps: list[int]) -> np.ndarray:
    grids = [range(n) for n in compiled.n_options]
    packages = np.array(list(itertools.product(*grids)))
    w = compiled.weights[ps]
    v = compiled.values[ps]
    return np.stack(
        [
            sum(w[k, i] * v[k, i, packages[:, i]] for i in range(compiled.n_issues))
            for k in range(len(ps))
        ],
        axis=1,
    )


@settings(settings.get_profile("space"))
@given(scenarios(max_parties=4, max_issues=4))
def test_fast_equals_enumerate(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    for acceptable_only in (False, True):
        fast = pareto_frontier(compiled, acceptable_only=acceptable_only, method="fast")
        slow = pareto_frontier(compiled, acceptable_only=acceptable_only, method="enumerate")
        assert np.array_equal(fast.points, slow.points)
        assert np.array_equal(fast.packages, slow.packages)
        assert fast.count == slow.count == fast.size
        assert not fast.truncated


@settings(settings.get_profile("space"))
@given(scenarios(max_parties=4, max_issues=4, max_constraints=3))
def test_fast_equals_enumerate_under_constraints(scenario: Scenario) -> None:
    # the fast method compares a partial package only with partials that chose the same options
    # on issues still linked to a later one; it must find exactly what enumeration finds
    compiled = compile_scenario(scenario)
    for acceptable_only in (False, True):
        fast = pareto_frontier(compiled, acceptable_only=acceptable_only, method="fast")
        slow = pareto_frontier(compiled, acceptable_only=acceptable_only, method="enumerate")
        assert np.array_equal(fast.points, slow.points)
        assert np.array_equal(fast.packages, slow.packages)
        assert fast.count == slow.count == fast.size
        assert links_satisfied(compiled.links, fast.packages).all()


@settings(settings.get_profile("space"))
@given(scenarios(max_parties=3, max_issues=3))
def test_no_frontier_point_is_dominated(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    ps = list(range(compiled.n_parties))
    everything = all_points(compiled, ps)
    frontier = pareto_frontier(compiled)
    for point, package in zip(frontier.points, frontier.packages, strict=True):
        # the same float sums on both sides, so exact comparison is right
        dominated = np.all(everything >= point, axis=1) & np.any(everything > point, axis=1)
        assert not dominated.any()
        # the package really scores the point
        recomputed = [
            sum(compiled.weights[p, i] * compiled.values[p, i, o] for i, o in enumerate(package))
            for p in ps
        ]
        assert np.allclose(recomputed, point)


def test_nondominated_keeps_first_of_equal_rows() -> None:
    rows = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.5, 2.0, 3.0], [2.0, 0.0, 0.0]])
    assert nondominated(rows).tolist() == [True, False, False, True]
    four = np.hstack([rows, np.zeros((4, 1))])
    assert nondominated(four).tolist() == [True, False, False, True]


def test_enumerate_refuses_large_spaces() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    with pytest.raises(SpaceTooLarge, match="enumeration is limited to 20,000"):
        pareto_frontier(compiled, ["UA", "RU"], method="enumerate")


def test_ukraine_bilateral_frontier_is_exact_and_truncation_is_honest() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    f = pareto_frontier(compiled, ["UA", "RU"])
    assert f.space_size > 10**10
    assert not f.truncated and f.count == f.size > 10
    acceptable = pareto_frontier(compiled, ["UA", "RU"], acceptable_only=True)
    assert acceptable.size <= f.size
    capped = pareto_frontier(compiled, ["UA", "RU"], cap=5)
    assert capped.size == 5 and capped.truncated and capped.count == f.count
    everyone = pareto_frontier(compiled)  # four parties: too large to have exactly here
    assert everyone.truncated and everyone.count is None and everyone.size > 0
