"""Point-level and issue-level difference between two drafts, and who gains from it.

Points of ``b`` are matched to points of ``a`` through their ``revises`` references, followed
back through intermediate versions (``framework-20#4`` revises ``geneva-19#6`` which revises
``us-28#6``). A point of ``a`` that no point of ``b`` continues is *removed*; a point of ``b``
that continues none of ``a`` is *added*; matched points whose text or settings differ are
*changed*. Issues compare the packages, silence included: a draft that stops setting an issue
moves it to the status quo.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from accord.analysis.evaluate import acceptable, utilities
from accord.compile import Compiled, CompiledDraft, CompiledPoint


@dataclass(frozen=True)
class PointChange:
    """A point added, removed or changed between two drafts (matched by text)."""

    kind: str  # added | removed | changed
    a: tuple[int, ...]  # point numbers in draft a
    b: tuple[int, ...]  # point numbers in draft b
    a_text: tuple[str, ...]
    b_text: tuple[str, ...]


@dataclass(frozen=True)
class IssueChange:
    """An issue whose option differs between two drafts."""

    issue: str
    a_option: str
    a_point: int | None  # None: silent in a (status quo)
    b_option: str
    b_point: int | None


@dataclass(frozen=True)
class UtilityChange:
    """A party's utility of draft a and of draft b."""

    party: str
    a: float
    b: float
    delta: float
    a_acceptable: bool
    b_acceptable: bool


@dataclass(frozen=True)
class DraftDiff:
    """How draft b differs from draft a: points, issue options and each party's utility."""

    a: str
    b: str
    points: tuple[PointChange, ...]
    issues: tuple[IssueChange, ...]
    utilities: tuple[UtilityChange, ...]
    unchanged_points: int

    def to_dict(self) -> dict[str, Any]:
        """The diff as plain JSON-ready data."""
        return asdict(self)


def _origins(compiled: Compiled, ref: str, target: str, depth: int = 0) -> set[int]:
    """The numbers of ``target``'s points that reference ``ref`` (``draft#n``) descends from."""
    draft_id, _, number = ref.partition("#")
    if draft_id == target:
        return {int(number)}
    if depth > 64 or draft_id not in compiled.drafts:
        return set()
    point = next((p for p in compiled.drafts[draft_id].points if p.number == int(number)), None)
    if point is None:
        return set()
    found: set[int] = set()
    for parent in point.revises:
        found |= _origins(compiled, parent, target, depth + 1)
    return found


def diff(compiled: Compiled, a: str | CompiledDraft, b: str | CompiledDraft) -> DraftDiff:
    """Compare two compiled drafts (by id or as compiled drafts): points, options and utilities."""
    da = compiled.drafts[a] if isinstance(a, str) else a
    db = compiled.drafts[b] if isinstance(b, str) else b
    a_points = {p.number: p for p in da.points}

    # groups of (a points, b points) linked by revises, merged where they overlap
    links: list[tuple[set[int], set[int]]] = []
    for point in db.points:
        origins: set[int] = set()
        for ref in point.revises:
            origins |= _origins(compiled, ref, da.id)
        origins &= set(a_points)
        if not origins:
            continue
        group = (set(origins), {point.number})
        for other in [g for g in links if g[0] & group[0]]:
            group[0].update(other[0])
            group[1].update(other[1])
            links.remove(other)
        links.append(group)

    matched_a = set().union(*(g[0] for g in links)) if links else set()
    matched_b = set().union(*(g[1] for g in links)) if links else set()
    b_points = {p.number: p for p in db.points}
    changes: list[PointChange] = []
    unchanged = 0
    for a_nums, b_nums in sorted(links, key=lambda g: min(g[0])):
        pa = [a_points[n] for n in sorted(a_nums)]
        pb = [b_points[n] for n in sorted(b_nums)]
        if _same(pa, pb, compiled):
            unchanged += 1
            continue
        changes.append(_change("changed", pa, pb))
    for number, point in sorted(a_points.items()):
        if number not in matched_a:
            changes.append(_change("removed", [point], []))
    for number, point in sorted(b_points.items()):
        if number not in matched_b:
            changes.append(_change("added", [], [point]))
    changes.sort(key=lambda c: (min(c.a) if c.a else min(c.b) + 0.5, c.kind))

    issue_changes = tuple(
        IssueChange(
            issue=compiled.issue_ids[i],
            a_option=compiled.option_ids[i][da.package[i]],
            a_point=int(da.set_by[i]) if da.set_by[i] >= 0 else None,
            b_option=compiled.option_ids[i][db.package[i]],
            b_point=int(db.set_by[i]) if db.set_by[i] >= 0 else None,
        )
        for i in range(compiled.n_issues)
        if da.package[i] != db.package[i]
    )
    ua, ub = utilities(compiled, da.package), utilities(compiled, db.package)
    oka, okb = acceptable(compiled, da.package), acceptable(compiled, db.package)
    utility_changes = tuple(
        UtilityChange(
            party=pid,
            a=float(ua[p]),
            b=float(ub[p]),
            delta=float(ub[p] - ua[p]),
            a_acceptable=bool(oka[p]),
            b_acceptable=bool(okb[p]),
        )
        for p, pid in enumerate(compiled.party_ids)
    )
    return DraftDiff(
        a=da.id,
        b=db.id,
        points=tuple(changes),
        issues=issue_changes,
        utilities=utility_changes,
        unchanged_points=unchanged,
    )


def _settings(points: list[CompiledPoint]) -> set[tuple[int, int]]:
    return {s for p in points for s in p.sets}


def _same(pa: list[CompiledPoint], pb: list[CompiledPoint], compiled: Compiled) -> bool:
    del compiled
    texts_a = [" ".join(p.text.split()) for p in pa]
    texts_b = [" ".join(p.text.split()) for p in pb]
    statuses_a = [p.status for p in pa]
    statuses_b = [p.status for p in pb]
    return texts_a == texts_b and _settings(pa) == _settings(pb) and statuses_a == statuses_b


def _change(kind: str, pa: list[CompiledPoint], pb: list[CompiledPoint]) -> PointChange:
    return PointChange(
        kind=kind,
        a=tuple(p.number for p in pa),
        b=tuple(p.number for p in pb),
        a_text=tuple(p.text for p in pa),
        b_text=tuple(p.text for p in pb),
    )
