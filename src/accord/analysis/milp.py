"""Mixed-integer programs over packages, solved exactly by HiGHS.

A package is one binary variable per allowed (issue, option): ``sum_o x[i, o] = 1`` for every
issue, and each party's utility is linear in ``x``. :class:`PackageModel` builds that core once;
callers add continuous variables (``t``, ``y_p``), rows and an objective, and :meth:`solve`
returns the package. HiGHS runs with zero optimality gaps and tight feasibility tolerances, and
every answer is re-scored exactly in numpy; a package that only met a constraint within the
solver's tolerance is cut off and the model solved again, so what comes back is exact.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
INF = highspy.kHighsInf
EXACT = 1e-12
"""Slack allowed when re-checking a solver's answer in exact arithmetic (float sums)."""


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints a banner on C-level stdout when the first solver is made; keep it off our
    output (which may be JSON)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real file descriptor (an embedded interpreter): nothing to protect
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class SolveTimeout(RuntimeError):
    """HiGHS reached the time limit before proving an optimum."""


def new_highs() -> highspy.Highs:
    """A quiet HiGHS instance with the project's solver options."""
    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    for name, value in (
        ("output_flag", False),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 0.0),
        ("mip_feasibility_tolerance", 1e-9),
        ("primal_feasibility_tolerance", 1e-9),
        ("dual_feasibility_tolerance", 1e-9),
        ("threads", 1),
    ):
        h.setOptionValue(name, value)
    return h


@dataclass
class PackageModel:
    """Binary option variables for the allowed options of every issue, plus extra columns and
    rows. ``utility_rows[p]`` is the coefficient vector of party p's utility over the binaries."""

    mask: npt.NDArray[np.bool_]  # (I, O) allowed options
    utility: FloatArray  # (I, O, P) contribution of each option to each party
    cols: list[tuple[int, int]] = field(init=False)
    extra_lower: list[float] = field(default_factory=list)
    extra_upper: list[float] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cols = [(int(i), int(o)) for i, o in zip(*np.nonzero(self.mask), strict=True)]

    @property
    def n_binary(self) -> int:
        """The number of binary columns (one per allowed option of each issue)."""
        return len(self.cols)

    def utility_coefficients(self, party: int) -> dict[int, float]:
        """A party's utility as coefficients of the binary columns."""
        return {j: float(self.utility[i, o, party]) for j, (i, o) in enumerate(self.cols)}

    def add_column(self, lower: float = -INF, upper: float = INF) -> int:
        """Add a continuous column and return its index."""
        self.extra_lower.append(lower)
        self.extra_upper.append(upper)
        return self.n_binary + len(self.extra_lower) - 1

    def add_row(self, coefficients: dict[int, float], lower: float, upper: float = INF) -> None:
        """Add a row lower <= sum(coefficient * column) <= upper."""
        self.rows.append((coefficients, lower, upper))

    def add_links(self, links: Sequence[Any]) -> None:
        """Rows for cross-issue constraints (:class:`~accord.compile.CompiledLink`):
        ``excludes``: ``sum x[when] + sum x[then] <= 1``; ``requires``:
        ``sum x[when] - sum x[then] <= 0``. Options ruled out by the mask have no column and
        count as 0."""
        for link in links:
            sign = 1.0 if link.kind == "excludes" else -1.0
            row: dict[int, float] = {}
            for j, (i, o) in enumerate(self.cols):
                if i == link.when_issue and link.when_mask[o]:
                    row[j] = row.get(j, 0.0) + 1.0
                if i == link.then_issue and link.then_mask[o]:
                    row[j] = row.get(j, 0.0) + sign
            self.add_row(row, -INF, 1.0 if link.kind == "excludes" else 0.0)

    def exclude(self, package: Sequence[int] | IntArray) -> None:
        """A no-good cut: the next solve may not return ``package``."""
        chosen = {j: 1.0 for j, (i, o) in enumerate(self.cols) if package[i] == o}
        self.add_row(chosen, -INF, float(len(package) - 1))

    def solve(
        self, objective: dict[int, float], maximize: bool = True, time_limit: float | None = None
    ) -> tuple[IntArray, float] | None:
        """The optimal package and objective value, or None if no package meets the rows.
        With ``time_limit`` (seconds), :class:`SolveTimeout` where HiGHS has not proven the
        optimum by then."""
        n_issues = self.mask.shape[0]
        if not self.mask.any(axis=1).all():
            return None  # an issue with every option ruled out: no package at all
        n_cols = self.n_binary + len(self.extra_lower)
        columns: list[list[tuple[int, float]]] = [[] for _ in range(n_cols)]
        row_lower: list[float] = []
        row_upper: list[float] = []
        for j, (i, _) in enumerate(self.cols):
            columns[j].append((i, 1.0))
        row_lower += [1.0] * n_issues
        row_upper += [1.0] * n_issues
        for r, (coefficients, lower, upper) in enumerate(self.rows):
            for j, value in coefficients.items():
                if value != 0.0:
                    columns[j].append((n_issues + r, value))
            row_lower.append(lower)
            row_upper.append(upper)
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = len(row_lower)
        cost = np.zeros(n_cols)
        for j, value in objective.items():
            cost[j] = value
        lp.col_cost_ = cost
        lp.col_lower_ = np.array([0.0] * self.n_binary + self.extra_lower)
        lp.col_upper_ = np.array([1.0] * self.n_binary + self.extra_upper)
        lp.row_lower_ = np.array(row_lower)
        lp.row_upper_ = np.array(row_upper)
        lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        starts = [0]
        index: list[int] = []
        value_list: list[float] = []
        for col in columns:
            for r, v in col:
                index.append(r)
                value_list.append(v)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value_list)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n_binary + [
            highspy.HighsVarType.kContinuous
        ] * len(self.extra_lower)
        h = new_highs()
        h.passModel(lp)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            h.setOptionValue("presolve", "off")  # presolve could not tell which: ask plainly
            h.run()
            status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise SolveTimeout(f"HiGHS did not prove the optimum within {time_limit:g} s")
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS stopped with status {h.modelStatusToString(status)}")
        x = np.asarray(h.getSolution().col_value)
        package = np.full(n_issues, -1, dtype=np.int64)
        for j, (i, o) in enumerate(self.cols):
            if x[j] > 0.5:
                package[i] = o
        return package, float(h.getInfo().objective_function_value)
