"""The exact Pareto frontier of an outcome space.

accord builds the frontier issue by issue, keeping only non-dominated partial packages
(`accord.analysis.space.pareto_frontier`); NegMAS 0.16 (`negmas.preferences.pareto_frontier`)
scores every outcome with each party's `LinearAdditiveUtilityFunction` and filters the points.
Both run here, in one process, on the same ufuns: random additive spaces of 10^3 to 10^7
outcomes (2 and 3 parties), then the GENIUS (ANAC) domains accord reads. The two frontiers must
agree to 1e-9 before any time is printed.

    python -m benchmarks.space [--repeat 3] [--max-negmas 1000000] [--no-genius]
"""

from __future__ import annotations

import argparse
import math
import tracemalloc
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from accord.analysis.space import Frontier, pareto_frontier
from accord.compile import Compiled, compile_scenario
from benchmarks.bench_scoring import best_of, negmas_setup, random_scenario

GENIUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "genius"
TOL = 1e-9
NEGMAS_SECONDS_PER_CALL = 3e-6
"""Measured here: NegMAS takes about 3 microseconds per outcome and party; spaces it would
spend more than ``--max-seconds`` on are skipped."""
TARGETS = {2: 1000.0, 3: 100.0}
"""Speed-ups aimed at for 10^6 outcomes, by number of parties."""


@dataclass(frozen=True)
class Row:
    name: str
    outcomes: int
    parties: int
    frontier: int
    accord_s: float
    negmas_s: float | None
    peak_mib: float
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.negmas_s is None or self.note:
            return None
        return self.negmas_s / self.accord_s


def same_frontier(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Equal as sets of utility vectors within TOL. Where the two sides add equal utilities in
    different orders, an exact tie can break either way by 1e-16, so each side first drops the
    points another of its points beats by more than TOL while losing at most TOL."""
    if ours.shape == theirs.shape:
        a = ours[np.lexsort(ours.T[::-1])]
        b = theirs[np.lexsort(theirs.T[::-1])]
        if np.allclose(a, b, rtol=0, atol=TOL):
            return True
    a, b = _distinct(ours), _distinct(theirs)
    return _covered(a, b) and _covered(b, a)


def _pairs(points: np.ndarray, rows: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, rows.shape[0], 256):
        yield start, rows[start : start + 256]


def _distinct(points: np.ndarray) -> np.ndarray:
    beaten = np.zeros(points.shape[0], dtype=bool)
    for start, rows in _pairs(points, points):
        ge = np.all(points[None] >= rows[:, None] - TOL, axis=2)
        gt = np.any(points[None] > rows[:, None] + TOL, axis=2)
        beaten[start : start + len(rows)] = (ge & gt).any(axis=1)
    points = points[~beaten]
    repeat = np.zeros(points.shape[0], dtype=bool)
    index = np.arange(points.shape[0])
    for start, rows in _pairs(points, points):
        near = np.all(np.abs(points[None] - rows[:, None]) <= TOL, axis=2)
        earlier = index[None] < index[start : start + len(rows), None]
        repeat[start : start + len(rows)] = (near & earlier).any(axis=1)
    return points[~repeat]


def _covered(ours: np.ndarray, theirs: np.ndarray) -> bool:
    for _, rows in _pairs(theirs, ours):
        near = np.all(np.abs(theirs[None] - rows[:, None]) <= TOL, axis=2)
        if not near.any(axis=1).all():
            return False
    return True


def accord_peak_mib(compiled: Compiled) -> float:
    tracemalloc.start()
    try:
        pareto_frontier(compiled)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def negmas_frontier(compiled: Compiled) -> np.ndarray:
    from negmas.preferences import pareto_frontier as frontier

    ufuns, _ = negmas_setup(compiled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        points, _ = frontier(ufuns)
    return np.asarray(points, dtype=float).reshape(-1, compiled.n_parties)


def measure(name: str, compiled: Compiled, repeat: int, max_negmas: int, max_seconds: float) -> Row:
    outcomes = math.prod(int(n) for n in compiled.n_options)
    t_accord, ours = best_of(repeat, lambda: pareto_frontier(compiled))
    assert isinstance(ours, Frontier)
    peak = accord_peak_mib(compiled)
    estimate = NEGMAS_SECONDS_PER_CALL * outcomes * compiled.n_parties
    base = (name, outcomes, compiled.n_parties, ours.size, t_accord)
    if outcomes > max_negmas or estimate > max_seconds:
        return Row(*base, None, peak, "NegMAS skipped (too slow)")
    t_negmas, theirs = best_of(1, lambda: negmas_frontier(compiled))
    if ours.truncated:
        note = f"accord truncated: {ours.size} of NegMAS's {len(theirs):,} points, no ratio"
        return Row(name, outcomes, compiled.n_parties, len(theirs), t_accord, t_negmas, peak, note)
    assert same_frontier(np.asarray(ours.points), theirs), f"{name}: accord and NegMAS disagree"
    return Row(*base, t_negmas, peak)


def genius_folders() -> list[tuple[str, Compiled]]:
    from accord.io.genius import read_genius
    from accord.model.errors import ScenarioError

    found = []
    for folder in sorted({p.parent for p in GENIUS.rglob("*.xml")}):
        try:
            compiled = compile_scenario(read_genius(folder))
        except ScenarioError:
            continue
        found.append((str(folder.relative_to(GENIUS)), compiled))
    return found


def print_table(title: str, rows: list[Row]) -> None:
    print(title)
    head = f"{'space':28} {'outcomes':>11} {'parties':>7} {'frontier':>8}"
    print(f"{head} {'accord s':>10} {'negmas s':>10} {'x accord':>10} {'accord MiB':>10}")
    for r in rows:
        negmas = "skipped (too slow)" if r.note.startswith("NegMAS") else "-"
        t_neg = f"{r.negmas_s:10.3f}" if r.negmas_s is not None else f"{negmas:>10}"
        ratio = f"{r.ratio:10.0f}" if r.ratio is not None else f"{'-':>10}"
        line = f"{r.name:28} {r.outcomes:11,} {r.parties:7} {r.frontier:8,}"
        extra = f"  ({r.note})" if r.note and not r.note.startswith("NegMAS") else ""
        print(f"{line} {r.accord_s:10.4f} {t_neg} {ratio} {r.peak_mib:10.2f}{extra}")


def check_targets(rows: list[Row]) -> None:
    for parties, target in TARGETS.items():
        hits = [r for r in rows if r.parties == parties and r.outcomes == 10**6]
        for r in hits:
            if r.ratio is None:
                print(f"target {parties} parties, 10^6 outcomes: not measured ({r.note})")
            else:
                verdict = "met" if r.ratio >= target else "MISSED"
                print(
                    f"target {parties} parties, 10^6 outcomes: >= {target:,.0f}x;"
                    f" measured {r.ratio:,.0f}x: {verdict}"
                )
    for parties in TARGETS:
        peaks = [r.peak_mib for r in rows if r.parties == parties]
        if peaks:
            print(
                f"accord peak memory, {parties} parties, 10^3 -> 10^7 outcomes:"
                f" {peaks[0]:.2f} -> {peaks[-1]:.2f} MiB"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-negmas", type=int, default=10**6, help="outcomes")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="NegMAS estimate")
    parser.add_argument("--no-genius", action="store_true")
    args = parser.parse_args(argv)
    try:
        import negmas  # noqa: F401
    except ImportError:
        print(
            "negmas is not installed (pip install -e '.[bench]'): the frontier benchmark needs it"
        )
        return
    limits = (args.repeat, args.max_negmas, args.max_seconds)
    negmas_frontier(compile_scenario(random_scenario(2, 2, 3)))  # NegMAS's first call warms up

    rows = []
    for parties in (2, 3):
        for issues in range(3, 8):
            compiled = compile_scenario(random_scenario(parties, issues, 10))
            rows.append(measure(f"random {issues} issues x 10", compiled, *limits))
    print_table("Pareto frontier, random additive spaces (10 options per issue)", rows)
    check_targets(rows)

    if args.no_genius:
        return
    if not GENIUS.is_dir():
        print(f"GENIUS data not found at {GENIUS}: the domain table is left out")
        return
    domains = [measure(name, compiled, *limits) for name, compiled in genius_folders()]
    print()
    print_table("Pareto frontier, GENIUS (ANAC) domains that accord reads", domains)


if __name__ == "__main__":
    main()
