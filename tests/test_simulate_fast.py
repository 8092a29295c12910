"""The simulation's fast paths against their obvious references: the sorted package table
against scanning every package, the scalar utility against the array path, the memoised best
package against recomputing it, and the protocol's scores against the analysis scoring."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.analysis.evaluate import utilities
from accord.compile import compile_scenario
from accord.simulate import (
    Boulware,
    Conceder,
    HardLiner,
    PartyView,
    TitForTat,
    alternating_offers,
    own_preferences,
    package_near,
)
from accord.simulate.views import OwnPreferences
from tests.strategies import scenarios

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fresh(own: OwnPreferences) -> OwnPreferences:
    """The same preferences with nothing memoised."""
    return OwnPreferences(
        own.party,
        own.issue_ids,
        own.option_ids,
        own.n_options,
        own.values,
        own.weights,
        own.allowed,
        own.batna,
    )


@PROPERTY
@given(
    scenario=scenarios(max_parties=2, max_issues=4),
    targets=st.lists(st.floats(-0.5, 1.5, allow_nan=False), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_table_search_equals_the_scan(scenario: Any, targets: list[float], seed: int) -> None:
    """Same package, same draws from the generator, call after call on one view."""
    c = compile_scenario(scenario)
    view = PartyView(own_preferences(c, c.party_ids[0]), c.party_ids, (), 0, 5)
    fast, slow = np.random.default_rng(seed), np.random.default_rng(seed)
    for target in targets:
        a = package_near(view, target, fast, method="enumerate")
        b = package_near(view, target, slow, method="scan")
        assert a == b
        assert fast.bit_generator.state == slow.bit_generator.state


def test_near_ties_are_broken_like_the_scan() -> None:
    """Utilities within the tolerance but not equal (0.1 + 0.2 against 0.3) sort by value, not
    in enumeration order: the table must put its ties back in enumeration order to draw the
    same package as the scan."""
    c = compile_scenario(
        _small({"o0": 0.2, "o1": 0.6}, {"o0": 0.4, "o1": 0.0}, saliences=(0.5, 0.5))
    )
    view = PartyView(own_preferences(c, "A"), ("A",), (), 0, 5)
    assert view.utility((0, 0)) != view.utility((1, 1))
    assert abs(view.utility((0, 0)) - view.utility((1, 1))) < 1e-12
    picks = set()
    for seed in range(20):
        a = package_near(view, 0.3, np.random.default_rng(seed), method="enumerate")
        b = package_near(view, 0.3, np.random.default_rng(seed), method="scan")
        assert a == b
        picks.add(a)
    assert picks == {(0, 0), (1, 1)}


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4))
def test_package_table_lists_every_allowed_package_once_by_utility(scenario: Any) -> None:
    c = compile_scenario(scenario)
    own = own_preferences(c, c.party_ids[-1])
    table = own.package_table()
    choices = [np.flatnonzero(row) for row in own.allowed]
    everything = list(itertools.product(*choices))
    assert table.size == len(everything) == own.space_size
    assert [table.package(k) for k in range(table.size)] == [
        tuple(int(o) for o in x) for x in everything
    ]
    assert np.all(np.diff(table.utilities) >= 0)
    assert sorted(table.order.tolist()) == list(range(table.size))
    for k in range(table.size):
        assert table.utilities[k] == own.utility(table.package(int(table.order[k])))
    assert not table.utilities.flags.writeable and not table.order.flags.writeable


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4), seed=st.integers(0, 2**16))
def test_scalar_utility_equals_the_array_path(scenario: Any, seed: int) -> None:
    c = compile_scenario(scenario)
    rng = np.random.default_rng(seed)
    packages = np.array([[rng.integers(n) for n in c.n_options] for _ in range(30)])
    scored = utilities(c, packages)
    for p, party in enumerate(c.party_ids):
        own = own_preferences(c, party)
        batch = own.utilities(packages)
        for x, u, ref in zip(packages, batch, scored[:, p], strict=True):
            package = tuple(int(o) for o in x)
            assert own.utility(package) == u  # bit for bit
            assert own.utility(list(package)) == u and own.utility(np.array(package)) == u
            assert u == pytest.approx(ref, abs=1e-12)  # the analysis sums in another order
            crossed = not bool(own.allowed[np.arange(c.n_issues), x].all())
            assert own.crosses_red_line(package) == crossed == own.crosses_red_line(x)


def test_scalar_path_refuses_what_the_array_path_refuses() -> None:
    c = compile_scenario(_small())
    own = own_preferences(c, "A")
    for bad in [(0,), (0, 0, 0), (-1, 0), (0, 9)]:
        with pytest.raises(ValueError):
            own.utility(bad)
        with pytest.raises(ValueError):
            own.crosses_red_line(bad)
    assert own.utility((1.0, 0.0)) == own.utility((1, 0))  # converted, as before


def _small(
    first: dict[str, float] | None = None,
    second: dict[str, float] | None = None,
    saliences: tuple[float, float] = (1.0, 0.5),
) -> Any:
    """One party, two issues of two options each."""
    from accord.model import Scenario

    tables = (first or {"o0": 0.2, "o1": 0.9}, second or {"o0": 1.0, "o1": 0.0})
    return Scenario.model_validate(
        {
            "id": "small",
            "title": "Small",
            "as_of": "2025-01-01",
            "parties": [{"id": "A", "name": "A", "roles": ["party"]}],
            "issues": [
                {
                    "id": f"i{i}",
                    "name": f"i{i}",
                    "scale": {"min": 0, "max": 1},
                    "options": [{"id": f"o{k}", "label": "o", "position": k} for k in range(2)],
                    "status_quo": "o0",
                }
                for i in range(2)
            ],
            "preferences": {
                "A": {f"i{i}": {"salience": saliences[i], "values": tables[i]} for i in range(2)}
            },
        }
    )


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4))
def test_memoised_best_package_equals_a_fresh_one(scenario: Any) -> None:
    c = compile_scenario(scenario)
    for party in c.party_ids:
        own = own_preferences(c, party)
        first = (own.best_package, own.best_utility)
        assert first == (own.best_package, own.best_utility)
        reference = fresh(own)
        masked = np.where(own.allowed, own.values, -np.inf)
        expected = (
            tuple(int(o) for o in masked.argmax(axis=1)) if own.allowed.any(axis=1).all() else None
        )
        assert first[0] == expected == reference.best_package
        assert first[1] == reference.best_utility


ROSTER: list[Any] = [Boulware, Conceder, HardLiner, TitForTat]


@PROPERTY
@given(
    scenario=scenarios(max_parties=3, max_issues=3),
    picks=st.lists(st.integers(0, len(ROSTER) - 1), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_protocol_scores_are_the_parties_own(scenario: Any, picks: list[int], seed: int) -> None:
    c = compile_scenario(scenario)
    if c.n_parties < 2:
        return
    strategies = {p: ROSTER[k]() for p, k in zip(c.party_ids, picks, strict=False)}
    outcome = alternating_offers(c, strategies, deadline=12, seed=seed).run()
    owns = [own_preferences(c, p) for p in outcome.parties]
    for state in outcome.trace:
        if state.offer is None:
            assert state.utilities is None
            continue
        assert state.utilities == tuple(own.utility(state.offer) for own in owns)
        np.testing.assert_allclose(state.utilities, utilities(c, state.offer), atol=1e-12)
    if outcome.agreement is not None:
        assert outcome.utilities == outcome.trace[-1].utilities
