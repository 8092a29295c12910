"""Tournaments and strategy specs: the table's figures follow from the negotiations, the Dask
backend gives the same table as the local one, and specs name the strategies they should."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.bargaining import nash, pareto_gap
from accord.analysis.evaluate import acceptable, utilities
from accord.analysis.space import pareto_frontier
from accord.compile import Compiled, compile_scenario
from accord.model import load_scenario
from accord.scenarios import resolve
from accord.simulate import (
    Boulware,
    Conceder,
    HardLiner,
    Linear,
    RedLineKeeper,
    TimeBased,
    TitForTat,
    alternating_offers,
)
from accord.simulate.specs import parse_strategy
from accord.simulate.tournament import frontier_distance, lineups, tournament
from tests.strategies import scenarios

BASE = Path(__file__).parent / "data" / "base.yaml"
SIX = (
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "tit-for-tat",
    "red-line-keeper(conceder(e=2))",
)


@cache
def three_scenarios() -> dict[str, Compiled]:
    return {
        "teaching-river": compile_scenario(resolve("teaching-river")),
        "ukraine-2025": compile_scenario(resolve("ukraine-2025")),
        "base": compile_scenario(load_scenario(BASE)),
    }


# --- specs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "name"),
    [
        ("boulware", Boulware, "Boulware(e=0.2)"),
        ("Boulware(e=0.1)", Boulware, "Boulware(e=0.1)"),
        ("linear", Linear, "Linear(e=1)"),
        ("conceder(e=3)", Conceder, "Conceder(e=3)"),
        ("time_based(e=0.5)", TimeBased, "TimeBased(e=0.5)"),
        ("hard-liner(tolerance=0.1)", HardLiner, "HardLiner(tolerance=0.1)"),
        ("tit-for-tat", TitForTat, "TitForTat"),
        ("red-line-keeper(conceder(e=2))", RedLineKeeper, "RedLineKeeper(Conceder(e=2))"),
    ],
)
def test_specs_name_their_strategies(spec: str, kind: type, name: str) -> None:
    strategy = parse_strategy(spec)
    assert type(strategy) is kind
    assert strategy.name == name


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bouldware", "unknown strategy 'bouldware' (expected one of boulware, linear"),
        ("conceder(x=2)", "Conceder does not take x (it takes e)"),
        ("tit-for-tat(e=1)", "TitForTat does not take e (it takes no parameters)"),
        ("conceder(e=fast)", "parameter 'e' in strategy 'conceder(e=fast)' is 'fast'"),
        ("conceder(e)", "parameter 'e' in strategy 'conceder(e)' is not key=value"),
        ("conceder(e=2", "unbalanced parentheses"),
        ("red-line-keeper", "red-line-keeper needs a strategy to wrap"),
        ("conceder(e=-1)", "exponent must be > 0 (got -1.0)"),
    ],
)
def test_bad_specs_say_what_was_expected(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_strategy(spec)


# --- the table -------------------------------------------------------------------------------


def test_every_figure_follows_from_the_negotiation_it_reports() -> None:
    compiled = three_scenarios()["teaching-river"]
    strategies = [parse_strategy(s) for s in SIX]
    result = tournament({"river": compiled}, strategies, seeds=4, deadline=30)
    assert len(result.results) == len(SIX) * 4
    front = pareto_frontier(compiled, acceptable_only=True)
    point = nash(compiled)
    nash_u = [point.utilities[p] for p in compiled.party_ids]
    by_name = {s.name: s for s in strategies}
    for r in result.results:
        # replay the negotiation on its own and recompute every figure the slow way
        alone = alternating_offers(
            compiled, dict.fromkeys(r.parties, by_name[r.strategy]), deadline=30, seed=r.seed
        ).run()
        assert r.agreed == alone.agreed and r.rounds == alone.rounds
        assert r.utilities == alone.utilities
        if alone.agreement is not None:
            assert r.agreement == tuple(
                compiled.option_ids[i][o] for i, o in enumerate(alone.agreement)
            )
            assert acceptable(compiled, alone.agreement).all()  # so no red line is crossed
            assert r.red_lines == ()
        else:
            assert r.utilities == tuple(float(b) for b in compiled.batna)
        assert r.gains == pytest.approx(np.subtract(r.utilities, compiled.batna))
        assert r.nash_distance == pytest.approx(math.dist(r.utilities, nash_u))
        nearest = min(math.dist(r.utilities, f) for f in front.points)
        assert r.pareto_distance == pytest.approx(nearest)
        assert r.pareto_gap == pytest.approx(pareto_gap(compiled, r.utilities, method="enumerate"))
    for row in result.summary():
        mine = [r for r in result.results if r.lineup == row.lineup]
        assert row.negotiations == 4
        assert row.agreement_rate == sum(r.agreed for r in mine) / 4
        assert row.mean_rounds == pytest.approx(np.mean([r.rounds for r in mine]))
        assert row.mean_gains == pytest.approx(np.mean([r.gains for r in mine], axis=0))


def test_walk_aways_sit_at_the_batna_point() -> None:
    compiled = three_scenarios()["teaching-river"]
    result = tournament({"river": compiled}, [HardLiner(0.0)], seeds=2, deadline=4)
    for r in result.results:
        assert not r.agreed and r.rounds == 4
        assert r.gains == (0.0,) * 3
        assert r.pareto_gap is not None and r.pareto_gap > 0  # value left on the table
    (row,) = result.summary()
    assert row.agreement_rate == 0.0 and row.red_lines == ()


def test_red_lines_crossed_by_an_agreement_are_counted() -> None:
    class Yes(TimeBased):
        """Accepts anything, offers the status quo: agreements may cross red lines."""

        def propose(self, view, rng):  # type: ignore[no-untyped-def]
            return tuple(0 for _ in view.n_options)

        def respond(self, view, offer, rng):  # type: ignore[no-untyped-def]
            return True

    compiled = three_scenarios()["ukraine-2025"]
    result = tournament(
        {"ua": compiled}, [Yes()], seeds=1, deadline=3, parties={"ua": ["UA", "RU"]}
    )
    (r,) = result.results
    package = [compiled.option_ids[i].index(o) for i, o in enumerate(r.agreement or ())]
    hit = ~compiled.allowed[:, np.arange(compiled.n_issues), package]
    expected = tuple(
        (p, compiled.issue_ids[i])
        for p in ("UA", "RU")
        for i in np.flatnonzero(hit[compiled.party_index(p)])
    )
    assert r.red_lines == expected and expected  # the status quo crosses some red lines
    (row,) = result.summary()
    assert [(p, i) for p, i, _ in row.red_lines] == sorted(expected)
    gap = pareto_gap(compiled, utilities(compiled, package)[[0, 1]], ["UA", "RU"])
    assert r.pareto_gap == pytest.approx(gap, abs=1e-12)  # utilities summed in issue order


def test_focal_lineups_rotate_the_focal_party() -> None:
    made = lineups({"B": Boulware()}, ["A", "B", "C"], kind="focal", opponent=("L", Linear()))
    assert [m.focal for m in made] == ["A", "B", "C"]
    for m in made:
        roles = dict(m.strategies)
        assert isinstance(roles[m.focal or ""], Boulware)
        assert all(isinstance(s, Linear) for p, s in roles.items() if p != m.focal)
    compiled = three_scenarios()["teaching-river"]
    result = tournament({"river": compiled}, [Conceder()], seeds=2, kind="focal", opponent=Linear())
    assert len(result.summary()) == 3 and len(result.results) == 6


def test_tournament_refuses_bad_arguments() -> None:
    river = {"river": three_scenarios()["teaching-river"]}
    with pytest.raises(ValueError, match="both named 'Linear\\(e=1\\)'"):
        tournament(river, [Linear(), Linear()])
    with pytest.raises(ValueError, match="at least one seed"):
        tournament(river, [Linear()], seeds=[])
    with pytest.raises(ValueError, match="unknown backend 'spark'"):
        tournament(river, [Linear()], seeds=1, backend="spark")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs an opponent"):
        tournament(river, [Linear()], seeds=1, kind="focal")


@settings(max_examples=25, deadline=None)
@given(scenarios(max_parties=3, max_issues=3), st.data())
def test_frontier_distance_equals_the_plain_minimum(scenario, data) -> None:  # type: ignore[no-untyped-def]
    compiled = compile_scenario(scenario)
    front = pareto_frontier(compiled)
    point = [data.draw(st.floats(0, 1)) for _ in compiled.party_ids]
    expected = min(math.dist(point, f) for f in front.points)
    assert frontier_distance(front.points, point) == pytest.approx(expected, abs=1e-12)


def test_dask_backend_gives_the_same_table() -> None:
    """The issue's check: 6 strategies x 3 scenarios x 20 seeds on a Dask LocalCluster."""
    pytest.importorskip("dask.distributed")
    strategies = {s: parse_strategy(s) for s in SIX}
    ticks: list[tuple[int, int]] = []
    local = tournament(three_scenarios(), strategies, seeds=20, deadline=40)
    dask = tournament(
        three_scenarios(),
        strategies,
        seeds=20,
        deadline=40,
        backend="dask",
        progress=lambda done, total: ticks.append((done, total)),
    )
    assert len(local.results) == 6 * 3 * 20
    assert dask.results == local.results
    assert dask.summary() == local.summary()
    assert ticks[-1] == (360, 360) and len(ticks) == 6 * 3
    assert dask.backend == "dask" and local.backend == "local"


def test_negmas_negotiators_by_name() -> None:
    pytest.importorskip("negmas")
    from accord.simulate.interop import NegmasStrategy

    strategy = parse_strategy("negmas:AspirationNegotiator")
    assert isinstance(strategy, NegmasStrategy)
    kept = parse_strategy("red-line-keeper(negmas:BoulwareTBNegotiator)")
    assert isinstance(kept, RedLineKeeper)
    with pytest.raises(ValueError, match=r"negmas\.sao has no negotiator 'Nope'"):
        parse_strategy("negmas:Nope")
    river = {"river": three_scenarios()["teaching-river"]}
    result = tournament(river, [strategy], seeds=2, deadline=12)
    assert len(result.results) == 2


def test_assigning_strategies_to_parties() -> None:
    from accord.simulate.specs import assign_strategies

    made = assign_strategies(["conceder", "B=boulware(e=0.1)"], ["A", "B", "C"])
    assert {p: s.name for p, s in made.items()} == {
        "A": "Conceder(e=5)",
        "B": "Boulware(e=0.1)",
        "C": "Conceder(e=5)",
    }
    # a later SPEC for everyone clears the earlier PARTY= choices; the default fills the rest
    made = assign_strategies(["B=hardliner", "tit-for-tat"], ["A", "B"])
    assert {s.name for s in made.values()} == {"TitForTat"}
    assert {s.name for s in assign_strategies([], ["A", "B"]).values()} == {"Linear(e=1)"}
    with pytest.raises(ValueError, match="X=linear: 'X' is not among the negotiating parties"):
        assign_strategies(["X=linear"], ["A", "B"])
    with pytest.raises(ValueError, match="B=nope: unknown strategy 'nope'"):
        assign_strategies(["B=nope"], ["A", "B"])
