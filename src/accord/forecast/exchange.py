"""Stokman's exchange model with the equal-gain rule (vote exchange between actors).

Actors trade positions over pairs of issues: an actor shifts (supplies) on the issue it cares
about relatively less and is compensated on the issue it cares about more (its demand issue).
The forecast per issue is the capability x salience weighted mean of the positions (the
"compromise model"; decide calls it the NBS).

One round, on positions normalised to 0-100 per issue:

1. ``O_d = sum_i c_id s_id x_id / sum_i c_id s_id`` and every actor is left of ``O_d``
   (``x <= O``) or right of it.
2. For every issue pair ``(p, q)`` (input order, ``p < q``), actors on opposite sides of the
   outcome on *both* issues may exchange (groups A-D and B-C).  The actor with the larger
   ``s_p / s_q`` ratio demands ``p`` and supplies ``q``.
3. Equal gain: the demander of ``p`` makes the supplier of ``p`` move to its own position;
   the outcome shift is ``delta_p = |dx| c s / sum c s`` and the counter-shift
   ``delta_q = delta_p (s_Ip + s_Jp) / (s_Iq + s_Jq)`` gives both actors the same gain
   ``|delta_p s_p - delta_q s_q|``.  If the counter-move overshoots, the roles swap; a move that
   would push the outcome past the demander's position is cut back to reach it exactly.
4. The highest-gain valid exchange is realised; every other candidate that shares an actor's
   supply or demand issue is recalculated (or dropped when it becomes invalid); repeat.
5. The realised voting positions give the round's outcome.  The next round starts from
   ``x' = x + (0.1 + 0.4 (1 - s)) (y - x)`` for the actor-issues that moved.

This follows the reference implementation ``decide-exchange-model`` (GPL-3.0; used only as an
external test oracle, no code copied), including its validity rules, so that the two agree
round by round when its random tie-break is off.

Tie-break.  ``tie_break="deterministic"`` (default): candidates are kept in a ranking list,
initially ordered by issue pair (input order), then group pair (A-D before B-C), then actor
order; at each step the list is stably re-sorted by gain (gains rounded to ``TIE_DECIMALS``
decimals) and the first valid candidate is realised.  So among tied gains the candidate ranked
earlier wins, which is what decide does with its random tie-break off.  ``tie_break="random"``
draws uniformly among the tied top candidates with ``rng``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TIE_DECIMALS",
    "Exchange",
    "ExchangeInput",
    "ExchangeResult",
    "ExchangeRound",
    "exchange_model",
    "iter_exchange_rounds",
    "read_exchange_input",
]

FloatArray = NDArray[np.float64]
TieBreak = Literal["deterministic", "random"]

TIE_DECIMALS = 10
"""Gains that agree to this many decimals (0-100 scale) count as tied."""

SALIENCE_WEIGHT = 0.4
FIXED_WEIGHT = 0.1
_MIN_GAIN = 1e-10
_MIN_MOVE = 1e-10


@dataclass(frozen=True)
class Exchange:
    """One realised exchange.  Actor ``i`` supplies ``issue_i`` and demands ``issue_j``."""

    actor_i: int
    actor_j: int
    issue_i: int
    issue_j: int
    move_i: float
    move_j: float
    position_i: float
    position_j: float
    gain_i: float
    gain_j: float


@dataclass(frozen=True)
class ExchangeRound:
    """A round: its starting outcome, the exchanges in the order realised, the results.

    Positions, moves and outcomes are in the issues' own scales; gains are on the 0-100 scale.
    """

    index: int
    start_positions: FloatArray
    start_outcomes: FloatArray
    exchanges: tuple[Exchange, ...]
    voting_positions: FloatArray
    outcomes: FloatArray
    next_positions: FloatArray
    ties: int


@dataclass(frozen=True)
class ExchangeResult:
    rounds: tuple[ExchangeRound, ...]

    @property
    def outcomes(self) -> FloatArray:
        """Rounds x issues outcomes (after each round's exchanges)."""
        return np.array([r.outcomes for r in self.rounds], dtype=float)


@dataclass(frozen=True)
class ExchangeInput:
    """Arrays read from a ``decide-exchange-model`` input file."""

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    scales: FloatArray


@dataclass
class _Side:
    actor: int
    supply: int
    demand: int
    x: float  # current supply position
    start: float  # supply position at the start of the round
    demand_x: float  # own position on the demand issue at the start of the round
    moves: list[float] = field(default_factory=list)
    move: float = 0.0
    y: float = 0.0


@dataclass
class _Candidate:
    i: _Side
    j: _Side
    updates: dict[int, dict[int, float]] = field(default_factory=dict)
    gain: float = 0.0
    gain_i: float = 0.0
    gain_j: float = 0.0
    valid: bool = True


class _Round:
    """The mutable state of one round's exchange search (normalised 0-100 positions)."""

    def __init__(self, x: FloatArray, s: FloatArray, c: FloatArray) -> None:
        self.x, self.s, self.c = x, s, c
        self.cs = c * s
        self.den = self.cs.sum(axis=0)

    # -- outcome helpers ---------------------------------------------------------------
    def _outcome(self, issue: int, cand: _Candidate, actor: int, pos: float, first: bool) -> float:
        col = self.x[:, issue].copy()
        if first:
            col[actor] = pos
        for a, v in cand.updates.get(issue, {}).items():
            col[a] = v
        if not first:
            col[actor] = pos
        return float(self.cs[:, issue] @ col / self.den[issue])

    def _ratio_move(self, side: _Side, ratio: float) -> float:
        return ratio * float(self.den[side.supply]) / float(self.cs[side.actor, side.supply])

    @staticmethod
    def _move_ok(side: _Side) -> bool:
        m = side.move
        if abs(m) > 100 or abs(m) <= _MIN_MOVE:
            return False
        if not 0 <= side.x + m <= 100:
            return False
        if sum(side.moves) > 100:
            return False
        return max(side.moves) < 0 or min(side.moves) > 0

    # -- equal-gain exchange -----------------------------------------------------------
    def calculate(self, e: _Candidate) -> None:
        s, i, j = self.s, e.i, e.j
        p, q = j.supply, i.supply
        sum_p = float(s[i.actor, p] + s[j.actor, p])
        sum_q = float(s[i.actor, q] + s[j.actor, q])
        dist_j = abs(i.demand_x - j.x)
        dist_i = abs(j.demand_x - i.x)
        dp = dist_j * float(self.cs[j.actor, p] / self.den[p])
        dq = dp * sum_p / sum_q
        i.move, j.move = self._ratio_move(i, dq), dist_j
        if abs(i.move) > dist_i:
            dq = dist_i * float(self.cs[i.actor, q] / self.den[q])
            dp = dq * sum_q / sum_p
            i.move, j.move = dist_i, self._ratio_move(j, dp)
        if i.x > j.demand_x:
            i.move = -i.move
        if j.x > i.demand_x:
            j.move = -j.move
        i.moves.append(i.move)
        j.moves.append(j.move)
        i.y, j.y = i.x + i.move, j.x + j.move
        e.gain_i = abs(dq * float(s[i.actor, q]) - dp * float(s[i.actor, p]))
        e.gain_j = abs(dp * float(s[j.actor, p]) - dq * float(s[j.actor, q]))
        e.gain = e.gain_i
        e.valid = self._move_ok(i) and self._move_ok(j) and e.gain >= _MIN_GAIN
        if not e.valid:
            return
        self._limit_to_demand(e, i, j)
        self._limit_to_demand(e, j, i)
        e.valid = self._move_ok(i) and self._move_ok(j)

    def _limit_to_demand(self, e: _Candidate, a: _Side, b: _Side) -> None:
        """Cut ``a``'s move back if it would push the outcome past ``b``'s position."""
        iss = a.supply
        target = b.demand_x
        before = self._outcome(iss, e, a.actor, a.x, first=False)
        after = self._outcome(iss, e, a.actor, a.y, first=False)
        if (target >= before and target >= after) or (target <= before and target <= after):
            return
        current = self._outcome(iss, e, a.actor, a.x, first=True)
        move_a = abs((target - current) * float(self.den[iss] / self.cs[a.actor, iss]))
        ratio_a = move_a * float(self.cs[a.actor, iss] / self.den[iss])
        s = self.s
        ratio_b = ratio_a * float(
            (s[a.actor, iss] + s[b.actor, iss]) / (s[a.actor, b.supply] + s[b.actor, b.supply])
        )
        b.move = abs(self._ratio_move(b, ratio_b))
        a.move = move_a
        if b.x > a.demand_x:
            b.move = -b.move
        if a.x > target:
            a.move = -a.move
        b.moves[-1] = b.move
        a.moves[-1] = a.move
        b.y, a.y = b.x + b.move, a.x + a.move
        gain_b = abs(ratio_b * float(s[b.actor, b.supply]) - ratio_a * float(s[b.actor, iss]))
        gain_a = abs(ratio_a * float(s[a.actor, iss]) - ratio_b * float(s[a.actor, b.supply]))
        e.gain = gain_b
        e.gain_i, e.gain_j = (gain_b, gain_a) if b is e.i else (gain_a, gain_b)

    # -- after a realised exchange -----------------------------------------------------
    @staticmethod
    def _record(e: _Candidate, mover: _Side, issue: int) -> None:
        upd = e.updates.setdefault(issue, {})
        if mover.actor in upd:
            old = upd[mover.actor]
            keep_old = old < mover.y if mover.start <= old else old > mover.y
            upd[mover.actor] = old if keep_old else mover.y
        else:
            upd[mover.actor] = mover.y

    def recalculate(self, e: _Candidate, r: _Candidate) -> None:
        hit = False
        for side in (e.i, e.j):
            for done in (r.i, r.j):
                if (side.actor, side.supply) == (done.actor, done.supply):
                    side.x = done.y
                    side.moves.append(done.moves[-1])
                    hit = True
                    break
        if hit:
            e.i.moves.pop()
            e.j.moves.pop()
        for demander, mover in ((r.j, r.i), (r.i, r.j)):
            key = (demander.actor, demander.demand)
            if key in ((e.j.actor, e.j.demand), (e.i.actor, e.i.demand)):
                self._record(e, mover, demander.demand)
                if not hit:
                    e.i.moves.pop()
                    e.j.moves.pop()
                    hit = True
        if hit:
            self.calculate(e)

    # -- candidate set -----------------------------------------------------------------
    def candidates(self, left: NDArray[np.bool_], present: NDArray[np.bool_]) -> list[_Candidate]:
        m = self.x.shape[1]
        s = self.s
        out: list[_Candidate] = []
        for p in range(m - 1):
            for q in range(p + 1, m):
                group = left[:, p].astype(int) + 2 * left[:, q].astype(int)
                group[~(present[:, p] & present[:, q])] = -1
                for gi, gj in ((0, 3), (1, 2)):
                    ai, aj = np.nonzero(group == gi)[0], np.nonzero(group == gj)[0]
                    if ai.size == 0 or aj.size == 0:
                        continue
                    ii, jj = np.repeat(ai, aj.size), np.tile(aj, ai.size)
                    swap = s[ii, p] / s[ii, q] < s[jj, p] / s[jj, q]
                    dem_p = np.where(swap, jj, ii)  # demands p, supplies q
                    dem_q = np.where(swap, ii, jj)  # demands q, supplies p
                    for a, b in zip(dem_p.tolist(), dem_q.tolist(), strict=True):
                        x = self.x
                        side_i = _Side(a, q, p, float(x[a, q]), float(x[a, q]), float(x[a, p]))
                        side_j = _Side(b, p, q, float(x[b, p]), float(x[b, p]), float(x[b, q]))
                        out.append(_Candidate(side_i, side_j))
        return out


def _as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _weighted_mean(x: FloatArray, cs: FloatArray) -> FloatArray:
    out: FloatArray = (cs * x).sum(axis=0) / cs.sum(axis=0)
    return out


def iter_exchange_rounds(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    scales: ArrayLike | None = None,
    *,
    tie_break: TieBreak = "deterministic",
    rng: np.random.Generator | int | None = None,
) -> Iterator[ExchangeRound]:
    """Yield the exchange model's rounds one by one (an endless, steppable simulation).

    ``positions`` and ``saliences`` are actors x issues; ``capabilities`` is per actor
    (``(n,)``) or per actor and issue (``(n, m)``); ``scales`` is issues x 2 (lower, upper),
    default 0-100.  Saliences and capabilities must be positive.
    """
    x_raw = np.array(positions, dtype=float, ndmin=2)
    n, m = x_raw.shape
    s = np.array(saliences, dtype=float).reshape(n, m)
    c = np.broadcast_to(np.array(capabilities, dtype=float).reshape(n, -1), (n, m)).copy()
    sc = np.array([[0.0, 100.0]] * m if scales is None else scales, dtype=float).reshape(m, 2)
    lower, width = sc[:, 0], sc[:, 1] - sc[:, 0]
    if np.any(width <= 0):
        raise ValueError("each issue scale needs lower < upper")
    present = ~np.isnan(x_raw)
    if np.any(~(s[present] > 0)) or np.any(~(c[present] > 0)):
        raise ValueError("saliences and capabilities must be positive")
    s = np.where(present, s, 0.0)
    c = np.where(present, c, 0.0)
    x_raw = np.where(present, x_raw, lower)
    if tie_break not in ("deterministic", "random"):
        raise ValueError(f"unknown tie_break {tie_break!r}")
    gen = _as_rng(rng) if tie_break == "random" else None
    step = 100.0 / width
    x = (x_raw - lower) * step
    if np.any(x < -1e-9) or np.any(x > 100 + 1e-9):
        raise ValueError("positions must lie within the issue scales")

    def denorm(a: FloatArray) -> FloatArray:
        out: FloatArray = np.where(present, a / step + lower, np.nan)
        return out

    index = 0
    while True:
        state = _Round(x, s, c)
        start_outcome = _weighted_mean(x, state.cs)
        pool = state.candidates(x <= start_outcome, present)
        for cand in pool:
            state.calculate(cand)
        pool = [e for e in pool if e.valid]
        realised: list[_Candidate] = []
        ties = 0
        while pool:
            gains = np.round(np.array([e.gain for e in pool]), TIE_DECIMALS)
            order = np.argsort(-gains, kind="stable")
            pool = [pool[k] for k in order]
            n_top = int(np.sum(gains == gains[order[0]]))
            pick = 0
            if n_top > 1:
                ties += 1
                if gen is not None:
                    pick = int(gen.integers(n_top))
            done = pool.pop(pick)
            realised.append(done)
            for e in pool:
                state.recalculate(e, done)
            pool = [e for e in pool if e.valid]

        vote = x.copy()
        nxt = x.copy()
        records = []
        for e in realised:
            for side in (e.i, e.j):
                vote[side.actor, side.supply] = side.y
                w = (1 - s[side.actor, side.supply]) * SALIENCE_WEIGHT + FIXED_WEIGHT
                nxt[side.actor, side.supply] = side.start + w * (side.y - side.start)
            k = step
            records.append(
                Exchange(
                    actor_i=e.i.actor,
                    actor_j=e.j.actor,
                    issue_i=e.i.supply,
                    issue_j=e.j.supply,
                    move_i=e.i.move / k[e.i.supply],
                    move_j=e.j.move / k[e.j.supply],
                    position_i=e.i.y / k[e.i.supply] + lower[e.i.supply],
                    position_j=e.j.y / k[e.j.supply] + lower[e.j.supply],
                    gain_i=e.gain_i,
                    gain_j=e.gain_j,
                )
            )
        yield ExchangeRound(
            index=index,
            start_positions=denorm(x),
            start_outcomes=start_outcome / step + lower,
            exchanges=tuple(records),
            voting_positions=denorm(vote),
            outcomes=_weighted_mean(vote, state.cs) / step + lower,
            next_positions=denorm(nxt),
            ties=ties,
        )
        x = nxt
        index += 1


def exchange_model(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    scales: ArrayLike | None = None,
    *,
    rounds: int = 10,
    tie_break: TieBreak = "deterministic",
    rng: np.random.Generator | int | None = None,
) -> ExchangeResult:
    """Run ``rounds`` rounds of the equal-gain exchange model (see the module docstring).

    >>> res = exchange_model([[0, 0], [100, 100]], [[0.9, 0.2], [0.3, 0.8]], [1, 1], rounds=1)
    >>> [(x.actor_i, x.issue_i, x.actor_j, x.issue_j) for x in res.rounds[0].exchanges]
    [(0, 1, 1, 0)]
    """
    if rounds < 0:
        raise ValueError("rounds must be >= 0")
    it = iter_exchange_rounds(
        positions, saliences, capabilities, scales, tie_break=tie_break, rng=rng
    )
    return ExchangeResult(tuple(next(it) for _ in range(rounds)))


def read_exchange_input(path: str | Path) -> ExchangeInput:
    """Read a ``decide-exchange-model`` input file (``#A``, ``#P``, ``#M``, ``#D`` rows).

    ``#D`` rows hold actor, issue, position, salience, power; ``#M`` rows give an issue's
    scale anchors (lower and upper; default 0-100).
    """
    actors: list[str] = []
    issues: list[str] = []
    anchors: dict[str, list[float]] = {}
    data: list[tuple[str, str, float, float, float]] = []
    with Path(path).open(newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quotechar="'"):
            if not row:
                continue
            tag = row[0].strip()
            if tag == "#A":
                actors.append(row[1])
            elif tag == "#P":
                issues.append(row[1])
            elif tag == "#M":
                anchors.setdefault(row[1], []).append(float(row[2]))
            elif tag == "#D":
                data.append((row[1], row[2], float(row[3]), float(row[4]), float(row[5])))
    a_ix = {a: k for k, a in enumerate(actors)}
    i_ix = {p: k for k, p in enumerate(issues)}
    shape = (len(actors), len(issues))
    x, s, c = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for actor, issue, pos, sal, power in data:
        k, d = a_ix[actor], i_ix[issue]
        x[k, d], s[k, d], c[k, d] = pos, sal, power
    scales = np.array([_scale(anchors.get(p, [])) for p in issues], dtype=float)
    return ExchangeInput(tuple(actors), tuple(issues), x, s, c, scales.reshape(len(issues), 2))


def _scale(values: Sequence[float]) -> tuple[float, float]:
    return (min(values), max(values)) if len(values) >= 2 else (0.0, 100.0)
