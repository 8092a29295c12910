"""The opponent model and the accommodating strategy: the model learns only from the public
record, the exact bidding equals its exhaustive reference, the heuristic keeps its invariants,
the strategy keeps the contract, and on the embedded scenarios it reaches agreements."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accord.analysis.evaluate import acceptable
from accord.compile import Compiled, compile_scenario
from accord.scenarios import resolve
from accord.simulate import (
    Accommodating,
    Linear,
    Offer,
    PartyView,
    RedLineKeeper,
    TimeBased,
    accommodating_package,
    alternating_offers,
    frequency_model,
    frequency_models,
    own_preferences,
)
from accord.simulate.opponent_model import (
    SPREAD,
    OpponentModel,
    lagrangian_start,
    local_search,
    score,
    search_package,
)
from accord.simulate.specs import parse_strategy
from accord.simulate.views import Package
from tests.strategies import scenarios
from tests.test_simulate import StrategyContract

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def ukraine() -> Compiled:
    return compile_scenario(resolve("ukraine-2025"))


@cache
def river() -> Compiled:
    return compile_scenario(resolve("teaching-river"))


def random_history(
    compiled: Compiled, party: str, rng: np.random.Generator, n: int
) -> tuple[Offer, ...]:
    """``n`` random public moves: each other party in turn offers a random package (or passes),
    and every party but the proposer answers at random."""
    parties = compiled.party_ids
    history = []
    for r in range(n):
        proposer = parties[r % len(parties)]
        if rng.random() < 0.1:
            history.append(Offer(r, proposer, None, ()))
            continue
        package = tuple(int(rng.integers(k)) for k in compiled.n_options)
        answers = tuple((p, bool(rng.random() < 0.4)) for p in parties if p != proposer)
        history.append(Offer(r, proposer, package, answers))
    return tuple(history)


def random_view(compiled: Compiled, seed: int, moves: int) -> PartyView:
    rng = np.random.default_rng(seed)
    party = compiled.party_ids[0]
    history = random_history(compiled, party, rng, moves)
    deadline = moves + 5
    return PartyView(own_preferences(compiled, party), compiled.party_ids, history, moves, deadline)


# --- the contract ----------------------------------------------------------------------------


class TestAccommodating(StrategyContract):
    make = Accommodating


class TestAccommodatingConceder(StrategyContract):
    make = staticmethod(lambda: Accommodating(5.0, restarts=1))


class TestRedLineKeeperOverAccommodating(StrategyContract):
    make = staticmethod(lambda: RedLineKeeper(Accommodating(0.5)))


# --- the model -------------------------------------------------------------------------------


def slow_model(view: PartyView, party: str) -> dict[str, Any]:
    """The model's figures recomputed option by option, the obvious way."""
    own = [o.package for o in view.history if o.proposer == party and o.package is not None]
    yes = [
        o.package for o in view.history if o.package is not None and (party, True) in o.responses
    ]
    no = [
        o.package for o in view.history if o.package is not None and (party, False) in o.responses
    ]
    supported = own + yes
    width = max(view.n_options)
    values = np.zeros((view.n_issues, width))
    suspicion = np.zeros((view.n_issues, width))
    for i, n in enumerate(view.n_options):
        counts = [sum(x[i] == o for x in supported) for o in range(n)]
        for o in range(n):
            values[i, o] = (1 + counts[o]) / (1 + max(counts))
            blame = 0.0
            for x in no:
                unsupported = [
                    j for j in range(view.n_issues) if not any(y[j] == x[j] for y in supported)
                ]
                if x[i] == o and i in unsupported:
                    blame += 1 / len(unsupported)
            suspicion[i, o] = blame / (1 + blame)
    kept = [sum(a[i] == b[i] for a, b in itertools.pairwise(own)) for i in range(view.n_issues)]
    weights = np.array([1 + k for k in kept]) / sum(1 + k for k in kept)
    return {"values": values, "suspicion": suspicion, "weights": weights, "offers": len(own)}


@PROPERTY
@given(scenario=scenarios(max_parties=4, max_issues=4), seed=st.integers(0, 2**16))
def test_model_matches_its_definition(scenario: Any, seed: int) -> None:
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    view = random_view(c, seed, 12)
    for q in view.others:
        model = frequency_model(view, q)
        slow = slow_model(view, q)
        np.testing.assert_allclose(model.values, slow["values"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.suspicion, slow["suspicion"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.weights, slow["weights"], rtol=0, atol=1e-12)
        assert model.offers == slow["offers"]
        assert model.weights.sum() == pytest.approx(1.0)
        assert not model.weights.flags.writeable and not model.values.flags.writeable


def test_model_learns_what_a_party_asks_for_and_where_it_refuses() -> None:
    c = river()
    me, other = c.party_ids[0], c.party_ids[1]
    asked = (0, 1, 2, 0, 1)
    refused = (2, 1, 2, 0, 1)  # differs from what the other asks for on issue 0 only
    history = (
        Offer(0, other, asked, ((me, False),)),
        Offer(1, me, refused, ((other, False),)),
        Offer(2, other, asked, ((me, False),)),
        Offer(3, me, refused, ((other, False),)),
    )
    view = PartyView(own_preferences(c, me), c.party_ids, history, 4, 10)
    model = frequency_model(view, other)
    assert model.offers == 2 and model.accepted == 0
    for i, o in enumerate(asked):
        assert model.values[i, o] == 1.0  # its own choice on every issue
    assert model.values[0, 2] == pytest.approx(1 / 3)
    # the two rejections each blame option 2 of issue 0, the only option it never supported
    assert model.suspicion[0, 2] == pytest.approx(2 / 3)
    assert model.suspicion.sum() == pytest.approx(2 / 3)
    assert (model.weights == model.weights[0]).all()  # it never changed anything: no signal
    # an acceptance makes the option supported: no more suspicion
    yes = (*history, Offer(4, me, refused, ((other, True),)))
    learnt = frequency_model(PartyView(own_preferences(c, me), c.party_ids, yes, 5, 10), other)
    assert learnt.accepted == 1 and learnt.suspicion.sum() == 0


def test_model_sees_only_the_public_record() -> None:
    """The model of a party is the same whatever that party's private preferences: two views
    that differ only in the viewer's own preferences, or two scenarios that differ only in the
    modelled party's preferences, give the same model."""
    c = ukraine()
    history = random_history(c, "UA", np.random.default_rng(1), 20)
    a = PartyView(own_preferences(c, "UA"), c.party_ids, history, 20, 40)
    b = PartyView(own_preferences(c, "EU"), c.party_ids, history, 20, 40)
    ma, mb = frequency_model(a, "RU"), frequency_model(b, "RU")
    for field in ("weights", "values", "suspicion"):
        assert np.array_equal(getattr(ma, field), getattr(mb, field))
    with pytest.raises(ValueError, match="not another party"):
        frequency_model(a, "UA")
    assert [m.party for m in frequency_models(a)] == ["RU", "US", "EU"]


def test_an_empty_record_models_every_package_alike() -> None:
    c = ukraine()
    view = PartyView(own_preferences(c, "UA"), c.party_ids, (), 0, 60)
    models = frequency_models(view)
    rng = np.random.default_rng(0)
    packages = np.array([[rng.integers(k) for k in c.n_options] for _ in range(20)])
    assert np.ptp(score(models, packages)) < 1e-12
    # so the strategy opens with a package of its best utility, as a time-based one does
    first = Accommodating().propose(view, rng)
    assert first is not None and view.utility(first) == pytest.approx(view.best_utility)


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4), seed=st.integers(0, 2**16))
def test_without_a_record_it_offers_what_time_based_offers(scenario: Any, seed: int) -> None:
    """On small spaces, with nothing learnt, the same package and the same draws as TimeBased at
    every round."""
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    own = own_preferences(c, c.party_ids[0])
    for e in (0.5, 2.0):
        a_rng, b_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        for r in range(6):
            view = PartyView(own, c.party_ids, (), r, 6)
            assert Accommodating(e).propose(view, a_rng) == TimeBased(e).propose(view, b_rng)
        assert a_rng.random() == b_rng.random()


# --- the bidding: exact search and its reference ----------------------------------------------


def exhaustive(view: PartyView, goal: float, models: list[OpponentModel]) -> float:
    """The best modelled score over the party's acceptable packages worth ``goal`` or more."""
    best = -np.inf
    for x in itertools.product(*map(range, view.n_options)):
        if view.acceptable(x) and view.utility(x) >= goal - 1e-12:
            per = [float(sum(m.contributions[i, o] for i, o in enumerate(x))) for m in models]
            best = max(best, min(per) + SPREAD * sum(per) / len(per))
    return best


@PROPERTY
@given(
    scenario=scenarios(max_parties=4, max_issues=4),
    seed=st.integers(0, 2**16),
    target=st.floats(-0.2, 1.2, allow_nan=False),
    moves=st.integers(0, 14),
)
def test_enumeration_equals_the_scan(scenario: Any, seed: int, target: float, moves: int) -> None:
    """The exact path (package table) and its slow reference pick the same package with the
    same draws, and it has the best score of any acceptable package at the target."""
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    view = random_view(c, seed, moves)
    models = list(frequency_models(view))
    fast_rng, slow_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    fast = accommodating_package(view, target, models, fast_rng, method="enumerate")
    slow = accommodating_package(view, target, models, slow_rng, method="scan")
    assert fast == slow
    assert fast_rng.random() == slow_rng.random()  # the same number of draws
    if fast is None:
        assert view.best_package is None or view.best_utility < view.batna
        return
    goal = min(max(target, view.batna), view.best_utility)
    assert view.acceptable(fast) and view.utility(fast) >= goal - 1e-12
    assert float(score(models, fast)) == pytest.approx(exhaustive(view, goal, models), abs=1e-9)


# --- the bidding: the heuristic ----------------------------------------------------------------


@settings(PROPERTY, max_examples=60)
@given(
    scenario=scenarios(max_parties=4, max_issues=4),
    seed=st.integers(0, 2**16),
    target=st.floats(-0.2, 1.2, allow_nan=False),
    moves=st.integers(0, 14),
)
def test_search_keeps_its_invariants(scenario: Any, seed: int, target: float, moves: int) -> None:
    """The heuristic is not exact by design: its package is acceptable to the party, worth at
    least the target to it, scores at least as well as its uniform Lagrangian start and never
    better than the exhaustive optimum, and no one- or two-issue move improves on it."""
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    view = random_view(c, seed, moves)
    assume(view.best_package is not None and view.best_utility >= view.batna)
    models = list(frequency_models(view))
    goal = min(max(target, view.batna), view.best_utility)
    found = search_package(view, goal, models, np.random.default_rng(seed))
    assert view.acceptable(found) and view.utility(found) >= goal - 1e-12
    assert bool(acceptable(c, found)[0])
    start = lagrangian_start(view, goal, models)
    assert view.acceptable(start) and view.utility(start) >= goal - 1e-12
    assert float(score(models, found)) >= float(score(models, start)) - 1e-12
    assert float(score(models, found)) <= exhaustive(view, goal, models) + 1e-9
    again = search_package(view, goal, models, np.random.default_rng(seed))
    assert again == found  # deterministic given the view and the seed
    assert_local_optimum(view, found, goal, models)
    # the local search alone, from the party's best package (rarely a local optimum)
    best = view.best_package
    assert best is not None
    climbed = local_search(view, best, goal, models)
    assert view.acceptable(climbed) and view.utility(climbed) >= goal - 1e-12
    assert float(score(models, climbed)) >= float(score(models, best)) - 1e-12
    assert_local_optimum(view, climbed, goal, models)


def assert_local_optimum(
    view: PartyView, found: Package, goal: float, models: list[OpponentModel]
) -> None:
    """No one- or two-issue move that keeps the target (with a margin) scores better."""
    allowed = [np.flatnonzero(row) for row in view.allowed]
    moves = []
    for i, j in itertools.combinations_with_replacement(range(view.n_issues), 2):
        for o, p in itertools.product(allowed[i], allowed[j]):
            moved = list(found)
            moved[i], moved[j] = int(o), int(p)
            moves.append(moved)
    packages = np.array(moves, dtype=np.int64)
    keeps = view.utilities(packages) >= goal + 1e-9
    gain = score(models, packages) - float(score(models, found))
    assert not (keeps & (gain > 1e-9)).any(), packages[keeps & (gain > 1e-9)][0]


def test_search_on_the_large_space() -> None:
    """On ukraine-2025 (about 10^12 packages inside each party's red lines) the search keeps the
    target and beats the package a plain time-based party would offer there."""
    c = ukraine()
    history = random_history(c, "RU", np.random.default_rng(7), 30)
    view = PartyView(own_preferences(c, "RU"), c.party_ids, history, 30, 60)
    models = list(frequency_models(view))
    rng = np.random.default_rng(0)
    for target in (0.95, 0.8, 0.65, 0.5):
        x = accommodating_package(view, target, models, rng)
        assert x is not None and view.acceptable(x) and view.utility(x) >= target - 1e-12
        assert_local_optimum(view, x, target, models)
        best = view.best_package
        assert best is not None
        assert_local_optimum(view, local_search(view, best, target, models), target, models)
        plain = Linear().propose(view, np.random.default_rng(1))  # at round 30: target ~0.75
        assert plain is not None
        if target <= Linear().target(view):
            assert float(score(models, x)) >= float(score(models, plain))


# --- the strategy ------------------------------------------------------------------------------


def test_accommodating_targets_and_acceptance_are_time_based() -> None:
    c = ukraine()
    own = own_preferences(c, "UA")
    for r in (0, 15, 30, 59):
        view = PartyView(own, c.party_ids, (), r, 60)
        for e in (0.2, 1.0, 5.0):
            assert Accommodating(e).target(view) == Linear(e).target(view)
    view = PartyView(own, c.party_ids, (), 40, 60)
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = tuple(int(rng.integers(k)) for k in c.n_options)
        assert Accommodating().respond(view, x, rng) == Linear().respond(view, x, rng)


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("accommodating", "Accommodating(e=1)"),
        ("Accommodating(e=5)", "Accommodating(e=5)"),
        ("red-line-keeper(accommodating(e=0.2))", "RedLineKeeper(Accommodating(e=0.2))"),
    ],
)
def test_specs_name_the_strategy(spec: str, name: str) -> None:
    assert parse_strategy(spec).name == name


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("accommodating(x=2)", r"Accommodating does not take x \(it takes e\)"),
        ("accommodating(e=0)", r"exponent must be > 0"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_strategy(spec)
    with pytest.raises(ValueError, match="restarts"):
        Accommodating(1.0, restarts=-1)
    assert Accommodating(2.0, restarts=1).name == "Accommodating(e=2, restarts=1)"


def test_all_four_ukraine_parties_agree() -> None:
    """The case time-based strategies fail: with all four parties an accommodating lineup reaches
    an agreement that crosses nobody's red line, where plain Linear does not."""
    c = ukraine()
    deadline = 60
    plain = alternating_offers(c, dict.fromkeys(c.party_ids, Linear()), deadline=deadline, seed=0)
    assert not plain.run().agreed
    run = alternating_offers(
        c, dict.fromkeys(c.party_ids, Accommodating(5.0)), deadline=deadline, seed=0
    )
    outcome = run.run()
    assert outcome.agreed and outcome.agreement is not None
    assert acceptable(c, outcome.agreement).all()
    assert all(u >= b for u, b in zip(outcome.utilities, c.batna, strict=True))


def test_package_is_returned_as_plain_ints() -> None:
    c = river()
    view = random_view(c, 3, 9)
    x: Package | None = Accommodating().propose(view, np.random.default_rng(0))
    assert x is not None and all(type(o) is int for o in x)
