"""Scoring every package of an outcome space for every party.

accord scores packages as one vectorised array operation over the compiled form; NegMAS (the
usual tool for this) calls each party's `LinearAdditiveUtilityFunction` once per outcome, and a
plain Python loop is the obvious reference. All three run here, in one process, on the same
random additive scenario, and must agree to 1e-9 before any time is printed.

    python -m benchmarks.bench_scoring [--issues 8] [--options 5] [--parties 3]
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from accord.analysis import utilities
from accord.compile import Compiled, compile_scenario
from accord.model import Scenario
from benchmarks.domains import numbered_issues


def random_scenario(parties: int, issues: int, options: int, seed: int = 7) -> Scenario:
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {
        "id": "bench",
        "title": "Random additive scenario",
        "as_of": "2025-01-01",
        "parties": [{"id": f"P{p}", "name": f"P{p}", "roles": ["party"]} for p in range(parties)],
        "issues": numbered_issues(issues, options),
        "preferences": {
            f"P{p}": {
                f"i{i}": {
                    "salience": float(rng.uniform(0.05, 1)),
                    "values": {f"o{k}": float(rng.uniform(0, 1)) for k in range(options)},
                }
                for i in range(issues)
            }
            for p in range(parties)
        },
    }
    return Scenario.model_validate(data)


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def accord_scores(compiled: Compiled) -> np.ndarray:
    grid = np.stack(
        np.meshgrid(*[np.arange(n) for n in compiled.n_options], indexing="ij"), axis=-1
    ).reshape(-1, compiled.n_issues)
    return np.asarray(utilities(compiled, grid))


def python_scores(compiled: Compiled) -> np.ndarray:
    rows = []
    for package in itertools.product(*[range(n) for n in compiled.n_options]):
        rows.append(
            [
                sum(
                    compiled.weights[p, i] * compiled.values[p, i, o] for i, o in enumerate(package)
                )
                for p in range(compiled.n_parties)
            ]
        )
    return np.asarray(rows)


def negmas_setup(compiled: Compiled) -> tuple[list[Any], list[tuple[str, ...]]]:
    from negmas import LinearAdditiveUtilityFunction, make_issue, make_os
    from negmas.preferences.value_fun import TableFun

    issues = [
        make_issue(list(compiled.option_ids[i]), name=compiled.issue_ids[i])
        for i in range(compiled.n_issues)
    ]
    space = make_os(issues)
    ufuns = []
    for p in range(compiled.n_parties):
        values = {
            compiled.issue_ids[i]: TableFun(
                {
                    compiled.option_ids[i][o]: float(compiled.values[p, i, o])
                    for o in range(compiled.n_options[i])
                }
            )
            for i in range(compiled.n_issues)
        }
        weights = {
            compiled.issue_ids[i]: float(compiled.weights[p, i]) for i in range(compiled.n_issues)
        }
        ufuns.append(LinearAdditiveUtilityFunction(values, weights=weights, outcome_space=space))
    outcomes = list(itertools.product(*[compiled.option_ids[i] for i in range(compiled.n_issues)]))
    return ufuns, outcomes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=3)
    parser.add_argument("--issues", type=int, default=8)
    parser.add_argument("--options", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    compiled = compile_scenario(random_scenario(args.parties, args.issues, args.options))
    n = int(np.prod(compiled.n_options))
    shape = f"{args.issues} issues x {args.options} options"
    print(f"scoring {n:,} packages x {args.parties} parties ({shape})")

    t_accord, fast = best_of(args.repeat, lambda: accord_scores(compiled))
    rows = [("accord utilities (numpy)", t_accord, 1.0)]

    t_py, slow = best_of(1, lambda: python_scores(compiled))
    assert np.allclose(fast, slow, atol=1e-9), "accord and the Python reference disagree"
    rows.append(("plain Python reference", t_py, t_py / t_accord))

    try:
        ufuns, outcomes = negmas_setup(compiled)
    except ImportError:
        print("negmas is not installed (pip install -e '.[bench]'): its row is left out")
    else:
        t_neg, theirs = best_of(1, lambda: np.array([[u(o) for u in ufuns] for o in outcomes]))
        assert np.allclose(fast, theirs, atol=1e-9), "accord and NegMAS disagree"
        rows.append(("NegMAS LinearAdditiveUtilityFunction", t_neg, t_neg / t_accord))

    print(f"{'method':40} {'seconds':>10} {'x accord':>10}")
    for name, seconds, ratio in rows:
        print(f"{name:40} {seconds:10.4f} {ratio:10.1f}")


if __name__ == "__main__":
    main()
