"""Property tests on random scenarios: the fast, vectorised scoring agrees with a slow, obvious
reference computed straight from the model; utilities stay in [0, 1]; listing order changes
nothing; a red line is never acceptable; YAML and JSON round-trip exactly."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis import acceptable, evaluate, utilities
from accord.compile import compile_scenario
from accord.model import Scenario, dumps_json, dumps_yaml, load_text

from .strategies import permuted, scenario_data, scenarios

settings.register_profile("accord", deadline=None, max_examples=60)
settings.load_profile("accord")


def reference_utility(scenario: Scenario, party: str, package: dict[str, str]) -> float:
    """Utility straight from the records, one issue at a time: no arrays."""
    table = scenario.preferences.get(party, {})
    total = sum(pref.salience.value for pref in table.values())
    if total == 0:
        return 0.0
    utility = 0.0
    for issue_id, pref in table.items():
        issue = scenario.issue(issue_id)
        chosen = next(o for o in issue.options if o.id == package[issue_id])
        if pref.values is not None and chosen.id in pref.values:
            value = pref.values[chosen.id].value
        else:
            assert isinstance(pref.ideal, str)
            target = next(o.position for o in issue.options if o.id == pref.ideal)
            distances = [abs(o.position - target) for o in issue.options]
            far = max(distances)
            d = abs(chosen.position - target)
            if far == 0:
                value = 1.0
            elif pref.shape.value == "step":
                value = 1.0 if d == min(distances) else 0.0
            else:
                value = 1 - (d / far) ** (2 if pref.shape.value == "quadratic" else 1)
        utility += pref.salience.value / total * value
    return utility


def reference_acceptable(scenario: Scenario, party: str, package: dict[str, str]) -> bool:
    table = scenario.preferences.get(party, {})
    for issue_id, pref in table.items():
        if any(line.option == package[issue_id] for line in pref.red_lines):
            return False
    batna = scenario.party(party).batna
    return reference_utility(scenario, party, package) >= (batna.value if batna else 0.0) - 1e-12


def all_packages(scenario: Scenario) -> list[dict[str, str]]:
    grids = [[o.id for o in issue.options] for issue in scenario.issues]
    ids = [issue.id for issue in scenario.issues]
    return [dict(zip(ids, combo, strict=True)) for combo in itertools.product(*grids)]


def as_indices(scenario: Scenario, package: dict[str, str]) -> list[int]:
    return [[o.id for o in issue.options].index(package[issue.id]) for issue in scenario.issues]


@given(scenarios(max_parties=3, max_issues=3))
def test_vectorised_utilities_match_the_reference(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    packages = all_packages(scenario)
    fast_u = utilities(compiled, [as_indices(scenario, pk) for pk in packages])
    fast_ok = acceptable(compiled, [as_indices(scenario, pk) for pk in packages])
    for row, package in enumerate(packages):
        for p, pid in enumerate(compiled.party_ids):
            assert np.isclose(fast_u[row, p], reference_utility(scenario, pid, package))
            assert fast_ok[row, p] == reference_acceptable(scenario, pid, package)


@given(scenarios())
def test_utilities_stay_in_unit_interval(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    rng = np.random.default_rng(0)
    packages = rng.integers(0, compiled.n_options, size=(50, compiled.n_issues))
    u = utilities(compiled, packages)
    assert np.all(u >= -1e-12) and np.all(u <= 1 + 1e-12)
    assert np.all(compiled.utility_min <= compiled.utility_max + 1e-12)
    for draft in compiled.drafts:
        for pe in evaluate(compiled, draft).parties:
            assert -1e-12 <= pe.utility <= 1 + 1e-12
            assert -1 - 1e-9 <= pe.gain <= 1 + 1e-9


@given(scenarios())
def test_a_package_crossing_a_red_line_is_never_acceptable(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    rng = np.random.default_rng(1)
    packages = rng.integers(0, compiled.n_options, size=(40, compiled.n_issues))
    ok = acceptable(compiled, packages)
    issues = np.arange(compiled.n_issues)
    for row, x in enumerate(packages):
        crossed = ~compiled.allowed[:, issues, x]
        assert not np.any(ok[row] & crossed.any(axis=1))
    for draft in compiled.drafts:
        for pe in evaluate(compiled, draft).parties:
            if pe.red_lines:
                assert not pe.acceptable


def _evaluation_by_id(scenario: Scenario) -> dict[str, Any]:
    compiled = compile_scenario(scenario)
    out = {}
    for draft in compiled.drafts:
        e = evaluate(compiled, draft)
        out[draft] = (
            {s.issue: (s.option, s.point) for s in e.package},
            {
                pe.party: (
                    round(pe.utility, 9),
                    round(pe.gain, 9),
                    pe.acceptable,
                    sorted((r.issue, r.option, r.point) for r in pe.red_lines),
                )
                for pe in e.parties
            },
        )
    return out


@given(st.data())
def test_evaluation_ignores_listing_order(data: st.DataObject) -> None:
    raw = data.draw(scenario_data())
    shuffled = data.draw(permuted(raw))
    assert _evaluation_by_id(Scenario.model_validate(raw)) == _evaluation_by_id(
        Scenario.model_validate(shuffled)
    )


@given(scenarios())
def test_yaml_and_json_round_trip_exactly(scenario: Scenario) -> None:
    text = dumps_yaml(scenario)
    again = load_text(text, name="round-trip.yaml")
    assert again == scenario
    assert dumps_yaml(again) == text
    assert load_text(dumps_json(scenario), name="round-trip.json", fmt="json") == scenario
