"""What the zone of agreement depends on: red lines and BATNAs, deterministically (no sampling).

:func:`zone_dependence` answers three questions about the zone of :func:`accord.analysis.conflict.
zopa` (the same parties, red lines, cross-issue constraints and BATNAs):

* **BATNA margins.** For each party, the largest amount its BATNA can rise with the zone still
  open (a closed zone: the amount it must fall for the zone to open, as a negative margin; None
  where lowering that BATNA alone cannot open it). Raising party ``k``'s BATNA by ``m`` keeps the
  zone open exactly when some package that crosses no red line, breaks no constraint and meets
  every *other* BATNA gives ``k`` at least ``batna_k + m``; so the margin is
  ``max u_k - batna_k`` over those packages: one exact MILP per party (the optimum proven by
  HiGHS with zero gap, the package re-scored in numpy; exact to :data:`TOLERANCE`).
* **Red lines that open a closed zone.** Each party's red lines on one issue whose removal
  (alone) opens it: one feasibility solve per red line.
* **Options an open zone needs.** An option that every acceptable package uses: a red line on
  it (a new one by any party, or an existing red line on that issue tightened to reach it) closes
  the zone. Found by one feasibility solve per option of an example package, with every package
  found on the way marking its options as not needed.

:func:`zone_dependence_by_enumeration` is the slow, obvious reference on small spaces (every
package scored).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from accord.analysis.bargaining import _Problem, _problem, _solve_exact
from accord.analysis.conflict import _opens
from accord.analysis.milp import EXACT, PackageModel
from accord.compile import Compiled, links_satisfied

TOLERANCE = 1e-9
"""How exact a BATNA margin is (HiGHS's feasibility tolerance; the package is re-scored)."""


@dataclass(frozen=True)
class BatnaMargin:
    """How far ``party``'s BATNA can move before the zone changes: ``best`` is the party's
    highest utility over the packages every other party accepts (None: there is none);
    ``margin = best - batna``: positive or zero, how far it can rise with the zone still open;
    negative, how far it must fall for the zone to open."""

    party: str
    batna: float
    best: float | None
    margin: float | None

    def describe(self) -> str:
        """The margin as a sentence."""
        if self.margin is None:
            return f"lowering {self.party}'s BATNA alone cannot open the zone"
        if self.margin >= 0:
            return (
                f"{self.party}'s BATNA ({self.batna:.2f}) can rise by {self.margin:.3f}"
                " before the zone closes"
            )
        return (
            f"the zone opens if {self.party}'s BATNA ({self.batna:.2f}) falls by {-self.margin:.3f}"
        )


@dataclass(frozen=True)
class RedLineEffect:
    """A red line the zone depends on. ``change`` "remove": ``party``'s red lines on ``issue``
    (refusing ``options``) keep the zone closed, and removing them opens it. ``change`` "add":
    every acceptable package puts ``options[0]`` on ``issue``, so a red line on it closes the zone
    (``tightened``: the parties that already refuse another option of that issue)."""

    change: str
    issue: str
    options: tuple[str, ...]
    party: str | None = None
    tightened: tuple[str, ...] = ()

    def describe(self) -> str:
        """The effect as a sentence."""
        if self.change == "remove":
            return (
                f"{self.party} dropping its red line on {self.issue}"
                f" ({', '.join(self.options)}) opens the zone"
            )
        who = f" (or {', '.join(self.tightened)} tightening theirs)" if self.tightened else ""
        return (
            f"every acceptable package sets {self.issue} to {self.options[0]}: a red line on it"
            f"{who} closes the zone"
        )


@dataclass(frozen=True)
class ZoneDependence:
    """Which red lines and BATNAs the zone of agreement depends on (see the module docstring)."""

    open: bool
    parties: tuple[str, ...]
    batnas: tuple[BatnaMargin, ...]
    red_lines: tuple[RedLineEffect, ...]
    solves: int
    tolerance: float = TOLERANCE

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, each entry with its sentence (``describe``)."""
        return {
            "open": self.open,
            "parties": list(self.parties),
            "tolerance": self.tolerance,
            "solves": self.solves,
            "batnas": [dict(asdict(b), describe=b.describe()) for b in self.batnas],
            "red_lines": [dict(asdict(r), describe=r.describe()) for r in self.red_lines],
        }

    def lines(self) -> list[str]:
        """Every finding as a sentence: red lines first, then the BATNA margins."""
        return [r.describe() for r in self.red_lines] + [b.describe() for b in self.batnas]


def _best_for(problem: _Problem, k: int) -> float | None:
    """Party ``k``'s highest utility over the packages within the mask and constraints that
    meet every other party's BATNA (None where there is none)."""
    if not problem.mask.any(axis=1).all():
        return None
    others = replace(
        problem, batna=np.where(np.arange(len(problem.ps)) == k, -np.inf, problem.batna)
    )
    model = PackageModel(others.mask, others.contrib)
    model.add_links(others.links)
    for j in range(len(problem.ps)):
        if j != k:
            model.add_row(model.utility_coefficients(j), float(problem.batna[j]))
    answer = _solve_exact(model, others, model.utility_coefficients(k))
    if answer is None:
        return None
    return float(others.utilities(answer[0])[k])


def _red_line_groups(compiled: Compiled, problem: _Problem) -> list[tuple[int, int, str, int]]:
    """(party position, issue, party id, issue) for every party-issue with a red line."""
    out = []
    for k, p in enumerate(problem.ps):
        for i in range(compiled.n_issues):
            if (compiled.valid[i] & ~compiled.allowed[p, i]).any():
                out.append((k, p, compiled.party_ids[p], i))
    return out


def _mask_without(compiled: Compiled, problem: _Problem, party: int, issue: int) -> Any:
    """The problem's mask with ``party``'s red lines on ``issue`` dropped."""
    mask = problem.mask.copy()
    row = compiled.valid[issue].copy()
    for p in problem.ps:
        if p != party:
            row &= compiled.allowed[p, issue]
    mask[issue] = row
    return mask


def _tighteners(compiled: Compiled, problem: _Problem, issue: int) -> tuple[str, ...]:
    return tuple(
        compiled.party_ids[p]
        for p in problem.ps
        if (compiled.valid[issue] & ~compiled.allowed[p, issue]).any()
    )


def zone_dependence(compiled: Compiled, parties: Sequence[str] | None = None) -> ZoneDependence:
    """Which red lines and BATNAs the zone of agreement depends on (see the module docstring)."""
    problem = _problem(compiled, parties)
    ids = tuple(compiled.party_ids[p] for p in problem.ps)
    solves = 1
    found = _opens(problem)
    batnas = []
    for k, pid in enumerate(ids):
        best = _best_for(problem, k)
        solves += 1
        margin = None if best is None else best - float(problem.batna[k])
        batnas.append(BatnaMargin(pid, float(problem.batna[k]), best, margin))
    effects: list[RedLineEffect] = []
    if found is None:
        for _, p, pid, i in _red_line_groups(compiled, problem):
            solves += 1
            if _opens(replace(problem, mask=_mask_without(compiled, problem, p, i))) is not None:
                refused = np.flatnonzero(compiled.valid[i] & ~compiled.allowed[p, i])
                names = tuple(compiled.option_ids[i][o] for o in refused)
                effects.append(RedLineEffect("remove", compiled.issue_ids[i], names, pid))
    else:
        used = np.zeros_like(problem.mask)
        used[np.arange(compiled.n_issues), found] = True
        needed = []
        for i in range(compiled.n_issues):
            o = int(found[i])
            if problem.mask[i].sum() == 1:
                needed.append((i, o))  # the only option left: a red line on it closes the zone
                continue
            if used[i].sum() > 1:
                continue  # another acceptable package already uses another option here
            mask = problem.mask.copy()
            mask[i, o] = False
            solves += 1
            other = _opens(replace(problem, mask=mask))
            if other is None:
                needed.append((i, o))
            else:
                used[np.arange(compiled.n_issues), other] = True
        for i, o in needed:
            effects.append(
                RedLineEffect(
                    "add",
                    compiled.issue_ids[i],
                    (compiled.option_ids[i][o],),
                    None,
                    _tighteners(compiled, problem, i),
                )
            )
    return ZoneDependence(found is not None, ids, tuple(batnas), tuple(effects), solves)


# --- the slow reference ----------------------------------------------------------------------


def _packages(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    choices = [np.flatnonzero(row) for row in mask]
    return np.array(list(itertools.product(*choices)), dtype=np.int64).reshape(-1, len(choices))


def _scored(problem: _Problem, mask: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
    if not mask.any(axis=1).all():
        return np.zeros((0, mask.shape[0]), dtype=np.int64), np.zeros((0, len(problem.ps)))
    packages = _packages(mask)
    packages = packages[links_satisfied(problem.links, packages)]
    points = np.array([problem.utilities(p) for p in packages]).reshape(-1, len(problem.ps))
    return packages, points


def zone_dependence_by_enumeration(
    compiled: Compiled, parties: Sequence[str] | None = None
) -> ZoneDependence:
    """The reference for :func:`zone_dependence` on small spaces: every package scored."""
    problem = _problem(compiled, parties)
    ids = tuple(compiled.party_ids[p] for p in problem.ps)
    packages, points = _scored(problem, problem.mask)
    meets = points >= problem.batna - EXACT
    ok = meets.all(axis=1)
    batnas = []
    for k, pid in enumerate(ids):
        others = np.delete(meets, k, axis=1).all(axis=1)
        best = float(points[others, k].max()) if others.any() else None
        margin = None if best is None else best - float(problem.batna[k])
        batnas.append(BatnaMargin(pid, float(problem.batna[k]), best, margin))
    effects: list[RedLineEffect] = []
    if not ok.any():
        for _, p, pid, i in _red_line_groups(compiled, problem):
            _, pts = _scored(problem, _mask_without(compiled, problem, p, i))
            if (pts >= problem.batna - EXACT).all(axis=1).any():
                refused = np.flatnonzero(compiled.valid[i] & ~compiled.allowed[p, i])
                names = tuple(compiled.option_ids[i][o] for o in refused)
                effects.append(RedLineEffect("remove", compiled.issue_ids[i], names, pid))
    else:
        accepted = packages[ok]
        for i in range(compiled.n_issues):
            column = np.unique(accepted[:, i])
            if column.size == 1:
                o = int(column[0])
                effects.append(
                    RedLineEffect(
                        "add",
                        compiled.issue_ids[i],
                        (compiled.option_ids[i][o],),
                        None,
                        _tighteners(compiled, problem, i),
                    )
                )
    return ZoneDependence(bool(ok.any()), ids, tuple(batnas), tuple(effects), 0)
