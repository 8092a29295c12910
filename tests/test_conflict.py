"""Zone of possible agreement, minimal relaxations, bridges, improvements and logrolls, each
checked against plain enumeration on random small spaces."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from accord.analysis import conflict, utilities
from accord.analysis.bargaining import _problem
from accord.analysis.conflict import (
    Relaxations,
    _candidates,
    _relaxed,
    bridge,
    improve,
    logrolls,
    minimal_relaxations,
    zopa,
    zopa_by_enumeration,
)
from accord.analysis.milp import SolveTimeout
from accord.compile import Compiled, compile_scenario
from accord.model import Scenario
from accord.scenarios import resolve
from accord.workbench.build import _zone_line

from .strategies import scenarios

settings.register_profile("conflict", deadline=None, max_examples=50)


def scored(compiled: Compiled, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every package (within ``mask``) and every party's utility, the obvious way."""
    mask = compiled.valid if mask is None else mask
    choices = [np.flatnonzero(row) for row in mask]
    packages = np.array(list(itertools.product(*choices)), dtype=int).reshape(-1, len(choices))
    u = np.zeros((packages.shape[0], compiled.n_parties))
    for i in range(compiled.n_issues):
        u = u + (compiled.weights[:, i] * compiled.values[:, i, packages[:, i]].T)
    return packages, u


def acceptable_mask(compiled: Compiled, packages: np.ndarray, u: np.ndarray) -> np.ndarray:
    issues = np.arange(compiled.n_issues)
    no_red_line = compiled.allowed[:, issues, packages].all(axis=(0, 2))  # (P, N, I) -> (N,)
    return no_red_line & np.all(u >= compiled.batna - 1e-12, axis=1)


def opens(compiled: Compiled, constraints: list) -> bool:
    problem = _relaxed(compiled, _problem(compiled, None), constraints)
    if not problem.mask.any(axis=1).all():
        return False
    _, u = scored(compiled, problem.mask)
    return bool(np.any(np.all(u >= problem.batna - 1e-12, axis=1)))


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_zopa_matches_enumeration(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    packages, u = scored(compiled)
    expected = bool(acceptable_mask(compiled, packages, u).any())
    result = zopa(compiled)
    assert result.open == expected
    if result.open:
        assert result.example is not None
        x = np.array(result.example)
        issues = np.arange(compiled.n_issues)
        assert compiled.allowed[:, issues, x].all()


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_relaxations_open_the_zone_and_are_minimal_and_complete(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    result = minimal_relaxations(compiled, max_size=2, batna_step=0.2)
    if result.zopa_open:
        assert result.relaxations == ()
        return
    reported = [set(r.constraints) for r in result.relaxations]
    for relaxation in result.relaxations:
        assert opens(compiled, list(relaxation.constraints))
        for size in range(len(relaxation.constraints)):
            for subset in itertools.combinations(relaxation.constraints, size):
                assert not opens(compiled, list(subset))
    # complete: every opening set of at most 2 candidates contains a reported one
    candidates = _candidates(compiled, _problem(compiled, None), 0.2)
    for size in (1, 2):
        for combo in itertools.combinations(candidates, size):
            if opens(compiled, list(combo)):
                assert any(r <= set(combo) for r in reported)


def min_gain(compiled: Compiled, utilities: dict[str, float]) -> float:
    """The example's smallest gain over BATNA, each party on its own reach, the obvious way."""
    problem = _problem(compiled, None)
    reach = problem.low + problem.span - problem.batna
    scale = np.where(reach > 1e-9, reach, 1.0)
    u = np.array([utilities[compiled.party_ids[p]] for p in problem.ps])
    return float(np.min((u - problem.batna) / scale))


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_fast_zone_agrees_with_enumeration(scenario: Scenario) -> None:
    """The default (feasibility) answer and the opt-in maximin one agree with the enumeration
    reference: open or not, an example acceptable to all, the rule named; the maximin example's
    smallest gain equals the enumerated best."""
    compiled = compile_scenario(scenario)
    packages, u = scored(compiled)
    ok = acceptable_mask(compiled, packages, u)
    reference = zopa_by_enumeration(compiled)
    assert reference.open == bool(ok.any())
    for rule in ("feasible", "maximin"):
        fast = zopa(compiled, example=rule)
        assert fast.open == reference.open
        assert fast.blocked_issues == reference.blocked_issues
        if not fast.open:
            assert fast.example is None and fast.example_rule is None
            continue
        assert fast.example_rule == rule
        assert fast.example is not None
        row = np.flatnonzero(np.all(packages == np.array(fast.example), axis=1))[0]
        assert ok[row]  # crosses no red line and meets every BATNA
        if rule == "maximin":
            assert min_gain(compiled, fast.utilities) >= (
                min_gain(compiled, reference.utilities) - 1e-7
            )


def test_maximin_past_its_time_limit_keeps_the_feasible_example_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    fast = zopa(compiled)
    if not fast.open:
        pytest.skip("the zone is closed in this encoding")

    def too_slow(*_: object, **__: object) -> None:
        raise SolveTimeout("past the limit")

    monkeypatch.setattr(conflict, "_best_example", too_slow)
    slow = zopa(compiled, example="maximin", time_limit=0.01)
    assert slow.open and slow.example_rule == "feasible" and slow.example == fast.example


def test_an_unknown_example_rule_is_refused() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    with pytest.raises(ValueError, match="unknown example rule"):
        zopa(compiled, example="best")  # type: ignore[arg-type]


def test_the_bottom_line_words_the_example_by_its_rule() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    none = Relaxations(True, 0, 0.1, 0, 0)
    for rule in ("feasible", "maximin"):
        zone = zopa(compiled, example=rule)
        if not zone.open:
            pytest.skip("the zone is closed in this encoding")
        line = _zone_line(compiled, zone, none)
        assert ("best for the worst-off" in line) == (zone.example_rule == "maximin")
        assert ("feasibility check" in line) == (zone.example_rule == "feasible")


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_relaxation_examples_are_acceptable_under_their_relaxation(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    for rule in ("feasible", "maximin"):
        result = minimal_relaxations(compiled, max_size=1, batna_step=0.2, example=rule)
        assert result.example_rule == rule
        for r in result.relaxations:
            relaxed = _relaxed(compiled, _problem(compiled, None), list(r.constraints))
            assert relaxed.acceptable(np.array(r.example))


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_bridge_changes_the_fewest_issues(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    packages, u = scored(compiled)
    ok = acceptable_mask(compiled, packages, u)
    for draft_id, draft in compiled.drafts.items():
        result = bridge(compiled, draft_id)
        assert result.found == bool(ok.any())
        if result.found:
            fewest = int((packages[ok] != draft.package).sum(axis=1).min())
            assert len(result.changes) == fewest
            row = np.flatnonzero(np.all(packages == np.array(result.package), axis=1))[0]
            assert ok[row]


@settings(settings.get_profile("conflict"))
@given(scenarios(max_parties=3, max_issues=3))
def test_improvements_are_pareto_improvements(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    for draft_id, draft in compiled.drafts.items():
        result = improve(compiled, draft_id)
        packages, u = scored(compiled)
        base_row = np.flatnonzero(np.all(packages == draft.package, axis=1))[0]
        base = u[base_row]
        for point in result.points:
            assert np.all(point >= base) and np.any(point > base)
        # none is missing among the Pareto-optimal improvements (when not truncated)
        if not result.truncated:
            issues = np.arange(compiled.n_issues)
            allowed = compiled.allowed[:, issues, packages].transpose(1, 0, 2)
            own = packages == draft.package  # the draft's own options stay allowed
            fine = np.all(allowed | own[:, None, :], axis=(1, 2))
            better = fine & np.all(u >= base, axis=1) & np.any(u > base, axis=1)
            candidates = u[better]
            for point in candidates:
                dominated = np.any(
                    np.all(candidates >= point, axis=1) & np.any(candidates > point, axis=1)
                )
                if not dominated:
                    assert np.any(np.all(result.points == point, axis=1))


def test_logrolls_help_both_sides() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    trades = logrolls(compiled, "UA", "RU", top=5)
    assert trades
    sq = compiled.status_quo
    ua, ru = compiled.party_index("UA"), compiled.party_index("RU")
    for trade in trades:
        i, j = compiled.issue_index(trade.a_gives), compiled.issue_index(trade.b_gives)
        x = np.array(sq)
        x[i] = compiled.option_index(i, trade.a_gives_option)
        x[j] = compiled.option_index(j, trade.b_gives_option)

        before, after = utilities(compiled, sq), utilities(compiled, x)
        assert after[ua] > before[ua] and after[ru] > before[ru]


def test_ukraine_bridge_from_the_28_points() -> None:
    compiled = compile_scenario(resolve("ukraine-2025"))
    result = bridge(compiled, "us-28")
    assert result.found
    changed = {c.issue for c in result.changes}
    assert "crimea_luhansk_donetsk" in changed  # the recognition red line has to move
    assert result.min_gain is not None and result.min_gain >= 0
