"""Simulation engine: strategy contract (every strategy inherits it), protocol properties on
random scenarios, view isolation, and a run on the embedded Ukraine scenario."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import pickle
import types
from functools import cache
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accord.analysis.evaluate import acceptable, crossings
from accord.compile import Compiled, compile_scenario
from accord.scenarios import resolve
from accord.simulate import (
    Boulware,
    Conceder,
    HardLiner,
    Linear,
    Offer,
    Outcome,
    PartyView,
    RedLineKeeper,
    Strategy,
    TimeBased,
    TitForTat,
    alternating_offers,
    own_preferences,
    package_near,
)
from accord.simulate.views import Package
from tests.strategies import scenarios

PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The contract's property test runs once per strategy class (one executor each); the classes hold
# no state between examples, so Hypothesis's differing-executors check does not apply.
CONTRACT = settings(
    PROPERTY, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors]
)


class Random(Strategy):
    """A careless strategy (tests only): offers any package, accepts anything half the time."""

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        return tuple(int(rng.integers(n)) for n in view.n_options)

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        return bool(rng.random() < 0.5)


@cache
def ukraine() -> Compiled:
    return compile_scenario(resolve("ukraine-2025"))


def play(
    compiled: Compiled, strategies: dict[str, Strategy], seed: int, deadline: int = 12
) -> Outcome:
    return alternating_offers(compiled, strategies, deadline=deadline, seed=seed).run()


def views_along(
    compiled: Compiled, party: str, rng: np.random.Generator, n: int
) -> list[PartyView]:
    """Views of ``party`` with a growing history of random offers from the others."""
    own = own_preferences(compiled, party)
    parties = compiled.party_ids
    others = [p for p in parties if p != party]
    history: list[Offer] = []
    out = []
    for r in range(n):
        out.append(PartyView(own, parties, tuple(history), r, n))
        package = tuple(int(rng.integers(k)) for k in compiled.n_options)
        history.append(Offer(r, others[r % len(others)], package, ((party, False),)))
    return out


def random_package(compiled: Compiled, rng: np.random.Generator) -> Package:
    return tuple(int(rng.integers(k)) for k in compiled.n_options)


# --- the contract every strategy inherits ----------------------------------------------------


class StrategyContract:
    """Axelrod-style player contract: subclasses set ``make``."""

    make: ClassVar[Any]

    def strategy(self) -> Strategy:
        s = self.make()
        assert isinstance(s, Strategy)
        return s

    def opponents(self) -> dict[str, Strategy]:
        return {"UA": self.strategy(), "RU": Linear()}

    def test_declared_metadata(self) -> None:
        s = self.strategy()
        assert isinstance(s.name, str) and s.name
        assert isinstance(s.floor, str) and "BATNA" in s.floor
        assert isinstance(type(s).stochastic, bool)
        assert repr(s) == s.name
        if not s.stochastic:  # declared deterministic: the rng changes nothing
            c = ukraine()
            for view in views_along(c, "UA", np.random.default_rng(0), 4):
                a = s.propose(view, np.random.default_rng(1))
                b = s.clone().propose(view, np.random.default_rng(2))
                assert a == b

    def test_clone(self) -> None:
        s = self.strategy()
        twin = s.clone()
        assert twin is not s and type(twin) is type(s) and twin.name == s.name
        assert play(ukraine(), {"UA": s, "RU": Linear()}, 3) == play(
            ukraine(), {"UA": twin, "RU": Linear()}, 3
        )

    def test_pickle_round_trip(self) -> None:
        s = self.strategy()
        back = pickle.loads(pickle.dumps(s))
        assert type(back) is type(s) and back.name == s.name
        assert play(ukraine(), {"UA": s, "RU": Conceder()}, 4) == play(
            ukraine(), {"UA": back, "RU": Conceder()}, 4
        )

    def test_reset_forgets(self) -> None:
        c = ukraine()
        views = views_along(c, "UA", np.random.default_rng(5), 6)
        used = self.strategy()
        for view in views:  # learn something, then forget it
            used.propose(view, np.random.default_rng(9))
        used.reset()
        fresh = self.strategy()
        for view in views:
            assert used.propose(view, np.random.default_rng(7)) == fresh.propose(
                view, np.random.default_rng(7)
            )

    def test_same_seed_same_trace(self) -> None:
        strategies = {"UA": self.strategy(), "RU": Boulware()}
        first = play(ukraine(), strategies, 11, deadline=20)
        assert first == play(ukraine(), strategies, 11, deadline=20)
        assert first.rounds <= 20

    @CONTRACT
    @given(scenario=scenarios(max_parties=3, max_issues=4), seed=st.integers(0, 2**16))
    def test_never_below_floor_or_across_red_lines(self, scenario: Any, seed: int) -> None:
        c = compile_scenario(scenario)
        assume(c.n_parties >= 2)
        rng = np.random.default_rng(seed)
        party = c.party_ids[0]
        s = self.strategy()
        for view in views_along(c, party, rng, 5):
            offer = s.propose(view, rng)
            if offer is not None:
                assert view.acceptable(offer)
                assert bool(acceptable(c, offer)[0])
            else:  # it passes only when nothing is acceptable to it
                assert view.best_package is None or view.best_utility < view.batna
            for _ in range(4):
                x = random_package(c, rng)
                if s.respond(view, x, rng):
                    assert bool(acceptable(c, x)[0]), "accepted below its floor or a red line"


class TestTimeBased(StrategyContract):
    make = staticmethod(lambda: TimeBased(0.5))


class TestBoulware(StrategyContract):
    make = Boulware


class TestLinear(StrategyContract):
    make = Linear


class TestConceder(StrategyContract):
    make = Conceder


class TestHardLiner(StrategyContract):
    make = HardLiner


class TestTitForTat(StrategyContract):
    make = TitForTat


class TestRedLineKeeperOverRandom(StrategyContract):
    make = staticmethod(lambda: RedLineKeeper(Random()))


class TestRedLineKeeperOverTitForTat(StrategyContract):
    make = staticmethod(lambda: RedLineKeeper(TitForTat()))


# --- strategy specifics ------------------------------------------------------------------------


def test_time_based_concedes_from_best_to_batna() -> None:
    c = ukraine()
    own = own_preferences(c, "UA")
    first = PartyView(own, c.party_ids, (), 0, 10)
    last = PartyView(own, c.party_ids, (), 9, 10)
    for s in (Boulware(), Linear(), Conceder()):
        assert s.target(first) == pytest.approx(own.best_utility)
        assert s.target(last) == pytest.approx(own.batna)
    middle = PartyView(own, c.party_ids, (), 5, 10)
    assert Boulware().target(middle) > Linear().target(middle) > Conceder().target(middle)
    rng = np.random.default_rng(0)
    offered = [Linear().propose(PartyView(own, c.party_ids, (), r, 10), rng) for r in range(10)]
    utils = [own.utility(x) for x in offered if x is not None]
    assert len(utils) == 10 and all(u >= own.batna for u in utils)
    assert utils[0] == pytest.approx(own.best_utility) and utils[-1] < utils[0]


@PROPERTY
@given(
    scenario=scenarios(max_parties=2, max_issues=4),
    target=st.floats(-0.5, 1.5, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_descent_stays_exact_about_the_floor(scenario: Any, target: float, seed: int) -> None:
    """The descent (used on large spaces) never offers below the target, the BATNA or across a
    red line, and is never closer to the target than the exact enumeration."""
    c = compile_scenario(scenario)
    view = PartyView(own_preferences(c, c.party_ids[0]), c.party_ids, (), 0, 5)
    exact = package_near(view, target, np.random.default_rng(seed), method="enumerate")
    fast = package_near(view, target, np.random.default_rng(seed), method="descent")
    assert (exact is None) == (fast is None)
    if exact is None or fast is None:
        assert view.best_package is None or view.best_utility < view.batna
        return
    goal = min(max(target, view.batna), view.best_utility)
    for x in (exact, fast):
        assert view.acceptable(x) and view.utility(x) >= goal - 1e-9
    assert view.utility(fast) >= view.utility(exact) - 1e-12
    everything = np.array(list(itertools.product(*map(range, c.n_options))))
    ok = np.array([view.acceptable(x) for x in everything]) & (
        view.utilities(everything) >= goal - 1e-12
    )
    assert view.utility(exact) == pytest.approx(view.utilities(everything)[ok].min())


def test_descent_on_the_large_space() -> None:
    c = ukraine()
    view = PartyView(own_preferences(c, "RU"), c.party_ids, (), 0, 5)
    rng = np.random.default_rng(0)
    for target in np.linspace(0, 1, 21):
        x = package_near(view, float(target), rng)
        assert x is not None and view.acceptable(x)
        goal = min(max(target, view.batna), view.best_utility)
        assert goal - 1e-9 <= view.utility(x) <= goal + 0.05


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError):
        TimeBased(0)
    with pytest.raises(ValueError):
        HardLiner(-1)


# --- protocol properties -----------------------------------------------------------------------

ROSTER: list[Any] = [
    Boulware,
    Linear,
    Conceder,
    HardLiner,
    TitForTat,
    lambda: RedLineKeeper(Random()),
]


@PROPERTY
@given(
    scenario=scenarios(max_parties=4, max_issues=4),
    picks=st.lists(st.integers(0, len(ROSTER) - 1), min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
    deadline=st.integers(1, 16),
)
def test_protocol_properties(scenario: Any, picks: list[int], seed: int, deadline: int) -> None:
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    strategies = {p: ROSTER[k]() for p, k in zip(c.party_ids, picks, strict=False)}
    run = alternating_offers(c, strategies, deadline=deadline, seed=seed)
    states = list(run)
    outcome = run.outcome()
    assert outcome.trace == tuple(states) and outcome.rounds == len(states) <= deadline
    assert states[-1].done and not any(s.done for s in states[:-1])
    assert [s.round for s in states] == list(range(len(states)))
    for s in states:
        assert s.proposer == c.party_ids[s.round % c.n_parties]
    if outcome.agreed:
        assert states[-1].agreement and states[-1].offer == outcome.agreement
        assert acceptable(c, outcome.agreement).all()  # every party can live with it
        assert all(states[-1].responses[k] is not False for k in range(c.n_parties))
    else:
        assert outcome.rounds == deadline
        assert outcome.utilities == tuple(float(b) for b in c.batna)
    again = alternating_offers(c, strategies, deadline=deadline, seed=seed).run()
    assert again == outcome


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=3), seed=st.integers(0, 2**16))
def test_red_line_keeper_never_ends_across_its_red_lines(scenario: Any, seed: int) -> None:
    c = compile_scenario(scenario)
    assume(c.n_parties >= 2)
    keeper = c.party_ids[0]
    strategies: dict[str, Strategy] = {p: Random() for p in c.party_ids}
    strategies[keeper] = RedLineKeeper(Random())
    outcome = play(c, strategies, seed, deadline=25)
    for state in outcome.trace:
        if state.offer is not None and state.proposer == keeper:
            assert not crossings(c, state.offer)[0].any()
        if state.response(keeper):
            assert state.offer is not None and not crossings(c, state.offer)[0].any()
    if outcome.agreement is not None:
        assert not crossings(c, outcome.agreement)[0].any()


def test_states_are_frozen_and_input_strategies_untouched() -> None:
    tft = TitForTat()
    run = alternating_offers(ukraine(), {"UA": tft, "RU": Conceder()}, deadline=6, seed=0)
    state = next(run)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.round = 5  # type: ignore[misc]
    run.run()
    assert tft._target is None  # the run played a clone
    with pytest.raises(StopIteration):
        run.step()


def test_bad_arguments() -> None:
    c = ukraine()
    with pytest.raises(ValueError, match="no strategy"):
        alternating_offers(c, {"UA": Linear()}, deadline=5, seed=0, parties=["UA", "RU"])
    with pytest.raises(ValueError, match="at least two"):
        alternating_offers(c, {"UA": Linear()}, deadline=5, seed=0)
    with pytest.raises(ValueError, match="deadline"):
        alternating_offers(c, {"UA": Linear(), "RU": Linear()}, deadline=0, seed=0)
    with pytest.raises(ValueError, match="unknown"):
        alternating_offers(
            c, {"UA": Linear(), "XX": Linear()}, deadline=3, seed=0, parties=["UA", "XX"]
        )
    with pytest.raises(RuntimeError):
        alternating_offers(c, {"UA": Linear(), "RU": Linear()}, deadline=3, seed=0).outcome()


# --- view isolation ----------------------------------------------------------------------------


class Spy(Strategy):
    """Keeps every view it is shown (clone returns itself so the record survives)."""

    def __init__(self) -> None:
        self.seen: list[PartyView] = []

    def clone(self) -> Spy:
        return self

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        self.seen.append(view)
        return view.best_package

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        self.seen.append(view)
        return False


_CODE = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.MethodWrapperType,
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    property,
)


def reachable(root: object) -> list[object]:
    """Every data object reachable from ``root`` through referents, ``vars``, slots and public
    attributes (code objects, classes and modules are not walked into)."""
    seen: set[int] = set()
    stack = [root]
    out: list[object] = []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _CODE):
            continue
        seen.add(id(obj))
        out.append(obj)
        children = list(gc.get_referents(obj))
        if hasattr(obj, "__dict__"):
            children += list(vars(obj).values())
        for cls in type(obj).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(obj, slot):
                    children.append(getattr(obj, slot))
        if not isinstance(obj, (str, bytes, int, float, tuple, list, dict, np.ndarray)):
            for name in dir(obj):
                if not name.startswith("__"):
                    value = getattr(obj, name)
                    if not callable(value):
                        children.append(value)
        stack.extend(children)
    return out


def test_view_reaches_only_own_preferences() -> None:
    c = ukraine()
    spy = Spy()
    strategies = {"UA": spy, "RU": Linear(), "US": Conceder(), "EU": HardLiner()}
    alternating_offers(c, strategies, deadline=6, seed=0).run()
    assert spy.seen
    me = c.party_index("UA")
    compiled_arrays = [getattr(c, f.name) for f in dataclasses.fields(c)]
    compiled_arrays = [a for a in compiled_arrays if isinstance(a, np.ndarray)]
    for view in (spy.seen[0], spy.seen[-1]):
        assert not hasattr(view, "__dict__")
        with pytest.raises(AttributeError):
            view.round = 3  # type: ignore[misc]
        with pytest.raises(AttributeError):
            view._own = None  # type: ignore[misc]
        objects = reachable(view)
        assert any(isinstance(o, np.ndarray) for o in objects)  # the walk did reach its arrays
        for obj in objects:
            assert obj is not c, "the view reaches the Compiled object"
            assert not isinstance(obj, Compiled)
            if isinstance(obj, np.ndarray):
                assert not obj.flags.writeable
                for array in compiled_arrays:
                    assert not np.shares_memory(obj, array), "the view shares compiled memory"
                for q in range(c.n_parties):
                    if q == me:
                        continue
                    for theirs in (c.values[q], c.weights[q], c.allowed[q]):
                        assert not (obj.shape == theirs.shape and np.array_equal(obj, theirs)), (
                            f"the view holds {c.party_ids[q]}'s preferences"
                        )
        assert view.utility(view.best_package) == pytest.approx(
            float((c.weights[me] * c.values[me, np.arange(c.n_issues), view.best_package]).sum())
        )


def test_view_matches_the_analysis_scoring() -> None:
    c = ukraine()
    rng = np.random.default_rng(3)
    packages = np.array([random_package(c, rng) for _ in range(50)])
    from accord.analysis.evaluate import utilities

    for p, party in enumerate(c.party_ids):
        own = own_preferences(c, party)
        np.testing.assert_allclose(own.utilities(packages), utilities(c, packages)[:, p])
        assert [own.acceptable(x) for x in packages] == list(acceptable(c, packages)[:, p])


# --- the embedded scenario -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ua", "ru"),
    [(Boulware, Conceder), (Conceder, HardLiner), (TitForTat, Linear)],
)
def test_ukraine_bilateral(ua: Any, ru: Any) -> None:
    c = ukraine()
    deadline = 60
    outcome = alternating_offers(
        c, {"UA": ua(), "RU": ru()}, deadline=deadline, seed=2025, parties=["UA", "RU"]
    ).run()
    assert outcome.parties == ("UA", "RU")
    assert 0 < outcome.rounds <= deadline
    assert outcome.trace[-1].done
    if outcome.agreed:
        assert outcome.agreement is not None
        assert acceptable(c, outcome.agreement)[[0, 1]].all()
        assert outcome.rounds < deadline or outcome.trace[-1].agreement
    else:
        assert outcome.rounds == deadline
        assert outcome.utilities == (float(c.batna[0]), float(c.batna[1]))
