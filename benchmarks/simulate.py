"""Simulated negotiations: accord's alternating offers against NegMAS's SAO mechanism.

Both run here, in one process, on the same bilateral domains with the same deadline, reserved
values and concession curves: a time-based Boulware (party 0) against a time-based Conceder
(party 1). NegMAS 0.16: ``SAOMechanism(n_steps=deadline, one_offer_per_step=True)`` (one offer
per step, as one offer per accord round) with ``BoulwareTBNegotiator`` and
``ConcederTBNegotiator`` on :func:`accord.simulate.to_negmas`'s utility functions, fresh ones for
every negotiation. accord: :func:`accord.simulate.alternating_offers` with ``Boulware(0.25)`` and
``Conceder(4)``. NegMAS's curve is ``1 - t ** e`` with ``e = 4`` (boulware) and ``0.25``
(conceder); accord's is ``1 - t ** (1 / e)``, so its exponents are the reciprocals.

Both scale the curve between the party's best utility and its floor. NegMAS's floor is the larger
of the reserved value and the worst outcome's utility; accord's is the BATNA. Each domain's BATNA
is therefore raised to the worst utility where it lies below (it accepts the same packages), and
both sides get that value.

Domains: random additive bilateral spaces (opposed value tables, different weights, a random
BATNA per party; a fresh domain for every negotiation) and the GENIUS domains accord reads (the
first two profiles; each domain played in both role assignments). Reported: negotiations per
second for each, the ratio, and the agreement rates with binomial standard errors and the
two-proportion z statistic (|z| < 2: the same rate within noise).

    python -m benchmarks.simulate [--deadline 100] [--runs 60] [--repeat 3] [--max-outcomes 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.compile import Compiled, compile_scenario
from accord.model import Scenario
from accord.simulate import Boulware, Conceder, alternating_offers, to_negmas
from benchmarks.domains import numbered_issues

GENIUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "genius"
TARGET = 10.0
"""accord must complete at least this many times more negotiations per second."""
NEGMAS_EXPONENTS = (4.0, 0.25)
"""NegMAS's named curves: boulware and conceder (``POLY_ASPIRATION_EXPONENTS``)."""


def opposed_scenario(issues: int, options: int, seed: int) -> Scenario:
    """Two parties with mirrored value tables (what one gains on an option the other loses),
    random weights and random BATNAs in [0.2, 0.8] (so that some negotiations fail)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, (issues, options))
    tables = (base, 1 - base)
    data: dict[str, Any] = {
        "id": "opposed",
        "title": "Random opposed bilateral scenario",
        "as_of": "2025-01-01",
        "parties": [
            {
                "id": f"P{p}",
                "name": f"P{p}",
                "roles": ["party"],
                "batna": round(float(rng.uniform(0.2, 0.8)), 6),
            }
            for p in range(2)
        ],
        "issues": numbered_issues(issues, options),
        "preferences": {
            f"P{p}": {
                f"i{i}": {
                    "salience": float(rng.uniform(0.05, 1)),
                    "values": {f"o{k}": float(tables[p][i, k]) for k in range(options)},
                }
                for i in range(issues)
            }
            for p in range(2)
        },
    }
    return Scenario.model_validate(data)


def level_floor(compiled: Compiled) -> Compiled:
    """The same domain with each BATNA raised to the party's worst utility where it lies below
    (NegMAS's floor; every package is still acceptable exactly when it was)."""
    batna = np.maximum(compiled.batna, compiled.utility_min)
    batna.setflags(write=False)
    return dataclasses.replace(compiled, batna=batna)


@dataclass(frozen=True)
class Side:
    seconds: float
    agreed: int
    runs: int
    rounds: float

    @property
    def rate(self) -> float:
        return self.agreed / self.runs

    @property
    def per_second(self) -> float:
        return self.runs / self.seconds

    @property
    def stderr(self) -> float:
        return math.sqrt(self.rate * (1 - self.rate) / self.runs)


def two_proportion_z(a: Side, b: Side) -> float:
    pooled = (a.agreed + b.agreed) / (a.runs + b.runs)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.runs + 1 / b.runs))
    return 0.0 if se == 0 else (a.rate - b.rate) / se


def best_time(repeat: int, play: Callable[[list[Compiled], int], Side], *args: Any) -> Side:
    """The fastest of ``repeat`` runs (the machine is shared; every run gives the same
    outcomes: both sides are deterministic here)."""
    runs = [play(*args) for _ in range(repeat)]
    assert all((r.agreed, r.rounds) == (runs[0].agreed, runs[0].rounds) for r in runs)
    return min(runs, key=lambda r: r.seconds)


def run_accord(domains: list[Compiled], deadline: int) -> Side:
    strategies = {
        "first": Boulware(1 / NEGMAS_EXPONENTS[0]),
        "second": Conceder(1 / NEGMAS_EXPONENTS[1]),
    }
    agreed, rounds = 0, 0
    start = time.perf_counter()
    for k, c in enumerate(domains):
        a, b = c.party_ids
        outcome = alternating_offers(
            c, {a: strategies["first"], b: strategies["second"]}, deadline=deadline, seed=k
        ).run()
        agreed += outcome.agreed
        rounds += outcome.rounds
    seconds = time.perf_counter() - start
    return Side(seconds, agreed, len(domains), rounds / len(domains))


def run_negmas(domains: list[Compiled], deadline: int) -> Side:
    from negmas import SAOMechanism
    from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator

    prepared = [to_negmas(c) for c in domains]  # fresh ufuns each: NegMAS caches on them
    agreed, rounds = 0, 0
    start = time.perf_counter()
    for d in prepared:
        mechanism = SAOMechanism(
            outcome_space=d.outcome_space, n_steps=deadline, one_offer_per_step=True
        )
        mechanism.add(BoulwareTBNegotiator(ufun=d.ufuns[0]))
        mechanism.add(ConcederTBNegotiator(ufun=d.ufuns[1]))
        state = mechanism.run()
        agreed += state.agreement is not None
        rounds += state.step
    seconds = time.perf_counter() - start
    return Side(seconds, agreed, len(domains), rounds / len(domains))


@dataclass(frozen=True)
class Row:
    name: str
    outcomes: int
    accord: Side
    negmas: Side

    @property
    def ratio(self) -> float:
        return self.accord.per_second / self.negmas.per_second

    @property
    def z(self) -> float:
        return two_proportion_z(self.accord, self.negmas)


def measure(name: str, domains: list[Compiled], deadline: int, repeat: int) -> Row:
    outcomes = math.prod(int(n) for n in domains[0].n_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = best_time(repeat, run_negmas, domains, deadline)
    ours = best_time(repeat, run_accord, domains, deadline)
    return Row(name, outcomes, ours, theirs)


def genius_pairs(max_outcomes: int) -> list[tuple[str, list[Compiled]]]:
    from accord.io.genius import read_genius
    from accord.model.errors import ScenarioError

    found = []
    for folder in sorted({p.parent for p in GENIUS.rglob("*.xml")}):
        try:
            compiled = compile_scenario(read_genius(folder))
        except ScenarioError:
            continue
        if compiled.n_parties < 2 or math.prod(int(n) for n in compiled.n_options) > max_outcomes:
            continue
        first, second = compiled.party_ids[:2]
        pair = [
            level_floor(compile_scenario(read_genius(folder), parties=order))
            for order in ((first, second), (second, first))
        ]
        found.append((str(folder.relative_to(GENIUS)), pair))
    return found


def print_table(title: str, rows: list[Row]) -> None:
    print(title)
    print(
        f"{'domain':28} {'outcomes':>9} {'runs':>5} {'accord/s':>9} {'negmas/s':>9} {'x':>6}"
        f"  {'agree accord':>13} {'agree negmas':>13} {'z':>5}  {'rounds a/n':>11}"
    )
    for r in rows:
        a, n = r.accord, r.negmas
        print(
            f"{r.name:28} {r.outcomes:9,} {a.runs:5} {a.per_second:9.1f} {n.per_second:9.1f}"
            f" {r.ratio:6.1f}  {a.rate:6.2f}±{a.stderr:.2f}   {n.rate:6.2f}±{n.stderr:.2f}"
            f"   {r.z:5.2f}  {a.rounds:5.1f}/{n.rounds:5.1f}"
        )


def summary(label: str, rows: list[Row]) -> None:
    a = Side(
        sum(r.accord.seconds for r in rows),
        sum(r.accord.agreed for r in rows),
        sum(r.accord.runs for r in rows),
        0.0,
    )
    n = Side(
        sum(r.negmas.seconds for r in rows),
        sum(r.negmas.agreed for r in rows),
        sum(r.negmas.runs for r in rows),
        0.0,
    )
    ratio = a.per_second / n.per_second
    z = two_proportion_z(a, n)
    low = min(r.ratio for r in rows)
    print(
        f"{label}: {a.runs} negotiations each; accord {a.per_second:.1f}/s, NegMAS"
        f" {n.per_second:.1f}/s: {ratio:.1f}x overall (lowest row {low:.1f}x);"
        f" agreement {a.rate:.3f}±{a.stderr:.3f} vs {n.rate:.3f}±{n.stderr:.3f}, z = {z:.2f}"
    )
    speed = "met" if low >= TARGET else "MISSED"
    noise = "within noise" if abs(z) < 2 else "NOT within noise"
    print(f"  target >= {TARGET:.0f}x on every row: {speed}; agreement rates {noise} (|z| < 2)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=int, default=100)
    parser.add_argument("--runs", type=int, default=60, help="random domains per size")
    parser.add_argument("--max-outcomes", type=int, default=100_000, help="GENIUS domains")
    parser.add_argument("--repeat", type=int, default=3, help="best of, for each side")
    parser.add_argument("--no-genius", action="store_true")
    args = parser.parse_args(argv)
    try:
        import negmas  # noqa: F401
    except ImportError:
        print("negmas is not installed (pip install -e '.[bench]'): the benchmark needs it")
        return
    warm = [level_floor(compile_scenario(opposed_scenario(2, 3, 0)))]
    measure("warm-up", warm, 10, 1)  # first calls import and build caches on both sides

    rows = []
    for issues, options, runs in ((2, 10, args.runs), (3, 10, args.runs), (4, 10, args.runs)):
        domains = [
            level_floor(compile_scenario(opposed_scenario(issues, options, seed)))
            for seed in range(runs)
        ]
        name = f"random {issues} issues x {options}"
        rows.append(measure(name, domains, args.deadline, args.repeat))
    print_table(f"Bilateral Boulware vs Conceder, deadline {args.deadline} offers", rows)
    summary("random domains", rows)
    if args.no_genius:
        return
    if not GENIUS.is_dir():
        print(f"GENIUS data not found at {GENIUS}: the domain table is left out")
        return
    genius = [
        measure(name, pair, args.deadline, args.repeat)
        for name, pair in genius_pairs(args.max_outcomes)
    ]
    print()
    print_table(
        f"GENIUS domains up to {args.max_outcomes:,} outcomes (both role assignments)", genius
    )
    summary("GENIUS domains", genius)


if __name__ == "__main__":
    main()
