"""The agreement space: the exact Pareto frontier of a compiled scenario.

Utilities are additive over issues, so the frontier of the whole space is the non-dominated part
of the Minkowski sum of per-issue contribution sets: a partial package that is dominated stays
dominated whatever the remaining issues add. ``method="fast"`` builds the frontier issue by
issue, keeping only non-dominated partial packages (and, with ``acceptable_only``, dropping
partials that cannot reach a party's BATNA even with the best remaining options). Its memory and
time follow the size of the frontier, not of the space, so spaces of 10^12 packages and more are
exact. ``method="enumerate"`` scores every package and filters with a plain pairwise dominance
test: the obvious reference, refused above ``ENUMERATE_LIMIT`` packages.

Both methods add utilities issue by issue in the scenario's order, so equal float sums compare
equal, and both keep, for each distinct utility vector, the lexicographically smallest package.
Packages that break a cross-issue constraint (``compiled.links``) are not in the space. The fast
method honours them exactly: a partial package is compared only with partials that chose the same
options on the issues still linked to an issue not yet added (those options decide which
completions are allowed), so pruning never drops a partial whose completions another could not
match; the enumeration reference filters the same packages out.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.compile import Compiled, CompiledLink, links_satisfied

ENUMERATE_LIMIT = 20_000
MAX_PARTIALS = {2: 3_000_000, 3: 300_000}
MAX_PARTIALS_MANY = 20_000
"""The fast method stops (``truncated=True``) when a partial frontier passes this size: for two
and three parties the dominance filter is O(n log n); for four or more it is pairwise, so the
budget is smaller."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SpaceTooLarge(ValueError):
    """A method was asked for more than it can do exactly; the message says what to use."""


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier over ``parties``: one row of ``points`` (utilities, in ``parties``
    order) and of ``packages`` (an option index per issue) for each distinct non-dominated
    utility vector, sorted by the first party's utility, highest first.

    ``count`` is the exact number of frontier points where known; ``truncated`` is True when
    ``points`` holds fewer than ``count`` (a ``cap``) or the count could not be had."""

    parties: tuple[str, ...]
    points: FloatArray
    packages: IntArray
    count: int | None
    truncated: bool
    method: str
    space_size: int
    acceptable_only: bool

    @property
    def size(self) -> int:
        """The number of frontier points."""
        return int(self.points.shape[0])

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The frontier as plain JSON-ready data (option ids where compiled is given)."""
        rows = []
        for point, package in zip(self.points, self.packages, strict=True):
            row: dict[str, Any] = {
                "utilities": dict(zip(self.parties, map(float, point), strict=True))
            }
            if compiled is not None:
                row["package"] = {
                    compiled.issue_ids[i]: compiled.option_ids[i][o] for i, o in enumerate(package)
                }
            else:
                row["package"] = [int(o) for o in package]
            rows.append(row)
        return {
            "parties": list(self.parties),
            "size": self.size,
            "count": self.count,
            "truncated": self.truncated,
            "method": self.method,
            "space_size": self.space_size,
            "acceptable_only": self.acceptable_only,
            "points": rows,
        }


# --- the shared view of the space ------------------------------------------------------------


def party_indices(compiled: Compiled, parties: Sequence[str] | None) -> list[int]:
    """The indices of the named parties (all parties for None), checked."""
    if parties is None:
        return list(range(compiled.n_parties))
    unknown = [p for p in parties if p not in compiled.party_ids]
    if unknown:
        raise ValueError(
            f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
            f" (expected some of: {', '.join(compiled.party_ids)})"
        )
    if len(set(parties)) != len(parties):
        raise ValueError("a party is named twice (expected distinct parties)")
    return [compiled.party_ids.index(p) for p in parties]


def option_mask(compiled: Compiled, ps: Sequence[int], red_lines: bool) -> npt.NDArray[np.bool_]:
    """(I, O): real options, minus those that cross a red line of any party in ``ps``."""
    mask = compiled.valid.copy()
    if red_lines:
        mask &= compiled.allowed[list(ps)].all(axis=0)
    return mask


def contributions(compiled: Compiled, ps: Sequence[int]) -> FloatArray:
    """(I, O, P'): what each option of each issue adds to each party's utility."""
    w = compiled.weights[list(ps)]  # (P', I)
    v = compiled.values[list(ps)]  # (P', I, O)
    return np.asarray(np.moveaxis(w[:, :, None] * v, 0, -1))


def space_size(mask: npt.NDArray[np.bool_]) -> int:
    """The number of packages an allowed-options mask admits."""
    return math.prod(int(n) for n in mask.sum(axis=1))


# --- frontier --------------------------------------------------------------------------------


def pareto_frontier(
    compiled: Compiled,
    parties: Sequence[str] | None = None,
    *,
    acceptable_only: bool = False,
    method: Literal["fast", "enumerate"] = "fast",
    cap: int | None = None,
) -> Frontier:
    """The exact Pareto frontier over ``parties`` (default: every compiled party).

    With ``acceptable_only``, only packages that cross no red line of these parties and give each
    of them at least its BATNA. ``cap`` keeps the first ``cap`` points (``truncated`` says so,
    ``count`` still gives the exact number)."""
    ps = party_indices(compiled, parties)
    if len(ps) < 1:
        raise ValueError("a frontier needs at least one party")
    mask = option_mask(compiled, ps, red_lines=acceptable_only)
    size = space_size(mask)
    contrib = contributions(compiled, ps)
    floor = compiled.batna[ps] if acceptable_only else None
    if size == 0:
        points, packages, exact = (
            np.zeros((0, len(ps))),
            np.zeros((0, compiled.n_issues), int),
            True,
        )
    elif method == "enumerate":
        if size > ENUMERATE_LIMIT:
            raise SpaceTooLarge(
                f"the space has {size:,} packages; enumeration is limited to"
                f" {ENUMERATE_LIMIT:,} (expected method='fast' for larger spaces)"
            )
        points, packages = _enumerate(contrib, mask, floor, compiled.links)
        exact = True
    elif method == "fast":
        points, packages, exact = _fast(contrib, mask, floor, compiled.links)
    else:
        raise ValueError(f"unknown method {method!r} (expected 'fast' or 'enumerate')")
    order = np.lexsort(tuple(-points[:, k] for k in reversed(range(points.shape[1]))))
    points, packages = points[order], packages[order]
    count = int(points.shape[0]) if exact else None
    truncated = not exact
    if cap is not None and points.shape[0] > cap:
        points, packages, truncated = points[:cap], packages[:cap], True
    points.setflags(write=False)
    packages.setflags(write=False)
    return Frontier(
        parties=tuple(compiled.party_ids[p] for p in ps),
        points=points,
        packages=packages,
        count=count,
        truncated=truncated,
        method=method,
        space_size=size,
        acceptable_only=acceptable_only,
    )


def _enumerate(
    contrib: FloatArray,
    mask: npt.NDArray[np.bool_],
    floor: FloatArray | None,
    links: Sequence[CompiledLink] = (),
) -> tuple[FloatArray, IntArray]:
    """Every package, scored issue by issue; a pairwise dominance test; ties to the
    lexicographically smallest package (itertools.product yields packages in that order)."""
    choices = [np.flatnonzero(row) for row in mask]
    packages = np.array(list(itertools.product(*choices)), dtype=np.int64).reshape(-1, len(choices))
    points = np.zeros((packages.shape[0], contrib.shape[2]))
    for i in range(len(choices)):
        points = points + contrib[i, packages[:, i]]
    if links:
        keep = links_satisfied(links, packages)
        points, packages = points[keep], packages[keep]
    if floor is not None:
        keep = np.all(points >= floor, axis=1)
        points, packages = points[keep], packages[keep]
    n = points.shape[0]
    survivors = []
    for j in range(n):
        ge = np.all(points >= points[j], axis=1)
        gt = np.any(points > points[j], axis=1)
        dominated = bool(np.any(ge & gt))
        duplicate_before = bool(np.any(np.all(points[:j] == points[j], axis=1)))
        if not dominated and not duplicate_before:
            survivors.append(j)
    return points[survivors], packages[survivors]


def _fast(
    contrib: FloatArray,
    mask: npt.NDArray[np.bool_],
    floor: FloatArray | None,
    links: Sequence[CompiledLink] = (),
) -> tuple[FloatArray, IntArray, bool]:
    """Issue-by-issue non-dominated sums, with parent pointers to rebuild packages.

    With ``links``, a candidate that breaks a constraint between the issue being added and an
    earlier one is dropped, and dominance is tested only among partials that agree on the
    options of the issues still linked to a later issue (their "state")."""
    n_issues, _, n_parties = contrib.shape
    partners: list[set[int]] = [set() for _ in range(n_issues)]
    for link in links:
        partners[link.when_issue].add(link.then_issue)
        partners[link.then_issue].add(link.when_issue)
    # state[j]: the option each partial chose on issue j, kept while j links to a later issue
    state: dict[int, IntArray] = {}
    # best each party can still add from issue k on (for the BATNA bound)
    best_rest = np.zeros((n_issues + 1, n_parties))
    for k in range(n_issues - 1, -1, -1):
        allowed = contrib[k][mask[k]]
        best_rest[k] = best_rest[k + 1] + allowed.max(axis=0)
    points = np.zeros((1, n_parties))
    parents: list[IntArray] = []
    options: list[IntArray] = []
    for k in range(n_issues):
        choice = np.flatnonzero(mask[k])
        # candidates ordered (parent rank, option): lexicographic package order
        cand = (points[:, None, :] + contrib[k, choice][None, :, :]).reshape(-1, n_parties)
        parent = np.repeat(np.arange(points.shape[0]), len(choice))
        option = np.tile(choice, points.shape[0])
        if links:
            ok = np.ones(cand.shape[0], dtype=bool)
            for link in links:
                if link.when_issue == k and link.then_issue < k:
                    ok &= link.satisfied_by(option, state[link.then_issue][parent])
                elif link.then_issue == k and link.when_issue < k:
                    ok &= link.satisfied_by(state[link.when_issue][parent], option)
            cand, parent, option = cand[ok], parent[ok], option[ok]
        if floor is not None:
            reach = np.all(cand + best_rest[k + 1] >= floor, axis=1)
            cand, parent, option = cand[reach], parent[reach], option[reach]
        if cand.shape[0] == 0:
            return np.zeros((0, n_parties)), np.zeros((0, n_issues), np.int64), True
        cand_state = {j: col[parent] for j, col in state.items() if max(partners[j]) > k}
        if partners[k] and max(partners[k]) > k:
            cand_state[k] = option
        keep = _nondominated_by_state(cand, cand_state)
        cand, parent, option = cand[keep], parent[keep], option[keep]
        # rank the survivors in package order, so ties keep resolving lexicographically
        rank = np.lexsort((option, parent))
        points = cand[rank]
        state = {j: col[keep][rank] for j, col in cand_state.items()}
        parents.append(parent[rank])
        options.append(option[rank])
        budget = MAX_PARTIALS.get(n_parties, MAX_PARTIALS_MANY)
        if points.shape[0] > budget:
            if floor is not None:
                raise SpaceTooLarge(
                    f"the partial frontier passed {budget:,} points at issue {k + 1} of"
                    f" {n_issues}; the acceptable frontier cannot be had exactly here (expected"
                    " fewer parties, or the bargaining solutions, which are exact at any size)"
                )
            pts, pkgs = _supported(contrib, mask, links)
            return pts, pkgs, False
    if floor is not None:
        keep = np.all(points >= floor, axis=1)
    else:
        keep = np.ones(points.shape[0], dtype=bool)
    index = np.flatnonzero(keep)
    packages = np.zeros((index.size, n_issues), dtype=np.int64)
    cursor = index
    for k in range(n_issues - 1, -1, -1):
        packages[:, k] = options[k][cursor]
        cursor = parents[k][cursor]
    return points[index], packages, True


def _nondominated_by_state(points: FloatArray, state: dict[int, IntArray]) -> npt.NDArray[np.bool_]:
    """:func:`nondominated` within each group of rows that share a state (all rows when there is
    none); rows keep their order, so the first of equal rows in a group is kept."""
    if not state:
        return nondominated(points)
    keys = np.stack([state[j] for j in sorted(state)], axis=1)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.reshape(-1)
    keep = np.zeros(points.shape[0], dtype=bool)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        keep[rows[nondominated(points[rows])]] = True
    return keep


def _supported(
    contrib: FloatArray,
    mask: npt.NDArray[np.bool_],
    links: Sequence[CompiledLink] = (),
    n_weights: int = 2_000,
) -> tuple[FloatArray, IntArray]:
    """Frontier points found by maximising strictly positive weighted sums of utilities (each
    maximiser is Pareto-optimal; additive utilities make the maximum separable by issue). Used
    only when the exact frontier is too large: a true subset of it, marked truncated. With
    ``links``, a maximiser that breaks a constraint is dropped (one that keeps them all also
    maximises over the packages that do, so it is Pareto-optimal there)."""
    n_issues, _, n_parties = contrib.shape
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(n_parties), size=n_weights) + 1e-6
    scores = np.einsum("iop,wp->wio", contrib, weights)
    scores = np.where(mask[None], scores, -np.inf)
    packages = np.unique(scores.argmax(axis=2), axis=0).astype(np.int64)
    if links:
        packages = packages[links_satisfied(links, packages)]
    points = np.zeros((packages.shape[0], n_parties))
    for i in range(n_issues):
        points = points + contrib[i, packages[:, i]]
    keep = nondominated(points)
    return points[keep], packages[keep]


def nondominated(points: FloatArray) -> npt.NDArray[np.bool_]:
    """Mask of rows no other row dominates, keeping the first of equal rows.

    Rows are visited in lexicographic order of decreasing utilities (stable, so among equal rows
    the earliest comes first); a row can only be dominated by one visited before it."""
    n, d = points.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort(tuple(-points[:, k] for k in reversed(range(d))))
    p = points[order]
    keep_sorted = np.zeros(n, dtype=bool)
    if d == 1:
        keep_sorted[0] = True
    elif d == 2:
        best = np.maximum.accumulate(p[:, 1])
        keep_sorted[0] = True
        keep_sorted[1:] = p[1:, 1] > best[:-1]
    elif d == 3:
        keep_sorted = _staircase_3d(p)
    else:
        keep_sorted = _blocked(p)
    keep = np.zeros(n, dtype=bool)
    keep[order[keep_sorted]] = True
    return keep


def _blocked(p: FloatArray, block: int = 1024) -> npt.NDArray[np.bool_]:
    """Four or more parties: rows sorted as in :func:`nondominated`. A row whose (u2, u3) no
    earlier row matches is kept outright (any dominator would have to); the others are checked
    a block at a time against every kept row, one utility column at a time."""
    n, d = p.shape
    quick = _staircase_3d(p[:, :3])  # not weakly dominated on the first three utilities
    keep = np.zeros(n, dtype=bool)
    kept = np.empty((0, d))
    for start in range(0, n, block):
        rows = p[start : start + block]
        alive = np.ones(rows.shape[0], dtype=bool)
        doubt = np.flatnonzero(~quick[start : start + rows.shape[0]])
        if doubt.size and kept.shape[0]:
            hit = kept[:, 0][None, :] >= rows[doubt, 0][:, None]
            for k in range(1, d):
                hit &= kept[:, k][None, :] >= rows[doubt, k][:, None]
            alive[doubt] = ~hit.any(axis=1)
        # Within the block, any earlier row that is >= a later one rules it out: if that
        # earlier row was itself dominated, whatever dominated it dominates the later row too.
        ge = rows[:, None, 0] >= rows[None, :, 0]
        for k in range(1, d):
            ge &= rows[:, None, k] >= rows[None, :, k]
        alive &= ~np.triu(ge, 1).any(axis=0)
        keep[start : start + rows.shape[0]] = alive
        kept = np.concatenate([kept, rows[alive]])
    return keep


def _staircase_3d(p: FloatArray) -> npt.NDArray[np.bool_]:
    """Rows sorted by decreasing (u1, u2, u3): a row is dominated iff some kept row has u2 and
    u3 at least as large. The kept rows' (u2, u3) staircase answers that in O(log n)."""
    n = p.shape[0]
    keep = np.zeros(n, dtype=bool)
    xs: list[float] = []  # u2, increasing
    ys: list[float] = []  # u3, decreasing along xs
    u2 = p[:, 1].tolist()
    u3 = p[:, 2].tolist()
    for j in range(n):
        a, b = u2[j], u3[j]
        at = bisect.bisect_left(xs, a)
        if at < len(xs) and ys[at] >= b:
            continue
        keep[j] = True
        # drop staircase points that (a, b) dominates: u2 <= a and u3 <= b, just left of `at`
        end = at
        if end < len(xs) and xs[end] == a:
            end += 1  # equal u2 with smaller u3 (the check above failed): also dominated
        start = at
        while start > 0 and ys[start - 1] <= b:
            start -= 1
        xs[start:end] = [a]
        ys[start:end] = [b]
    return keep
