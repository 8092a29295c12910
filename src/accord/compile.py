"""Scenario -> dense, read-only arrays: the only input of every engine.

``compile_scenario(scenario, parties=None, shocks=())`` applies the named shocks (a Scenario ->
Scenario transform, :func:`apply_shocks`) and then lays the scenario out as numpy arrays:

=====================  ==========  ======================================================
array                  shape       meaning
=====================  ==========  ======================================================
``values``             (P, I, O)   value of option o of issue i for party p, in [0, 1]
``weights``            (P, I)      salience normalised to sum 1 over each party's issues
``allowed``            (P, I, O)   False where the option crosses p's red line (or is padding)
``valid``              (I, O)      True for real options, False for padding
``n_options``          (I,)        number of options of each issue
``positions``          (I, O)      option positions on the issue's scale (NaN padding)
``status_quo``         (I,)        index of the status-quo option
``batna``              (P,)        utility of no agreement on the party's 0..1 scale
``capability``         (P,)        relative power (NaN where not given)
``salience``           (P, I)      raw salience in [0, 1] (0 where the party states none)
``ideal``              (P, I)      ideal position on the scale (NaN where none)
=====================  ==========  ======================================================

Cross-issue constraints compile to :class:`CompiledLink` records (``links``); every engine keeps
to packages that satisfy them (:func:`links_satisfied`).

Drafts compile to a package (an option index per issue, the status quo where the draft is
silent) and the point that sets each issue; ratification rules compile to option masks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from accord.model.records import (
    Condition,
    Draft,
    Preference,
    Quantity,
    Scenario,
    Shape,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class CompileError(ValueError):
    """A scenario cannot be compiled as asked (unknown party or shock id)."""


@dataclass(frozen=True)
class CompiledPoint:
    """A draft point: its number, text and the options it sets."""

    number: int
    text: str
    sets: tuple[tuple[int, int], ...]  # (issue index, option index)
    status: str
    revises: tuple[str, ...]


@dataclass(frozen=True)
class CompiledDraft:
    """A compiled draft: its points and the package it sets."""

    id: str
    title: str
    author: str | None
    date: str | None
    based_on: str | None
    package: IntArray  # (I,) option index per issue
    set_by: IntArray  # (I,) number of the point that sets the issue, -1 where silent
    points: tuple[CompiledPoint, ...]


@dataclass(frozen=True)
class CompiledBlocker:
    """A fact that blocks a ratification rule."""

    fact: str
    label: str
    holds: bool | None  # None: the claims disagree or are not yes/no
    ended_by: tuple[BoolArray, ...]  # (I, O) masks; the fact ends when a draft meets one


@dataclass(frozen=True)
class CompiledRule:
    """A party's ratification rule in index form."""

    party: int
    id: str
    name: str
    kind: str
    trigger: BoolArray  # (I, O): the step is triggered when the package hits any True
    requires: tuple[BoolArray, ...]  # each (I, O): the package must hit one True in each
    requires_text: tuple[str, ...]
    blockers: tuple[CompiledBlocker, ...]
    passes: bool | None


@dataclass(frozen=True)
class CompiledLink:
    """A cross-issue constraint: ``when_mask``/``then_mask`` are (O,) option masks of issues
    ``when_issue``/``then_issue``. ``excludes``: no package meets both; ``requires``: a package
    that meets ``when`` meets ``then``."""

    id: str
    kind: str
    when_issue: int
    when_mask: BoolArray
    then_issue: int
    then_mask: BoolArray

    def satisfied(self, packages: npt.ArrayLike) -> BoolArray:
        """True where a package (shape (..., I)) satisfies the constraint."""
        x = np.asarray(packages, dtype=np.int64)
        return self.satisfied_by(x[..., self.when_issue], x[..., self.then_issue])

    def satisfied_by(self, when_options: npt.ArrayLike, then_options: npt.ArrayLike) -> BoolArray:
        """True where the constraint holds for options of ``when_issue`` and of ``then_issue``
        taken side by side (the fast frontier checks it as each issue is added)."""
        a = self.when_mask[np.asarray(when_options, dtype=np.int64)]
        b = self.then_mask[np.asarray(then_options, dtype=np.int64)]
        return np.asarray(~(a & b) if self.kind == "excludes" else (~a | b))


def links_satisfied(links: Sequence[CompiledLink], packages: npt.ArrayLike) -> BoolArray:
    """True where a package (shape (..., I)) satisfies every constraint in ``links``."""
    x = np.asarray(packages, dtype=np.int64)
    ok = np.ones(x.shape[:-1], dtype=bool)
    for link in links:
        ok &= link.satisfied(x)
    return ok


@dataclass(frozen=True)
class Compiled:
    """Read-only arrays and the id maps back to names."""

    scenario_id: str
    party_ids: tuple[str, ...]
    party_names: tuple[str, ...]
    issue_ids: tuple[str, ...]
    issue_names: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    option_labels: tuple[tuple[str, ...], ...]
    values: FloatArray
    weights: FloatArray
    allowed: BoolArray
    valid: BoolArray
    n_options: IntArray
    positions: FloatArray
    status_quo: IntArray
    batna: FloatArray
    capability: FloatArray
    salience: FloatArray
    ideal: FloatArray
    drafts: Mapping[str, CompiledDraft]
    rules: tuple[CompiledRule, ...]
    shocks: tuple[str, ...] = ()
    links: tuple[CompiledLink, ...] = ()

    @property
    def n_parties(self) -> int:
        """The number of parties."""
        return len(self.party_ids)

    @property
    def n_issues(self) -> int:
        """The number of issues."""
        return len(self.issue_ids)

    def party_index(self, party_id: str) -> int:
        """The index of a party id."""
        return self.party_ids.index(party_id)

    def issue_index(self, issue_id: str) -> int:
        """The index of an issue id."""
        return self.issue_ids.index(issue_id)

    def option_index(self, issue: int, option_id: str) -> int:
        """The index of an option id within an issue."""
        return self.option_ids[issue].index(option_id)

    @property
    def utility_min(self) -> FloatArray:
        """The lowest utility each party can get from any package (red lines ignored)."""
        low = np.where(self.valid[None], self.values, np.inf).min(axis=2)
        return np.asarray((self.weights * low).sum(axis=1))

    @property
    def utility_max(self) -> FloatArray:
        """Each party's highest utility of any valid package (its best option on every issue)."""
        high = np.where(self.valid[None], self.values, -np.inf).max(axis=2)
        return np.asarray((self.weights * high).sum(axis=1))


# --- shocks ----------------------------------------------------------------------------------


def apply_shocks(scenario: Scenario, shocks: Sequence[str]) -> Scenario:
    """A new scenario with the named shocks' edits applied in order."""
    if not shocks:
        return scenario
    known = {s.id: s for s in scenario.shocks}
    unknown = [s for s in shocks if s not in known]
    if unknown:
        raise CompileError(
            f"unknown shock(s) {', '.join(map(repr, unknown))}"
            f" (expected one of: {', '.join(sorted(known)) or 'none declared'})"
        )
    data: dict[str, Any] = scenario.model_dump(mode="python", by_alias=True)
    parties = {p["id"]: p for p in data["parties"]}
    for shock_id in shocks:
        shock = known[shock_id]
        for edit in shock.edits:
            parts = edit.target.split(".")
            if parts[0] == "parties":
                record, key = parties[parts[1]], parts[2]
                low, high = (0.0, 1.0) if key == "batna" else (0.0, np.inf)
            else:
                record, key = data["preferences"][parts[1]][parts[2]], parts[3]
                low, high = 0.0, 1.0
            if edit.option is not None:
                record[key] = edit.option
                continue
            assert edit.value is not None  # the Edit validator guarantees one of the two
            old = record.get(key)
            record[key] = _edit_quantity(shock_id, edit.op.value, old, edit.value, low, high)
    data["parties"] = list(parties.values())
    return Scenario.model_validate(data)


def _edit_quantity(
    shock: str, op: str, old: Any, change: Quantity, low: float, high: float
) -> dict[str, Any]:
    """The edited quantity: its value, the sources of both the old number and the shock, and a
    note naming the shock (clipping to the valid range is said, not hidden)."""
    before = None if old is None else Quantity.model_validate(old)
    base = 0.0 if before is None else before.value
    if op == "set":
        value = change.value
    elif op == "multiply":
        value = base * change.value
    else:
        value = base + change.value
    note = f"shock {shock}: {op} {change.value:g}"
    if op != "set" and before is not None:
        note += f" on {base:g}"
    kept = [] if op == "set" or before is None else list(before.source or [])
    sources = list(dict.fromkeys([*kept, *(change.source or [])]))
    clipped = float(min(max(value, low), high))
    if clipped != value:
        note += f" (clipped from {value:g} to the range [{low:g}, {high:g}])"
    reasons = [change.assumption] if change.assumption else []
    if op != "set" and before is not None and before.assumption:
        reasons.append(before.assumption)
    out: dict[str, Any] = {"value": clipped, "note": note}
    if sources:
        out["source"] = sources
    if reasons or not sources:
        out["assumption"] = "; ".join([note, *reasons])
    return out


# --- compile ---------------------------------------------------------------------------------


def compile_scenario(
    scenario: Scenario,
    parties: Iterable[str] | None = None,
    shocks: Sequence[str] = (),
) -> Compiled:
    """Apply ``shocks`` and lay the scenario out as arrays. ``parties`` defaults to every party
    that states at least one preference, in the order the scenario lists them."""
    scenario = apply_shocks(scenario, shocks)
    declared = [p.id for p in scenario.parties]
    if parties is None:
        party_ids = [p for p in declared if scenario.preferences.get(p)]
    else:
        party_ids = list(parties)
        unknown = [p for p in party_ids if p not in declared]
        if unknown:
            raise CompileError(
                f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
                f" (expected one of: {', '.join(declared)})"
            )
    if not party_ids:
        raise CompileError("no party states a preference (expected at least one)")

    issues = scenario.issues
    n_i = len(issues)
    n_o = max(len(issue.options) for issue in issues)
    n_p = len(party_ids)
    n_options = np.array([len(issue.options) for issue in issues], dtype=np.int64)
    valid = np.arange(n_o)[None, :] < n_options[:, None]
    positions = np.full((n_i, n_o), np.nan)
    for i, issue in enumerate(issues):
        positions[i, : len(issue.options)] = [o.position for o in issue.options]
    option_index = [{o.id: k for k, o in enumerate(issue.options)} for issue in issues]
    status_quo = np.array(
        [option_index[i][issue.status_quo] for i, issue in enumerate(issues)], dtype=np.int64
    )

    values = np.zeros((n_p, n_i, n_o))
    salience = np.zeros((n_p, n_i))
    ideal = np.full((n_p, n_i), np.nan)
    allowed = np.broadcast_to(valid, (n_p, n_i, n_o)).copy()
    batna = np.zeros(n_p)
    capability = np.full(n_p, np.nan)
    party_by_id = {p.id: p for p in scenario.parties}
    for p, pid in enumerate(party_ids):
        party = party_by_id[pid]
        if party.batna is not None:
            batna[p] = party.batna.value
        if party.capability is not None:
            capability[p] = party.capability.value
        for i, issue in enumerate(issues):
            pref = scenario.preferences.get(pid, {}).get(issue.id)
            if pref is None:
                continue
            salience[p, i] = pref.salience.value
            ideal[p, i] = _ideal_position(pref, positions[i, : n_options[i]], option_index[i])
            values[p, i, : n_options[i]] = option_values(
                pref, positions[i, : n_options[i]], option_index[i]
            )
            for line in pref.red_lines:
                allowed[p, i, option_index[i][line.option]] = False
    totals = salience.sum(axis=1, keepdims=True)
    weights = np.divide(salience, totals, out=np.zeros_like(salience), where=totals > 0)

    issue_ids = [issue.id for issue in issues]
    drafts = {d.id: _compile_draft(d, issue_ids, option_index, status_quo) for d in scenario.drafts}
    rules = _compile_rules(scenario, party_ids, option_index, n_o)
    links = []
    issue_pos = {key: i for i, key in enumerate(issue_ids)}
    for link in scenario.constraints:
        masks = []
        for cond in (link.when, link.then):
            m = np.zeros(n_o, dtype=bool)
            i = issue_pos[cond.issue]
            m[[option_index[i][o] for o in cond.options]] = True
            m.setflags(write=False)
            masks.append((i, m))
        links.append(
            CompiledLink(
                link.id, link.kind.value, masks[0][0], masks[0][1], masks[1][0], masks[1][1]
            )
        )
    arrays = [values, weights, allowed, valid, n_options, positions, status_quo, batna]
    arrays += [capability, salience, ideal]
    for array in arrays:
        array.setflags(write=False)
    return Compiled(
        scenario_id=scenario.id,
        party_ids=tuple(party_ids),
        party_names=tuple(party_by_id[p].name for p in party_ids),
        issue_ids=tuple(issue.id for issue in issues),
        issue_names=tuple(issue.name for issue in issues),
        option_ids=tuple(tuple(o.id for o in issue.options) for issue in issues),
        option_labels=tuple(tuple(o.label for o in issue.options) for issue in issues),
        values=values,
        weights=weights,
        allowed=allowed,
        valid=valid,
        n_options=n_options,
        positions=positions,
        status_quo=status_quo,
        batna=batna,
        capability=capability,
        salience=salience,
        ideal=ideal,
        drafts=drafts,
        rules=tuple(rules),
        shocks=tuple(shocks),
        links=tuple(links),
    )


def _ideal_position(pref: Preference, positions: FloatArray, index: Mapping[str, int]) -> float:
    if isinstance(pref.ideal, str):
        return float(positions[index[pref.ideal]])
    if isinstance(pref.ideal, Quantity):
        return pref.ideal.value
    if pref.values is not None:  # a table only: the best-valued option stands as the ideal
        best = max(pref.values.items(), key=lambda kv: kv[1].value)[0]
        return float(positions[index[best]])
    return float("nan")


def option_values(pref: Preference, positions: FloatArray, index: Mapping[str, int]) -> FloatArray:
    """Each option's value in [0, 1]: the explicit table where given, else the declared shape
    of the distance to the ideal (1 at the ideal, 0 at the farthest option)."""
    out = np.zeros(len(positions))
    if pref.ideal is not None:
        target = _ideal_position(pref, positions, index)
        distance = np.abs(positions - target)
        far = distance.max()
        if far == 0:
            out[:] = 1.0
        elif pref.shape == Shape.STEP:
            out[:] = (distance == distance.min()).astype(float)
        else:
            power = 2.0 if pref.shape == Shape.QUADRATIC else 1.0
            out[:] = 1.0 - (distance / far) ** power
    if pref.values is not None:
        for option_id, quantity in pref.values.items():
            out[index[option_id]] = quantity.value
    return np.clip(out, 0.0, 1.0)


def _compile_draft(
    draft: Draft,
    issue_ids: Sequence[str],
    option_index: Sequence[Mapping[str, int]],
    status_quo: IntArray,
) -> CompiledDraft:
    ids = {key: i for i, key in enumerate(issue_ids)}
    package = status_quo.copy()
    set_by = np.full(len(status_quo), -1, dtype=np.int64)
    points = []
    for point in draft.points:
        sets = []
        for issue_id, option_id in point.sets.items():
            i = ids[issue_id]
            o = option_index[i][option_id]
            package[i] = o
            set_by[i] = point.number
            sets.append((i, o))
        points.append(
            CompiledPoint(
                number=point.number,
                text=point.text,
                sets=tuple(sets),
                status=point.status.value,
                revises=tuple(point.revises),
            )
        )
    package.setflags(write=False)
    set_by.setflags(write=False)
    return CompiledDraft(
        id=draft.id,
        title=draft.title,
        author=draft.author,
        date=draft.date.isoformat() if draft.date else None,
        based_on=draft.based_on,
        package=package,
        set_by=set_by,
        points=tuple(points),
    )


def _compile_rules(
    scenario: Scenario,
    party_ids: Sequence[str],
    option_index: Sequence[Mapping[str, int]],
    n_o: int,
) -> list[CompiledRule]:
    issue_pos = {issue.id: i for i, issue in enumerate(scenario.issues)}
    n_i = len(scenario.issues)

    def mask(conditions: Sequence[Condition]) -> npt.NDArray[np.bool_]:
        out = np.zeros((n_i, n_o), dtype=bool)
        for cond in conditions:
            i = issue_pos[cond.issue]
            for option in cond.options:
                out[i, option_index[i][option]] = True
        out.setflags(write=False)
        return out

    def describe(cond: Condition) -> str:
        return f"{cond.issue} in {{{', '.join(cond.options)}}}"

    facts = {f.id: f for f in scenario.facts}
    rules = []
    for p, pid in enumerate(party_ids):
        party = scenario.party(pid)
        for rule in party.ratification:
            blockers = []
            for fid in rule.blocked_while:
                fact = facts[fid]
                truths = {c.value for c in fact.claims}
                holds: bool | None = None
                if truths == {True}:
                    holds = True
                elif truths == {False}:
                    holds = False
                blockers.append(
                    CompiledBlocker(
                        fact=fid,
                        label=fact.label,
                        holds=holds,
                        ended_by=tuple(mask([c]) for c in fact.ended_by),
                    )
                )
            rules.append(
                CompiledRule(
                    party=p,
                    id=rule.id,
                    name=rule.name,
                    kind=rule.kind.value,
                    trigger=mask(rule.triggered_by),
                    requires=tuple(mask([c]) for c in rule.requires),
                    requires_text=tuple(describe(c) for c in rule.requires),
                    blockers=tuple(blockers),
                    passes=rule.passes,
                )
            )
    return rules
