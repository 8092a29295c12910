"""The single-negotiating-text (mediator) protocol: agreements are acceptable, runs are
reproducible, the mediator sees only what parties reveal, and versions diff point by point."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.analysis.diff import diff
from accord.analysis.evaluate import acceptable, utilities
from accord.compile import Compiled, compile_scenario
from accord.model import Scenario
from accord.scenarios import resolve
from accord.simulate.single_text import (
    Answer,
    Mediator,
    TextOutcome,
    single_text,
    versions_as_drafts,
    with_versions,
)
from accord.simulate.views import OwnPreferences, PartyView
from tests.strategies import scenarios

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICIES = st.sampled_from(["maximin", "nash"])


@cache
def ukraine() -> Compiled:
    return compile_scenario(resolve("ukraine-2025"))


def _no_private(value: Any, path: str = "args") -> None:
    """Fail where ``value`` holds an array, a compiled scenario or a party's preferences."""
    assert not isinstance(value, np.ndarray | Compiled | OwnPreferences | PartyView), path
    if isinstance(value, dict):
        for k, v in value.items():
            _no_private(k, path)
            _no_private(v, f"{path}[{k!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for n, v in enumerate(value):
            _no_private(v, f"{path}[{n}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _no_private(getattr(value, f.name), f"{path}.{f.name}")
    else:
        assert isinstance(value, str | int | float | bool | type(None)), (path, type(value))


@PROPERTY
@given(scenarios(), POLICIES, st.integers(0, 3), st.integers(1, 8))
def test_agreement_is_acceptable_to_every_party(
    scenario: Scenario, policy: Any, seed: int, deadline: int
) -> None:
    compiled = compile_scenario(scenario)
    outcome = single_text(compiled, start=None, deadline=deadline, policy=policy, seed=seed).run()
    assert 0 < outcome.rounds <= deadline
    assert outcome.versions[0] == tuple(int(o) for o in compiled.status_quo)
    assert len(outcome.versions) == 1 + sum(1 for s in outcome.trace if s.changes)
    if outcome.agreed:
        assert outcome.agreement is not None
        assert acceptable(compiled, outcome.agreement).all()
        assert not outcome.deadlocked and not outcome.blocking
        assert outcome.utilities == tuple(float(u) for u in utilities(compiled, outcome.agreement))
    else:
        last = outcome.trace[-1]
        assert set(outcome.blocking) == set(last.rejecting) != set()
        assert outcome.deadlocked or outcome.rounds == deadline
    # the answers are the parties' own: acceptance is exactly evaluate.acceptable, and every
    # request stays inside the requester's red lines and raises its utility or repairs a red line
    for state in outcome.trace:
        ok = acceptable(compiled, state.text)
        for answer in state.answers:
            p = compiled.party_index(answer.party)
            assert answer.accepts == bool(ok[p])
            assert len(answer.requests) <= 2
            for r in answer.requests:
                assert compiled.allowed[p, r.issue, r.option]
                now = state.text[r.issue]
                gain = compiled.values[p, r.issue, r.option] - compiled.values[p, r.issue, now]
                assert gain > 0 or not compiled.allowed[p, r.issue, now]


@PROPERTY
@given(scenarios(), POLICIES, st.integers(0, 2**16))
def test_same_seed_same_trace(scenario: Scenario, policy: Any, seed: int) -> None:
    compiled = compile_scenario(scenario)
    first = single_text(compiled, start=None, deadline=6, policy=policy, seed=seed).run()
    again = single_text(compiled, start=None, deadline=6, policy=policy, seed=seed).run()
    assert first == again


@PROPERTY
@given(scenarios(), POLICIES)
def test_mediator_sees_only_what_parties_reveal(scenario: Scenario, policy: Any) -> None:
    compiled = compile_scenario(scenario)
    calls: list[tuple[Any, ...]] = []
    original = Mediator.revise

    def spy(self: Mediator, text: Any, answers: Any) -> Any:
        calls.append((text, answers))
        _no_private(text, "text")
        _no_private(answers, "answers")
        assert all(isinstance(a, Answer) for a in answers)
        for name in Mediator.__slots__:
            _no_private(getattr(self, name), f"mediator.{name}")
        return original(self, text, answers)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Mediator, "revise", spy)
        outcome = single_text(compiled, start=None, deadline=5, policy=policy).run()
    revised = [s for s in outcome.trace if not s.agreement and s.round + 1 < s.deadline]
    assert len(calls) == len(revised)


def test_ukraine_from_us28() -> None:
    compiled = ukraine()
    outcome = single_text(compiled, start="us-28", deadline=10).run()
    assert isinstance(outcome, TextOutcome)
    assert outcome.versions[0] == tuple(int(o) for o in compiled.drafts["us-28"].package)
    assert outcome.rounds <= 10
    drafts = versions_as_drafts(compiled, outcome)
    assert [d.id for d in drafts] == [f"v{n}" for n in range(len(outcome.versions))]
    assert drafts[0].based_on == "us-28"
    moves = [s for s in outcome.trace if s.changes]
    for (a, b), state in zip(itertools.pairwise(drafts), moves, strict=True):
        d = diff(compiled, a, b)
        changed = {compiled.issue_ids[c.issue] for c in state.changes}
        assert {i.issue for i in d.issues} == changed
        # point by point: each changed issue is one changed (or newly added) point
        assert len(d.points) == len(changed)
        assert all(p.kind in ("changed", "added") for p in d.points)
    if len(drafts) > 1:
        whole = diff(with_versions(compiled, drafts), "v0", drafts[-1].id)
        assert {i.issue for i in whole.issues} <= {
            compiled.issue_ids[c.issue] for s in outcome.trace for c in s.changes
        }
    summary = outcome.summary()
    if outcome.agreed:
        assert summary.startswith("agreement")
    else:
        assert outcome.blocking
        assert summary.startswith(("deadlock", "deadline passed"))
        for party, issues in outcome.blocking.items():
            assert party in summary
            assert all(i in compiled.issue_ids and i in summary for i in issues)


def test_ukraine_deadlock_is_reported_plainly() -> None:
    outcome = single_text(ukraine(), start="us-28", deadline=10, policy="maximin").run()
    assert outcome.deadlocked and not outcome.agreed
    assert outcome.blocking == {"RU": ("donetsk_held", "crimea_luhansk_donetsk")}
    assert outcome.summary().startswith("deadlock after 4 round(s)")


def test_agreed_at_once_when_start_is_acceptable() -> None:
    compiled = ukraine()
    outcome = single_text(compiled, start="us-28", deadline=5, parties=["RU", "US"]).run()
    assert outcome.agreed and outcome.rounds == 1 and len(outcome.versions) == 1


def test_bad_arguments() -> None:
    compiled = ukraine()
    with pytest.raises(ValueError, match="unknown draft"):
        single_text(compiled, start="nope", deadline=3)
    with pytest.raises(ValueError, match="not a package"):
        single_text(compiled, start=(0, 1), deadline=3)
    with pytest.raises(ValueError, match="unknown policy"):
        single_text(compiled, start=None, deadline=3, policy="vote")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="deadline"):
        single_text(compiled, start=None, deadline=0)
    with pytest.raises(ValueError, match="unknown party"):
        single_text(compiled, start=None, deadline=3, parties=["XX"])
    with pytest.raises(ValueError, match="already used"):
        outcome = single_text(compiled, start="us-28", deadline=3).run()
        with_versions(
            compiled, [dataclasses.replace(versions_as_drafts(compiled, outcome)[0], id="us-28")]
        )
