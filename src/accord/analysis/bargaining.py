"""Bargaining solutions over the packages that cross no red line and give every party at least
its BATNA (the disagreement point ``d``) and satisfy every cross-issue constraint.

* ``nash``: maximise ``sum_p a_p log(u_p - d_p)`` (symmetric, or weighted by ``a``).
* ``kalai_smorodinsky``: maximise the smallest gain as a share of the party's best feasible
  gain, ``min_p (u_p - d_p) / (best_p - d_p)``.
* ``egalitarian``: maximise the smallest gain over a baseline draft (the status quo by default),
  each party's gain measured on its own utility range (the Smartsettle maximin rule).
* ``utilitarian``: maximise the sum of utilities, each on its own range ``(u - min) / (max - min)``.

Each solution is invariant under a positive affine rescaling of any party's values (and BATNA).
``method="milp"`` is exact at any size (HiGHS; the Nash product by tangent cuts on the logarithm
until the bound meets an exactly scored package); ``method="enumerate"`` scores every package,
the reference for small spaces.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.analysis.milp import EXACT, PackageModel
from accord.analysis.space import (
    ENUMERATE_LIMIT,
    SpaceTooLarge,
    contributions,
    option_mask,
    party_indices,
    space_size,
)
from accord.compile import Compiled, CompiledLink, links_satisfied

Method = Literal["milp", "enumerate"]
SOLUTIONS = ("nash", "ks", "egalitarian", "utilitarian")
FloatArray = npt.NDArray[np.float64]
PackageLike = Sequence[int] | npt.NDArray[np.int64]


@dataclass(frozen=True)
class BargainingSolution:
    """A bargaining solution: the package (an option index per issue), each party's utility,
    gain over BATNA and gain on its own range, and the objective's value. ``package`` is None
    when no package qualifies; ``reason`` then says why."""

    solution: str
    parties: tuple[str, ...]
    package: tuple[int, ...] | None
    utilities: dict[str, float]
    gains: dict[str, float]
    objective: float | None
    method: str
    reason: str | None = None

    @property
    def found(self) -> bool:
        """Whether the solution found a package."""
        return self.package is not None

    def to_dict(self, compiled: Compiled | None = None) -> dict[str, Any]:
        """The solution as plain JSON-ready data (option ids where compiled is given)."""
        package: Any = list(self.package) if self.package is not None else None
        if compiled is not None and self.package is not None:
            package = {
                compiled.issue_ids[i]: compiled.option_ids[i][o] for i, o in enumerate(self.package)
            }
        return {
            "solution": self.solution,
            "parties": list(self.parties),
            "package": package,
            "utilities": self.utilities,
            "gains": self.gains,
            "objective": self.objective,
            "method": self.method,
            "reason": self.reason,
        }


# --- shared ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    compiled: Compiled
    ps: list[int]
    mask: npt.NDArray[np.bool_]
    contrib: FloatArray  # (I, O, P')
    batna: FloatArray
    low: FloatArray  # each party's lowest utility over all packages
    span: FloatArray  # max - min (1 where a party is indifferent)
    links: tuple[CompiledLink, ...] = ()

    def utilities(self, package: PackageLike) -> FloatArray:
        total = np.zeros(len(self.ps))
        for i, o in enumerate(package):
            total = total + self.contrib[i, o]
        return total

    def model(self) -> PackageModel:
        model = PackageModel(self.mask, self.contrib)
        model.add_links(self.links)
        for k in range(len(self.ps)):
            model.add_row(model.utility_coefficients(k), float(self.batna[k]))
        return model

    def acceptable(self, package: PackageLike) -> bool:
        return bool(
            np.all(self.utilities(package) >= self.batna - EXACT)
            and links_satisfied(self.links, np.asarray(package))
        )


def _problem(compiled: Compiled, parties: Sequence[str] | None) -> _Problem:
    ps = party_indices(compiled, parties)
    span = compiled.utility_max[ps] - compiled.utility_min[ps]
    return _Problem(
        compiled=compiled,
        ps=ps,
        mask=option_mask(compiled, ps, red_lines=True),
        contrib=contributions(compiled, ps),
        batna=compiled.batna[ps].astype(float),
        low=compiled.utility_min[ps].astype(float),
        span=np.where(span > EXACT, span, 1.0),  # indifferent (to float noise): no scaling
        links=compiled.links,
    )


def _result(
    problem: _Problem,
    solution: str,
    method: str,
    package: PackageLike | None,
    objective: float | None,
    reason: str | None = None,
) -> BargainingSolution:
    ids = tuple(problem.compiled.party_ids[p] for p in problem.ps)
    if package is None:
        return BargainingSolution(solution, ids, None, {}, {}, None, method, reason)
    u = problem.utilities(package)
    return BargainingSolution(
        solution=solution,
        parties=ids,
        package=tuple(int(o) for o in package),
        utilities={pid: float(x) for pid, x in zip(ids, u, strict=True)},
        gains={pid: float(x) for pid, x in zip(ids, u - problem.batna, strict=True)},
        objective=objective,
        method=method,
        reason=reason,
    )


_NONE = "no package crosses no red line and gives every party at least its BATNA"


def _feasible_packages(problem: _Problem) -> tuple[npt.NDArray[np.int64], FloatArray]:
    size = space_size(problem.mask)
    if size > ENUMERATE_LIMIT:
        raise SpaceTooLarge(
            f"the space has {size:,} packages; enumeration is limited to {ENUMERATE_LIMIT:,}"
            " (expected method='milp' for larger spaces)"
        )
    choices = [np.flatnonzero(row) for row in problem.mask]
    packages = np.array(list(itertools.product(*choices)), dtype=np.int64).reshape(-1, len(choices))
    points = np.zeros((packages.shape[0], len(problem.ps)))
    for i in range(len(choices)):
        points = points + problem.contrib[i, packages[:, i]]
    ok = np.all(points >= problem.batna - EXACT, axis=1) & links_satisfied(problem.links, packages)
    return packages[ok], points[ok]


def _best_by_enumeration(
    problem: _Problem, score: FloatArray, packages: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], float] | None:
    if packages.shape[0] == 0 or not np.any(np.isfinite(score)):
        return None
    j = int(np.argmax(score))  # the first (lexicographically smallest) among equals
    return packages[j], float(score[j])


def _solve_exact(
    model: PackageModel,
    problem: _Problem,
    objective: dict[int, float],
    time_limit: float | None = None,
) -> Any:
    """Solve, cutting off packages that met the BATNA rows only within solver tolerance
    (``time_limit``: seconds for each solve, :class:`SolveTimeout` past it)."""
    while True:
        answer = model.solve(objective, time_limit=time_limit)
        if answer is None:
            return None
        package, value = answer
        if problem.acceptable(package):
            return package, value
        model.exclude(package)


# --- utilitarian and egalitarian -------------------------------------------------------------


def utilitarian(
    compiled: Compiled, parties: Sequence[str] | None = None, *, method: Method = "milp"
) -> BargainingSolution:
    """Maximise the sum of range-normalised utilities over acceptable packages."""
    problem = _problem(compiled, parties)

    def value(points: FloatArray) -> FloatArray:
        return np.asarray(((points - problem.low) / problem.span).sum(axis=-1))

    if method == "enumerate":
        packages, points = _feasible_packages(problem)
        best = _best_by_enumeration(problem, value(points), packages)
    else:
        model = problem.model()
        best = _solve_exact(model, problem, _range_sum(model, problem))
    if best is None:
        return _result(problem, "utilitarian", method, None, None, _NONE)
    package = best[0]
    return _result(
        problem, "utilitarian", method, package, float(value(problem.utilities(package)))
    )


def _range_sum(model: PackageModel, problem: _Problem) -> dict[int, float]:
    """The objective ``sum_p u_p / range_p`` over the model's option variables."""
    objective: dict[int, float] = {}
    for k in range(len(problem.ps)):
        for j, c in model.utility_coefficients(k).items():
            objective[j] = objective.get(j, 0.0) + c / float(problem.span[k])
    return objective


def egalitarian(
    compiled: Compiled,
    parties: Sequence[str] | None = None,
    *,
    baseline: str | PackageLike | None = None,
    method: Method = "milp",
) -> BargainingSolution:
    """Maximise the smallest gain over ``baseline`` (a draft id or a package; the status quo by
    default), each gain divided by the party's utility range (Smartsettle's maximin)."""
    problem = _problem(compiled, parties)
    if baseline is None:
        base_package: PackageLike = compiled.status_quo
    elif isinstance(baseline, str):
        base_package = compiled.drafts[baseline].package
    else:
        base_package = baseline
    base = problem.utilities(base_package)

    def value(points: FloatArray) -> FloatArray:
        return np.asarray(((points - base) / problem.span).min(axis=-1))

    best = _maximin(problem, method, value, offset=base, scale=problem.span)
    if best is None:
        return _result(problem, "egalitarian", method, None, None, _NONE)
    return _result(problem, "egalitarian", method, best, float(value(problem.utilities(best))))


def _maximin(
    problem: _Problem,
    method: Method,
    value: Any,
    offset: FloatArray,
    scale: FloatArray,
    include: npt.NDArray[np.bool_] | None = None,
    time_limit: float | None = None,
) -> npt.NDArray[np.int64] | None:
    """The package maximising ``min_p (u_p - offset_p) / scale_p`` over acceptable packages
    (parties with ``include`` False left out of the minimum; ``time_limit`` as in
    :func:`_solve_exact`)."""
    if method == "enumerate":
        packages, points = _feasible_packages(problem)
        found = _best_by_enumeration(problem, value(points), packages)
        return None if found is None else found[0]
    model = problem.model()
    if include is not None and not include.any():  # nobody can gain: any acceptable package
        answer = _solve_exact(model, problem, {})
        return None if answer is None else answer[0]
    t = model.add_column()
    for k in range(len(problem.ps)):
        if include is not None and not include[k]:
            continue
        row = {j: c / float(scale[k]) for j, c in model.utility_coefficients(k).items()}
        row[t] = -1.0
        model.add_row(row, float(offset[k] / scale[k]))
    answer = _solve_exact(model, problem, {t: 1.0}, time_limit)
    return None if answer is None else answer[0]


def pareto_gap(
    compiled: Compiled,
    point: Sequence[float] | FloatArray,
    parties: Sequence[str] | None = None,
    *,
    method: Method = "milp",
) -> float | None:
    """How much every party could gain at once over ``point`` (utilities, in ``parties`` order):
    the largest ``t`` such that some package crossing no red line of these parties, and giving
    each of them at least its BATNA, gives every party at least ``point[p] + t``.

    0 for an acceptable, weakly Pareto-optimal outcome; positive where value was left on the
    table for everyone; negative where no acceptable package is as good for all (an outcome
    that crossed a red line, say). None where no package is acceptable to all. Exact at any size
    (one max-min program); ``method="enumerate"`` is the reference for small spaces."""
    problem = _problem(compiled, parties)
    u = np.asarray(point, dtype=float)
    if u.shape != (len(problem.ps),):
        raise ValueError(
            f"point has {u.size} utilities (expected one per party: {len(problem.ps)})"
        )

    def value(points: FloatArray) -> FloatArray:
        return np.asarray((points - u).min(axis=-1))

    best = _maximin(problem, method, value, offset=u, scale=np.ones(len(problem.ps)))
    return None if best is None else float(value(problem.utilities(best)))


# --- Kalai-Smorodinsky -----------------------------------------------------------------------


def kalai_smorodinsky(
    compiled: Compiled, parties: Sequence[str] | None = None, *, method: Method = "milp"
) -> BargainingSolution:
    """Maximise the smallest share of each party's best feasible gain over its BATNA."""
    problem = _problem(compiled, parties)
    ideal = _ideal(problem, method)
    if ideal is None:
        return _result(problem, "ks", method, None, None, _NONE)
    reach = ideal - problem.batna
    include = reach > EXACT
    scale = np.where(include, reach, 1.0)

    def value(points: FloatArray) -> FloatArray:
        shares = (points - problem.batna) / scale
        return (
            np.asarray(np.where(include, shares, np.inf).min(axis=-1))
            if include.any()
            else (np.zeros(points.shape[:-1]))
        )

    best = _maximin(problem, method, value, offset=problem.batna, scale=scale, include=include)
    if best is None:  # pragma: no cover - the ideal exists, so a package does
        return _result(problem, "ks", method, None, None, _NONE)
    return _result(problem, "ks", method, best, float(value(problem.utilities(best))))


def _ideal(problem: _Problem, method: Method) -> FloatArray | None:
    """Each party's best utility over acceptable packages."""
    if method == "enumerate":
        packages, points = _feasible_packages(problem)
        return None if packages.shape[0] == 0 else points.max(axis=0)
    best = np.zeros(len(problem.ps))
    for k in range(len(problem.ps)):
        model = problem.model()
        answer = _solve_exact(model, problem, model.utility_coefficients(k))
        if answer is None:
            return None
        best[k] = problem.utilities(answer[0])[k]
    return best


# --- Nash ------------------------------------------------------------------------------------


def nash(
    compiled: Compiled,
    parties: Sequence[str] | None = None,
    *,
    weights: Sequence[float] | None = None,
    method: Method = "milp",
) -> BargainingSolution:
    """Maximise the (weighted) Nash product of gains over each party's BATNA; the objective
    reported is ``sum_p a_p log(u_p - d_p)``."""
    problem = _problem(compiled, parties)
    alpha = np.ones(len(problem.ps)) if weights is None else np.asarray(weights, dtype=float)
    if alpha.shape != (len(problem.ps),) or np.any(alpha <= 0):
        raise ValueError(
            f"weights must be {len(problem.ps)} positive numbers, one per party (got {weights})"
        )

    def value(points: FloatArray) -> FloatArray:
        gains = points - problem.batna
        positive = gains > EXACT  # a gain within float noise of 0 counts as none
        logs = np.where(positive, np.log(np.where(positive, gains, 1.0)), -np.inf)
        return np.asarray((alpha * logs).sum(axis=-1))

    none_positive = (
        "every acceptable package leaves some party at exactly its BATNA"
        " (the Nash product is 0 everywhere)"
    )
    if method == "enumerate":
        packages, points = _feasible_packages(problem)
        if packages.shape[0] == 0:
            return _result(problem, "nash", method, None, None, _NONE)
        found = _best_by_enumeration(problem, value(points), packages)
        if found is None:
            return _result(problem, "nash", method, None, None, none_positive)
        return _result(problem, "nash", method, found[0], found[1])
    return _nash_by_cuts(problem, alpha, value, none_positive)


def _nash_by_cuts(
    problem: _Problem, alpha: FloatArray, value: Any, none_positive: str
) -> BargainingSolution:
    n = len(problem.ps)
    ones = np.ones(n)
    start = _maximin(problem, "milp", None, offset=problem.batna, scale=ones)
    if start is None:
        return _result(problem, "nash", "milp", None, None, _NONE)
    floor = float(np.min(problem.utilities(start) - problem.batna))
    if floor <= EXACT:
        return _result(problem, "nash", "milp", None, None, none_positive)
    top = np.maximum(problem.low + problem.span - problem.batna, floor)
    model = problem.model()
    ys = [model.add_column(-60.0, float(math.log(top[k])) + 1.0) for k in range(n)]

    def cut(k: int, z: float) -> None:
        # y_k <= log z + (g_k - z) / z, with g_k = u_k - d_k
        row = {j: -c / z for j, c in model.utility_coefficients(k).items()}
        row[ys[k]] = 1.0
        model.add_row(row, -math.inf, math.log(z) - 1.0 - float(problem.batna[k]) / z)

    for k in range(n):
        for z in np.geomspace(min(floor, top[k]), top[k], 8):
            cut(k, float(z))
    objective = {ys[k]: float(alpha[k]) for k in range(n)}
    best_package = start
    best_value = float(value(problem.utilities(start)))
    seen: set[tuple[int, ...]] = set()
    for _ in range(500):
        answer = _solve_exact(model, problem, objective)
        assert answer is not None  # `start` is feasible
        package, bound = answer
        exact_value = float(value(problem.utilities(package)))
        if exact_value > best_value:
            best_package, best_value = package, exact_value
        key = tuple(int(o) for o in package)
        if bound - best_value <= 1e-12 * max(1.0, abs(best_value)) or key in seen:
            break
        seen.add(key)
        gains = problem.utilities(package) - problem.batna
        for k in range(n):
            if gains[k] > 0:
                cut(k, float(gains[k]))
    return _result(problem, "nash", "milp", best_package, best_value)


def solve(
    compiled: Compiled,
    solution: str,
    parties: Sequence[str] | None = None,
    *,
    method: Method = "milp",
    baseline: str | None = None,
) -> BargainingSolution:
    """One solution by name: nash, ks, egalitarian or utilitarian."""
    if solution == "nash":
        return nash(compiled, parties, method=method)
    if solution == "ks":
        return kalai_smorodinsky(compiled, parties, method=method)
    if solution == "egalitarian":
        return egalitarian(compiled, parties, baseline=baseline, method=method)
    if solution == "utilitarian":
        return utilitarian(compiled, parties, method=method)
    raise ValueError(f"unknown solution {solution!r} (expected one of: {', '.join(SOLUTIONS)})")
