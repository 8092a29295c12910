"""Negotiation protocols as steppable iterators of frozen states.

``alternating_offers(compiled, strategies, deadline=..., seed=...)`` returns an
:class:`AlternatingOffers` run: iterate it to get one :class:`State` per round, or call ``run()``
for the :class:`Outcome`. The parties take turns to propose, in the order given; every other party
answers each offer, and the offer is agreed when all of them accept (with two parties this is the
stacked alternating offers protocol; with more, each offer needs everyone else's yes). When the
last round (``deadline``) passes without agreement, everyone walks away with its BATNA.

Each party's strategy sees only a :class:`~accord.simulate.views.PartyView` (its own preferences
and the public record) and draws from its own child generator of ``seed``: the same seed gives
the same trace. The utilities in states and outcomes are each party's own scoring
(:meth:`~accord.simulate.views.OwnPreferences.utility`). The strategies passed in are cloned,
never changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.compile import Compiled
from accord.simulate.strategies import Strategy
from accord.simulate.views import Offer, OwnPreferences, Package, PartyView, own_preferences


@dataclass(frozen=True, slots=True)
class State:
    """One round: the proposer, the offer on the table (None: a pass), each party's answer
    (None for the proposer, and for everyone after a pass) and utility of the offer (in
    ``parties`` order), whether it was agreed, and whether the negotiation is over."""

    round: int
    deadline: int
    parties: tuple[str, ...]
    proposer: str
    offer: Package | None
    responses: tuple[bool | None, ...]
    utilities: tuple[float, ...] | None
    agreement: bool
    done: bool

    def response(self, party: str) -> bool | None:
        """A party's answer to the offer (None where it made the offer or passed)."""
        return self.responses[self.parties.index(party)]

    def utility(self, party: str) -> float | None:
        """A party's utility of the agreement (None without agreement)."""
        return None if self.utilities is None else self.utilities[self.parties.index(party)]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a negotiation ended: the agreed package (None: walk-away at the deadline), the rounds
    played, each party's utility (of the agreement, or its BATNA) and the trace of states."""

    protocol: str
    parties: tuple[str, ...]
    strategies: tuple[str, ...]
    agreement: Package | None
    rounds: int
    deadline: int
    utilities: tuple[float, ...]
    trace: tuple[State, ...]

    @property
    def agreed(self) -> bool:
        """Whether the negotiation ended in agreement."""
        return self.agreement is not None

    def to_dict(self, compiled: Compiled) -> dict[str, Any]:
        """Plain data, packages as ``{issue id: option id}``."""

        def package(x: Package | None) -> dict[str, str] | None:
            if x is None:
                return None
            return {compiled.issue_ids[i]: compiled.option_ids[i][int(k)] for i, k in enumerate(x)}

        return {
            "protocol": self.protocol,
            "parties": list(self.parties),
            "strategies": dict(zip(self.parties, self.strategies, strict=True)),
            "deadline": self.deadline,
            "rounds": self.rounds,
            "agreed": self.agreed,
            "agreement": package(self.agreement),
            "utilities": dict(zip(self.parties, self.utilities, strict=True)),
            "trace": [
                {
                    "round": st.round,
                    "proposer": st.proposer,
                    "offer": package(st.offer),
                    "responses": {
                        p: a for p, a in zip(st.parties, st.responses, strict=True) if a is not None
                    },
                    "utilities": None
                    if st.utilities is None
                    else dict(zip(st.parties, st.utilities, strict=True)),
                    "agreement": st.agreement,
                }
                for st in self.trace
            ],
        }


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


class AlternatingOffers(Iterator[State]):
    """A running alternating-offers negotiation; ``next()`` plays one round."""

    protocol = "alternating-offers"

    def __init__(
        self,
        compiled: Compiled,
        strategies: Mapping[str, Strategy],
        *,
        deadline: int,
        seed: int | np.random.SeedSequence,
        parties: Sequence[str] | None = None,
    ) -> None:
        order = (
            tuple(parties)
            if parties is not None
            else tuple(p for p in compiled.party_ids if p in strategies)
        )
        unknown = [p for p in order if p not in compiled.party_ids]
        if unknown:
            raise ValueError(
                f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
                f" (expected among: {', '.join(compiled.party_ids)})"
            )
        missing = [p for p in order if p not in strategies]
        if missing:
            raise ValueError(f"no strategy for {', '.join(map(repr, missing))}")
        if len(set(order)) != len(order):
            raise ValueError("a party is listed twice")
        if len(order) < 2:
            raise ValueError(f"a negotiation needs at least two parties (got {len(order)})")
        if deadline < 1:
            raise ValueError(f"deadline must be at least 1 round (got {deadline})")
        self._compiled = compiled
        self._parties = order
        self._index = np.array([compiled.party_index(p) for p in order], dtype=np.int64)
        self._deadline = int(deadline)
        self._n_options = tuple(int(k) for k in compiled.n_options)
        self._own: dict[str, OwnPreferences] = {p: own_preferences(compiled, p) for p in order}
        self._strategies = {p: strategies[p].clone() for p in order}
        children = _seed_sequence(seed).spawn(len(order))
        self._rngs = {p: np.random.default_rng(s) for p, s in zip(order, children, strict=True)}
        self._history: tuple[Offer, ...] = ()
        self._trace: list[State] = []
        self._agreement: Package | None = None
        self._done = False

    @property
    def parties(self) -> tuple[str, ...]:
        """The parties, in turn order."""
        return self._parties

    @property
    def trace(self) -> tuple[State, ...]:
        """Every state so far, oldest first."""
        return tuple(self._trace)

    @property
    def done(self) -> bool:
        """Whether the negotiation has ended."""
        return self._done

    def _view(self, party: str, round: int) -> PartyView:
        return PartyView(self._own[party], self._parties, self._history, round, self._deadline)

    def _check(self, party: str, offer: Package) -> Package:
        n = self._n_options
        if type(offer) is tuple and len(offer) == len(n):  # the usual case: already a package
            for o, k in zip(offer, n, strict=True):
                if type(o) is not int or not 0 <= o < k:
                    break
            else:
                return offer
        x = tuple(int(o) for o in offer)
        if len(x) != len(n) or any(not 0 <= o < k for o, k in zip(x, n, strict=True)):
            raise ValueError(
                f"{self._strategies[party].name} for {party!r} offered {x},"
                f" not a package (one option index per issue, within range)"
            )
        return x

    def __next__(self) -> State:
        if self._done:
            raise StopIteration
        r = len(self._trace)
        proposer = self._parties[r % len(self._parties)]
        raw = self._strategies[proposer].propose(self._view(proposer, r), self._rngs[proposer])
        offer = None if raw is None else self._check(proposer, raw)
        responses: list[bool | None] = []
        values: tuple[float, ...] | None = None
        if offer is not None:
            for party in self._parties:
                if party == proposer:
                    responses.append(None)
                    continue
                view = self._view(party, r)
                yes = self._strategies[party].respond(view, offer, self._rngs[party])
                responses.append(bool(yes))
            values = tuple(self._own[p].utility(offer) for p in self._parties)
        else:
            responses = [None] * len(self._parties)
        agreed = offer is not None and all(a for a in responses if a is not None)
        self._history += (
            Offer(
                round=r,
                proposer=proposer,
                package=offer,
                responses=tuple(
                    (p, a) for p, a in zip(self._parties, responses, strict=True) if a is not None
                ),
            ),
        )
        self._done = agreed or r + 1 >= self._deadline
        if agreed:
            self._agreement = offer
        state = State(
            round=r,
            deadline=self._deadline,
            parties=self._parties,
            proposer=proposer,
            offer=offer,
            responses=tuple(responses),
            utilities=values,
            agreement=agreed,
            done=self._done,
        )
        self._trace.append(state)
        return state

    def step(self) -> State:
        """Play one round (``StopIteration`` once the negotiation is over)."""
        return next(self)

    def run(self) -> Outcome:
        """Play the remaining rounds and return the outcome."""
        for _ in self:
            pass
        return self.outcome()

    def outcome(self) -> Outcome:
        """The outcome so far (call after the negotiation is over; see :meth:`run`)."""
        if not self._done:
            raise RuntimeError("the negotiation is not over yet (call run())")
        if self._agreement is not None:
            u = [self._own[p].utility(self._agreement) for p in self._parties]
        else:
            u = [float(b) for b in self._compiled.batna[self._index]]
        return Outcome(
            protocol=self.protocol,
            parties=self._parties,
            strategies=tuple(self._strategies[p].name for p in self._parties),
            agreement=self._agreement,
            rounds=len(self._trace),
            deadline=self._deadline,
            utilities=tuple(float(v) for v in u),
            trace=tuple(self._trace),
        )


def alternating_offers(
    compiled: Compiled,
    strategies: Mapping[str, Strategy],
    *,
    deadline: int,
    seed: int | np.random.SeedSequence,
    parties: Sequence[str] | None = None,
) -> AlternatingOffers:
    """An alternating-offers negotiation between ``parties`` (default: every compiled party that
    has a strategy, in the compiled order, which is also the turn order). Iterate it for states,
    or call ``.run()`` for the outcome."""
    return AlternatingOffers(compiled, strategies, deadline=deadline, seed=seed, parties=parties)
