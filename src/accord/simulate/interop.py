"""NegMAS interoperability: accord scenarios as NegMAS objects, NegMAS scenarios as accord
scenarios, and any NegMAS SAO negotiator as an accord :class:`Strategy`.

NegMAS (AGPL-3.0) is the optional ``negmas`` extra: it is imported inside the functions here,
never at import time, and a missing install raises :class:`ImportError` with the install hint.

**accord to NegMAS** (:func:`to_negmas`): one categorical issue per accord issue (named by the
issue id, its values the option ids, in order) and, per party, a
``LinearAdditiveUtilityFunction`` with the party's weights and option values as ``TableFun``
tables and its BATNA as the reserved value. On every package inside the party's red lines the
NegMAS utility is accord's :func:`~accord.analysis.evaluate.utilities` (the same products, summed
in issue order).

*Red lines.* A red-line option's table entry is ``(batna - RED_LINE_DROP) / w`` (``w`` the issue
weight; an issue of weight 0 gets weight ``CARRIER_WEIGHT`` and table 0 on its other options),
so an outcome that crosses a red line is worth at most ``batna - (RED_LINE_DROP - 1)``: below
the reserved value whatever the other issues give (accord's values lie in [0, 1] and its weights
sum to 1). The utility function stays linear additive. NegMAS's own encoding, a
``constraints=`` callable that makes such outcomes worth ``-inf``, was the first choice and was
dropped: with a constraint NegMAS 0.16 enumerates the whole outcome space to find the extreme
outcomes (ukraine-2025 has 2.8e13 packages; the process ran out of memory), and a ``-inf`` table
entry breaks its large-space inverter (NaN in ``BIDSInverseUtilityFunction``). What the encoding
changes: NegMAS's utility of a red-line outcome is that penalised number, not accord's utility
(which ignores red lines), and ``ufun.minmax()`` reports the penalised minimum. A red line holds
for a NegMAS negotiator exactly as far as it keeps to its reserved value: the time-based ones do
(tested on random scenarios); NegMAS 0.16's ``NaiveTitForTatNegotiator`` does not always (tested,
as an expected failure), which is why :class:`NegmasStrategy` checks every move itself.

**NegMAS to accord** (:func:`from_negmas`): linear additive utility functions over discrete
issues. An option whose weighted value lies more than 1 below the reserved value, and that no
outcome containing it can lift to the reserved value (the best of every other issue added),
becomes a red line: this reads :func:`to_negmas`'s penalties back (an accord option's weighted
value is never below ``batna - 1``), and in any NegMAS scenario it marks only options that are
never acceptable anyway. Where the tables and weights are not
already accord's form (values in [0, 1], weights summing to 1, no bias), the utility is rescaled
by the positive affine map that takes each issue's range (red-line options left out) to [0, 1];
the reserved value goes through the same map, clipped to [0, 1]; every comparison the party
makes is kept, and the party's description says so.

**NegMAS negotiators in accord** (:class:`NegmasStrategy`): see the class.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from accord.compile import Compiled
from accord.model.records import Scenario
from accord.simulate.strategies import Strategy, package_near
from accord.simulate.views import OwnPreferences, Package, PartyView, own_preferences

RED_LINE_DROP = 1.5
"""A red-line option takes ``RED_LINE_DROP`` off the reserved value on its own (weighted), so any
outcome crossing a red line falls at least ``RED_LINE_DROP - 1`` below it: far outside NegMAS's
acceptance tolerance (1e-4 for its time-based negotiators)."""

CARRIER_WEIGHT = 2.0
"""The NegMAS weight of an issue that a party weighs 0 but has red lines on (its table is 0 on
the other options): above any accord weight, so :func:`from_negmas` tells it from a real one."""

INSTALL_HINT = "NegMAS is not installed: pip install 'accord[negmas]' (NegMAS is AGPL-3.0)"


def _negmas() -> Any:
    try:
        import negmas
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return negmas


# --- accord -> NegMAS ------------------------------------------------------------------------


@dataclass(frozen=True)
class NegmasDomain:
    """An accord scenario as NegMAS objects: the outcome space and one utility function per
    party (``ufuns[k]`` is ``parties[k]``'s). A NegMAS outcome is the tuple of option ids, one
    per issue; :meth:`outcome` and :meth:`package` translate."""

    parties: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    outcome_space: Any
    ufuns: tuple[Any, ...]

    def ufun(self, party: str) -> Any:
        """The NegMAS utility function of a party."""
        return self.ufuns[self.parties.index(party)]

    def outcome(self, package: Sequence[int]) -> tuple[str, ...]:
        """The NegMAS outcome (option ids) of a package."""
        return tuple(self.option_ids[i][int(o)] for i, o in enumerate(package))

    def package(self, outcome: Sequence[str]) -> Package:
        """The package (option indices) of a NegMAS outcome."""
        return tuple(self.option_ids[i].index(v) for i, v in enumerate(outcome))


def negmas_outcome_space(issue_ids: Sequence[str], option_ids: Sequence[Sequence[str]]) -> Any:
    """One categorical NegMAS issue per accord issue: named by the issue id, the option ids as
    its values, in order."""
    negmas = _negmas()
    issues = [
        negmas.make_issue(list(options), name=issue)
        for issue, options in zip(issue_ids, option_ids, strict=True)
    ]
    return negmas.make_os(issues)


def red_line_table(
    values: npt.NDArray[np.float64],
    weight: float,
    allowed: npt.NDArray[np.bool_],
    batna: float,
) -> tuple[float, list[float]]:
    """One issue's NegMAS weight and table (see the module docstring): accord's values where
    allowed, ``(batna - RED_LINE_DROP) / weight`` on a red-line option."""
    if allowed.all():
        return weight, [float(v) for v in values]
    if weight > 0:
        drop = (batna - RED_LINE_DROP) / weight
        return weight, [float(v) if ok else drop for v, ok in zip(values, allowed, strict=True)]
    drop = (batna - RED_LINE_DROP) / CARRIER_WEIGHT
    return CARRIER_WEIGHT, [0.0 if ok else drop for ok in allowed]


def negmas_ufun(own: OwnPreferences | PartyView, outcome_space: Any) -> Any:
    """One party's NegMAS ``LinearAdditiveUtilityFunction`` from its own preferences only (its
    :class:`OwnPreferences` or its :class:`PartyView`): named by the party id, reserved value =
    BATNA, red lines as in the module docstring."""
    negmas = _negmas()
    from negmas.preferences.value_fun import TableFun

    tables: list[Any] = []
    weights: list[float] = []
    for i, options in enumerate(own.option_ids):
        n = len(options)
        weight, table = red_line_table(
            own.values[i, :n], float(own.weights[i]), own.allowed[i, :n], own.batna
        )
        weights.append(weight)
        tables.append(TableFun(dict(zip(options, table, strict=True))))
    return negmas.LinearAdditiveUtilityFunction(
        tables,
        weights=weights,
        outcome_space=outcome_space,
        reserved_value=own.batna,
        name=own.party,
    )


def to_negmas(compiled: Compiled, parties: Sequence[str] | None = None) -> NegmasDomain:
    """The scenario as NegMAS objects: the outcome space and each party's utility function
    (``parties`` defaults to every compiled party, in order)."""
    chosen = tuple(parties) if parties is not None else compiled.party_ids
    space = negmas_outcome_space(compiled.issue_ids, compiled.option_ids)
    ufuns = tuple(negmas_ufun(own_preferences(compiled, p), space) for p in chosen)
    return NegmasDomain(chosen, compiled.option_ids, space, ufuns)


# --- NegMAS -> accord ------------------------------------------------------------------------


def _make_id(text: str, taken: Sequence[str]) -> str:
    from accord.io.genius import make_id

    return make_id(text, taken)


def _party_tables(
    ufun: Any, issues: Sequence[Any], values: Sequence[Sequence[Any]]
) -> tuple[list[float], list[list[float]], float, float]:
    """The issue weights, each issue's table ``f_i(v)`` over its values, the bias and the
    reserved value of a linear additive utility function."""
    negmas = _negmas()
    if not isinstance(ufun, negmas.LinearAdditiveUtilityFunction):
        raise ValueError(
            f"utility function {ufun.name!r} is a {type(ufun).__name__}"
            " (expected a LinearAdditiveUtilityFunction)"
        )
    if len(ufun.values) != len(issues):
        raise ValueError(
            f"utility function {ufun.name!r} has {len(ufun.values)} value functions"
            f" for {len(issues)} issues"
        )
    weights = [float(w) for w in ufun.weights]
    tables = [[float(fun(v)) for v in vals] for fun, vals in zip(ufun.values, values, strict=True)]
    if not all(math.isfinite(x) for t in [weights, *tables] for x in t):
        raise ValueError(f"utility function {ufun.name!r} has a non-finite weight or value")
    return weights, tables, float(getattr(ufun, "_bias", 0.0)), float(ufun.reserved_value)


def from_negmas(
    outcome_space: Any,
    ufuns: Sequence[Any],
    *,
    parties: Sequence[str] | None = None,
    scenario_id: str = "negmas",
    title: str | None = None,
) -> Scenario:
    """An accord scenario from NegMAS linear additive utility functions over discrete issues
    (see the module docstring for red lines and rescaling). Party ids come from ``parties`` or
    the utility functions' names; issue and option ids from the issue names and values (made
    into ids); positions are the values' order (the values themselves where all are numbers)."""
    issues = list(outcome_space.issues)
    if not issues:
        raise ValueError("the outcome space has no issues")
    values: list[list[Any]] = []
    for issue in issues:
        if not issue.is_discrete():
            raise ValueError(f"issue {issue.name!r} is not discrete (accord needs options)")
        values.append(list(issue.all))
        if len(values[-1]) < 2:
            raise ValueError(f"issue {issue.name!r} has fewer than two values")
    if parties is not None and len(parties) != len(ufuns):
        raise ValueError(f"{len(parties)} party ids for {len(ufuns)} utility functions")

    issue_records: list[dict[str, Any]] = []
    option_ids: list[list[str]] = []
    for issue, vals in zip(issues, values, strict=True):
        ids: list[str] = []
        for v in vals:
            ids.append(_make_id(str(v), ids))
        option_ids.append(ids)
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in vals)
        positions = [float(v) for v in vals] if numeric else [float(k) for k in range(len(vals))]
        if len(set(positions)) != len(positions):
            positions = [float(k) for k in range(len(vals))]
        issue_records.append(
            {
                "id": _make_id(str(issue.name), [r["id"] for r in issue_records]),
                "name": str(issue.name),
                "scale": {
                    "min": min(positions),
                    "max": max(positions),
                    "assumption": "NegMAS issue values" if numeric else "NegMAS value order",
                },
                "options": [
                    {"id": o, "label": str(v), "position": x}
                    for o, v, x in zip(ids, vals, positions, strict=True)
                ],
                "status_quo": ids[0],
            }
        )

    party_records: list[dict[str, Any]] = []
    preferences: dict[str, Any] = {}
    for k, ufun in enumerate(ufuns):
        name = parties[k] if parties is not None else str(ufun.name or f"P{k}")
        pid = _make_id(name, [p["id"] for p in party_records])
        table, batna, notes = _accord_form(*_party_tables(ufun, issues, values))
        party_records.append(
            {
                "id": pid,
                "name": name,
                "roles": ["party"],
                "description": " ".join(["From a NegMAS utility function.", *notes]),
                "batna": {"value": batna, "assumption": "NegMAS reserved value"},
            }
        )
        prefs: dict[str, Any] = {}
        for record, ids, (salience, vals, red) in zip(
            issue_records, option_ids, table, strict=True
        ):
            if salience == 0 and not red:
                continue
            prefs[record["id"]] = {
                "salience": {"value": salience, "assumption": "NegMAS weight"},
                "values": dict(zip(ids, vals, strict=True)),
                **({"red_lines": [{"option": ids[o]} for o in red]} if red else {}),
            }
        preferences[pid] = prefs
    data: dict[str, Any] = {
        "id": _make_id(scenario_id, []),
        "title": title or scenario_id,
        "as_of": "2000-01-01",
        "description": "Imported from NegMAS: no date (as_of is a placeholder) and no status"
        " quo (each issue's first value stands in for it).",
        "parties": party_records,
        "issues": issue_records,
        "preferences": preferences,
    }
    return Scenario.model_validate(data)


def _accord_form(
    weights: list[float], tables: list[list[float]], bias: float, reserved: float
) -> tuple[list[tuple[float, list[float], list[int]]], float, list[str]]:
    """Per issue ``(salience, values, red-line option indices)`` and the BATNA: accord's form of
    ``u = bias + sum_i weights[i] * tables[i][x_i]`` with reserved value ``reserved``."""
    weighted = [[w * x for x in t] for w, t in zip(weights, tables, strict=True)]
    best = [max(t) for t in weighted]
    top = bias + sum(best)
    red = [
        [o for o, x in enumerate(t) if x < reserved - 1.0 and x + top - b < reserved]
        for t, b in zip(weighted, best, strict=True)
    ]
    notes: list[str] = []
    if any(red):
        notes.append("Options no outcome can lift to the reserved value are red lines.")
    kept = [[o for o in range(len(t)) if o not in r] for t, r in zip(tables, red, strict=True)]
    # to_negmas gives an issue of weight 0 with red lines weight CARRIER_WEIGHT, table 0 elsewhere
    carrier = [
        bool(r) and w > 1.0 and all(t[o] == 0.0 for o in k)
        for w, t, r, k in zip(weights, tables, red, kept, strict=True)
    ]
    counted = sum(w for w, c in zip(weights, carrier, strict=True) if not c)
    direct = (
        bias == 0.0
        and reserved <= 1.0
        and all(w >= 0.0 for w in weights)
        and all(0.0 <= tables[i][o] <= 1.0 for i, k in enumerate(kept) for o in k)
        and math.isclose(counted, 1.0, abs_tol=1e-9)
    )
    out: list[tuple[float, list[float], list[int]]] = []
    if direct:
        for w, t, r, c in zip(weights, tables, red, carrier, strict=True):
            out.append((0.0 if c else w, [0.0 if o in r else x for o, x in enumerate(t)], r))
        batna = reserved
    else:
        # each issue's kept values onto [0, 1] (its share of the total span as salience), the
        # whole utility divided by ``scale`` >= that total so that the BATNA stays within 1
        low = [min((weighted[i][o] for o in k), default=0.0) for i, k in enumerate(kept)]
        high = [max((weighted[i][o] for o in k), default=0.0) for i, k in enumerate(kept)]
        spans = [h - lo for h, lo in zip(high, low, strict=True)]
        offset, total = bias + sum(low), sum(spans)
        if total > 0:
            scale = max(total, reserved - offset)
            batna = (reserved - offset) / scale
            notes.append(
                f"Rescaled: u_accord = (u_negmas - {offset:.12g}) / {scale:.12g};"
                " every comparison is kept."
            )
            for t, r, lo, span in zip(weighted, red, low, spans, strict=True):
                vals = [
                    0.0 if o in r or span == 0 else (x - lo) / span * (total / scale)
                    for o, x in enumerate(t)
                ]
                out.append((span / total, [min(1.0, max(0.0, v)) for v in vals], r))
        else:
            batna = 0.0 if offset >= reserved else 1.0
            notes.append(
                "Every outcome inside the red lines is worth the same: utility 0, BATNA"
                f" {batna:g} ({'all' if batna == 0 else 'none'} acceptable)."
            )
            out = [(1.0 / len(tables), [0.0] * len(t), r) for t, r in zip(tables, red, strict=True)]
    if not batna >= 0.0:  # below every utility (or -inf, NegMAS's default): 0 accepts the same
        notes.append(f"Reserved value {reserved:g} is below every utility: BATNA 0.")
        batna = 0.0
    return out, min(batna, 1.0), notes


# --- NegMAS negotiators as accord strategies -------------------------------------------------


@contextmanager
def _seeded_globals(rng: np.random.Generator) -> Iterator[None]:
    """NegMAS draws from Python's ``random`` and NumPy's legacy global generator: seed both from
    ``rng`` for the call and put their previous states back afterwards."""
    seed = int(rng.integers(2**32))
    saved_py = random.getstate()
    saved_np = np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved_py)
        np.random.set_state(saved_np)


def _accepted(response: Any) -> bool:
    from negmas import ResponseType

    kind = getattr(response, "response", response)
    return bool(kind == ResponseType.ACCEPT_OFFER)


class _Session:
    """One negotiation as the wrapped negotiator sees it: a NegMAS SAO mechanism that is never
    run, holding the negotiator and a placeholder per other party (so its interface reports the
    right parties and step limit), and whose state the adapter sets before each call."""

    def __init__(
        self,
        factory: Callable[..., Any],
        kwargs: dict[str, Any],
        view: PartyView,
    ) -> None:
        from negmas.gb.negotiators.randneg import RandomNegotiator
        from negmas.sao import SAOMechanism, SAOState

        self._state_type = SAOState
        self.values = view.values  # the identity of the party's own arrays marks the negotiation
        self.party = view.party
        self.parties = view.parties
        self.deadline = view.deadline
        self.round = view.round
        self.option_ids = view.option_ids
        self.index = [{o: k for k, o in enumerate(opts)} for opts in view.option_ids]
        self.fed = 0
        self.last: Package | None = None
        space = negmas_outcome_space(view.issue_ids, view.option_ids)
        self.ufun = negmas_ufun(view, space)
        self.mechanism = SAOMechanism(
            outcome_space=space, n_steps=view.deadline, one_offer_per_step=True
        )
        options = {"id": view.party, "name": view.party, **kwargs}
        self.negotiator = factory(ufun=self.ufun, **options)
        for party in view.parties:
            if party == view.party:
                self.mechanism.add(self.negotiator)
            else:
                self.mechanism.add(RandomNegotiator(id=party, name=party))
        self.mechanism._current_state = self._state(view.round, None, None)
        self.negotiator._on_negotiation_start(self.mechanism._current_state)

    def continues(self, view: PartyView) -> bool:
        return (
            view.values is self.values
            and view.party == self.party
            and view.parties == self.parties
            and view.deadline == self.deadline
            and view.round >= self.round
            and len(view.history) >= self.fed
        )

    def outcome(self, package: Package) -> tuple[str, ...]:
        return tuple(self.option_ids[i][o] for i, o in enumerate(package))

    def package(self, outcome: Any) -> Package | None:
        if outcome is None:
            return None
        outcome = getattr(outcome, "outcome", outcome)  # an ExtendedOutcome carries one
        try:
            values = tuple(outcome)
            if len(values) != len(self.index):
                return None
            return tuple(self.index[i][v] for i, v in enumerate(values))
        except (KeyError, TypeError):
            return None

    def _state(self, step: int, offer: Package | None, proposer: str | None) -> Any:
        current = None if offer is None else self.outcome(offer)
        return self._state_type(
            running=True,
            started=True,
            step=step,
            relative_time=min(1.0, (step + 1) / (self.deadline + 1)),
            n_negotiators=len(self.parties),
            current_offer=current,
            current_proposer=proposer,
            new_offers=[] if current is None else [(proposer, current)],
        )

    def at(self, view: PartyView, step: int, offer: Package | None, proposer: str | None) -> Any:
        """Record the public offers not yet recorded in the mechanism's history, then set and
        return the state for a call at ``step``."""
        for past in view.history[self.fed :]:
            self.mechanism._history.append(self._state(past.round, past.package, past.proposer))
        self.fed = len(view.history)
        self.round = view.round
        state = self._state(step, offer, proposer)
        self.mechanism._current_state = state
        return state


def _rebuild(factory: Callable[..., Any], kwargs: dict[str, Any]) -> NegmasStrategy:
    return NegmasStrategy(factory, **kwargs)


class NegmasStrategy(Strategy):
    """Any NegMAS SAO negotiator as an accord strategy: ``NegmasStrategy(factory, **kwargs)``
    with ``factory`` a negotiator class (``negmas.sao.BoulwareTBNegotiator``,
    ``AspirationNegotiator``, ``NaiveTitForTatNegotiator``, ...) or any callable taking
    ``ufun=``, ``id=``, ``name=`` and ``kwargs``.

    At a party's first move in a negotiation the adapter builds the negotiator from that party's
    own view only (:func:`negmas_ufun` of its own preferences; the view holds nothing of the
    other parties) and a NegMAS ``SAOMechanism(n_steps=deadline, one_offer_per_step=True)`` that
    is never run: it carries the negotiator, a placeholder per other party, and the state the
    adapter sets before each call (the step, the offer on the table and who made it; the public
    offers so far as the mechanism's history). ``propose`` in round ``r`` calls the negotiator's
    ``propose_`` at step ``r`` with the last offer on the table as the current offer;
    ``respond`` to the offer made in round ``r`` calls its ``respond_`` at step ``r + 1``, with
    the offer and its proposer (the party whose turn it is): where NegMAS's SAO protocol with
    ``one_offer_per_step=True`` asks the next negotiator to answer and then counter. With two
    parties an accord run of two adapted negotiators then makes the same offers as NegMAS's own
    ``SAOMechanism(n_steps=deadline, one_offer_per_step=True)`` (tested). NegMAS's global random
    generators are seeded from the strategy's ``rng`` for each call and restored after, so the
    same seed gives the same trace.

    The house rule holds whatever the negotiator does (NegMAS's ``NaiveTitForTatNegotiator``,
    for one, offers and accepts below its reserved value): a yes to a package the party could
    not accept becomes a no; an offer it could not accept (or an outcome outside the space) is
    replaced by its acceptable package closest above that offer's utility; a refusal to offer
    (``None``: in NegMAS, ending the negotiation) becomes its previous offer, or its best
    package at the first move. A party with no acceptable package at all passes and says no
    without asking the negotiator (NegMAS's time-based negotiators fail on a reserved value
    above their best utility).

    What the adapter cannot reproduce:

    * NegMAS's time is its own: relative time is ``(r + 1) / (deadline + 1)`` (NegMAS's formula
      for ``n_steps``), not accord's ``r / (deadline - 1)``: a NegMAS time-based negotiator never
      reaches ``t = 1`` and keeps a little above its reserved value at the last round, as it
      would in NegMAS. Wall-clock limits are not set.
    * The last round's offer is answered (at ``t = 1``); NegMAS times out before that answer.
      With three parties or more, accord asks every other party to answer each offer in the
      round it is made (all at step ``r + 1``), where NegMAS's stacked protocol passes the offer
      from one negotiator to the next, one step each.
    * The negotiator is never told the negotiation ended (no ``on_negotiation_end``), nor given
      ``on_partner_*`` callbacks (NegMAS's default ``extra_callbacks=False`` gives none either).
    * NegMAS's ``END_NEGOTIATION`` and ``WAIT`` answers are read as a no: accord's protocol has
      no walk-away before the deadline.
    * Red lines reach the negotiator as penalised table entries (see the module docstring); a
      negotiator that reasons on its utility range (``minmax``) sees the penalised minimum.
    """

    stochastic: ClassVar[bool] = True

    def __init__(self, factory: Callable[..., Any], **kwargs: Any) -> None:
        if not callable(factory):
            raise TypeError(f"factory must be callable (got {factory!r})")
        self.factory = factory
        self.kwargs = dict(kwargs)
        self._session: _Session | None = None

    @property
    def name(self) -> str:
        """The strategy's name, with its NegMAS class and arguments."""
        label = getattr(self.factory, "__name__", type(self.factory).__name__)
        args = "".join(f", {k}={v!r}" for k, v in sorted(self.kwargs.items()))
        return f"Negmas({label}{args})"

    @property
    def floor(self) -> str:
        """What the strategy never concedes below."""
        return "its BATNA, never across its own red lines (the adapter vetoes NegMAS moves below)"

    def reset(self) -> None:
        """Forget the NegMAS session of the last negotiation."""
        self._session = None

    def clone(self) -> NegmasStrategy:
        """A fresh copy with the same NegMAS class and arguments."""
        return NegmasStrategy(self.factory, **self.kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.factory, self.kwargs))

    def _session_for(self, view: PartyView, rng: np.random.Generator) -> _Session:
        if self._session is None or not self._session.continues(view):
            with _seeded_globals(rng):
                self._session = _Session(self.factory, self.kwargs, view)
        return self._session

    def propose(self, view: PartyView, rng: np.random.Generator) -> Package | None:
        """The NegMAS negotiator's next offer, or None where nothing is acceptable to the party."""
        best = view.best_package
        if best is None or view.best_utility < view.batna:
            return None
        session = self._session_for(view, rng)
        table = view.history[-1] if view.history else None
        state = session.at(
            view,
            view.round,
            None if table is None else table.package,
            None if table is None or table.package is None else table.proposer,
        )
        with _seeded_globals(rng):
            raw = session.negotiator.propose_(state=state, dest=None)
        offer = session.package(raw)
        if offer is None:
            offer = session.last if session.last is not None else best
        if not view.acceptable(offer):
            offer = package_near(view, view.utility(offer), rng)
        session.last = offer
        return offer

    def respond(self, view: PartyView, offer: Package, rng: np.random.Generator) -> bool:
        """Whether the NegMAS negotiator accepts the offer."""
        if view.best_package is None or view.best_utility < view.batna:
            return False  # nothing is acceptable to it (NegMAS cannot even scale its range)
        session = self._session_for(view, rng)
        proposer = view.parties[view.round % len(view.parties)]
        source = None if proposer == view.party else proposer
        state = session.at(view, view.round + 1, tuple(int(o) for o in offer), source)
        with _seeded_globals(rng):
            answer = session.negotiator.respond_(state=state, source=source)
        return _accepted(answer) and view.acceptable(offer)
