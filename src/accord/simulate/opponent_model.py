"""Opponent models learnt from the public record, and a time-based strategy that uses them.

**The model** (:func:`frequency_model`) is the frequency model of the automated-negotiation
literature (Baarslag et al., "Learning about the opponent in automated bilateral negotiation",
2013; the HardHeaded agent), kept deterministic given the history. For each other party ``q`` it
estimates ``u_q(x) = sum_i (w_q[i] * v_q[i, x_i] - s_q[i, x_i])`` from the offers ``q`` made and
the answers ``q`` gave, nothing else:

* ``n[i, o]``: how many of ``q``'s own offers, and of the packages ``q`` accepted, set issue ``i``
  to option ``o`` (every offer counts the same: a time-based party's early offers, the ones that
  tell most about what it wants, are not discounted); ``q`` *supports* the options with
  ``n > 0``;
* option values ``v_q[i, o] = (1 + n[i, o]) / (1 + max_o' n[i, o'])``: with no evidence every
  option is worth 1, and the options a party keeps asking for are worth most;
* issue weights ``w_q[i]`` proportional to ``1 + k_i``, where ``k_i`` counts the consecutive pairs
  of ``q``'s offers that kept issue ``i`` unchanged (a party concedes first on what matters least
  to it), normalised to sum 1, so the weighted values lie in [0, 1];
* red-line suspicion ``s_q[i, o] = b / (1 + b)`` in [0, 1), where the blame ``b`` sums, over the
  packages ``q`` rejected, one unit per package shared equally among the options in it that
  ``q`` does not support (a rejection says only that something fell short; an option that was
  the only unsupported one in many rejected packages is most likely a red line, while one that
  nobody ever asked for but that rarely came up carries little blame). Supported options carry
  none: a party never offers, nor accepts, a package across its own red lines.

**The bidding** (:func:`accommodating_package`): among the party's own acceptable packages worth
at least its target to itself, offer the one with the highest *modelled score*, the worst-off
other party's modelled utility plus ``SPREAD`` times the others' mean (every other party must
accept, so the worst-off one counts most; the mean separates packages that leave the worst-off
equally well). Ties go to the lower own utility (closest above the target, where
:class:`~accord.simulate.strategies.TimeBased` offers), then to ``rng``: with no record at all
every package scores alike, and the exact search offers just what ``TimeBased`` offers.
``method="enumerate"`` is exact (the party's :class:`~accord.simulate.views.PackageTable`),
``"scan"`` its obvious reference (same package, same draws from ``rng``); ``"search"`` is a
heuristic for spaces too large to enumerate (see :func:`search_package`).

**The strategy** (:class:`Accommodating`) keeps the time-based target of
:class:`~accord.simulate.strategies.TimeBased` for its own utility (same exponent convention:
``e < 1`` Boulware, ``e > 1`` Conceder) and its acceptance rule (accept an acceptable offer worth
at least the target); only which package it offers at that target changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from accord.simulate.strategies import ENUMERATE_BELOW, TimeBased
from accord.simulate.views import TOLERANCE, Package, PartyView

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SPREAD = 0.1
"""Weight of the others' mean modelled utility in the score, next to the worst-off one's."""

LAMBDAS = np.concatenate([[0.0], 2.0 ** np.arange(-12, 31)])
"""The prices of own utility the Lagrangian start of :func:`search_package` tries."""

ROUNDS = 6
"""Multiplicative-weight rounds per start of :func:`search_package`."""

STEP = 4.0
"""Their step: a party's weight is multiplied by ``exp(-STEP * (its utility - the mean))``."""


@dataclass(frozen=True, slots=True, eq=False)
class OpponentModel:
    """One other party's model: ``weights`` (I,) summing to 1, ``values`` (I, O) in [0, 1] (0 on
    padding) and red-line ``suspicion`` (I, O) in [0, 1), learnt from ``offers`` of its offers
    and ``accepted`` acceptances (read-only arrays)."""

    party: str
    weights: FloatArray
    values: FloatArray
    suspicion: FloatArray
    offers: int
    accepted: int

    @property
    def contributions(self) -> FloatArray:
        """(I, O): ``weights[i] * values[i, o] - suspicion[i, o]``."""
        out: FloatArray = self.weights[:, None] * self.values - self.suspicion
        return out

    def utilities(self, packages: npt.ArrayLike) -> FloatArray:
        """Modelled utility of each package, shape (...,) for packages of shape (..., I), less
        the suspicion of each option in it (a red line the party is sure of costs nearly 1, as
        much as its whole utility range)."""
        return _sum_rows(self.contributions, np.asarray(packages, dtype=np.int64))


def _sum_rows(contributions: FloatArray, packages: IntArray) -> FloatArray:
    """``sum_i contributions[i, x_i]`` summed in issue order (so every path gives the same bits)."""
    u = np.zeros(packages.shape[:-1], dtype=np.float64)
    for i in range(contributions.shape[0]):
        u = u + contributions[i, packages[..., i]]
    return u


def frequency_model(view: PartyView, party: str) -> OpponentModel:
    """The frequency model of ``party`` (another party) from ``view``'s public record (see the
    module docstring)."""
    if party == view.party or party not in view.parties:
        raise ValueError(f"{party!r} is not another party of this negotiation")
    n_options = np.asarray(view.n_options)
    width = int(n_options.max())
    real = np.arange(width)[None, :] < n_options[:, None]
    rows = np.arange(view.n_issues)
    counts = np.zeros((view.n_issues, width), dtype=np.float64)
    unchanged = np.zeros(view.n_issues, dtype=np.float64)
    rejected: list[Package] = []
    previous: Package | None = None
    offers = accepted = 0
    for offer in view.history:
        if offer.package is None:
            continue
        if offer.proposer == party:
            counts[rows, offer.package] += 1
            if previous is not None:
                unchanged += np.equal(previous, offer.package)
            previous = offer.package
            offers += 1
        elif (party, True) in offer.responses:
            counts[rows, offer.package] += 1
            accepted += 1
        elif (party, False) in offer.responses:
            rejected.append(offer.package)
    blame = np.zeros((view.n_issues, width), dtype=np.float64)
    for package in rejected:  # one unit per rejection, shared by its unsupported options
        unsupported = counts[rows, package] == 0
        if unsupported.any():
            blame[rows[unsupported], np.asarray(package)[unsupported]] += 1 / unsupported.sum()
    values = np.where(real, (1 + counts) / (1 + counts.max(axis=1, keepdims=True)), 0.0)
    weights = (1 + unchanged) / (1 + unchanged).sum()
    suspicion = blame / (1 + blame)
    for array in (weights, values, suspicion):
        array.setflags(write=False)
    return OpponentModel(party, weights, values, suspicion, offers, accepted)


def frequency_models(view: PartyView) -> tuple[OpponentModel, ...]:
    """The frequency model of every other party, in turn order."""
    return tuple(frequency_model(view, q) for q in view.others)


def modelled_scores(per_party: FloatArray) -> FloatArray:
    """The score of packages from their modelled utilities (Q, N): the worst-off party's plus
    ``SPREAD`` times the mean (0 where there is no other party)."""
    if per_party.shape[0] == 0:
        return np.zeros(per_party.shape[1:], dtype=np.float64)
    out: FloatArray = per_party.min(axis=0) + SPREAD * (per_party.sum(axis=0) / per_party.shape[0])
    return out


def score(models: Sequence[OpponentModel], packages: npt.ArrayLike) -> FloatArray:
    """The modelled score of each package (shape (...,) for packages of shape (..., I))."""
    x = np.asarray(packages, dtype=np.int64)
    per = np.array([m.utilities(x) for m in models], dtype=np.float64).reshape(
        (len(models), *x.shape[:-1])
    )
    return modelled_scores(per)


def accommodating_package(
    view: PartyView,
    target: float,
    models: Sequence[OpponentModel],
    rng: np.random.Generator,
    *,
    method: Literal["auto", "enumerate", "scan", "search"] = "auto",
    restarts: int = 4,
) -> Package | None:
    """Among the party's own acceptable packages worth at least ``target`` to it (``target``
    clipped to [BATNA, best]), the one with the highest modelled score for ``models``; ties to
    the lower own utility, then ``rng``. None where the party has no acceptable package.

    ``"enumerate"`` is exact (in the party's package table); ``"scan"`` is its slow reference
    (same result, same draws from ``rng``); ``"search"`` is the heuristic of
    :func:`search_package`; ``"auto"`` enumerates spaces of up to ``ENUMERATE_BELOW`` packages."""
    best = view.best_package
    if best is None or view.best_utility < view.batna - TOLERANCE:
        return None
    goal = min(max(float(target), view.batna), view.best_utility)
    if method == "scan":
        return _scan(view, goal, models, rng)
    if method == "enumerate" or (method == "auto" and view.space_size <= ENUMERATE_BELOW):
        return _enumerate(view, goal, models, rng)
    return search_package(view, goal, models, rng, restarts=restarts)


def _choose(scores: FloatArray, own: FloatArray, index: IntArray, rng: np.random.Generator) -> int:
    """The entry of ``index`` with the highest score, then the lowest own utility (each within
    ``TOLERANCE``), the lowest-index one of any remaining tie drawn with ``rng``."""
    top = scores >= scores.max() - TOLERANCE
    ties = top & (own <= own[top].min() + TOLERANCE)
    picks = np.sort(index[ties])
    return int(picks[0] if len(picks) == 1 else picks[int(rng.integers(len(picks)))])


def _scan(
    view: PartyView, goal: float, models: Sequence[OpponentModel], rng: np.random.Generator
) -> Package:
    choices = [np.flatnonzero(row) for row in view.allowed]
    packages = np.array(list(itertools.product(*choices)), dtype=np.int64)
    own = view.utilities(packages)
    ok = np.flatnonzero(own >= goal - TOLERANCE)
    k = _choose(score(models, packages[ok]), own[ok], ok, rng)
    return tuple(int(o) for o in packages[k])


def _enumerate(
    view: PartyView, goal: float, models: Sequence[OpponentModel], rng: np.random.Generator
) -> Package:
    table = view.package_table()
    k = int(table.utilities.searchsorted(goal - TOLERANCE, side="left"))
    index = table.order[k:]
    per = np.empty((len(models), len(index)), dtype=np.float64)
    for q, m in enumerate(models):
        # the whole space by broadcasting, in enumeration order and in issue order of the sum
        grid = np.zeros((), dtype=np.float64)
        for i, options in enumerate(table.choices):
            grid = grid[..., None] + m.contributions[i, options]
        per[q] = grid.ravel()[index]
    return table.package(_choose(modelled_scores(per), table.utilities[k:], index, rng))


def _lagrangian(gain: FloatArray, own: FloatArray, goal: float) -> IntArray:
    """Per issue, the option maximising ``gain + lambda * own`` (ties to the higher own
    contribution) for the smallest ``lambda`` in ``LAMBDAS`` whose package is worth ``goal`` to
    the party (``own`` is -inf outside its red lines); its best package if none is."""
    finite = np.where(np.isfinite(own), own, 0.0)
    masked = np.where(np.isfinite(own), gain, -np.inf)
    val = masked[None] + LAMBDAS[:, None, None] * finite[None]  # (L, I, O)
    near = val >= val.max(axis=2, keepdims=True) - TOLERANCE
    x = np.where(near, own[None], -np.inf).argmax(axis=2)  # (L, I)
    u = np.take_along_axis(own[None], x[..., None], axis=2)[..., 0].sum(axis=1)
    feasible = np.flatnonzero(u >= goal - TOLERANCE)
    if len(feasible) == 0:
        return np.asarray(own.argmax(axis=1), dtype=np.int64)
    return np.asarray(x[feasible[0]], dtype=np.int64)


def lagrangian_start(
    view: PartyView,
    goal: float,
    models: Sequence[OpponentModel],
    alpha: npt.ArrayLike | None = None,
) -> Package:
    """The Lagrangian start of :func:`search_package` for weights ``alpha`` on the other parties
    (uniform by default): the package maximising ``sum_q alpha_q u_q(x) + lambda u(x)`` issue by
    issue, for the smallest tried ``lambda`` that keeps own utility at or above ``goal``."""
    own = np.where(view.allowed, view.weights[:, None] * view.values, -np.inf)
    stack = _stack(view, models)
    a = np.full(len(models), 1 / max(len(models), 1)) if alpha is None else np.asarray(alpha)
    x = _lagrangian(np.tensordot(a, stack, axes=1), own, goal)
    if not _keeps(view, x, goal):  # float drift at the bound (the search drops such a start)
        best = view.best_package
        assert best is not None
        return best
    return tuple(int(o) for o in x)


def _stack(view: PartyView, models: Sequence[OpponentModel]) -> FloatArray:
    width = int(np.asarray(view.n_options).max())
    if not models:
        return np.zeros((0, view.n_issues, width), dtype=np.float64)
    return np.stack([m.contributions for m in models])


def search_package(
    view: PartyView,
    goal: float,
    models: Sequence[OpponentModel],
    rng: np.random.Generator,
    *,
    restarts: int = 4,
) -> Package:
    """A heuristic for :func:`accommodating_package` on spaces too large to enumerate (``goal``
    already clipped to [BATNA, best]).

    Starts: the Lagrangian relaxation (:func:`lagrangian_start`), from uniform weights on the
    other parties and from ``restarts`` Dirichlet draws (with ``rng``), each followed by
    ``ROUNDS`` multiplicative-weight rounds that shift weight to the worst-off party. From the
    best start (by score, then the lower own utility), a local search over one- and two-issue
    moves that keep own utility at or above ``goal``: it takes the move that raises the score
    most, or, where none does, the one that brings own utility closest to ``goal`` without
    lowering the score, until neither exists.

    This is a heuristic by design: it need not find the best score. What it guarantees (and a
    property test checks against exhaustive enumeration on small spaces): the result is
    acceptable to the party and worth at least ``goal`` to it, scores at least as well as the
    uniform Lagrangian start, and no one- or two-issue move that keeps ``goal`` raises its score
    (a local optimum). Every start is checked with the party's exact scoring, and the party's
    best package is always one."""
    allowed = view.allowed
    own = np.where(allowed, view.weights[:, None] * view.values, -np.inf)
    stack = _stack(view, models)
    q = len(models)
    rows = np.arange(view.n_issues)

    def judged(x: IntArray) -> tuple[float, float]:
        per = stack[:, rows, x].sum(axis=1)
        return float(modelled_scores(per[:, None])[0]), float(own[rows, x].sum())

    starts: list[IntArray] = []
    alphas = [np.full(q, 1 / max(q, 1))]
    if q > 1:
        alphas += [rng.dirichlet(np.ones(q)) for _ in range(restarts)]
    for alpha in alphas:
        for _ in range(ROUNDS if q > 1 else 1):
            x = _lagrangian(np.tensordot(alpha, stack, axes=1), own, goal)
            starts.append(x)
            per = stack[:, rows, x].sum(axis=1)
            alpha = alpha * np.exp(-STEP * (per - per.mean()))
            alpha = alpha / alpha.sum()
    best = view.best_package
    assert best is not None  # the caller returns None first
    starts.append(np.array(best, dtype=np.int64))  # always a valid start
    starts = [x for x in starts if _keeps(view, x, goal)]
    judged_starts = [judged(x) for x in starts]
    top = max(s for s, _ in judged_starts)
    best_own = min(u for s, u in judged_starts if s >= top - TOLERANCE)
    x = next(
        x
        for x, (s, u) in zip(starts, judged_starts, strict=True)
        if s >= top - TOLERANCE and u <= best_own + TOLERANCE
    )
    return _improve(view, x.copy(), own, stack, goal)


def local_search(
    view: PartyView, start: Package, goal: float, models: Sequence[OpponentModel]
) -> Package:
    """The local search of :func:`search_package` from ``start`` (a package acceptable to the
    party and worth ``goal`` to it; ``ValueError`` otherwise)."""
    x = np.array(start, dtype=np.int64)
    if not _keeps(view, x, goal):
        raise ValueError(f"the start {start} is not acceptable to {view.party} at {goal:g}")
    own = np.where(view.allowed, view.weights[:, None] * view.values, -np.inf)
    return _improve(view, x, own, _stack(view, models), goal)


def _keeps(view: PartyView, x: IntArray, goal: float) -> bool:
    """Whether ``x`` is acceptable to the party and worth ``goal`` to it (its exact scoring)."""
    package = tuple(int(o) for o in x)
    return view.acceptable(package) and view.utility(package) >= goal - TOLERANCE


def _improve(
    view: PartyView, x: IntArray, own: FloatArray, stack: FloatArray, goal: float
) -> Package:
    """Local search from ``x`` over one- and two-issue moves (see :func:`search_package`)."""
    n_issues, width = own.shape
    rows = np.arange(n_issues)
    issue_of = np.repeat(rows, width)
    distinct = issue_of[:, None] != issue_of[None, :]  # a two-issue move changes two issues
    for _ in range(100 * n_issues * width):  # a safety valve: each step improves (score, own)
        per = stack[:, rows, x].sum(axis=1)  # (Q,)
        delta = (stack - stack[:, rows, x][:, :, None]).reshape(len(stack), -1)  # (Q, K)
        own_delta = (own - own[rows, x][:, None]).reshape(-1)  # (K,); -inf outside red lines
        u = float(own[rows, x].sum())
        s = float(modelled_scores(per[:, None])[0])
        # moves (k, l): set the options of flat cells k and l (k == l: one move; a cell that is
        # the current option is a no-op)
        moved_per = per[:, None, None] + delta[:, :, None] + delta[:, None, :]
        moved_per = np.where(distinct[None], moved_per, per[:, None, None] + delta[:, :, None])
        moved_own = u + own_delta[:, None] + np.where(distinct, own_delta[None, :], 0.0)
        moved_s = modelled_scores(moved_per)
        ok = moved_own >= goal - TOLERANCE
        better = ok & (moved_s > s + TOLERANCE)
        if better.any():
            pick = np.where(better, moved_s, -np.inf)
            candidates = better & (pick >= pick.max() - TOLERANCE)
            k, l_ = np.unravel_index(
                int(np.where(candidates, moved_own, np.inf).argmin()), ok.shape
            )
        else:
            closer = ok & (moved_s >= s) & (moved_own < u - TOLERANCE)
            if not closer.any():
                break
            k, l_ = np.unravel_index(int(np.where(closer, moved_own, np.inf).argmin()), ok.shape)
        trial = x.copy()
        for cell in (int(k), int(l_)) if distinct[k, l_] else (int(k),):
            trial[cell // width] = cell % width
        if not _keeps(view, trial, goal):  # float drift at the bound: stop where we are
            break
        x = trial
    return tuple(int(o) for o in x)


class Accommodating(TimeBased):
    """Time-based on its own utility (target and acceptance as :class:`TimeBased`), offering at
    its target the package that its frequency model of the others (:func:`frequency_models`,
    learnt from the public record only) rates best for the worst-off of them.

    It holds nothing between calls: the model is rebuilt from the history each time, so the same
    view and seed give the same offer."""

    def __init__(self, exponent: float = 1.0, restarts: int = 4) -> None:
        super().__init__(exponent)
        if restarts < 0:
            raise ValueError(f"restarts must be >= 0 (got {restarts})")
        self.restarts = int(restarts)

    @property
    def name(self) -> str:
        """The strategy's name, with its concession exponent."""
        extra = "" if self.restarts == 4 else f", restarts={self.restarts}"
        return f"Accommodating(e={self.exponent:g}{extra})"

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """The package nearest the concession target that the opponents' models rate highest."""
        return accommodating_package(
            view, self.target(view), frequency_models(view), rng, restarts=self.restarts
        )
