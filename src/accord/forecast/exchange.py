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

Arithmetic.  ``arithmetic="float"`` (default) computes in binary floats; every sum over
actors is ``math.fsum`` (correctly rounded), so results do not depend on actor order.
``arithmetic="decimal"`` computes everything (normalisation, outcomes, gains, ranking, next
positions) in ``decimal.Decimal`` with 28 digits, ROUND_HALF_EVEN, evaluating every formula in
decide's operation order and summing over actors in ``sum_order`` (per issue; default actor
order; ``read_exchange_input`` gives the file's ``#D`` row order as decide uses).  Float inputs
are read as the decimals they print as (``repr``).  Gains are then ranked exactly, so
mathematically tied exchanges fall in the same order as in decide, which breaks such ties by
decimal rounding noise: this reproduces decide round by round on its three sample files.  It
is slower (about 2 s for 10 rounds of COP21) and meant for validation.  Under float, exact
ties and decisions at exact boundaries (a move ending on the scale end, an outcome landing on
a demander's position) may fall differently from decide.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from pathlib import Path
from typing import Any, Literal, TypeAlias

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
Arithmetic = Literal["float", "decimal"]
Num: TypeAlias = Any
"""A model scalar: ``float``, or ``Decimal`` throughout a run under ``arithmetic="decimal"``."""

DECIMAL_PRECISION = 28
"""Significant digits of ``arithmetic="decimal"`` (Python's default context, as decide uses)."""
_DECIMAL_CONTEXT = Context(prec=DECIMAL_PRECISION, rounding=ROUND_HALF_EVEN)

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
    """The exchange model's rounds of exchanges and resulting positions."""

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
    row_order: tuple[tuple[int, ...], ...] = ()
    """Per issue, the actors in the order of their ``#D`` rows (decide sums in this order)."""


@dataclass
class _Side:
    actor: int
    supply: int
    demand: int
    x: Num  # current supply position
    start: Num  # supply position at the start of the round
    demand_x: Num  # own position on the demand issue at the start of the round
    moves: list[Num] = field(default_factory=list)
    move: Num = 0.0
    y: Num = 0.0


@dataclass
class _Candidate:
    i: _Side
    j: _Side
    updates: dict[int, dict[int, Num]] = field(default_factory=dict)
    gain: Num = 0.0
    gain_i: Num = 0.0
    gain_j: Num = 0.0
    valid: bool = True


class _Round:
    """The mutable state of one round's exchange search (normalised 0-100 positions).

    All scalars are Python ``float`` or, under ``arithmetic="decimal"``, ``Decimal`` (then the
    caller holds a 28-digit decimal context).  Formulas are evaluated in decide's operation
    order; sums over actors are ``math.fsum`` (float: exact, so independent of actor order) or
    a left-to-right sum in ``order`` (decimal: decide's input-row order).
    """

    def __init__(
        self,
        x: list[list[Num]],
        s: list[list[Num]],
        c: list[list[Num]],
        order: list[list[int]],
        exact: bool,
    ) -> None:
        self.x, self.s, self.c, self.order, self.exact = x, s, c, order, exact
        m = len(order)
        self.cs = [
            [ck * sk for ck, sk in zip(cr, sr, strict=True)] for cr, sr in zip(c, s, strict=True)
        ]
        self.den = [self._sum(s[k][d] * c[k][d] for k in order[d]) for d in range(m)]

    def _sum(self, values: Iterable[Num]) -> Num:
        return sum(values) if self.exact else math.fsum(values)

    def weighted_sum(self, issue: int, col: Sequence[Num]) -> Num:
        s, c = self.s, self.c
        return self._sum(col[k] * s[k][issue] * c[k][issue] for k in self.order[issue])

    def outcomes(self, x: list[list[Num]]) -> list[Num]:
        return [
            self.weighted_sum(d, [row[d] for row in x]) / self.den[d]
            for d in range(len(self.order))
        ]

    # -- outcome helpers ---------------------------------------------------------------
    def _column(self, issue: int, cand: _Candidate, actor: int, pos: Num, first: bool) -> list[Num]:
        col = [row[issue] for row in self.x]
        if first:
            col[actor] = pos
        for a, v in cand.updates.get(issue, {}).items():
            col[a] = v
        if not first:
            col[actor] = pos
        return col

    def _outcome(self, issue: int, cand: _Candidate, actor: int, pos: Num) -> Num:
        return (
            self.weighted_sum(issue, self._column(issue, cand, actor, pos, False)) / self.den[issue]
        )

    def _ratio(self, delta: Num, actor: int, issue: int) -> Num:
        """Outcome shift caused by moving ``actor`` by ``delta`` on ``issue``."""
        return delta * self.s[actor][issue] * self.c[actor][issue] / self.den[issue]

    def _ratio_move(self, side: _Side, ratio: Num) -> Num:
        """The move of ``side`` on its supply issue that shifts the outcome by ``ratio``."""
        return ratio * self.den[side.supply] / self.cs[side.actor][side.supply]

    @staticmethod
    def _move_ok(side: _Side) -> bool:
        m = side.move
        if abs(m) > 100 or abs(m) <= _MIN_MOVE:
            return False
        if not 0 <= side.x + m <= 100:
            return False
        if sum(side.moves) > 100:
            return False
        return bool(max(side.moves) < 0 or min(side.moves) > 0)

    # -- equal-gain exchange -----------------------------------------------------------
    def calculate(self, e: _Candidate) -> None:
        s, i, j = self.s, e.i, e.j
        p, q = j.supply, i.supply
        dist_j = abs(i.demand_x - j.x)
        dist_i = abs(j.demand_x - i.x)
        dp = self._ratio(dist_j, j.actor, p)
        dq = (s[j.actor][p] + s[i.actor][p]) / (s[j.actor][q] + s[i.actor][q]) * dp
        i.move, j.move = self._ratio_move(i, dq), dist_j
        if abs(i.move) > dist_i:
            dq = self._ratio(dist_i, i.actor, q)
            dp = (s[i.actor][q] + s[j.actor][q]) / (s[i.actor][p] + s[j.actor][p]) * dq
            i.move, j.move = dist_i, self._ratio_move(j, dp)
        if i.x > j.demand_x:
            i.move = -i.move
        if j.x > i.demand_x:
            j.move = -j.move
        i.moves.append(i.move)
        j.moves.append(j.move)
        i.y, j.y = i.x + i.move, j.x + j.move
        e.gain_i = abs(dq * s[i.actor][q] - dp * s[i.actor][p])
        e.gain_j = abs(dp * s[j.actor][p] - dq * s[j.actor][q])
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
        before = self._outcome(iss, e, a.actor, a.x)
        after = self._outcome(iss, e, a.actor, a.y)
        if (target >= before and target >= after) or (target <= before and target <= after):
            return
        # The position that puts the outcome exactly on ``target``, written as decide does:
        # (target * den - sum_k x_k s_k c_k) / (s_a c_a) with ``a`` still at ``a.x``.
        col = self._column(iss, e, a.actor, a.x, True)
        left = target * self.den[iss] - self.weighted_sum(iss, col)
        move_a = abs(left / (self.s[a.actor][iss] * self.c[a.actor][iss]))
        ratio_a = self._ratio(move_a, a.actor, iss)
        s = self.s
        ratio_b = (
            (s[a.actor][iss] + s[b.actor][iss])
            / (s[a.actor][b.supply] + s[b.actor][b.supply])
            * ratio_a
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
        gain_b = abs(ratio_b * s[b.actor][b.supply] - ratio_a * s[b.actor][iss])
        gain_a = abs(ratio_a * s[a.actor][iss] - ratio_b * s[a.actor][b.supply])
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
    def candidates(self, left: list[list[bool]], present: NDArray[np.bool_]) -> list[_Candidate]:
        n, m = present.shape
        s, x = self.s, self.x
        out: list[_Candidate] = []
        for p in range(m - 1):
            for q in range(p + 1, m):
                groups: list[list[int]] = [[], [], [], []]
                for k in range(n):
                    if present[k, p] and present[k, q]:
                        groups[int(left[k][p]) + 2 * int(left[k][q])].append(k)
                for gi, gj in ((0, 3), (1, 2)):
                    for g in groups[gi]:
                        for h in groups[gj]:
                            # ``a`` demands p and supplies q; ``b`` the reverse.
                            swap = s[g][p] / s[g][q] < s[h][p] / s[h][q]
                            a, b = (h, g) if swap else (g, h)
                            side_i = _Side(a, q, p, x[a][q], x[a][q], x[a][p])
                            side_j = _Side(b, p, q, x[b][p], x[b][p], x[b][q])
                            out.append(_Candidate(side_i, side_j))
        return out


def _as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _to_decimal(v: float) -> Decimal:
    """A float input as the decimal number it was written as (its shortest repr)."""
    return Decimal(repr(float(v)))


def _sum_order(
    sum_order: Sequence[Sequence[int]] | None, present: NDArray[np.bool_]
) -> list[list[int]]:
    n, m = present.shape
    if sum_order is None:
        return [[k for k in range(n) if present[k, d]] for d in range(m)]
    order = [[int(k) for k in row] for row in sum_order]
    if len(order) != m or any(
        sorted(order[d]) != [k for k in range(n) if present[k, d]] for d in range(m)
    ):
        raise ValueError("sum_order must list, per issue, each actor with a position once")
    return order


def iter_exchange_rounds(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    scales: ArrayLike | None = None,
    *,
    tie_break: TieBreak = "deterministic",
    rng: np.random.Generator | int | None = None,
    arithmetic: Arithmetic = "float",
    sum_order: Sequence[Sequence[int]] | None = None,
) -> Iterator[ExchangeRound]:
    """Yield the exchange model's rounds one by one (an endless, steppable simulation).

    ``positions`` and ``saliences`` are actors x issues; ``capabilities`` is per actor
    (``(n,)``) or per actor and issue (``(n, m)``); ``scales`` is issues x 2 (lower, upper),
    default 0-100.  Saliences and capabilities must be positive.  ``arithmetic`` and
    ``sum_order`` (per issue, the actors in the order their sums run; decimal only) are
    described in the module docstring.
    """
    x_raw = np.array(positions, dtype=float, ndmin=2)
    n, m = x_raw.shape
    s_arr = np.array(saliences, dtype=float).reshape(n, m)
    c_arr = np.broadcast_to(np.array(capabilities, dtype=float).reshape(n, -1), (n, m)).copy()
    sc = np.array([[0.0, 100.0]] * m if scales is None else scales, dtype=float).reshape(m, 2)
    lower, width = sc[:, 0], sc[:, 1] - sc[:, 0]
    if np.any(width <= 0):
        raise ValueError("each issue scale needs lower < upper")
    present = ~np.isnan(x_raw)
    if np.any(~(s_arr[present] > 0)) or np.any(~(c_arr[present] > 0)):
        raise ValueError("saliences and capabilities must be positive")
    s_arr = np.where(present, s_arr, 0.0)
    c_arr = np.where(present, c_arr, 0.0)
    x_raw = np.where(present, x_raw, lower)
    if tie_break not in ("deterministic", "random"):
        raise ValueError(f"unknown tie_break {tie_break!r}")
    if arithmetic not in ("float", "decimal"):
        raise ValueError(f"unknown arithmetic {arithmetic!r}")
    exact = arithmetic == "decimal"
    order = _sum_order(sum_order, present)
    gen = _as_rng(rng) if tie_break == "random" else None
    step = 100.0 / width
    if np.any((x_raw - lower) * step < -1e-9) or np.any((x_raw - lower) * step > 100 + 1e-9):
        raise ValueError("positions must lie within the issue scales")

    num: Callable[[float], Num] = _to_decimal if exact else float
    with localcontext(_DECIMAL_CONTEXT):
        lo = [num(v) for v in lower]
        # decide: step = 100 / (upper - lower), x = (x_raw - lower) * step, all in decimal.
        k_step = [100 / (num(hi) - num(l0)) for l0, hi in zip(sc[:, 0], sc[:, 1], strict=True)]
        x = [[(num(v) - lo[d]) * k_step[d] for d, v in enumerate(row)] for row in x_raw.tolist()]
        s = [[num(v) for v in row] for row in s_arr.tolist()]
        c = [[num(v) for v in row] for row in c_arr.tolist()]

    def denorm(a: list[list[Num]]) -> FloatArray:
        arr = np.array([[float(v) for v in row] for row in a], dtype=float)
        out: FloatArray = np.where(present, arr / step + lower, np.nan)
        return out

    index = 0
    while True:
        with localcontext(_DECIMAL_CONTEXT):
            state = _Round(x, s, c, order, exact)
            rnd, nxt = _play_round(state, present, gen, exact)
        start_outcome = np.array([float(v) for v in state.outcomes(x)], dtype=float)
        records = tuple(
            Exchange(
                actor_i=e.i.actor,
                actor_j=e.j.actor,
                issue_i=e.i.supply,
                issue_j=e.j.supply,
                move_i=float(e.i.move) / step[e.i.supply],
                move_j=float(e.j.move) / step[e.j.supply],
                position_i=float(e.i.y) / step[e.i.supply] + lower[e.i.supply],
                position_j=float(e.j.y) / step[e.j.supply] + lower[e.j.supply],
                gain_i=float(e.gain_i),
                gain_j=float(e.gain_j),
            )
            for e in rnd.realised
        )
        yield ExchangeRound(
            index=index,
            start_positions=denorm(x),
            start_outcomes=start_outcome / step + lower,
            exchanges=records,
            voting_positions=denorm(rnd.vote),
            outcomes=np.array([float(v) for v in rnd.outcomes], dtype=float) / step + lower,
            next_positions=denorm(nxt),
            ties=rnd.ties,
        )
        x = nxt
        index += 1


@dataclass
class _Played:
    realised: list[_Candidate]
    vote: list[list[Num]]
    outcomes: list[Num]
    ties: int


def _play_round(
    state: _Round, present: NDArray[np.bool_], gen: np.random.Generator | None, exact: bool
) -> tuple[_Played, list[list[Num]]]:
    """One round on ``state``: realise exchanges, then the voting and next positions."""
    x, s = state.x, state.s
    start = state.outcomes(x)
    left = [[v <= o for v, o in zip(row, start, strict=True)] for row in x]
    pool = state.candidates(left, present)
    for cand in pool:
        state.calculate(cand)
    pool = [e for e in pool if e.valid]
    realised: list[_Candidate] = []
    ties = 0
    while pool:
        # Stable sort, highest gain first: among equal gains the earlier candidate leads.
        if exact:
            pool.sort(key=lambda e: e.gain, reverse=True)
            gains = [e.gain for e in pool]
        else:
            gains = [round(float(e.gain), TIE_DECIMALS) for e in pool]
            order = sorted(range(len(pool)), key=lambda k: -gains[k])
            pool = [pool[k] for k in order]
            gains = [gains[k] for k in order]
        n_top = sum(1 for g in gains if g == gains[0])
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

    vote = [row.copy() for row in x]
    nxt = [row.copy() for row in x]
    for e in realised:
        for side in (e.i, e.j):
            a, d = side.actor, side.supply
            vote[a][d] = side.y
            nxt[a][d] = _next_position(s[a][d], side.start, side.y, exact)
    return _Played(realised, vote, state.outcomes(vote), ties), nxt


def _next_position(sal: Num, x0: Num, y: Num, exact: bool) -> Num:
    """``x + (0.1 + 0.4 (1 - s)) (y - x)``; in decimal, in decide's form and order."""
    if not exact:
        w = (1 - sal) * SALIENCE_WEIGHT + FIXED_WEIGHT
        return x0 + w * (y - x0)
    sw, fw = Decimal(SALIENCE_WEIGHT), Decimal(FIXED_WEIGHT)
    return (1 - sal) * sw * y + fw * y + (1 - (1 - sal) * sw - fw) * x0


def exchange_model(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    scales: ArrayLike | None = None,
    *,
    rounds: int = 10,
    tie_break: TieBreak = "deterministic",
    rng: np.random.Generator | int | None = None,
    arithmetic: Arithmetic = "float",
    sum_order: Sequence[Sequence[int]] | None = None,
) -> ExchangeResult:
    """Run ``rounds`` rounds of the equal-gain exchange model (see the module docstring).

    >>> res = exchange_model([[0, 0], [100, 100]], [[0.9, 0.2], [0.3, 0.8]], [1, 1], rounds=1)
    >>> [(x.actor_i, x.issue_i, x.actor_j, x.issue_j) for x in res.rounds[0].exchanges]
    [(0, 1, 1, 0)]
    """
    if rounds < 0:
        raise ValueError("rounds must be >= 0")
    it = iter_exchange_rounds(
        positions,
        saliences,
        capabilities,
        scales,
        tie_break=tie_break,
        rng=rng,
        arithmetic=arithmetic,
        sum_order=sum_order,
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
    order: list[list[int]] = [[] for _ in issues]
    for actor, issue, pos, sal, power in data:
        k, d = a_ix[actor], i_ix[issue]
        x[k, d], s[k, d], c[k, d] = pos, sal, power
        if k not in order[d]:
            order[d].append(k)
    scales = np.array([_scale(anchors.get(p, [])) for p in issues], dtype=float)
    return ExchangeInput(
        tuple(actors),
        tuple(issues),
        x,
        s,
        c,
        scales.reshape(len(issues), 2),
        tuple(tuple(row) for row in order),
    )


def _scale(values: Sequence[float]) -> tuple[float, float]:
    return (min(values), max(values)) if len(values) >= 2 else (0.0, 100.0)
