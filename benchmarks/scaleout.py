"""Scale-out: the Dask backend against one process, on the same work with the same seed.

Two jobs, each run twice in this process run: on the local backend (numpy in this process) and on
a ``dask.distributed`` ``LocalCluster`` of worker processes (one thread each), started here and
timed including the shipping of inputs and results (not the cluster's start-up, reported apart):

- an ensemble of ``--samples`` runs (default 10^6) of ukraine-2025's forecasts under the
  compromise and weighted-median models, in chunks of ``--chunk`` runs;
- a tournament of about ``--negotiations`` alternating-offers negotiations (default 10^4): six
  strategies in self-play on teaching-river and ukraine-2025, as many seeds as it takes.

Printed: seconds for each backend, the speed-up, and whether the two backends' results are
identical (they must be: every chunk and every negotiation depends only on its inputs and seed).
With ``--scheduler tcp://HOST:PORT`` the dask side runs on that cluster instead.

    python -m benchmarks.scaleout [--samples 1000000] [--negotiations 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from accord.compile import compile_scenario
from accord.forecast.ensemble import run_ensemble
from accord.scenarios import resolve
from accord.simulate.specs import parse_strategy
from accord.simulate.tournament import tournament

STRATEGIES = (
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "tit-for-tat",
    "red-line-keeper(conceder(e=2))",
)


def _timed(job: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = job()
    return time.perf_counter() - start, result


def ensemble_row(samples: int, chunk: int, scheduler: str | None) -> dict[str, Any]:
    """The ensemble job on both backends: seconds, speed-up and equality of the raw samples."""
    scenario = resolve("ukraine-2025")
    models = ("compromise", "weighted_median")
    local_s, local = _timed(
        lambda: run_ensemble(scenario, models=models, runs=samples, seed=7, chunk=chunk)
    )
    dask_s, dask = _timed(
        lambda: run_ensemble(
            scenario,
            models=models,
            runs=samples,
            seed=7,
            chunk=chunk,
            backend="dask",
            scheduler=scheduler,
        )
    )
    same = all(np.array_equal(local.raw[m], dask.raw[m], equal_nan=True) for m in models)
    return {"job": f"ensemble, {samples:,} samples", "local": local_s, "dask": dask_s, "same": same}


def tournament_row(negotiations: int, workers: int, scheduler: str | None) -> dict[str, Any]:
    """The tournament job on both backends: seconds, speed-up and equality of the tables."""
    scenarios = {sid: compile_scenario(resolve(sid)) for sid in ("teaching-river", "ukraine-2025")}
    strategies = {s: parse_strategy(s) for s in STRATEGIES}
    lineups = len(scenarios) * len(strategies)  # self-play: one lineup per strategy
    seeds = max(1, math.ceil(negotiations / lineups))

    def play(backend: str) -> Any:
        return tournament(
            scenarios,
            strategies,
            seeds=seeds,
            deadline=60,
            backend=backend,  # type: ignore[arg-type]
            scheduler=scheduler,
            workers=workers,
        )

    local_s, local = _timed(lambda: play("local"))
    dask_s, dask = _timed(lambda: play("dask"))
    same = local.results == dask.results
    n = len(local.results)
    return {
        "job": f"tournament, {n:,} negotiations",
        "local": local_s,
        "dask": dask_s,
        "same": same,
    }


def main(argv: list[str] | None = None) -> None:
    """Run both jobs and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--negotiations", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args(argv)
    from accord.parallel import dask_client

    start = time.perf_counter()
    with dask_client(args.scheduler, workers=args.workers, processes=True):
        pass
    print(
        f"dask: {args.workers} worker processes (LocalCluster start and stop"
        f" {time.perf_counter() - start:.1f} s, not counted below)"
        if args.scheduler is None
        else f"dask: scheduler {args.scheduler}"
    )
    rows = [
        ensemble_row(args.samples, args.chunk, args.scheduler),
        tournament_row(args.negotiations, args.workers, args.scheduler),
    ]
    print(f"{'job':<34} {'local s':>8} {'dask s':>8} {'speed-up':>9}  same result")
    for r in rows:
        print(
            f"{r['job']:<34} {r['local']:>8.1f} {r['dask']:>8.1f}"
            f" {r['local'] / r['dask']:>8.2f}x  {'yes' if r['same'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
