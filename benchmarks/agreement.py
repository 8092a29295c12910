"""The zone of agreement and minimal relaxations on a random 8 parties x 80 issues space (10
options per issue, a few red lines per party, BATNAs at a stated share of each party's reach).

Each operation runs against its reference in the same process: the zone's default answer (one
feasibility solve, ``example="feasible"``) against the maximin example the zone used to wait for
(``example="maximin"``, one more optimisation), and minimal relaxations with feasible examples
against the same with one maximin solve per minimal set. The maximin reference has
``--maximin-limit`` seconds; where it proves nothing by then the row says so (">limit"). Both
answers must agree on whether the zone is open and on which sets open it; each example must be
acceptable to all.

    python -m benchmarks.agreement [--parties 8] [--issues 80] [--batna 0.5]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from accord.analysis.bargaining import _problem
from accord.analysis.conflict import minimal_relaxations, zopa
from accord.compile import Compiled, compile_scenario
from benchmarks.bench_scoring import random_scenario


def space(
    parties: int, issues: int, options: int, batna: float, red_lines: int = 5, seed: int = 7
) -> Compiled:
    """A random additive space with one red line (a refused option) on one issue in
    ``red_lines`` for each party (none where 0) and each BATNA at ``batna`` of the way from the
    party's worst to its best."""
    compiled = compile_scenario(random_scenario(parties, issues, options, seed))
    rng = np.random.default_rng(seed + 1)
    allowed = compiled.allowed.copy()
    for p in range(parties):
        for i in rng.choice(issues, size=issues // red_lines if red_lines else 0, replace=False):
            allowed[p, i, rng.integers(options)] = False
    low, high = compiled.utility_min, compiled.utility_max
    return replace(compiled, allowed=allowed, batna=low + batna * (high - low))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> None:
    """Time the zone and the relaxations, fast against the maximin reference, and print them."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.agreement")
    parser.add_argument("--parties", type=int, default=8)
    parser.add_argument("--issues", type=int, default=80)
    parser.add_argument("--options", type=int, default=10)
    parser.add_argument("--batna", type=float, default=0.5)
    parser.add_argument("--closed-batna", type=float, default=0.9)
    parser.add_argument("--red-lines", type=int, default=5, help="one in N issues per party")
    parser.add_argument(
        "--maximin-limit", type=float, default=90.0, help="seconds for the maximin reference"
    )
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    size = f"{args.parties} parties x {args.issues} issues x {args.options} options"
    print(f"Zone of agreement and relaxations, {size}")
    print(f"{'operation':<44} {'fast s':>8} {'maximin s':>10} {'ratio':>7}  agree")
    opened = space(args.parties, args.issues, args.options, args.batna, args.red_lines)
    fast_s, fast = timed(lambda: zopa(opened))
    limit = args.maximin_limit
    slow_s, slow = timed(lambda: zopa(opened, example="maximin", time_limit=limit))
    problem = _problem(opened, None)
    agree = fast.open == slow.open and all(
        z.example is None or problem.acceptable(np.array(z.example)) for z in (fast, slow)
    )
    state = "open" if fast.open else "closed"
    label = f"zone (BATNA {args.batna:g} of reach: {state})"
    proven = slow.example_rule == "maximin"
    slow_cell = f"{slow_s:>10.3f}" if proven else f"{'>' + format(limit, 'g'):>10}"
    ratio = f"{slow_s / fast_s:>6.0f}x" if proven else f"{'>' + format(slow_s / fast_s, '.0f'):>6}x"
    print(
        f"{label:<44} {fast_s:>8.3f} {slow_cell} {ratio}  {agree}"
        f" (rules {fast.example_rule}, {slow.example_rule})"
    )
    closed = space(args.parties, args.issues, args.options, args.closed_batna, args.red_lines)
    fast_s, fr = timed(lambda: minimal_relaxations(closed, max_size=1))
    slow_s, sr = timed(lambda: minimal_relaxations(closed, max_size=1, example="maximin"))
    same = [r.constraints for r in fr.relaxations] == [r.constraints for r in sr.relaxations]
    label = f"relaxations (BATNA {args.closed_batna:g}: {len(fr.relaxations)} sets, size 1)"
    if fr.zopa_open:
        label = f"relaxations (BATNA {args.closed_batna:g}: zone open)"
    print(f"{label:<44} {fast_s:>8.3f} {slow_s:>10.3f} {slow_s / fast_s:>6.1f}x  {same}")


if __name__ == "__main__":
    main()
