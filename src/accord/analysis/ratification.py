"""Two-level games, first step: which domestic ratification steps a draft triggers, and whether
each can pass under the scenario's own rules.

A step is *triggered* when the draft puts an issue on an option named in the rule's
``triggered_by``. A triggered step is then:

* ``blocked`` while a fact in ``blocked_while`` holds and the draft does not end it (e.g. no
  referendum and no constitutional amendment under martial law);
* ``unmet`` when the draft misses a ``requires`` condition (e.g. a referendum needs a ceasefire);
* ``fails`` when the scenario records that the step cannot pass (a constitutional bar), which
  outranks a block;
* ``passes`` when the scenario records that outcome and nothing blocks it;
* ``open`` otherwise: nothing in the scenario decides it.

A blocking fact whose claims disagree makes the step ``open`` with that said in its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.compile import Compiled, CompiledDraft


@dataclass(frozen=True)
class RatificationStep:
    """One ratification step a party's rules require for a draft."""

    party: str
    rule: str
    name: str
    kind: str
    triggered_by: tuple[int | None, ...]  # point numbers (None: the status quo triggers it)
    issues: tuple[str, ...]  # the issues whose options trigger it
    status: str  # passes | fails | blocked | unmet | open
    reasons: tuple[str, ...]


def ratification_steps(compiled: Compiled, draft: CompiledDraft) -> tuple[RatificationStep, ...]:
    """The ratification steps a draft triggers under each party's rules."""
    x = draft.package
    issues = np.arange(compiled.n_issues)
    steps = []
    for rule in compiled.rules:
        hit = rule.trigger[issues, x]
        if not hit.any():
            continue
        numbers = {int(draft.set_by[i]) for i in np.flatnonzero(hit) if draft.set_by[i] >= 0}
        silent = any(draft.set_by[i] < 0 for i in np.flatnonzero(hit))
        points: tuple[int | None, ...] = (*sorted(numbers), *((None,) if silent else ()))
        issues_hit = tuple(compiled.issue_ids[i] for i in np.flatnonzero(hit))
        reasons: list[str] = []
        status = "open"
        for blocker in rule.blockers:
            ended = any(bool(m[issues, x].any()) for m in blocker.ended_by)
            if ended:
                reasons.append(f"the draft ends '{blocker.label}'")
            elif blocker.holds is True:
                status = "blocked"
                reasons.append(f"blocked while '{blocker.label}' holds")
            elif blocker.holds is None:
                reasons.append(f"reports disagree on whether '{blocker.label}' holds")
        for needed, text in zip(rule.requires, rule.requires_text, strict=True):
            if not needed[issues, x].any():
                if status == "open":
                    status = "unmet"
                reasons.append(f"requires {text}")
        if rule.passes is False:
            status = "fails"  # a recorded bar outranks a block: it holds whatever else happens
            reasons.insert(0, "the scenario records that this step cannot pass")
        elif status == "open" and rule.passes:
            status = "passes"
            reasons.append("outcome recorded in the scenario")
        if status == "open" and not reasons:
            reasons.append("nothing in the scenario decides it")
        steps.append(
            RatificationStep(
                party=compiled.party_ids[rule.party],
                rule=rule.id,
                name=rule.name,
                kind=rule.kind,
                triggered_by=points,
                issues=issues_hit,
                status=status,
                reasons=tuple(reasons),
            )
        )
    return tuple(steps)
