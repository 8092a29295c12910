"""Background jobs: ensemble forecasts and tournaments, run on a thread pool, with progress and
results kept in the database (so they survive the request, and a restart says what was lost)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from accord.service.access import Viewer
from accord.service.resources import plain
from accord.service.store import Loaded, Store, User

MAX_RUNS = 100_000
MAX_NEGOTIATIONS = 20_000


class JobError(ValueError):
    """A job's parameters are wrong (the message says how)."""


def _int(params: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise JobError(f"params.{key} is {value!r} (expected an integer from {low} to {high})")
    return value


def _names(params: dict[str, Any], key: str, default: list[str]) -> list[str]:
    value = params.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 16:
        raise JobError(f"params.{key} is {value!r} (expected a list of up to 16 names)")
    return list(value)


class Jobs:
    """Background analysis jobs: a thread pool whose results are stored per viewer."""

    def __init__(self, store: Store, service: Any, workers: int = 2) -> None:
        self.store = store
        self._service = service  # accord.service.kit.Service
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="accord-job")

    def submit(
        self, loaded: Loaded, viewer: Viewer, user: User, kind: str, params: dict[str, Any]
    ) -> str:
        """Queue an analysis job for a viewer and return its id."""
        work = self._prepare(loaded, viewer, kind, params)
        job_id = self.store.add_job(loaded.id, user, kind, params)
        self._pool.submit(self._run, job_id, work)
        return job_id

    def _prepare(self, loaded: Loaded, viewer: Viewer, kind: str, params: dict[str, Any]) -> Any:
        """Check the parameters now (so the caller hears of mistakes at once) and return the
        work as a function of a progress callback."""
        unknown = sorted(
            set(params)
            - {"runs", "seed", "models", "shocks", "strategies", "seeds", "deadline", "parties"}
        )
        if unknown:
            raise JobError(f"unknown parameter(s) {', '.join(unknown)}")
        shocks = tuple(_names(params, "shocks", []))
        if kind == "ensemble":
            from accord.forecast.ensemble import run_ensemble

            runs = _int(params, "runs", 1000, 1, MAX_RUNS)
            seed = _int(params, "seed", 0, 0, 2**31)
            models = _names(params, "models", ["compromise", "weighted_median"])
            shocks = self._service.view_shocks(loaded, viewer, shocks)
            scenario = self._service.view_scenario(loaded, viewer)

            def ensemble(progress: Any) -> Any:
                result = run_ensemble(
                    scenario, models=models, runs=runs, seed=seed, shocks=shocks, progress=progress
                )
                return {
                    "runs": result.runs,
                    "seed": result.seed,
                    "shocks": list(result.shocks),
                    "forecasts": [asdict(f) for f in result.forecasts],
                }

            return ensemble
        if kind == "tournament":
            from accord.simulate.specs import parse_strategy
            from accord.simulate.tournament import tournament

            seeds = _int(params, "seeds", 10, 1, 1000)
            deadline = _int(params, "deadline", 60, 1, 500)
            names = _names(params, "strategies", ["boulware", "linear", "conceder"])
            try:
                strategies = {s.name: s for s in map(parse_strategy, names)}
            except ValueError as exc:
                raise JobError(str(exc)) from None
            compiled = self._service.compiled(loaded, viewer, shocks)
            parties = _names(params, "parties", list(compiled.party_ids))
            unknown_parties = [p for p in parties if p not in compiled.party_ids]
            if unknown_parties or len(parties) < 2:
                raise JobError(
                    f"params.parties: expected at least two of {', '.join(compiled.party_ids)}"
                )
            if len(strategies) * seeds > MAX_NEGOTIATIONS:
                raise JobError(f"at most {MAX_NEGOTIATIONS:,} negotiations per job")

            def play(progress: Any) -> Any:
                result = tournament(
                    {loaded.id: compiled},
                    strategies,
                    seeds=seeds,
                    deadline=deadline,
                    parties={loaded.id: parties},
                    progress=progress,
                )
                return result.to_dict()

            return play
        raise JobError(f"unknown job kind {kind!r} (expected ensemble or tournament)")

    def _run(self, job_id: str, work: Any) -> None:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            t = time.monotonic()
            if t - last[0] >= 0.5 or done == total:
                last[0] = t
                self.store.update_job(job_id, status="running", done=done, total=total)

        try:
            self.store.update_job(job_id, status="running")
            result = work(progress)
            self.store.update_job(job_id, status="done", result=plain(result))
        except Exception as exc:
            self.store.update_job(job_id, status="failed", error=f"{type(exc).__name__}: {exc}")

    def shutdown(self) -> None:
        """Stop the pool, cancelling queued jobs."""
        self._pool.shutdown(wait=True, cancel_futures=True)
