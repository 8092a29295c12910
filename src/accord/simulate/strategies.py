"""Negotiation strategies: what a party offers and what it accepts, seen through its own view.

Every strategy answers ``propose(view, rng) -> package | None`` (None: it has no package it could
accept itself, so it passes) and ``respond(view, offer, rng) -> bool``; ``reset()`` forgets what
it learnt during a negotiation and ``clone()`` gives a fresh copy with the same parameters. All
randomness comes from the ``rng`` argument. Every strategy here keeps the house rule: it never
offers nor accepts a package below its BATNA or across one of its own red lines.

Time-based concession (Faratin et al.): with relative time ``t`` in [0, 1] the target utility is
``best - (best - batna) * t ** (1 / e)``, where ``best`` is the party's best package inside its red
lines (1 where that is attainable). Convention: ``e < 1`` is Boulware (holds out, concedes late),
``e = 1`` linear, ``e > 1`` Conceder (concedes early).
"""

from __future__ import annotations

import copy
import itertools
from abc import ABC, abstractmethod
from typing import ClassVar, Literal

import numpy as np

from accord.simulate.views import TOLERANCE, Package, PartyView

ENUMERATE_BELOW = 2**17
"""Spaces (inside the party's red lines) up to this many packages are searched exactly, in the
party's :class:`~accord.simulate.views.PackageTable`. Building the table once per negotiation
costs about 20 ms at 10^5 packages (2-core AMD EPYC), about what 30 descents cost there; a
negotiation of 100 rounds asks for some 50 offers per party. (Before the table, every exact
search scored the whole space, and the bound was 4096.)"""


def package_near(
    view: PartyView,
    target: float,
    rng: np.random.Generator,
    *,
    method: Literal["auto", "enumerate", "scan", "descent"] = "auto",
    restarts: int = 6,
) -> Package | None:
    """The party's own acceptable package whose utility is the smallest one at or above
    ``target`` (``target`` is clipped to [BATNA, best]); None where the party has no acceptable
    package at all.

    ``method="enumerate"`` is exact over every package inside the red lines (ties broken with
    ``rng``): a binary search in the party's :class:`~accord.simulate.views.PackageTable`, built
    once per party view and negotiation; ``"scan"`` is its obvious reference (scores every
    package on every call; same result, same draws from ``rng``). ``"descent"`` uses the
    additive structure: descents from the best package by single-issue moves that keep the
    utility at or above the target (one greedy descent, ``restarts`` random ones drawn with
    ``rng``), keeping the closest. Every candidate stays inside the red lines and at or above
    the target, so the result is always acceptable to the party; only the closeness to the
    target is approximate. ``"auto"`` enumerates spaces of up to ``ENUMERATE_BELOW`` packages
    and descends otherwise."""
    best = view.best_package
    if best is None or view.best_utility < view.batna - TOLERANCE:
        return None
    goal = min(max(float(target), view.batna), view.best_utility)
    if method == "scan":
        return _scan(view, goal, rng)
    if method == "enumerate" or (method == "auto" and view.space_size <= ENUMERATE_BELOW):
        table = view.package_table()
        k = int(table.utilities.searchsorted(goal - TOLERANCE, side="left"))
        closest = table.utilities[k]
        end = int(table.utilities.searchsorted(closest + TOLERANCE, side="right"))
        if end - k == 1:
            return table.package(int(table.order[k]))
        ties = np.sort(table.order[k:end])  # in enumeration order, as the scan finds them
        return table.package(int(ties[int(rng.integers(len(ties)))]))
    return _descend(view, goal, best, rng, restarts)


def _scan(view: PartyView, goal: float, rng: np.random.Generator) -> Package:
    choices = [np.flatnonzero(row) for row in view.allowed]
    packages = np.array(list(itertools.product(*choices)), dtype=np.int64)
    u = view.utilities(packages)
    ok = u >= goal - TOLERANCE
    closest = u[ok].min()
    ties = np.flatnonzero(ok & (u <= closest + TOLERANCE))
    pick = ties[0] if len(ties) == 1 else ties[int(rng.integers(len(ties)))]
    return tuple(int(o) for o in packages[pick])


def _descend(
    view: PartyView, goal: float, best: Package, rng: np.random.Generator, restarts: int
) -> Package:
    allowed = view.allowed
    contribution = np.where(allowed, view.weights[:, None] * view.values, -np.inf)
    rows = np.arange(view.n_issues)

    def descend(randomised: bool) -> tuple[float, Package]:
        x = np.array(best, dtype=np.int64)
        own = contribution[rows, x]
        u = float(own.sum())
        while True:
            moved = u - own[:, None] + contribution
            feasible = (moved >= goal - TOLERANCE) & (moved < u - TOLERANCE)
            if not feasible.any():
                return u, tuple(int(o) for o in x)
            if randomised:
                flat = np.flatnonzero(feasible)
                k = int(flat[int(rng.integers(len(flat)))])
            else:
                k = int(np.argmin(np.where(feasible, moved, np.inf)))
            i, o = divmod(k, contribution.shape[1])
            x[i] = o
            own[i] = contribution[i, o]
            u = float(own.sum())

    found = [descend(False)] + [descend(True) for _ in range(restarts)]
    candidates = [(u, x) for u, x in found if view.acceptable(x) and view.utility(x) >= goal - 1e-9]
    if not candidates:  # cannot happen (each step keeps the bound); the best package is safe
        return best
    return min(candidates, key=lambda c: c[0])[1]


class Strategy(ABC):
    """A negotiation strategy. Subclasses declare ``stochastic`` (whether ``rng`` can change what
    it does) and may override ``name``; stateful ones override ``reset``."""

    stochastic: ClassVar[bool] = True

    @property
    def name(self) -> str:
        """The strategy's name as shown in results (its class name)."""
        return type(self).__name__

    @property
    def floor(self) -> str:
        """What the strategy never goes below, in words."""
        return "its BATNA, never across its own red lines"

    @abstractmethod
    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """The package to offer now (None: pass)."""

    @abstractmethod
    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """Whether to accept ``offer``."""

    def reset(self) -> None:
        """Forget everything learnt during a negotiation (parameters stay)."""
        return None

    def clone(self) -> Strategy:
        """A fresh copy: same parameters, nothing learnt."""
        twin = copy.deepcopy(self)
        twin.reset()
        return twin

    def __repr__(self) -> str:
        return self.name


class TimeBased(Strategy):
    """Concedes from its best package toward its BATNA as the deadline nears; offers the
    acceptable package closest above its target; accepts an offer worth at least its target."""

    def __init__(self, exponent: float = 1.0) -> None:
        if not exponent > 0:
            raise ValueError(f"exponent must be > 0 (got {exponent})")
        self.exponent = float(exponent)

    @property
    def name(self) -> str:
        """The strategy's name, with its concession exponent."""
        return f"{type(self).__name__}(e={self.exponent:g})"

    def target(self, view: PartyView) -> float:
        """The target utility now: best - (best - BATNA) * time ** (1 / exponent)."""
        best, floor = view.best_utility, view.batna
        if best <= floor:
            return floor
        return best - (best - floor) * float(view.time ** (1.0 / self.exponent))

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """The acceptable package closest above the current target."""
        return package_near(view, self.target(view), rng)

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """Accept an acceptable offer worth at least the current target."""
        return view.acceptable(offer) and view.utility(offer) >= self.target(view) - TOLERANCE


class Boulware(TimeBased):
    """Time-based, holds out and concedes late (``e = 0.2`` by default)."""

    def __init__(self, exponent: float = 0.2) -> None:
        super().__init__(exponent)


class Linear(TimeBased):
    """Time-based, concedes at a constant rate (``e = 1``)."""

    def __init__(self, exponent: float = 1.0) -> None:
        super().__init__(exponent)


class Conceder(TimeBased):
    """Time-based, concedes early (``e = 5`` by default)."""

    def __init__(self, exponent: float = 5.0) -> None:
        super().__init__(exponent)


class HardLiner(Strategy):
    """Offers its best package every time; accepts only offers within ``tolerance`` of it."""

    stochastic: ClassVar[bool] = False

    def __init__(self, tolerance: float = 0.05) -> None:
        if tolerance < 0:
            raise ValueError(f"tolerance must be >= 0 (got {tolerance})")
        self.tolerance = float(tolerance)

    @property
    def name(self) -> str:
        """The strategy's name, with its tolerance."""
        return f"HardLiner(tolerance={self.tolerance:g})"

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """Its best package, every round (None where that is not acceptable)."""
        best = view.best_package
        return best if best is not None and view.acceptable(best) else None

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """Accept only an acceptable offer within tolerance of its best."""
        return (
            view.acceptable(offer)
            and view.utility(offer) >= view.best_utility - self.tolerance - TOLERANCE
        )


class TitForTat(Strategy):
    """Mirrors the others' concessions in its own utility terms: starts at its best package;
    each time it proposes, it lowers its target by how much the latest offer from another party
    improved on the one it saw at its previous turn (and raises it when that offer got worse),
    within [BATNA, best]. Accepts an offer worth at least its current target."""

    def __init__(self) -> None:
        self._target: float | None = None
        self._seen: float | None = None

    def reset(self) -> None:
        """Forget the target and the last offer seen."""
        self._target = None
        self._seen = None

    def current_target(self, view: PartyView) -> float:
        """The current target, within [BATNA, best]."""
        best = view.best_utility
        target = best if self._target is None else self._target
        return max(min(target, best), view.batna)

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """Move the target by the others' latest concession, then offer a package near it."""
        target = self.current_target(view)
        theirs = view.offers_by_others()
        if theirs:
            package = theirs[-1].package
            assert package is not None  # offers_by_others leaves passes out
            latest = view.utility(package)
            if self._seen is not None:
                target -= latest - self._seen
            self._seen = latest
        self._target = max(min(target, view.best_utility), view.batna)
        return package_near(view, self._target, rng)

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """Accept an acceptable offer worth at least the current target."""
        return (
            view.acceptable(offer) and view.utility(offer) >= self.current_target(view) - TOLERANCE
        )


class RedLineKeeper(Strategy):
    """Wraps any strategy so that its party never offers nor accepts a package across its own
    red lines (or below its BATNA): an offer that would is replaced by the acceptable package
    closest above its utility; a yes to it becomes a no. A pass stays a pass."""

    def __init__(self, inner: Strategy) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        """The strategy's name, with the strategy it wraps."""
        return f"RedLineKeeper({self.inner.name})"

    def reset(self) -> None:
        """Reset the wrapped strategy."""
        self.inner.reset()

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """The wrapped offer, or the acceptable package closest above its utility."""
        offer = self.inner.propose(view, rng)
        if offer is None or view.acceptable(offer):
            return offer
        return package_near(view, view.utility(offer), rng)

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """The wrapped strategy's answer, refusing any offer that crosses a red line."""
        yes = self.inner.respond(view, offer, rng)
        return yes and view.acceptable(offer)
