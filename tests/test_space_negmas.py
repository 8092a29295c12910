"""The Pareto frontier and the Nash point against NegMAS 0.16 on the GENIUS (ANAC) domains.

The oracle is NegMAS's own parse of each domain, normalised the GENIUS way (``sum_i w_i/W *
f_i(x_i) / max f_i`` for item tables, ``f_i(x_i - lowerbound)`` for integer evaluators, as in
``test_genius.py``) and rebuilt as NegMAS ``LinearAdditiveUtilityFunction``s; NegMAS's
``pareto_frontier`` and ``nash_points`` then run on those ufuns.

Frontiers are compared as sets of utility vectors within ``TOL``. Both sides add the same numbers
in different orders, so mathematically equal utilities can differ in the last bit, and each side
may keep a point the other drops as dominated by 1e-16 (other/Jobs: NegMAS keeps (0.77,
0.655625...), accord drops it for (0.81, 0.655625)). Before matching, each side loses the points
another of its own points beats by more than ``TOL`` somewhere while losing at most ``TOL``
everywhere; accord's own points must still be mutually non-dominated in exact float terms, so a
truly dominated point it kept would fail.
"""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.analysis.space import pareto_frontier
from accord.compile import Compiled, compile_scenario
from accord.io.genius import read_genius
from accord.model.errors import ScenarioError

from .genius_data import FOLDERS, GENIUS, MISREAD_BY_NEGMAS, name, weights_by_position

pytest.importorskip("negmas", reason="negmas is the oracle and is not installed")

MAX_OUTCOMES = 400_000
"""NegMAS scores every outcome with a Python call per party (~3 s for 390,625 outcomes x 2
parties here); AMPOvsCity (1,944,000) is the only readable domain above this."""
TOL = 1e-9

if not FOLDERS:
    pytest.skip(f"GENIUS data not found at {GENIUS}", allow_module_level=True)


@functools.cache
def _compiled(folder: Path) -> Compiled | None:
    try:
        return compile_scenario(read_genius(folder))
    except ScenarioError:
        return None


def _cases(min_parties: int = 1, max_parties: int = 1_000) -> list[Any]:
    cases = []
    for folder in FOLDERS:
        compiled = _compiled(folder)
        if compiled is None or not min_parties <= compiled.n_parties <= max_parties:
            continue
        size = math.prod(int(n) for n in compiled.n_options)
        marks = []
        if size > MAX_OUTCOMES:
            marks.append(
                pytest.mark.skip(
                    reason=f"{size:,} outcomes: over the {MAX_OUTCOMES:,} cap for NegMAS's"
                    " outcome-by-outcome enumeration"
                )
            )
        elif not weights_by_position(folder):
            marks.append(MISREAD_BY_NEGMAS)
        cases.append(pytest.param(folder, id=name(folder), marks=marks))
    return cases


def _ufuns(folder: Path, reserved: list[float] | None) -> list[Any]:
    """GENIUS-normalised ``LinearAdditiveUtilityFunction``s from NegMAS's own parse;
    ``reserved`` None gives -inf reserved values (the whole frontier)."""
    from negmas import LinearAdditiveUtilityFunction
    from negmas.inout import Scenario as NegmasScenario
    from negmas.preferences.value_fun import TableFun

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = NegmasScenario.load(
            folder, ignore_discount=True, load_stats=False, load_info=False
        )
    assert loaded is not None
    issues = list(loaded.outcome_space.issues)
    ufuns = []
    for p, ufun in enumerate(loaded.ufuns):
        assert type(ufun).__name__ == "LinearAdditiveUtilityFunction"
        weights = np.asarray(ufun.weights, dtype=float)
        tables = []
        for issue, fun in zip(issues, ufun.values, strict=True):
            if type(fun).__name__ == "TableFun":
                raw = {v: float(fun(v)) for v in issue.all}
                top = max(raw.values())
                tables.append(TableFun({v: r / top if top > 0 else r for v, r in raw.items()}))
            else:
                tables.append(TableFun({v: float(fun(v - issue.min_value)) for v in issue.all}))
        ufuns.append(
            LinearAdditiveUtilityFunction(
                tables,
                weights=[float(w) for w in weights / weights.sum()],
                outcome_space=loaded.outcome_space,
                reserved_value=float("-inf") if reserved is None else reserved[p],
            )
        )
    return ufuns


def _reservations(folder: Path) -> list[float]:
    """NegMAS's parsed GENIUS reservation values, raised to 0: utilities are at least 0, so a
    negative reservation accepts the same packages, and accord's BATNA is 0 there
    (ItexvsCypress: -0.036 and -0.039)."""
    from negmas.inout import Scenario as NegmasScenario

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = NegmasScenario.load(
            folder, ignore_discount=True, load_stats=False, load_info=False
        )
    assert loaded is not None
    return [max(0.0, float(u.reserved_value)) for u in loaded.ufuns]


def _beaten(points: np.ndarray) -> np.ndarray:
    """Mask of rows another row beats by more than TOL somewhere, losing at most TOL."""
    out = np.zeros(points.shape[0], dtype=bool)
    for start in range(0, points.shape[0], 256):
        rows = points[start : start + 256]
        ge = np.all(points[None, :, :] >= rows[:, None, :] - TOL, axis=2)
        gt = np.any(points[None, :, :] > rows[:, None, :] + TOL, axis=2)
        out[start : start + 256] = (ge & gt).any(axis=1)
    return out


def _distinct(points: np.ndarray) -> np.ndarray:
    """Rows not beaten by more than TOL, dropping any row within TOL of an earlier one."""
    points = points[~_beaten(points)]
    close = np.zeros(points.shape[0], dtype=bool)
    for start in range(0, points.shape[0], 256):
        rows = points[start : start + 256]
        near = np.all(np.abs(points[None, :, :] - rows[:, None, :]) <= TOL, axis=2)
        earlier = np.arange(points.shape[0])[None, :] < np.arange(start, start + len(rows))[:, None]
        close[start : start + 256] = (near & earlier).any(axis=1)
    return points[~close]


def _unmatched(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Rows of ``ours`` with no row of ``theirs`` within TOL in every coordinate."""
    if theirs.shape[0] == 0:
        return ours
    hits = [np.any(np.all(np.abs(theirs - row) <= TOL, axis=1)) for row in ours]
    return ours[~np.asarray(hits, dtype=bool)]


def _exactly_nondominated(points: np.ndarray) -> bool:
    ge = np.all(points[None, :, :] >= points[:, None, :], axis=2)
    gt = np.any(points[None, :, :] > points[:, None, :], axis=2)
    return not (ge & gt).any()


@pytest.mark.parametrize("folder", _cases())
def test_frontier_equals_negmas(folder: Path) -> None:
    from negmas.preferences import pareto_frontier as negmas_frontier

    compiled = _compiled(folder)
    assert compiled is not None
    ours = pareto_frontier(compiled)
    ufuns = _ufuns(folder, reserved=None)
    theirs = np.asarray(negmas_frontier(ufuns)[0], dtype=float).reshape(-1, compiled.n_parties)
    if ours.truncated:
        # a truncated frontier promises a true subset of the frontier
        assert _unmatched(_distinct(ours.points), _distinct(theirs)).shape[0] == 0
        pytest.xfail(
            f"accord truncated the {compiled.n_parties}-party frontier at its partial budget:"
            f" {ours.size} of NegMAS's {theirs.shape[0]:,} points"
        )
    assert ours.count == ours.size
    assert _exactly_nondominated(np.asarray(ours.points))
    a, b = _distinct(np.asarray(ours.points)), _distinct(theirs)
    only_ours, only_theirs = _unmatched(a, b), _unmatched(b, a)
    assert only_ours.shape[0] == only_theirs.shape[0] == 0, (
        f"{a.shape[0]} accord vs {b.shape[0]} NegMAS points;"
        f" only accord: {only_ours[:5].tolist()}; only NegMAS: {only_theirs[:5].tolist()}"
    )


@pytest.mark.parametrize("folder", _cases(max_parties=2))
def test_nash_equals_negmas(folder: Path) -> None:
    """NegMAS's Nash point over its rational frontier, with each party's GENIUS reservation
    value as the disagreement point. NegMAS would otherwise put a reservation value below a
    party's lowest utility up to that lowest utility, so ``ranges`` is given explicitly."""
    from negmas.preferences import nash_points
    from negmas.preferences import pareto_frontier as negmas_frontier

    from accord.analysis.bargaining import nash

    compiled = _compiled(folder)
    assert compiled is not None
    disagreement = _reservations(folder)
    np.testing.assert_allclose(compiled.batna, disagreement, rtol=0, atol=TOL)
    ufuns = _ufuns(folder, reserved=disagreement)
    frontier = negmas_frontier(ufuns)[0]
    ranges = [(d, float(u.minmax()[1])) for d, u in zip(disagreement, ufuns, strict=True)]
    points = nash_points(ufuns, frontier, ranges=ranges)
    solution = nash(compiled)
    best = max(
        (math.prod(u - d for u, d in zip(point, disagreement, strict=True)) for point, _ in points),
        default=0.0,
    )
    if best <= TOL:
        # no rational outcome (y2013/Lunch), or none gives every party more than its BATNA
        # (y2013/Fifty2013): NegMAS's Nash product is 0 or undefined, and accord finds none
        assert solution.package is None, f"accord {solution.utilities}, NegMAS {points}"
        return
    assert solution.package is not None, solution.reason
    ours = np.array([solution.utilities[p] for p in compiled.party_ids])
    candidates = np.array([point for point, _ in points], dtype=float)
    assert np.any(np.all(np.abs(candidates - ours) <= TOL, axis=1)), (
        f"accord {ours.tolist()} (package {solution.package}) vs NegMAS {candidates.tolist()}"
    )
