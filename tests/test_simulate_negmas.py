"""NegMAS interop: accord scenarios as NegMAS utility functions (exact inside the red lines, red
lines never acceptable), NegMAS scenarios back to accord, and NegMAS negotiators as accord
strategies (the shared strategy contract, and the same offers as NegMAS's own SAO mechanism)."""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.analysis.evaluate import acceptable, utilities
from accord.compile import Compiled, compile_scenario
from accord.model import Scenario
from accord.simulate import Linear, PartyView, alternating_offers, own_preferences
from accord.simulate.interop import (
    RED_LINE_DROP,
    NegmasStrategy,
    from_negmas,
    negmas_ufun,
    to_negmas,
)
from tests.strategies import scenario_data, scenarios
from tests.test_simulate import StrategyContract, ukraine

negmas = pytest.importorskip("negmas", reason="negmas (the `negmas` extra) is not installed")

from negmas import ResponseType, SAOMechanism  # noqa: E402
from negmas.preferences.value_fun import TableFun  # noqa: E402
from negmas.sao import (  # noqa: E402
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NaiveTitForTatNegotiator,
    SAONegotiator,
)

PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME_BASED: list[Any] = [
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    AspirationNegotiator,
]
NEGOTIATORS: list[Any] = [*TIME_BASED, NaiveTitForTatNegotiator]


@st.composite
def bilateral(draw: st.DrawFn, red_line: bool = False) -> Scenario:
    """A random scenario with exactly two parties (the first one copied where only one was
    drawn) and, with ``red_line``, at least one red line for the first (on one of its issues,
    away from its ideal, leaving an allowed option)."""
    data = draw(scenario_data(max_parties=2, max_issues=4))
    if len(data["parties"]) == 1:
        data["parties"].append({**data["parties"][0], "id": "P1", "name": "Party 1"})
        data["preferences"]["P1"] = copy.deepcopy(data["preferences"]["P0"])
    if red_line:
        prefs = data["preferences"]["P0"]
        issue_id = draw(st.sampled_from(sorted(prefs)))
        issue = next(i for i in data["issues"] if i["id"] == issue_id)
        pref = prefs[issue_id]
        refused = {r["option"] for r in pref.get("red_lines", [])}
        free = [o["id"] for o in issue["options"] if o["id"] not in refused]
        candidates = [o for o in free if o != pref.get("ideal")]
        if len(free) > 1 and candidates:
            pref["red_lines"] = [
                *pref.get("red_lines", []),
                {"option": draw(st.sampled_from(candidates))},
            ]
    return Scenario.model_validate(data)


def crosses(c: Compiled, party: int, package: tuple[int, ...]) -> bool:
    return not bool(c.allowed[party, np.arange(c.n_issues), list(package)].all())


def tempting_crossings(c: Compiled, party: int) -> list[tuple[int, ...]]:
    """The party's best package with one issue moved onto one of its red lines (the crossing
    outcomes worth most to it without the red lines)."""
    best = np.where(c.allowed[party], c.values[party], -np.inf).argmax(axis=1)
    out = []
    for i in range(c.n_issues):
        for o in range(int(c.n_options[i])):
            if not c.allowed[party, i, o]:
                x = best.copy()
                x[i] = o
                out.append(tuple(int(v) for v in x))
    return out


def has_acceptable(c: Compiled, party: int) -> bool:
    own = own_preferences(c, c.party_ids[party])
    return own.best_package is not None and own.best_utility >= own.batna


# --- accord -> NegMAS ----------------------------------------------------------------------------


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4), seed=st.integers(0, 2**16))
def test_ufuns_reproduce_accord_utilities(scenario: Any, seed: int) -> None:
    c = compile_scenario(scenario)
    domain = to_negmas(c)
    rng = np.random.default_rng(seed)
    packages = np.array([[rng.integers(n) for n in c.n_options] for _ in range(40)])
    ours = utilities(c, packages)
    assert domain.parties == c.party_ids
    for p, ufun in enumerate(domain.ufuns):
        assert ufun.reserved_value == c.batna[p]
        for x, u in zip(packages, ours[:, p], strict=True):
            outcome = domain.outcome(x)
            assert domain.package(outcome) == tuple(int(o) for o in x)
            theirs = float(ufun(outcome))
            if crosses(c, p, tuple(x)):
                assert theirs <= c.batna[p] - (RED_LINE_DROP - 1) + 1e-9
            else:
                assert theirs == pytest.approx(float(u), abs=1e-9)


def test_outcome_space_is_categorical_by_id() -> None:
    c = ukraine()
    domain = to_negmas(c, parties=["RU", "UA"])
    assert domain.parties == ("RU", "UA") and domain.ufun("UA").name == "UA"
    issues = list(domain.outcome_space.issues)
    assert [i.name for i in issues] == list(c.issue_ids)
    assert [tuple(i.all) for i in issues] == list(c.option_ids)


def red_lines_hold(c: Compiled, factory: Any) -> bool:
    """A NegMAS negotiator with party 0's ufun, offered only outcomes across party 0's red
    lines (the most tempting ones) until NegMAS's deadline: it accepts none and offers none."""
    domain = to_negmas(c)
    mechanism = SAOMechanism(outcome_space=domain.outcome_space, n_steps=30)
    mechanism.add(factory(ufun=domain.ufuns[0], id="tested", name="tested"))
    bait = [domain.outcome(x) for x in tempting_crossings(c, 0)]
    mechanism.add(Bait(bait, ufun=domain.ufuns[1], id="b", name="b"))
    state = mechanism.run()
    own = [domain.package(o) for who, o in mechanism.trace if who == "tested"]
    return state.agreement is None and bool(own) and not any(crosses(c, 0, x) for x in own)


@PROPERTY
@given(scenario=bilateral(red_line=True), pick=st.integers(0, len(TIME_BASED) - 1))
def test_red_line_outcomes_never_acceptable_to_negmas_negotiators(scenario: Any, pick: int) -> None:
    """NegMAS's time-based negotiators (which concede between their best utility and their
    reserved value) never offer nor accept an outcome across a red line."""
    c = compile_scenario(scenario)
    if not has_acceptable(c, 0) or not tempting_crossings(c, 0):
        return  # its BATNA is above its best package: NegMAS cannot scale its range
    assert red_lines_hold(c, TIME_BASED[pick])


@pytest.mark.xfail(
    strict=True,
    reason="NegMAS 0.16's NaiveTitForTatNegotiator does not keep to its reserved value: where"
    " every outcome it can accept is worth the same, its forced concession (must_concede) and its"
    " normalised view of that zero-width range take it below the reserved value, across a red"
    " line here (it also accepts below its reserved value: see the SAO equivalence test)."
    " NegmasStrategy replaces such offers and vetoes such acceptances.",
)
def test_red_line_outcomes_never_acceptable_to_negmas_tit_for_tat() -> None:
    c = compile_scenario(
        Scenario.model_validate(
            {
                "id": "one-way",
                "title": "A accepts one option of x and is indifferent to y",
                "as_of": "2025-01-01",
                "parties": [
                    {"id": "A", "name": "A", "roles": ["party"]},
                    {"id": "B", "name": "B", "roles": ["party"]},
                ],
                "issues": [
                    {
                        "id": issue,
                        "name": issue,
                        "scale": {"min": 0, "max": 2},
                        "options": [
                            {"id": f"o{k}", "label": f"o{k}", "position": k} for k in range(3)
                        ],
                        "status_quo": "o0",
                    }
                    for issue in ("x", "y")  # A does not care about y
                ],
                "preferences": {
                    "A": {
                        "x": {
                            "salience": 1,
                            "values": {"o0": 0.0, "o1": 0.1, "o2": 0.8},
                            "red_lines": [{"option": "o0"}, {"option": "o2"}],
                        }
                    },
                    "B": {"x": {"salience": 1, "values": {"o0": 1.0, "o1": 0.9, "o2": 0.0}}},
                },
            }
        )
    )
    assert red_lines_hold(c, NaiveTitForTatNegotiator)


class Bait(SAONegotiator):
    """Offers the given outcomes in turn and rejects everything."""

    def __init__(self, outcomes: list[tuple[str, ...]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outcomes = outcomes
        self._k = 0

    def propose(self, state: Any, dest: str | None = None) -> tuple[str, ...]:
        self._k += 1
        return self._outcomes[self._k % len(self._outcomes)]

    def respond(self, state: Any, source: str | None = None) -> Any:
        return ResponseType.REJECT_OFFER


def test_red_lines_on_the_large_space_stay_linear() -> None:
    """ukraine-2025 has 2.8e13 packages: the red lines must not make NegMAS enumerate them."""
    c = ukraine()
    domain = to_negmas(c, parties=["UA", "RU"])
    assert type(domain.ufuns[0]).__name__ == "LinearAdditiveUtilityFunction"
    assert not domain.ufuns[0].constraints
    low, high = domain.ufuns[0].minmax()
    assert high == pytest.approx(own_preferences(c, "UA").best_utility)
    assert low < c.batna[0] - (RED_LINE_DROP - 1)


# --- NegMAS -> accord ----------------------------------------------------------------------------


@PROPERTY
@given(scenario=scenarios(max_parties=3, max_issues=4), seed=st.integers(0, 2**16))
def test_round_trip(scenario: Any, seed: int) -> None:
    c = compile_scenario(scenario)
    domain = to_negmas(c)
    back = compile_scenario(
        from_negmas(domain.outcome_space, domain.ufuns, scenario_id=c.scenario_id)
    )
    assert back.party_ids == c.party_ids
    assert back.issue_ids == c.issue_ids and back.option_ids == c.option_ids
    assert np.array_equal(back.allowed, c.allowed)
    np.testing.assert_array_equal(back.batna, c.batna)
    np.testing.assert_allclose(back.weights, c.weights, rtol=0, atol=1e-12)
    counted = c.allowed & (c.weights[:, :, None] > 0)
    np.testing.assert_allclose(back.values[counted], c.values[counted], rtol=0, atol=1e-12)
    rng = np.random.default_rng(seed)
    packages = np.array([[rng.integers(n) for n in c.n_options] for _ in range(40)])
    assert np.array_equal(acceptable(back, packages), acceptable(c, packages))
    inside = ~np.array([[crosses(c, p, tuple(x)) for p in range(c.n_parties)] for x in packages])
    np.testing.assert_allclose(
        utilities(back, packages)[inside], utilities(c, packages)[inside], rtol=0, atol=1e-12
    )


@st.composite
def raw_linear(draw: st.DrawFn) -> dict[str, Any]:
    """Plain numbers for a NegMAS space (integer and categorical issues) and two linear additive
    ufuns with raw weights, tables, a bias and a reserved value: not accord's form."""
    number = st.floats(-10, 10, allow_nan=False).map(lambda x: round(x, 3))
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    integer = [draw(st.booleans()) for _ in sizes]
    parties = [
        {
            "tables": [[draw(number) for _ in range(n)] for n in sizes],
            "weights": [draw(st.floats(0.1, 5).map(lambda x: round(x, 3))) for _ in sizes],
            "bias": draw(number),
            "reserved": draw(number),
        }
        for _ in range(2)
    ]
    return {"sizes": sizes, "integer": integer, "parties": parties}


def build_linear(raw: dict[str, Any]) -> tuple[Any, list[Any]]:
    issues = [
        negmas.make_issue((0, n - 1), name=f"q{i}")
        if integer
        else negmas.make_issue([f"v{k}" for k in range(n)], name=f"c{i}")
        for i, (n, integer) in enumerate(zip(raw["sizes"], raw["integer"], strict=True))
    ]
    space = negmas.make_os(issues)
    ufuns = [
        negmas.LinearAdditiveUtilityFunction(
            [
                TableFun(dict(zip(issue.all, table, strict=True)))
                for issue, table in zip(issues, party["tables"], strict=True)
            ],
            weights=party["weights"],
            bias=party["bias"],
            outcome_space=space,
            reserved_value=party["reserved"],
            name=f"party {p}",
        )
        for p, party in enumerate(raw["parties"])
    ]
    return space, ufuns


@PROPERTY
@given(raw=raw_linear())
def test_from_negmas_keeps_every_comparison(raw: dict[str, Any]) -> None:
    """Outside accord's form the utility is rescaled: accord's utility is a positive affine map
    of NegMAS's inside the red lines, and the same outcomes are acceptable."""
    space, ufuns = build_linear(raw)
    c = compile_scenario(from_negmas(space, ufuns))
    assert c.party_ids == ("party_0", "party_1")
    outcomes = list(space.enumerate())
    packages = np.array(
        [[list(i.all).index(v) for i, v in zip(space.issues, o, strict=True)] for o in outcomes]
    )
    ours = utilities(c, packages)
    ok = acceptable(c, packages)
    for p, ufun in enumerate(ufuns):
        theirs = np.array([float(ufun(o)) for o in outcomes])
        clear = np.abs(theirs - ufun.reserved_value) > 1e-9  # not a tie NegMAS rounds either way
        assert np.array_equal(ok[clear, p], theirs[clear] >= ufun.reserved_value)
        inside = ~np.array([crosses(c, p, tuple(x)) for x in packages])
        if inside.any() and np.ptp(theirs[inside]) > 1e-6:
            a, b = np.polyfit(theirs[inside], ours[inside, p], 1)
            assert a > 0
            np.testing.assert_allclose(a * theirs[inside] + b, ours[inside, p], atol=1e-9)


def test_from_negmas_reads_a_hopeless_option_as_a_red_line() -> None:
    space = negmas.make_os(
        [negmas.make_issue(["a", "b", "c"], name="x"), negmas.make_issue(["d", "e"], name="y")]
    )
    ufun = negmas.LinearAdditiveUtilityFunction(
        [TableFun({"a": 1.0, "b": 0.5, "c": -3.0}), TableFun({"d": 0.0, "e": 1.0})],
        weights=[0.5, 0.5],
        outcome_space=space,
        reserved_value=0.2,
        name="buyer",
    )
    c = compile_scenario(from_negmas(space, [ufun, ufun], parties=["B", "S"]))
    assert c.party_ids == ("B", "S")
    assert c.allowed[0, 0].tolist() == [True, True, False]
    assert "red lines" in (from_negmas(space, [ufun]).parties[0].description or "")


def test_from_negmas_refuses_what_it_cannot_represent() -> None:
    space = negmas.make_os([negmas.make_issue(["a", "b"], name="x")])
    mapping = negmas.MappingUtilityFunction(lambda o: 1.0, outcome_space=space)
    with pytest.raises(ValueError, match="LinearAdditiveUtilityFunction"):
        from_negmas(space, [mapping])
    continuous = negmas.make_os([negmas.make_issue((0.0, 1.0), name="r")])
    with pytest.raises(ValueError, match="not discrete"):
        from_negmas(continuous, [])
    with pytest.raises(ValueError, match="party ids"):
        from_negmas(space, [], parties=["A"])


def test_missing_negmas_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "negmas", None)
    with pytest.raises(ImportError, match=r"accord\[negmas\]"):
        to_negmas(ukraine())


def test_importing_accord_simulate_does_not_import_negmas() -> None:
    code = (
        "import sys, accord.simulate, accord.simulate.interop;"
        " assert 'negmas' not in sys.modules, 'negmas imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- NegMAS negotiators as accord strategies -----------------------------------------------------


class TestNegmasBoulware(StrategyContract):
    make = staticmethod(lambda: NegmasStrategy(BoulwareTBNegotiator))


class TestNegmasTitForTat(StrategyContract):
    make = staticmethod(lambda: NegmasStrategy(NaiveTitForTatNegotiator))


class TestNegmasStochasticAspiration(StrategyContract):
    make = staticmethod(lambda: NegmasStrategy(AspirationNegotiator, stochastic=True))


@settings(PROPERTY, max_examples=30)
@given(
    scenario=bilateral(),
    picks=st.tuples(st.integers(0, len(NEGOTIATORS) - 1), st.integers(0, len(NEGOTIATORS) - 1)),
    deadline=st.integers(2, 40),
)
def test_two_adapted_negotiators_make_negmas_offers(
    scenario: Any, picks: tuple[int, int], deadline: int
) -> None:
    """Two NegMAS negotiators run through accord's alternating offers make exactly the offers
    they make in NegMAS's own ``SAOMechanism(n_steps=deadline, one_offer_per_step=True)``, and
    agree on the same package, up to the first NegMAS move that breaks the house rule (an offer
    its maker could not accept, or an agreement below a party's BATNA: NegMAS's tit-for-tat
    accepts below its reserved value), which the adapter corrects; accord also asks for an
    answer to the last offer, which NegMAS never does."""
    c = compile_scenario(scenario)
    if not has_acceptable(c, 0) or not has_acceptable(c, 1):
        return  # a BATNA above the party's best package: NegMAS cannot scale its range
    first, second = (NEGOTIATORS[k] for k in picks)
    domain = to_negmas(c)  # fresh ufuns: NegMAS keeps iterator state in a ufun's inverse
    mechanism = SAOMechanism(
        outcome_space=domain.outcome_space, n_steps=deadline, one_offer_per_step=True
    )
    for party, factory, ufun in zip(c.party_ids, (first, second), domain.ufuns, strict=True):
        mechanism.add(factory(ufun=ufun, id=party, name=party))
    state = mechanism.run()
    theirs = [(who, domain.package(o)) for who, o in mechanism.trace]
    run = alternating_offers(
        c,
        {c.party_ids[0]: NegmasStrategy(first), c.party_ids[1]: NegmasStrategy(second)},
        deadline=deadline,
        seed=0,
    ).run()
    ours = [(s.proposer, s.offer) for s in run.trace]
    agreed = None if state.agreement is None else domain.package(state.agreement)

    def fine(who: str, x: tuple[int, ...]) -> bool:
        return bool(acceptable(c, x)[c.party_index(who)])

    broken = [k for k, (who, x) in enumerate(theirs) if not fine(who, x)]
    if broken:  # the adapter replaced this offer
        k = broken[0]
        assert ours[:k] == theirs[:k] and fine(*ours[k])
        return
    if agreed is not None and not acceptable(c, agreed).all():  # the adapter said no
        assert ours[: len(theirs)] == theirs
        assert run.agreement is None or acceptable(c, run.agreement).all()
        return
    assert ours == theirs
    if run.rounds < deadline or agreed is not None:
        assert run.agreement == agreed
    else:  # accord's last offer was answered; NegMAS timed out before the answer
        assert run.trace[-1].agreement == (run.agreement is not None)


def test_negotiator_sees_only_its_own_preferences() -> None:
    c = ukraine()
    strategy = NegmasStrategy(BoulwareTBNegotiator)
    own = own_preferences(c, "UA")
    view = PartyView(own, c.party_ids, (), 0, 8)
    strategy.propose(view, np.random.default_rng(0))
    session = strategy._session
    assert session is not None
    negotiators = session.mechanism.negotiators
    assert [n.id for n in negotiators] == list(c.party_ids)
    with_ufun = [n for n in negotiators if n.ufun is not None]
    assert with_ufun == [session.negotiator]
    reference = negmas_ufun(own, to_negmas(c).outcome_space)
    rng = np.random.default_rng(1)
    for _ in range(30):
        x = tuple(str(c.option_ids[i][rng.integers(n)]) for i, n in enumerate(c.n_options))
        assert float(session.negotiator.ufun(x)) == float(reference(x))


def test_adapter_restores_the_global_generators() -> None:
    random.seed(123)
    np.random.seed(456)
    before = (random.getstate(), np.random.get_state()[1].copy())
    strategies = {"UA": NegmasStrategy(AspirationNegotiator, stochastic=True), "RU": Linear()}
    alternating_offers(ukraine(), strategies, deadline=6, seed=1).run()
    assert random.getstate() == before[0]
    assert np.array_equal(np.random.get_state()[1], before[1])


def test_name_and_arguments() -> None:
    s = NegmasStrategy(AspirationNegotiator, stochastic=True, tolerance=0.01)
    assert s.name == "Negmas(AspirationNegotiator, stochastic=True, tolerance=0.01)"
    with pytest.raises(TypeError):
        NegmasStrategy("BoulwareTBNegotiator")


def test_a_new_negotiation_gets_a_new_negotiator() -> None:
    """Used again without reset (a second negotiation, history starting over), the strategy
    builds a fresh negotiator instead of carrying the first one's state over."""
    c = ukraine()
    own = own_preferences(c, "UA")
    strategy = NegmasStrategy(NaiveTitForTatNegotiator)
    for r in range(4):
        strategy.propose(PartyView(own, c.party_ids, (), r, 8), np.random.default_rng(r))
    first = strategy._session
    strategy.propose(PartyView(own, c.party_ids, (), 0, 8), np.random.default_rng(0))
    assert strategy._session is not first
    again = own_preferences(c, "UA")  # same numbers, another negotiation's copy
    session = strategy._session
    strategy.propose(PartyView(again, c.party_ids, (), 1, 8), np.random.default_rng(0))
    assert strategy._session is not session
