"""Is there an agreement all parties could accept, and if not, what would have to move?

* :func:`zopa`: whether any package crosses no red line and meets every BATNA, with an example.
  The answer comes from one feasibility solve; by default the example is the acceptable package
  that solve found (``example_rule`` "feasible"); ``example="maximin"`` asks, in addition, for
  the package that maximises the smallest gain over BATNA, each on the party's own range
  (``example_rule`` "maximin" once proven; with a ``time_limit`` it falls back to the feasible
  example, and says so, where the optimum is not proven in time).
* :func:`minimal_relaxations`: when the zone is empty, the minimal sets of constraints (a party's
  red line on an issue, or a party's BATNA lowered by a stated amount) whose relaxation opens
  it, smallest first, each with an example package (the one its feasibility solve found, or the
  maximin one on request). Minimal: no proper subset opens it.
* :func:`bridge`: the acceptable package that changes the fewest issues of a draft (ties broken by
  the largest smallest gain), and which points change.
* :func:`improve`: Pareto improvements of a draft (no party worse, some better), crossing no red
  line the draft does not already cross.
* :func:`logrolls`: issue pairs where two parties both gain by trading concessions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.analysis.bargaining import _maximin, _Problem, _problem, _range_sum, _solve_exact
from accord.analysis.milp import EXACT, SolveTimeout
from accord.analysis.space import SpaceTooLarge, _fast
from accord.compile import Compiled, CompiledDraft, links_satisfied

FloatArray = npt.NDArray[np.float64]

ExampleRule = Literal["feasible", "maximin"]
EXAMPLE_RULES: dict[str, str] = {
    "feasible": "an acceptable package found by the feasibility check (not optimised)",
    "maximin": "the package best for the worst-off (the largest smallest gain over BATNA,"
    " each party on its own range)",
}


def _check_rule(example: str) -> None:
    if example not in EXAMPLE_RULES:
        raise ValueError(f"unknown example rule {example!r} (expected 'feasible' or 'maximin')")


def _package_dict(compiled: Compiled, package: Sequence[int]) -> dict[str, str]:
    return {compiled.issue_ids[i]: compiled.option_ids[i][int(o)] for i, o in enumerate(package)}


@dataclass(frozen=True)
class Zopa:
    """The zone of agreement: whether a package acceptable to all exists, with an example."""

    open: bool
    parties: tuple[str, ...]
    example: tuple[int, ...] | None
    utilities: dict[str, float]
    blocked_issues: tuple[str, ...]  # issues where the red lines together leave no option
    example_rule: str | None = None  # which rule chose the example (EXAMPLE_RULES); None if closed

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The zone as plain JSON-ready data (option ids where compiled is given)."""
        data = asdict(self)
        if compiled is not None and self.example is not None:
            data["example"] = _package_dict(compiled, self.example)
        return data


def _best_example(
    problem: _Problem, time_limit: float | None = None
) -> npt.NDArray[np.int64] | None:
    reach = problem.low + problem.span - problem.batna
    scale = np.where(reach > EXACT, reach, 1.0)
    return _maximin(problem, "milp", None, offset=problem.batna, scale=scale, time_limit=time_limit)


def _example(
    problem: _Problem, found: npt.NDArray[np.int64], example: str, time_limit: float | None
) -> tuple[npt.NDArray[np.int64], str]:
    """The example package and the rule that chose it: the feasible one unless ``example`` is
    "maximin" and its optimum is proven (within ``time_limit`` seconds where given)."""
    if example != "maximin":
        return found, "feasible"
    try:
        best = _best_example(problem, time_limit)
    except SolveTimeout:
        return found, "feasible"
    return (found, "feasible") if best is None else (best, "maximin")


def zopa(
    compiled: Compiled,
    parties: Sequence[str] | None = None,
    *,
    example: ExampleRule = "feasible",
    time_limit: float | None = None,
) -> Zopa:
    """Whether any package is acceptable to every party (exact, by one MILP feasibility solve),
    with an example package. ``example="feasible"`` (the default) returns the acceptable package
    that solve found; ``example="maximin"`` then optimises for the worst-off party (with
    ``time_limit`` seconds: where the optimum is not proven in time, the feasible example is
    kept). ``example_rule`` on the result says which rule chose the example."""
    _check_rule(example)
    problem = _problem(compiled, parties)
    ids = tuple(compiled.party_ids[p] for p in problem.ps)
    blocked = tuple(compiled.issue_ids[i] for i in np.flatnonzero(~problem.mask.any(axis=1)))
    found = None if blocked else _opens(problem)
    if found is None:
        return Zopa(False, ids, None, {}, blocked)
    package, rule = _example(problem, found, example, time_limit)
    u = problem.utilities(package)
    return Zopa(
        True,
        ids,
        tuple(int(o) for o in package),
        {pid: float(x) for pid, x in zip(ids, u, strict=True)},
        (),
        rule,
    )


def zopa_by_enumeration(compiled: Compiled, parties: Sequence[str] | None = None) -> Zopa:
    """The reference for :func:`zopa` on small spaces: every package scored, the zone open where
    any is acceptable to all, the example the maximin one (ties: first in enumeration order)."""
    problem = _problem(compiled, parties)
    ids = tuple(compiled.party_ids[p] for p in problem.ps)
    blocked = tuple(compiled.issue_ids[i] for i in np.flatnonzero(~problem.mask.any(axis=1)))
    if blocked:
        return Zopa(False, ids, None, {}, blocked)
    reach = problem.low + problem.span - problem.batna
    scale = np.where(reach > EXACT, reach, 1.0)
    best: tuple[float, tuple[int, ...]] | None = None
    choices = [np.flatnonzero(row) for row in problem.mask]
    for combo in itertools.product(*choices):
        package = np.array(combo, dtype=np.int64)
        if not problem.acceptable(package):
            continue
        value = float(np.min((problem.utilities(package) - problem.batna) / scale))
        if best is None or value > best[0]:
            best = (value, tuple(int(o) for o in package))
    if best is None:
        return Zopa(False, ids, None, {}, ())
    u = problem.utilities(best[1])
    return Zopa(
        True, ids, best[1], {pid: float(x) for pid, x in zip(ids, u, strict=True)}, (), "maximin"
    )


# --- minimal relaxations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """A constraint that can be relaxed: ``kind`` "red_line" (every red line of ``party`` on
    ``issue``) or "batna" (``party``'s BATNA lowered by ``amount``)."""

    kind: str
    party: str
    issue: str | None = None
    amount: float | None = None
    options: tuple[str, ...] = ()

    def describe(self) -> str:
        """The constraint as a sentence."""
        if self.kind == "red_line":
            return f"{self.party} drops its red line on {self.issue} ({', '.join(self.options)})"
        return f"{self.party} lowers its BATNA by {self.amount:g}"


@dataclass(frozen=True)
class Relaxation:
    """One set of red lines or BATNAs whose removal opens the zone."""

    constraints: tuple[Constraint, ...]
    example: tuple[int, ...]
    utilities: dict[str, float]

    @property
    def size(self) -> int:
        """The number of constraints relaxed."""
        return len(self.constraints)

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The relaxation as plain JSON-ready data."""
        data = asdict(self)
        data["describe"] = [c.describe() for c in self.constraints]
        if compiled is not None:
            data["example"] = _package_dict(compiled, self.example)
        return data


@dataclass(frozen=True)
class Relaxations:
    """The smallest relaxations that open the zone."""

    zopa_open: bool
    max_size: int
    batna_step: float
    candidates: int
    checked: int
    relaxations: tuple[Relaxation, ...] = field(default=())
    example_rule: str = "feasible"  # the rule each relaxation's example was chosen by

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The relaxations as plain JSON-ready data."""
        return {
            "example_rule": self.example_rule,
            "zopa_open": self.zopa_open,
            "max_size": self.max_size,
            "batna_step": self.batna_step,
            "candidates": self.candidates,
            "checked": self.checked,
            "relaxations": [r.to_dict(compiled) for r in self.relaxations],
        }


def _candidates(compiled: Compiled, problem: _Problem, step: float) -> list[Constraint]:
    out = []
    for k, p in enumerate(problem.ps):
        pid = compiled.party_ids[p]
        for i in range(compiled.n_issues):
            refused = np.flatnonzero(compiled.valid[i] & ~compiled.allowed[p, i])
            if refused.size:
                names = tuple(compiled.option_ids[i][o] for o in refused)
                out.append(Constraint("red_line", pid, compiled.issue_ids[i], None, names))
        if problem.batna[k] > 0:
            out.append(Constraint("batna", pid, None, float(min(step, problem.batna[k]))))
    return out


def _relaxed(compiled: Compiled, problem: _Problem, constraints: Sequence[Constraint]) -> _Problem:
    """The problem with the given red lines dropped and BATNAs lowered."""
    dropped = {(c.party, c.issue) for c in constraints if c.kind == "red_line"}
    mask = compiled.valid.copy()
    batna = problem.batna.copy()
    for k, p in enumerate(problem.ps):
        pid = compiled.party_ids[p]
        for i in range(compiled.n_issues):
            if (pid, compiled.issue_ids[i]) not in dropped:
                mask[i] &= compiled.allowed[p, i]
        batna[k] -= sum(
            c.amount or 0.0 for c in constraints if c.kind == "batna" and c.party == pid
        )
    return replace(problem, mask=mask, batna=batna)


def _opens(problem: _Problem) -> npt.NDArray[np.int64] | None:
    if not problem.mask.any(axis=1).all():
        return None
    best = np.zeros(len(problem.ps))
    for i in range(problem.mask.shape[0]):
        best += problem.contrib[i][problem.mask[i]].max(axis=0)
    if np.any(best < problem.batna - EXACT):  # even each party's best cannot reach its BATNA
        return None
    model = problem.model()
    answer = _solve_exact(model, problem, {})
    return None if answer is None else answer[0]


def minimal_relaxations(
    compiled: Compiled,
    parties: Sequence[str] | None = None,
    *,
    max_size: int = 3,
    batna_step: float = 0.1,
    example: ExampleRule = "feasible",
) -> Relaxations:
    """Every minimal set of at most ``max_size`` constraints whose relaxation opens the zone of
    possible agreement, smallest first (then in candidate order). One feasibility solve per set
    checked; each example is the package that solve found (``example="maximin"``: one more
    solve per minimal set for the package best for the worst-off)."""
    _check_rule(example)
    problem = _problem(compiled, parties)
    if _opens(problem) is not None:
        return Relaxations(True, max_size, batna_step, 0, 0, (), example)
    candidates = _candidates(compiled, problem, batna_step)
    found: list[Relaxation] = []
    found_sets: list[frozenset[int]] = []
    checked = 0
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(range(len(candidates)), size):
            chosen = frozenset(combo)
            if any(s <= chosen for s in found_sets):
                continue  # a smaller set already opens it: this one is not minimal
            checked += 1
            relaxed = _relaxed(compiled, problem, [candidates[c] for c in combo])
            opened = _opens(relaxed)
            if opened is None:
                continue
            package = _best_example(relaxed) if example == "maximin" else opened
            package = opened if package is None else package
            u = relaxed.utilities(package)
            ids = [compiled.party_ids[p] for p in problem.ps]
            found.append(
                Relaxation(
                    tuple(candidates[c] for c in combo),
                    tuple(int(o) for o in package),
                    {pid: float(x) for pid, x in zip(ids, u, strict=True)},
                )
            )
            found_sets.append(chosen)
    return Relaxations(False, max_size, batna_step, len(candidates), checked, tuple(found), example)


# --- bridge and improve ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One issue changed by a bridge, from the draft's option to another."""

    issue: str
    from_option: str
    from_point: int | None
    to_option: str


@dataclass(frozen=True)
class Bridge:
    """The fewest issue changes that make a draft acceptable to all."""

    draft: str
    found: bool
    package: tuple[int, ...] | None
    changes: tuple[Change, ...]
    utilities_before: dict[str, float]
    utilities_after: dict[str, float]
    min_gain: float | None

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The bridge as plain JSON-ready data."""
        data = asdict(self)
        if compiled is not None and self.package is not None:
            data["package"] = _package_dict(compiled, self.package)
        return data


def _draft(compiled: Compiled, draft: str | CompiledDraft) -> CompiledDraft:
    return compiled.drafts[draft] if isinstance(draft, str) else draft


def bridge(
    compiled: Compiled, draft: str | CompiledDraft, parties: Sequence[str] | None = None
) -> Bridge:
    """The acceptable package closest to ``draft`` (fewest issues changed; then the largest
    smallest gain over BATNA on each party's own range)."""
    d = _draft(compiled, draft)
    problem = _problem(compiled, parties)
    ids = [compiled.party_ids[p] for p in problem.ps]
    before = {pid: float(x) for pid, x in zip(ids, problem.utilities(d.package), strict=True)}
    keep_cols = [j for j, (i, o) in enumerate(problem.model().cols) if d.package[i] == o]
    model = problem.model()
    answer = _solve_exact(model, problem, {j: 1.0 for j in keep_cols})
    if answer is None:
        return Bridge(d.id, False, None, (), before, {}, None)
    kept = int(sum(1 for i, o in enumerate(answer[0]) if d.package[i] == o))
    # second stage: as few changes, and the largest smallest gain
    model = problem.model()
    model.add_row({j: 1.0 for j in keep_cols}, float(kept) - 0.5)
    reach = problem.low + problem.span - problem.batna
    scale = np.where(reach > EXACT, reach, 1.0)
    t = model.add_column()
    for k in range(len(problem.ps)):
        row = {j: c / float(scale[k]) for j, c in model.utility_coefficients(k).items()}
        row[t] = -1.0
        model.add_row(row, float(problem.batna[k] / scale[k]))
    second = _solve_exact(model, problem, {t: 1.0})
    package = second[0] if second is not None else answer[0]
    u = problem.utilities(package)
    changes = tuple(
        Change(
            issue=compiled.issue_ids[i],
            from_option=compiled.option_ids[i][d.package[i]],
            from_point=int(d.set_by[i]) if d.set_by[i] >= 0 else None,
            to_option=compiled.option_ids[i][int(o)],
        )
        for i, o in enumerate(package)
        if d.package[i] != o
    )
    return Bridge(
        draft=d.id,
        found=True,
        package=tuple(int(o) for o in package),
        changes=changes,
        utilities_before=before,
        utilities_after={pid: float(x) for pid, x in zip(ids, u, strict=True)},
        min_gain=float(np.min((u - problem.batna) / scale)),
    )


@dataclass(frozen=True)
class Improvements:
    """Pareto improvements on a draft: packages no party likes less and some like more."""

    draft: str
    parties: tuple[str, ...]
    points: FloatArray
    packages: npt.NDArray[np.int64]
    truncated: bool

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The improvements as plain JSON-ready data."""
        return {
            "draft": self.draft,
            "parties": list(self.parties),
            "truncated": self.truncated,
            "improvements": [
                {
                    "utilities": dict(zip(self.parties, map(float, point), strict=True)),
                    "package": _package_dict(compiled, pk) if compiled else [int(o) for o in pk],
                }
                for point, pk in zip(self.points, self.packages, strict=True)
            ],
        }


def improve(
    compiled: Compiled,
    draft: str | CompiledDraft,
    parties: Sequence[str] | None = None,
    *,
    cap: int = 50,
) -> Improvements:
    """The Pareto-optimal packages that no party likes less than ``draft`` and some like more,
    crossing no red line the draft does not already cross. Exact while the frontier above the
    draft is small enough to build; otherwise the best one by the utilitarian rule, truncated."""
    d = _draft(compiled, draft)
    problem = _problem(compiled, parties)
    ids = tuple(compiled.party_ids[p] for p in problem.ps)
    mask = problem.mask.copy()
    mask[np.arange(compiled.n_issues), d.package] = True
    floor = problem.utilities(d.package)
    try:
        points, packages, exact = _fast(problem.contrib, mask, floor)
        if compiled.links:  # a filtered frontier: exact only without constraints
            keep = links_satisfied(compiled.links, packages)
            exact = exact and bool(keep.all())
            points, packages = points[keep], packages[keep]
        better = np.any(points > floor, axis=1)
        points, packages = points[better], packages[better]
        truncated = not exact or points.shape[0] > cap
        points, packages = points[:cap], packages[:cap]
    except SpaceTooLarge:
        relaxed = replace(problem, mask=mask, batna=floor)
        model = relaxed.model()
        answer = _solve_exact(model, relaxed, _range_sum(model, relaxed))
        best = answer[0][None, :] if answer is not None else np.zeros((0, compiled.n_issues), int)
        pts = np.array([relaxed.utilities(p) for p in best]).reshape(-1, len(problem.ps))
        keep = np.any(pts > floor + EXACT, axis=1)
        points, packages, truncated = pts[keep], best[keep], True
    return Improvements(d.id, ids, points, packages.astype(np.int64), truncated)


# --- logrolls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logroll:
    """``a`` concedes ``a_gives`` (moved to ``a_gives_option``, which ``b`` prefers) and ``b``
    concedes ``b_gives`` (moved to ``b_gives_option``, which ``a`` prefers); both gain."""

    a_gives: str
    a_gives_option: str
    b_gives: str
    b_gives_option: str
    gain_a: float
    gain_b: float


def logrolls(
    compiled: Compiled,
    a: str,
    b: str,
    *,
    reference: str | Sequence[int] | None = None,
    top: int = 10,
) -> tuple[Logroll, ...]:
    """Two-issue trades from ``reference`` (a draft id or package; the status quo by default)
    that raise both parties' utilities, crossing neither's red lines: on one issue ``a`` moves
    towards ``b``'s preference, on another ``b`` towards ``a``'s. Sorted by the smaller of the
    two gains (each on the party's own utility range), best first."""
    pa, pb = compiled.party_index(a), compiled.party_index(b)
    if reference is None:
        x0 = compiled.status_quo
    elif isinstance(reference, str):
        x0 = compiled.drafts[reference].package
    else:
        x0 = np.asarray(reference)
    span = np.maximum(compiled.utility_max - compiled.utility_min, EXACT)
    contrib = compiled.weights[:, :, None] * compiled.values  # (P, I, O)
    issues = np.arange(compiled.n_issues)
    delta = contrib - contrib[:, issues, x0][:, :, None]  # change from the reference option
    ok = compiled.valid & compiled.allowed[pa] & compiled.allowed[pb]
    moves = [(i, o) for i in range(compiled.n_issues) for o in np.flatnonzero(ok[i]) if o != x0[i]]
    out = []
    for (i, o), (j, q) in itertools.permutations(moves, 2):
        if i == j:
            continue
        # on issue i, a gives (a loses, b gains); on issue j, b gives (b loses, a gains)
        if not (delta[pa, i, o] < 0 < delta[pb, i, o] and delta[pb, j, q] < 0 < delta[pa, j, q]):
            continue
        if compiled.links:
            traded = np.array(x0, dtype=np.int64)
            traded[i], traded[j] = o, q
            if not links_satisfied(compiled.links, traded):
                continue
        ga = (delta[pa, i, o] + delta[pa, j, q]) / span[pa]
        gb = (delta[pb, i, o] + delta[pb, j, q]) / span[pb]
        if ga > EXACT and gb > EXACT:
            out.append(
                Logroll(
                    compiled.issue_ids[i],
                    compiled.option_ids[i][o],
                    compiled.issue_ids[j],
                    compiled.option_ids[j][q],
                    float(ga),
                    float(gb),
                )
            )
    out.sort(key=lambda r: (-min(r.gain_a, r.gain_b), r.a_gives, r.b_gives))
    return tuple(out[:top])
