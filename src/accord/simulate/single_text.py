"""The single negotiating text: a mediator revises one text until every party accepts it.

``single_text(compiled, start=..., deadline=..., policy=..., seed=...)`` returns a
:class:`SingleText` run: iterate it for one frozen :class:`TextState` per round, or call
``run()`` for the :class:`TextOutcome`.

Each round:

1. **Parties answer.** Each party sees only its :class:`~accord.simulate.views.PartyView` (its own
   preferences and the public record: the texts put so far and the answers to them). It *accepts*
   the text when the text is acceptable to it (no own red line crossed, utility >= BATNA);
   otherwise it *rejects* and names up to ``k`` changes it wants most (:func:`party_answer`): per
   issue, the allowed option that most raises its own utility from the current text; issues whose
   current option crosses its own red line come first, then the others by utility gain; it never
   asks for an option across its own red line, nor for a change that does not raise its utility
   (unless the change repairs a red line).
2. **The mediator revises.** The :class:`Mediator` never sees the compiled arrays nor a party's
   view: :meth:`Mediator.revise` receives only the current text and the parties' :class:`Answer`
   records (accept/reject and the requested ``(issue, option)`` changes). Under either policy it

   * changes an issue at most once per round;
   * does not touch an issue whose current option it set in an earlier round and which another
     party (not the requester) has since accepted (a change *accepted by others* is kept);
   * never puts a text it has already put (so the text cannot cycle); where the revised text
     was seen before, it drops the lowest-priority change until the text is new or unchanged.

   ``"maximin"``: the rejecting parties are served worst-off first: most rejections so far, then
   most changes requested so far, then a seeded random order; each rejecting party gets its
   most-wanted admissible change (one issue per party per round).

   ``"nash"``: a heuristic for the product of gains: for each issue, the option requested by the
   most rejecting parties (a party's first request counts 2, the others 1; ties go to the party
   that comes first in the seeded order, then to the lowest option index); the issues are taken
   in order of that support, at most as many issues as there are rejecting parties.
3. **Stop** when every party accepts (agreement), when the deadline passes (the last round's
   answers are taken, and the text is not revised after them), or when the mediator cannot move
   the text (deadlock). ``TextOutcome.blocking`` names, for each party that still rejects, the
   issues it still asks to change (empty where it rejects but no single change helps it).

Everything is deterministic given ``seed`` (it only orders parties that are otherwise tied).
:func:`versions_as_drafts` turns the versions of the text into :class:`CompiledDraft` records
(``v0``, ``v1``, ...) whose points revise the previous version's, so that
:func:`accord.analysis.diff.diff` compares consecutive versions point by point;
:func:`with_versions` adds them to a :class:`Compiled` for diffs across several versions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from accord.analysis.diff import DraftDiff, diff
from accord.analysis.evaluate import utilities
from accord.compile import Compiled, CompiledDraft, CompiledPoint
from accord.simulate.views import Offer, OwnPreferences, Package, PartyView, own_preferences

Policy = Literal["maximin", "nash"]
MEDIATOR = "mediator"
"""The proposer named in the public record for every text the mediator puts."""

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class Request:
    """A change a party asks for: put ``option`` on ``issue`` (indices)."""

    issue: int
    option: int


@dataclass(frozen=True, slots=True)
class Answer:
    """What a party reveals about a text: accept, or reject and the changes it wants most (most
    wanted first; at most ``k``)."""

    party: str
    accepts: bool
    requests: tuple[Request, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """A revision by the mediator: ``issue`` moved from ``previous`` to ``option`` at the
    request of ``party``."""

    issue: int
    previous: int
    option: int
    party: str


@dataclass(frozen=True, slots=True)
class TextState:
    """One round: the text the parties answered, their answers (in ``parties`` order), the
    changes the mediator then made, and how the round ended."""

    round: int
    deadline: int
    parties: tuple[str, ...]
    text: Package
    answers: tuple[Answer, ...]
    changes: tuple[Change, ...]
    agreement: bool
    deadlocked: bool
    done: bool

    def answer(self, party: str) -> Answer:
        """A party's answer to this version of the text."""
        return self.answers[self.parties.index(party)]

    @property
    def rejecting(self) -> tuple[str, ...]:
        """The parties that reject this version."""
        return tuple(a.party for a in self.answers if not a.accepts)


@dataclass(frozen=True, slots=True)
class TextOutcome:
    """How the single-text negotiation ended.

    ``versions`` holds the starting text and each revision (one per round in which the text
    changed); ``text`` is the last of them. ``blocking`` maps each party that still rejects to
    the issue ids it still asks to change (empty on agreement). ``utilities`` are the parties'
    utilities of the agreement, or their BATNAs where there is none."""

    protocol: str
    policy: str
    parties: tuple[str, ...]
    start: str | None  # the starting draft's id (None: a package or the status quo)
    agreement: Package | None
    deadlocked: bool
    rounds: int
    deadline: int
    versions: tuple[Package, ...]
    blocking: Mapping[str, tuple[str, ...]]
    utilities: tuple[float, ...]
    trace: tuple[TextState, ...]

    @property
    def agreed(self) -> bool:
        """Whether every party accepted a version."""
        return self.agreement is not None

    @property
    def text(self) -> Package:
        """The last version of the text."""
        return self.versions[-1]

    def summary(self) -> str:
        """One plain line: agreement, deadlock or deadline, with the blocking parties."""
        if self.agreed:
            return f"agreement after {self.rounds} round(s), {len(self.versions)} version(s)"
        how = "deadlock" if self.deadlocked else "deadline passed"
        blocks = "; ".join(
            f"{p} asks to change {', '.join(issues) if issues else 'nothing it can name'}"
            for p, issues in self.blocking.items()
        )
        return f"{how} after {self.rounds} round(s), {len(self.versions)} version(s): {blocks}"


# --- parties -----------------------------------------------------------------------------------


def party_answer(view: PartyView, text: Package, k: int = 2) -> Answer:
    """A party's answer to ``text`` from its own view only (see the module docstring)."""
    if view.acceptable(text):
        return Answer(view.party, True, ())
    values, weights, allowed = view.values, view.weights, view.allowed
    candidates: list[tuple[bool, float, int, int]] = []
    for i, current in enumerate(text):
        ok_now = bool(allowed[i, current])
        best: tuple[float, int] | None = None
        for o in range(view.n_options[i]):
            if o == current or not allowed[i, o]:
                continue
            gain = float(weights[i] * (values[i, o] - values[i, current]))
            if best is None or gain > best[0] + _EPS:
                best = (gain, o)
        if best is not None and (not ok_now or best[0] > _EPS):
            candidates.append((ok_now, -best[0], i, best[1]))
    candidates.sort()
    return Answer(view.party, False, tuple(Request(i, o) for _, _, i, o in candidates[:k]))


# --- the mediator ------------------------------------------------------------------------------


class Mediator:
    """Revises the text from what the parties revealed, and nothing else: it holds no compiled
    arrays, no party's preferences or view; its memory is the texts it put, the answers it got
    and the changes it made."""

    __slots__ = (
        "_accepted_by",
        "_order",
        "_policy",
        "_rejections",
        "_requested",
        "_seen",
        "_set_by_me",
    )

    def __init__(self, parties: Sequence[str], policy: Policy, seed: int) -> None:
        if policy not in ("maximin", "nash"):
            raise ValueError(f"unknown policy {policy!r} (expected 'maximin' or 'nash')")
        self._policy: Policy = policy
        rng = np.random.default_rng(seed)
        rank = rng.permutation(len(parties))
        self._order: dict[str, int] = {p: int(r) for p, r in zip(parties, rank, strict=True)}
        self._rejections: dict[str, int] = dict.fromkeys(parties, 0)
        self._requested: dict[str, int] = dict.fromkeys(parties, 0)
        self._seen: set[Package] = set()
        self._set_by_me: dict[int, str] = {}  # issue -> party whose request set it
        self._accepted_by: dict[int, set[str]] = {}  # issue -> who accepted it since

    def revise(
        self, text: Package, answers: Sequence[Answer]
    ) -> tuple[Package, tuple[Change, ...]]:
        """The next text and the changes made (none: the mediator cannot move the text)."""
        text = tuple(int(o) for o in text)
        self._seen.add(text)
        for a in answers:
            if a.accepts:
                for issue in self._set_by_me:
                    self._accepted_by[issue].add(a.party)
            else:
                self._rejections[a.party] += 1
                self._requested[a.party] += len(a.requests)
        rejecting = [a for a in answers if not a.accepts and a.requests]
        if self._policy == "maximin":
            chosen = self._maximin(text, rejecting)
        else:
            chosen = self._nash(text, rejecting)
        while chosen:
            new = list(text)
            for c in chosen:
                new[c.issue] = c.option
            if tuple(new) not in self._seen:
                break
            chosen.pop()
        if not chosen:
            return text, ()
        for c in chosen:
            self._set_by_me[c.issue] = c.party
            self._accepted_by[c.issue] = set()
        out = list(text)
        for c in chosen:
            out[c.issue] = c.option
        return tuple(out), tuple(chosen)

    def _locked(self, issue: int, party: str) -> bool:
        return bool(self._accepted_by.get(issue, set()) - {party})

    def _maximin(self, text: Package, rejecting: list[Answer]) -> list[Change]:
        ranked = sorted(
            rejecting,
            key=lambda a: (
                -self._rejections[a.party],
                -self._requested[a.party],
                self._order[a.party],
            ),
        )
        chosen: list[Change] = []
        taken: set[int] = set()
        for a in ranked:
            for r in a.requests:
                if r.issue in taken or self._locked(r.issue, a.party):
                    continue
                if r.option == text[r.issue]:
                    continue
                chosen.append(Change(r.issue, text[r.issue], r.option, a.party))
                taken.add(r.issue)
                break
        return chosen

    def _nash(self, text: Package, rejecting: list[Answer]) -> list[Change]:
        support: dict[tuple[int, int], int] = {}
        first: dict[tuple[int, int], str] = {}
        for a in sorted(rejecting, key=lambda a: self._order[a.party]):
            for n, r in enumerate(a.requests):
                if r.option == text[r.issue] or self._locked(r.issue, a.party):
                    continue
                key = (r.issue, r.option)
                support[key] = support.get(key, 0) + (2 if n == 0 else 1)
                first.setdefault(key, a.party)
        best: dict[int, tuple[int, int, int]] = {}  # issue -> (-support, party rank, option)
        for (issue, option), s in support.items():
            cand = (-s, self._order[first[issue, option]], option)
            if issue not in best or cand < best[issue]:
                best[issue] = cand
        ordered = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))[: len(rejecting)]
        return [
            Change(issue, text[issue], option, first[issue, option])
            for issue, (_, _, option) in ordered
        ]


# --- the protocol ------------------------------------------------------------------------------


def _start(compiled: Compiled, start: str | Sequence[int] | None) -> Package:
    if start is None:
        return tuple(int(o) for o in compiled.status_quo)
    if isinstance(start, str):
        if start not in compiled.drafts:
            raise ValueError(
                f"unknown draft {start!r} (expected one of: {', '.join(compiled.drafts) or 'none'})"
            )
        return tuple(int(o) for o in compiled.drafts[start].package)
    x = tuple(int(o) for o in start)
    n = compiled.n_options
    if len(x) != len(n) or any(not 0 <= o < int(m) for o, m in zip(x, n, strict=True)):
        raise ValueError(f"{x} is not a package (one option index per issue, within range)")
    return x


class SingleText(Iterator[TextState]):
    """A running single-text negotiation; ``next()`` plays one round."""

    protocol = "single-text"

    def __init__(
        self,
        compiled: Compiled,
        *,
        start: str | Sequence[int] | None,
        deadline: int,
        policy: Policy = "maximin",
        seed: int = 0,
        parties: Sequence[str] | None = None,
        k: int = 2,
    ) -> None:
        order = tuple(parties) if parties is not None else compiled.party_ids
        unknown = [p for p in order if p not in compiled.party_ids]
        if unknown:
            raise ValueError(
                f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
                f" (expected among: {', '.join(compiled.party_ids)})"
            )
        if len(set(order)) != len(order) or not order:
            raise ValueError("the parties must be distinct and at least one")
        if deadline < 1:
            raise ValueError(f"deadline must be at least 1 round (got {deadline})")
        if k < 1:
            raise ValueError(f"k must be at least 1 (got {k})")
        self._compiled = compiled
        self._parties = order
        self._deadline = int(deadline)
        self._policy: Policy = policy
        self._k = int(k)
        self._own: dict[str, OwnPreferences] = {p: own_preferences(compiled, p) for p in order}
        self._mediator = Mediator(order, policy, seed)
        self._start = start if isinstance(start, str) else None
        self._text = _start(compiled, start)
        self._versions: list[Package] = [self._text]
        self._history: list[Offer] = []
        self._trace: list[TextState] = []
        self._done = False

    @property
    def parties(self) -> tuple[str, ...]:
        """The parties asked about each version."""
        return self._parties

    @property
    def done(self) -> bool:
        """Whether the procedure has ended."""
        return self._done

    @property
    def trace(self) -> tuple[TextState, ...]:
        """Every state so far, oldest first."""
        return tuple(self._trace)

    def __next__(self) -> TextState:
        if self._done:
            raise StopIteration
        r = len(self._trace)
        text = self._text
        history = tuple(self._history)
        answers = tuple(
            party_answer(
                PartyView(self._own[p], self._parties, history, r, self._deadline), text, self._k
            )
            for p in self._parties
        )
        self._history.append(Offer(r, MEDIATOR, text, tuple((a.party, a.accepts) for a in answers)))
        agreed = all(a.accepts for a in answers)
        changes: tuple[Change, ...] = ()
        deadlocked = False
        if not agreed and r + 1 < self._deadline:
            new, changes = self._mediator.revise(text, answers)
            if changes:
                self._text = new
                self._versions.append(new)
            else:
                deadlocked = True
        self._done = agreed or deadlocked or r + 1 >= self._deadline
        state = TextState(
            round=r,
            deadline=self._deadline,
            parties=self._parties,
            text=text,
            answers=answers,
            changes=changes,
            agreement=agreed,
            deadlocked=deadlocked,
            done=self._done,
        )
        self._trace.append(state)
        return state

    def step(self) -> TextState:
        """Play one round (``StopIteration`` once the negotiation is over)."""
        return next(self)

    def run(self) -> TextOutcome:
        """Play the remaining rounds and return the outcome."""
        for _ in self:
            pass
        return self.outcome()

    def outcome(self) -> TextOutcome:
        """The outcome of the procedure (only once it has ended)."""
        if not self._done:
            raise RuntimeError("the negotiation is not over yet (call run())")
        last = self._trace[-1]
        agreement = last.text if last.agreement else None
        index = np.array([self._compiled.party_index(p) for p in self._parties], dtype=np.int64)
        if agreement is not None:
            u = utilities(self._compiled, agreement)[index]
        else:
            u = self._compiled.batna[index]
        ids = self._compiled.issue_ids
        blocking = {
            a.party: tuple(ids[q.issue] for q in a.requests) for a in last.answers if not a.accepts
        }
        return TextOutcome(
            protocol=self.protocol,
            policy=self._policy,
            parties=self._parties,
            start=self._start,
            agreement=agreement,
            deadlocked=last.deadlocked,
            rounds=len(self._trace),
            deadline=self._deadline,
            versions=tuple(self._versions),
            blocking=blocking,
            utilities=tuple(float(v) for v in u),
            trace=tuple(self._trace),
        )


def single_text(
    compiled: Compiled,
    *,
    start: str | Sequence[int] | None,
    deadline: int,
    policy: Policy = "maximin",
    seed: int = 0,
    parties: Sequence[str] | None = None,
    k: int = 2,
) -> SingleText:
    """A single-negotiating-text negotiation from ``start`` (a draft id, a package, or None for
    the status quo) among ``parties`` (default: every compiled party). Iterate it for states, or
    call ``.run()`` for the :class:`TextOutcome`."""
    return SingleText(
        compiled, start=start, deadline=deadline, policy=policy, seed=seed, parties=parties, k=k
    )


# --- versions as drafts ------------------------------------------------------------------------


def versions_as_drafts(
    compiled: Compiled,
    outcome: TextOutcome,
    *,
    prefix: str = "v",
) -> tuple[CompiledDraft, ...]:
    """The versions of the text as drafts ``v0``, ``v1``, ...: point ``i + 1`` sets issue ``i``
    wherever the text sets it (the ``start`` draft set it, it is off the status quo, or the
    mediator has moved it) and revises the same point of the previous version, so ``diff``
    matches consecutive versions point by point. ``v0`` is ``based_on`` the starting draft."""
    start = outcome.start
    base = compiled.drafts[start].set_by >= 0 if start is not None else None
    touched = np.zeros(compiled.n_issues, dtype=bool) if base is None else base.copy()
    drafts: list[CompiledDraft] = []
    previous: set[int] = set()
    for n, package in enumerate(outcome.versions):
        x = np.asarray(package, dtype=np.int64)
        if n:
            touched |= x != np.asarray(outcome.versions[n - 1], dtype=np.int64)
        sets = touched | (x != compiled.status_quo)
        points = tuple(
            CompiledPoint(
                number=i + 1,
                text=f"{compiled.issue_names[i]}: {compiled.option_labels[i][int(x[i])]}",
                sets=((i, int(x[i])),),
                status="proposed",
                revises=(f"{prefix}{n - 1}#{i + 1}",) if n and i in previous else (),
            )
            for i in map(int, np.flatnonzero(sets))
        )
        previous = {int(i) for i in np.flatnonzero(sets)}
        drafts.append(
            CompiledDraft(
                id=f"{prefix}{n}",
                title=f"Single negotiating text, version {n}",
                author=MEDIATOR,
                date=None,
                based_on=start if n == 0 else f"{prefix}{n - 1}",
                package=x,
                set_by=np.where(sets, np.arange(compiled.n_issues) + 1, -1).astype(np.int64),
                points=points,
            )
        )
    return tuple(drafts)


def with_versions(compiled: Compiled, drafts: Sequence[CompiledDraft]) -> Compiled:
    """A copy of ``compiled`` whose ``drafts`` also hold ``drafts`` (for diffs across more than
    one version, which follow ``revises`` through the intermediate drafts)."""
    clash = [d.id for d in drafts if d.id in compiled.drafts]
    if clash:
        raise ValueError(f"draft id(s) already used: {', '.join(clash)}")
    return dataclasses.replace(compiled, drafts={**compiled.drafts, **{d.id: d for d in drafts}})


@dataclass(frozen=True)
class Replay:
    """A single-text run with its versions as drafts and the diff of each version against the
    one before (``v0`` against the starting draft is left out: it is the same text)."""

    outcome: TextOutcome
    compiled: Compiled  # the scenario with the versions added as drafts
    versions: tuple[CompiledDraft, ...]
    diffs: tuple[DraftDiff, ...]

    def version_utilities(self) -> tuple[tuple[float, ...], ...]:
        """Each version's utility for each of the run's parties (``outcome.parties`` order)."""
        c = self.compiled
        index = [c.party_index(p) for p in self.outcome.parties]
        return tuple(tuple(float(x) for x in utilities(c, d.package)[index]) for d in self.versions)

    def to_dict(self) -> dict[str, Any]:
        """The run as plain data: outcome, each round's answers and changes, versions, diffs."""
        c = self.compiled
        o = self.outcome

        def package(x: Package) -> dict[str, str]:
            return {c.issue_ids[i]: c.option_ids[i][int(k)] for i, k in enumerate(x)}

        return {
            "protocol": o.protocol,
            "policy": o.policy,
            "start": o.start,
            "parties": list(o.parties),
            "agreed": o.agreed,
            "deadlocked": o.deadlocked,
            "rounds": o.rounds,
            "deadline": o.deadline,
            "summary": o.summary(),
            "blocking": {p: list(issues) for p, issues in o.blocking.items()},
            "utilities": dict(zip(o.parties, o.utilities, strict=True)),
            "agreement": None if o.agreement is None else package(o.agreement),
            "rounds_trace": [
                {
                    "round": s.round,
                    "version": self.versions[_version_of(o, s)].id,
                    "utilities": dict(
                        zip(
                            o.parties,
                            map(float, utilities(c, s.text)[[c.party_index(p) for p in o.parties]]),
                            strict=True,
                        )
                    ),
                    "answers": [
                        {
                            "party": a.party,
                            "accepts": a.accepts,
                            "requests": [
                                {
                                    "issue": c.issue_ids[q.issue],
                                    "option": c.option_ids[q.issue][q.option],
                                }
                                for q in a.requests
                            ],
                        }
                        for a in s.answers
                    ],
                    "changes": [
                        {
                            "issue": c.issue_ids[ch.issue],
                            "from": c.option_ids[ch.issue][ch.previous],
                            "to": c.option_ids[ch.issue][ch.option],
                            "requested_by": ch.party,
                        }
                        for ch in s.changes
                    ],
                    "agreement": s.agreement,
                    "deadlocked": s.deadlocked,
                }
                for s in o.trace
            ],
            "versions": [
                {"id": d.id, "based_on": d.based_on, "package": package(tuple(d.package))}
                for d in self.versions
            ],
            "diffs": [d.to_dict() for d in self.diffs],
        }


def _version_of(outcome: TextOutcome, state: TextState) -> int:
    """The index of the version a round's text is (the first equal one)."""
    return outcome.versions.index(state.text)


def replay(
    compiled: Compiled,
    *,
    start: str | Sequence[int] | None,
    deadline: int = 12,
    policy: Policy = "maximin",
    seed: int = 0,
    parties: Sequence[str] | None = None,
    k: int = 2,
    prefix: str | None = None,
) -> Replay:
    """Run a single-text negotiation and diff its versions point by point (see
    :func:`versions_as_drafts`). The versions are named ``v0``, ``v1``, ... (``prefix``), or
    ``text-v0``, ... where the scenario already has drafts named like that."""
    outcome = single_text(
        compiled, start=start, deadline=deadline, policy=policy, seed=seed, parties=parties, k=k
    ).run()
    if prefix is None:
        n = len(outcome.versions)
        taken = set(compiled.drafts)
        prefix = next(
            p
            for p in ("v", "text-v", *(f"text{j}-v" for j in range(len(taken) + 1)))
            if not any(f"{p}{m}" in taken for m in range(n))
        )
    versions = versions_as_drafts(compiled, outcome, prefix=prefix)
    extended = with_versions(compiled, versions)
    diffs = tuple(
        diff(extended, versions[n - 1].id, versions[n].id) for n in range(1, len(versions))
    )
    return Replay(outcome, extended, versions, diffs)
