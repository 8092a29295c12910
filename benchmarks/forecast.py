"""The expected-utility model (EUM): accord's vectorised rounds against a plain Python loop.

accord computes a round with pairwise ``(..., A, A)`` arrays and prefix sums over the voters in
position order (O(A² log A) per issue); the reference below is the obvious per-actor, per-pair
loop over the same formulas (``scholz_code`` variant), with the all-pairs probability
denominator computed once per risk vector rather than once per probability as in the published
Python (which would make n = 100 hopeless). Both run here, in one process, on the same random
issue; their positions, means and offers must agree to 1e-9 before any time is printed. Then one
batched call runs an ensemble (runs x issues x actors x rounds).

    python -m benchmarks.forecast [--sizes 10 30 100] [--ensemble 1000 20 20 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from accord.forecast.eum import run
from benchmarks.bench_scoring import best_of

TARGETS = {30: 0.010, 100: 0.200}
"""Seconds aimed at for one round of one issue, by number of actors."""
ENSEMBLE_TARGET = 30.0


def python_round(x: list[float], c: list[float], s: list[float], delta: float) -> list[float]:
    """One round of the EUM (scholz_code), one actor and one pair at a time."""
    n = len(x)

    def vote(k: int, a: float, b: float, r: list[float]) -> float:
        return c[k] * s[k] * ((abs(x[k] - b) / delta) ** r[k] - (abs(x[k] - a) / delta) ** r[k])

    def probabilities(r: list[float]) -> list[list[float]]:
        total = sum(
            abs(vote(k, x[i], x[j], r)) for k in range(n) for i in range(n) for j in range(n)
        )
        return [
            [
                0.0
                if x[a] == x[b]
                else sum(max(0.0, vote(k, x[a], x[b], r)) for k in range(n)) / total
                for b in range(n)
            ]
            for a in range(n)
        ]

    def eu(h: int, i: int, j: int, p: list[list[float]], r: list[float]) -> float:
        dist = abs(x[i] - x[j]) / delta
        u_s = 2 - 4 * (0.5 - 0.5 * dist) ** r[h]
        u_f = 2 - 4 * (0.5 + 0.5 * dist) ** r[h]
        u_sq = 2 - 4 * 0.5 ** r[h]
        return s[j] * (p[i][j] * u_s + (1 - p[i][j]) * u_f) + (1 - s[j]) * u_s - u_sq

    ones = [1.0] * n
    p1 = probabilities(ones)
    danger = [sum(eu(i, j, i, p1, ones) for j in range(n) if j != i) for i in range(n)]
    top, bottom = max(danger), min(danger)
    big_r = [(2 * d - top - bottom) / (top - bottom) if top > bottom else 0.0 for d in danger]
    r = [(1 - b / 3) / (1 + b / 3) for b in big_r]
    p = probabilities(r)
    new = list(x)
    for i in range(n):
        confront, compromise = [], []
        for j in range(n):
            if x[j] == x[i]:
                continue
            a, b = eu(i, i, j, p, r), eu(i, j, i, p, r)
            if b > a > 0:
                confront.append((abs(x[i] - x[j]), x[j]))
            elif b > 0 > a and b > abs(a):
                key = (abs(a) * x[i] + abs(b) * x[j]) / (abs(a) + abs(b))
                compromise.append((key, x[i] + (x[j] - x[i]) * abs(a / b)))
        if confront:
            new[i] = min(confront, key=lambda o: o[0])[1]
        elif compromise:
            new[i] = min(compromise, key=lambda o: o[0])[1]
    return new


def machine() -> str:
    import os

    return f"{platform.machine()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument(
        "--ensemble",
        type=int,
        nargs=4,
        default=[1000, 20, 20, 20],
        metavar=("RUNS", "ISSUES", "ACTORS", "ROUNDS"),
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}, Python {platform.python_version()}, numpy {np.__version__}")
    print("EUM (scholz_code), one round of one issue")
    print(f"{'actors':>6} {'accord s':>10} {'Python s':>10} {'x accord':>9} {'target s':>9}")
    for n in args.sizes:
        rng = np.random.default_rng(n)
        x, c, s = rng.uniform(0, 100, n), rng.uniform(0.05, 1, n), rng.uniform(0.05, 1, n)
        t_fast, fast = best_of(
            args.repeat, lambda x=x, c=c, s=s: run(x, c, s, 1, scale=(0.0, 100.0))
        )
        t_slow, slow = best_of(
            1, lambda x=x, c=c, s=s: python_round(list(x), list(c), list(s), 100.0)
        )
        assert np.allclose(fast.final_positions, slow, rtol=0, atol=1e-9), (
            "accord and Python disagree"
        )
        target = TARGETS.get(n)
        shown = f"{target:9.3f}" if target else f"{'':9}"
        print(f"{n:6d} {t_fast:10.4f} {t_slow:10.3f} {t_slow / t_fast:9.0f} {shown}")

    runs, issues, actors, rounds = args.ensemble
    rng = np.random.default_rng(1)
    shape = (runs, issues, actors)
    x, c, s = rng.uniform(0, 100, shape), rng.uniform(0.05, 1, shape), rng.uniform(0.05, 1, shape)
    chunk = 100  # runs per call: memory stays flat and the arrays stay cache-sized
    start = time.perf_counter()
    finals = [
        run(
            x[a : a + chunk], c[a : a + chunk], s[a : a + chunk], rounds, scale=(0.0, 100.0)
        ).final_positions
        for a in range(0, runs, chunk)
    ]
    seconds = time.perf_counter() - start
    one = run(x[0, 0], c[0, 0], s[0, 0], rounds, scale=(0.0, 100.0))
    assert np.array_equal(finals[0][0, 0], one.final_positions), "batch != single"
    per_issue_round = seconds / (runs * issues * rounds)
    print(
        f"ensemble {runs} runs x {issues} issues x {actors} actors x {rounds} rounds,"
        f" chunks of {chunk} runs: "
        f"{seconds:.1f} s (target {ENSEMBLE_TARGET:.0f} s; "
        f"{per_issue_round * 1e6:.1f} us per issue-round)"
    )


if __name__ == "__main__":
    main()
