"""Cross-issue constraints (excludes / requires): every engine agrees with plain enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from accord.analysis.bargaining import solve
from accord.analysis.conflict import bridge, zopa
from accord.analysis.evaluate import acceptable, evaluate
from accord.analysis.space import pareto_frontier
from accord.compile import compile_scenario, links_satisfied
from accord.model import Scenario
from tests.strategies import scenarios


def _all_packages(compiled):  # type: ignore[no-untyped-def]
    choices = [range(int(n)) for n in compiled.n_options]
    return np.array(list(itertools.product(*choices)), dtype=np.int64)


def _base() -> dict:  # type: ignore[type-arg]
    issue = lambda i: {  # noqa: E731
        "id": f"i{i}",
        "name": f"Issue {i}",
        "scale": {"min": 0, "max": 1},
        "options": [{"id": f"i{i}o{k}", "label": f"o{k}", "position": k} for k in range(2)],
        "status_quo": f"i{i}o0",
    }
    return {
        "id": "t",
        "title": "t",
        "as_of": "2025-01-01",
        "parties": [{"id": "A", "name": "A", "roles": ["party"], "batna": 0.0}],
        "issues": [issue(0), issue(1)],
        "preferences": {
            "A": {"i0": {"ideal": "i0o1", "salience": 1}, "i1": {"ideal": "i1o1", "salience": 1}}
        },
        "drafts": [
            {
                "id": "d",
                "title": "d",
                "points": [{"number": 1, "text": "x", "sets": {"i0": "i0o1", "i1": "i1o1"}}],
            }
        ],
    }


def test_excludes_flags_the_draft_and_the_zone_avoids_it() -> None:
    data = _base()
    data["constraints"] = [
        {
            "id": "c",
            "kind": "excludes",
            "assumption": "cannot both hold",
            "when": {"issue": "i0", "options": ["i0o1"]},
            "then": {"issue": "i1", "options": ["i1o1"]},
        }
    ]
    compiled = compile_scenario(Scenario.model_validate(data))
    ev = evaluate(compiled, "d")
    assert ev.broken_constraints == ("c",)
    assert not ev.acceptable_to_all
    z = zopa(compiled)
    assert z.open and z.example is not None and z.example != (1, 1)
    assert tuple(solve(compiled, "utilitarian").package or ()) != (1, 1)


def test_requires_and_bad_references_are_refused() -> None:
    data = _base()
    data["constraints"] = [
        {
            "id": "c",
            "kind": "requires",
            "when": {"issue": "i0", "options": ["nope"]},
            "then": {"issue": "i0", "options": ["i0o0"]},
        }
    ]
    with pytest.raises(ValueError) as err:
        Scenario.model_validate(data)
    text = str(err.value)
    assert "same issue" in text or "nope" in text


@settings(max_examples=60, deadline=None)
@given(scenarios(max_parties=3, max_issues=3, max_constraints=3))
def test_engines_agree_with_enumeration_under_constraints(scenario: Scenario) -> None:
    compiled = compile_scenario(scenario)
    packages = _all_packages(compiled)
    ok = acceptable(compiled, packages).all(axis=-1) & links_satisfied(compiled.links, packages)
    z = zopa(compiled)
    assert z.open == bool(ok.any())
    if z.example is not None:
        assert links_satisfied(compiled.links, np.array(z.example))
    for name in ("utilitarian", "egalitarian", "ks", "nash"):
        fast = solve(compiled, name, method="milp")
        slow = solve(compiled, name, method="enumerate")
        assert fast.found == slow.found
        if fast.found:
            assert links_satisfied(compiled.links, np.array(fast.package))
            assert fast.objective == pytest.approx(slow.objective, abs=1e-9)
    front = pareto_frontier(compiled)
    assert links_satisfied(compiled.links, front.packages).all()
    for draft in compiled.drafts:
        ev = evaluate(compiled, draft)
        if ev.acceptable_to_all:
            assert z.open
        b = bridge(compiled, draft)
        assert b.found == z.open
        if b.package is not None:
            assert links_satisfied(compiled.links, np.array(b.package))
