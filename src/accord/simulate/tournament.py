"""Tournaments: strategies x scenarios x seeds under the alternating-offers protocol.

``tournament(scenarios, strategies, seeds=20, deadline=60)`` plays one negotiation per
(scenario, lineup, seed) and returns a :class:`Tournament`: one :class:`MatchResult` per
negotiation, and :meth:`Tournament.summary` grouped by scenario and lineup.

Lineups:

* ``"self"``: every negotiating party plays the strategy (one lineup per strategy);
* ``"focal"``: one party plays the strategy and every other party plays ``opponent``, for each
  party in turn (one lineup per strategy and party).

Each negotiation is scored against references computed once per scenario over the negotiating
parties: the **Nash point** (:func:`accord.analysis.bargaining.nash`, exact; None where no
package is acceptable to all), the **Pareto frontier** of acceptable packages (exact where it can
be built, which is up to three parties on most spaces; the distance is None otherwise), and the
**Pareto gap** (:func:`accord.analysis.bargaining.pareto_gap`: how much every party could have
gained at once; exact at any size). Distances are Euclidean in the parties' utilities; a
negotiation without agreement sits at the BATNA point.

``backend="local"`` plays everything in this process; ``backend="dask"`` sends one task per
(scenario, lineup) to a ``dask.distributed`` cluster (a ``LocalCluster`` of worker processes
unless ``scheduler`` names one). Every negotiation depends only on its inputs and its seed, and
results are put back in submission order, so both backends give the same table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.analysis.bargaining import nash, pareto_gap
from accord.analysis.evaluate import crossings
from accord.analysis.space import SpaceTooLarge, pareto_frontier
from accord.compile import Compiled
from accord.parallel import dask_client, distributed
from accord.simulate.protocols import alternating_offers
from accord.simulate.strategies import Strategy

Backend = Literal["local", "dask"]
LineupKind = Literal["self", "focal"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Lineup:
    """Who plays what: ``label`` names it in the tables; ``strategies`` maps each negotiating
    party to its strategy."""

    label: str
    strategy: str
    focal: str | None
    strategies: tuple[tuple[str, Strategy], ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """What every negotiation on a scenario is measured against (computed once)."""

    parties: tuple[str, ...]
    batna: tuple[float, ...]
    nash: tuple[float, ...] | None
    frontier: FloatArray | None  # None: the frontier is too large to build exactly
    frontier_note: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """One negotiation. ``utilities`` and ``gains`` (utility minus BATNA) are in ``parties``
    order; ``agreement`` holds an option id per issue (None: walk-away at the deadline);
    ``red_lines`` the (party, issue) pairs the agreement crosses."""

    scenario: str
    lineup: str
    strategy: str
    focal: str | None
    seed: int
    parties: tuple[str, ...]
    strategies: tuple[str, ...]
    agreed: bool
    rounds: int
    utilities: tuple[float, ...]
    gains: tuple[float, ...]
    nash_distance: float | None
    pareto_distance: float | None
    pareto_gap: float | None
    red_lines: tuple[tuple[str, str], ...]
    agreement: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Means over the seeds of one scenario and lineup (None where nothing to average)."""

    scenario: str
    lineup: str
    strategy: str
    focal: str | None
    parties: tuple[str, ...]
    negotiations: int
    agreements: int
    agreement_rate: float
    mean_rounds: float
    mean_utilities: tuple[float, ...]
    mean_gains: tuple[float, ...]
    mean_nash_distance: float | None
    mean_pareto_distance: float | None
    mean_pareto_gap: float | None
    red_lines: tuple[tuple[str, str, int], ...]  # (party, issue, how many agreements crossed it)


@dataclass(frozen=True)
class Tournament:
    """All negotiations of a tournament, in (scenario, lineup, seed) order."""

    protocol: str
    deadline: int
    seeds: tuple[int, ...]
    backend: str
    results: tuple[MatchResult, ...]
    notes: Mapping[str, str]  # scenario -> how its Pareto distance was (or was not) measured

    def summary(self) -> tuple[SummaryRow, ...]:
        """One summary row per scenario and line-up, averaged over repetitions."""
        groups: dict[tuple[str, str], list[MatchResult]] = {}
        for r in self.results:
            groups.setdefault((r.scenario, r.lineup), []).append(r)
        return tuple(_summarise(rows) for rows in groups.values())

    def to_dict(self) -> dict[str, Any]:
        """The tournament as plain JSON-ready data."""
        return {
            "protocol": self.protocol,
            "deadline": self.deadline,
            "seeds": list(self.seeds),
            "backend": self.backend,
            "notes": dict(self.notes),
            "summary": [asdict(row) for row in self.summary()],
            "results": [asdict(r) for r in self.results],
        }


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return math.fsum(known) / len(known) if known else None


def _summarise(rows: Sequence[MatchResult]) -> SummaryRow:
    first = rows[0]
    n = len(rows)
    agreed = [r for r in rows if r.agreed]
    crossed = Counter(pair for r in agreed for pair in r.red_lines)
    return SummaryRow(
        scenario=first.scenario,
        lineup=first.lineup,
        strategy=first.strategy,
        focal=first.focal,
        parties=first.parties,
        negotiations=n,
        agreements=len(agreed),
        agreement_rate=len(agreed) / n,
        mean_rounds=math.fsum(r.rounds for r in rows) / n,
        mean_utilities=tuple(
            math.fsum(r.utilities[k] for r in rows) / n for k in range(len(first.parties))
        ),
        mean_gains=tuple(
            math.fsum(r.gains[k] for r in rows) / n for k in range(len(first.parties))
        ),
        mean_nash_distance=_mean([r.nash_distance for r in rows]),
        mean_pareto_distance=_mean([r.pareto_distance for r in rows]),
        mean_pareto_gap=_mean([r.pareto_gap for r in rows]),
        red_lines=tuple((p, i, c) for (p, i), c in sorted(crossed.items())),
    )


# --- references --------------------------------------------------------------------------------


def reference(compiled: Compiled, parties: Sequence[str]) -> Reference:
    """The Nash point and the acceptable Pareto frontier over ``parties``."""
    ps = [compiled.party_index(p) for p in parties]
    solution = nash(compiled, parties)
    point = tuple(solution.utilities[p] for p in parties) if solution.package is not None else None
    frontier: FloatArray | None
    try:
        f = pareto_frontier(compiled, parties, acceptable_only=True)
    except SpaceTooLarge as exc:
        frontier, note = None, f"no Pareto distance: {exc}"
    else:
        if f.truncated:
            frontier, note = None, "no Pareto distance: the frontier could not be built exactly"
        else:
            frontier = np.asarray(f.points, dtype=float)
            note = f"Pareto distance to the exact acceptable frontier ({f.size} points)"
    return Reference(
        parties=tuple(parties),
        batna=tuple(float(b) for b in compiled.batna[ps]),
        nash=point,
        frontier=frontier,
        frontier_note=note,
    )


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    return math.dist(a, b)


def frontier_distance(frontier: FloatArray, point: Sequence[float]) -> float | None:
    """Euclidean distance from ``point`` to the nearest frontier point (None: empty frontier)."""
    if frontier.shape[0] == 0:
        return None
    return float(np.sqrt(((frontier - np.asarray(point, dtype=float)) ** 2).sum(axis=1)).min())


# --- playing -----------------------------------------------------------------------------------


def _play(
    scenario: str,
    compiled: Compiled,
    ref: Reference,
    lineup: Lineup,
    seeds: Sequence[int],
    deadline: int,
    tick: Callable[[], None] | None = None,
) -> list[MatchResult]:
    """Every seed of one lineup on one scenario (one dask task)."""
    strategies = dict(lineup.strategies)
    gaps: dict[tuple[int, ...] | None, float | None] = {}
    results = []
    for seed in seeds:
        outcome = alternating_offers(
            compiled, strategies, deadline=deadline, seed=seed, parties=ref.parties
        ).run()
        u = outcome.utilities
        key = outcome.agreement
        if key not in gaps:
            gaps[key] = pareto_gap(compiled, u, ref.parties)
        crossed: tuple[tuple[str, str], ...] = ()
        agreement = None
        if outcome.agreement is not None:
            package = np.asarray(outcome.agreement, dtype=np.int64)
            hit = crossings(compiled, package)  # (P, I)
            crossed = tuple(
                (p, compiled.issue_ids[i])
                for p in ref.parties
                for i in map(int, np.flatnonzero(hit[compiled.party_index(p)]))
            )
            agreement = tuple(compiled.option_ids[i][o] for i, o in enumerate(outcome.agreement))
        results.append(
            MatchResult(
                scenario=scenario,
                lineup=lineup.label,
                strategy=lineup.strategy,
                focal=lineup.focal,
                seed=int(seed),
                parties=ref.parties,
                strategies=outcome.strategies,
                agreed=outcome.agreed,
                rounds=outcome.rounds,
                utilities=u,
                gains=tuple(x - b for x, b in zip(u, ref.batna, strict=True)),
                nash_distance=None if ref.nash is None else _distance(u, ref.nash),
                pareto_distance=(
                    None if ref.frontier is None else frontier_distance(ref.frontier, u)
                ),
                pareto_gap=gaps[key],
                red_lines=crossed,
                agreement=agreement,
            )
        )
        if tick is not None:
            tick()
    return results


def lineups(
    strategies: Mapping[str, Strategy],
    parties: Sequence[str],
    *,
    kind: LineupKind = "self",
    opponent: tuple[str, Strategy] | None = None,
) -> list[Lineup]:
    """The lineups of a tournament on one scenario (see the module docstring)."""
    if kind == "self":
        return [
            Lineup(label, label, None, tuple((p, s) for p in parties))
            for label, s in strategies.items()
        ]
    if kind != "focal":
        raise ValueError(f"unknown lineup kind {kind!r} (expected 'self' or 'focal')")
    if opponent is None:
        raise ValueError("a focal tournament needs an opponent strategy")
    name, other = opponent
    return [
        Lineup(
            f"{label} as {focal} vs {name}",
            label,
            focal,
            tuple((p, s if p == focal else other) for p in parties),
        )
        for label, s in strategies.items()
        for focal in parties
    ]


def tournament(
    scenarios: Mapping[str, Compiled],
    strategies: Mapping[str, Strategy] | Sequence[Strategy],
    *,
    seeds: int | Sequence[int] = 20,
    deadline: int = 60,
    kind: LineupKind = "self",
    opponent: Strategy | None = None,
    parties: Mapping[str, Sequence[str]] | None = None,
    backend: Backend = "local",
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Tournament:
    """Play every lineup of ``strategies`` on every scenario for every seed (see the module
    docstring). ``strategies`` may be labelled (a mapping) or not (labelled by their names);
    ``parties`` chooses the negotiating parties per scenario (default: all, in compiled
    order); ``progress(done, total)`` is called as negotiations finish."""
    named = _labelled(strategies)
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("a tournament needs at least one seed")
    if deadline < 1:
        raise ValueError(f"deadline must be at least 1 round (got {deadline})")
    if not scenarios:
        raise ValueError("a tournament needs at least one scenario")
    opponent_entry = None if opponent is None else (opponent.name, opponent)
    jobs: list[tuple[str, Compiled, Reference, Lineup]] = []
    notes: dict[str, str] = {}
    for sid, compiled in scenarios.items():
        chosen = tuple(parties[sid]) if parties and sid in parties else compiled.party_ids
        ref = reference(compiled, chosen)
        notes[sid] = ref.frontier_note
        for lineup in lineups(named, chosen, kind=kind, opponent=opponent_entry):
            jobs.append((sid, compiled, ref, lineup))
    total = len(jobs) * len(seed_list)
    if backend == "local":
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        parts = [_play(*job, seed_list, deadline, tick) for job in jobs]
    elif backend == "dask":
        parts = _run_dask(jobs, seed_list, deadline, scheduler, workers, progress, total)
    else:
        raise ValueError(f"unknown backend {backend!r} (expected 'local' or 'dask')")
    return Tournament(
        protocol="alternating-offers",
        deadline=deadline,
        seeds=tuple(seed_list),
        backend=backend,
        results=tuple(r for part in parts for r in part),
        notes=notes,
    )


def _labelled(strategies: Mapping[str, Strategy] | Sequence[Strategy]) -> dict[str, Strategy]:
    if isinstance(strategies, Mapping):
        named = dict(strategies)
    else:
        named = {}
        for s in strategies:
            if s.name in named:
                raise ValueError(
                    f"two strategies are both named {s.name!r} (expected distinct strategies,"
                    " or pass a mapping of labels)"
                )
            named[s.name] = s
    if not named:
        raise ValueError("a tournament needs at least one strategy")
    return named


def _run_dask(
    jobs: Sequence[tuple[str, Compiled, Reference, Lineup]],
    seeds: Sequence[int],
    deadline: int,
    scheduler: str | None,
    workers: int,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> list[list[MatchResult]]:
    with dask_client(scheduler, workers=workers, processes=True) as client:
        shared: dict[str, Any] = {}
        # Enough tasks to keep every worker busy (about 8 per worker), each a block of seeds of
        # one lineup; the blocks are put back together in submission order.
        workers_now = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        per_job = max(1, -(-8 * workers_now // max(1, len(jobs))))
        size = max(1, -(-len(seeds) // per_job))
        blocks = [list(seeds[k : k + size]) for k in range(0, len(seeds), size)]
        futures: list[list[Any]] = []
        for sid, compiled, ref, lineup in jobs:
            if sid not in shared:
                shared[sid] = client.scatter(compiled, broadcast=True)
            futures.append(
                [
                    client.submit(_play, sid, shared[sid], ref, lineup, block, deadline, pure=False)
                    for block in blocks
                ]
            )
        done = 0
        flat = [f for per in futures for f in per]
        sizes = {f.key: len(b) for per in futures for f, b in zip(per, blocks, strict=True)}
        for future in distributed().as_completed(flat):
            done += sizes[future.key]
            if progress is not None:
                progress(done, total)
            future.result()  # re-raise a worker's error here
        return [[r for part in client.gather(per) for r in part] for per in futures]
