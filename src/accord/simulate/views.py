"""What a simulated party sees: its own preferences and the public record, nothing else.

``own_preferences(compiled, party)`` copies one party's rows of the compiled arrays (values,
weights, red-line mask, BATNA) into a private, read-only :class:`OwnPreferences` (which memoises
what it derives from them: its best package, the size of its space and its
:class:`PackageTable`; a memo never changes a result); a
:class:`PartyView` pairs it with the public state of the negotiation (the parties, the offers made
so far and the answers to them, the round and the deadline). Neither holds the ``Compiled``
object or anything that reaches it: both use ``__slots__`` (no ``__dict__``), own copies of their
arrays (no ``.base`` back to the compiled arrays) and refuse attribute assignment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from accord.compile import Compiled

Package = tuple[int, ...]
"""A package: one option index per issue."""

TOLERANCE = 1e-12
"""Slack on the BATNA comparison, the same as :func:`accord.analysis.evaluate.acceptable`."""


def _private(array: npt.ArrayLike, dtype: type) -> npt.NDArray[Any]:
    out: npt.NDArray[Any] = np.array(array, dtype=dtype, copy=True, order="C")
    out.setflags(write=False)
    return out


@dataclass(frozen=True, slots=True)
class Offer:
    """One public move: who offered what in which round, and each other party's answer
    (``(party, accepted)`` in turn order)."""

    round: int
    proposer: str
    package: Package | None  # None: the proposer passed (it had nothing it could accept itself)
    responses: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class PackageTable:
    """Every package inside a party's red lines, ordered by its utility to the party:
    ``utilities`` ascending (a stable sort: equal utilities keep the enumeration order),
    ``order[k]`` the enumeration index of the k-th, where the enumeration is
    ``itertools.product(*choices)`` and ``choices[i]`` are issue i's allowed options."""

    choices: tuple[npt.NDArray[np.int64], ...]
    utilities: npt.NDArray[np.float64]
    order: npt.NDArray[np.int64]

    @property
    def size(self) -> int:
        """The number of packages in the table."""
        return len(self.order)

    def package(self, index: int) -> Package:
        """The package at enumeration index ``index``."""
        out = [0] * len(self.choices)
        for i in range(len(self.choices) - 1, -1, -1):
            index, digit = divmod(index, len(self.choices[i]))
            out[i] = int(self.choices[i][digit])
        return tuple(out)


class OwnPreferences:
    """One party's private utility function: ``u(x) = sum_i w_i * v_i(x_i)`` with its red-line
    mask and BATNA, copied out of the compiled arrays."""

    __slots__ = (
        "_allowed",
        "_allowed_rows",
        "_batna",
        "_contributions",
        "_issue_ids",
        "_memo",
        "_n_options",
        "_option_ids",
        "_party",
        "_rows",
        "_values",
        "_weights",
    )

    _party: str
    _issue_ids: tuple[str, ...]
    _option_ids: tuple[tuple[str, ...], ...]
    _n_options: tuple[int, ...]
    _values: npt.NDArray[np.float64]
    _weights: npt.NDArray[np.float64]
    _allowed: npt.NDArray[np.bool_]
    _batna: float
    _contributions: npt.NDArray[np.float64]  # (I, O): w_i * v_i(o)
    _rows: tuple[tuple[float, ...], ...]  # the same, per issue, up to its option count
    _allowed_rows: tuple[tuple[bool, ...], ...]
    _memo: _Memo

    def __init__(
        self,
        party: str,
        issue_ids: tuple[str, ...],
        option_ids: tuple[tuple[str, ...], ...],
        n_options: tuple[int, ...],
        values: npt.ArrayLike,
        weights: npt.ArrayLike,
        allowed: npt.ArrayLike,
        batna: float,
    ) -> None:
        init = object.__setattr__
        init(self, "_party", str(party))
        init(self, "_issue_ids", tuple(str(i) for i in issue_ids))
        init(self, "_option_ids", tuple(tuple(str(o) for o in opts) for opts in option_ids))
        init(self, "_n_options", tuple(int(n) for n in n_options))
        init(self, "_values", _private(values, np.float64))
        init(self, "_weights", _private(weights, np.float64))
        init(self, "_allowed", _private(allowed, np.bool_))
        init(self, "_batna", float(batna))
        contributions = self._weights[:, None] * self._values
        init(self, "_contributions", _private(contributions, np.float64))
        init(
            self,
            "_rows",
            tuple(
                tuple(r[:n]) for r, n in zip(contributions.tolist(), self._n_options, strict=True)
            ),
        )
        init(
            self,
            "_allowed_rows",
            tuple(
                tuple(r[:n]) for r, n in zip(self._allowed.tolist(), self._n_options, strict=True)
            ),
        )
        init(self, "_memo", _Memo())

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            OwnPreferences,
            (
                self._party,
                self._issue_ids,
                self._option_ids,
                self._n_options,
                self._values,
                self._weights,
                self._allowed,
                self._batna,
            ),
        )

    def __repr__(self) -> str:
        return f"OwnPreferences(party={self._party!r}, issues={len(self._issue_ids)})"

    @property
    def party(self) -> str:
        """The id of the party these preferences belong to."""
        return self._party

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """The issue ids, in the compiled order."""
        return self._issue_ids

    @property
    def option_ids(self) -> tuple[tuple[str, ...], ...]:
        """The option ids of each issue, in the compiled order."""
        return self._option_ids

    @property
    def n_options(self) -> tuple[int, ...]:
        """The number of options of each issue."""
        return self._n_options

    @property
    def n_issues(self) -> int:
        """The number of issues."""
        return len(self._issue_ids)

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """(I, O) read-only: the value of each option to this party (0 on padding)."""
        return self._values

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """(I,) read-only: this party's issue weights (sum 1 over the issues it cares about)."""
        return self._weights

    @property
    def allowed(self) -> npt.NDArray[np.bool_]:
        """(I, O) read-only: False where an option crosses this party's red line (or is
        padding)."""
        return self._allowed

    @property
    def batna(self) -> float:
        """The party's walk-away utility (its BATNA) on its own 0..1 scale."""
        return self._batna

    def _packages(self, packages: npt.ArrayLike) -> npt.NDArray[np.int64]:
        x = np.asarray(packages, dtype=np.int64)
        if x.ndim == 0 or x.shape[-1] != self.n_issues:
            raise ValueError(
                f"a package has {x.shape[-1] if x.ndim else 0} entries"
                f" (expected one per issue: {self.n_issues})"
            )
        if (x < 0).any() or (x >= np.asarray(self._n_options)).any():
            raise ValueError("a package names an option index out of range")
        return x

    def utilities(self, packages: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """This party's utility of each package: shape (...,) for packages of shape (..., I).

        The sum runs in issue order, ``((w_0 v_0 + w_1 v_1) + w_2 v_2) + ...``, so that
        :meth:`utility` on one package (a Python loop over the issues) gives the same float to
        the last bit."""
        x = self._packages(packages)
        u = np.zeros(x.shape[:-1], dtype=np.float64)
        for i in range(self.n_issues):
            u = u + self._contributions[i, x[..., i]]
        return u

    def utility(self, package: npt.ArrayLike) -> float:
        """The utility of one package; a tuple of valid option indices takes a scalar path equal
        to :meth:`utilities` bit for bit (anything else goes through the array path, which
        converts or refuses it)."""
        if isinstance(package, tuple) and len(package) == len(self._rows):
            u = 0.0
            try:
                for row, o in zip(self._rows, package, strict=True):
                    if o < 0:
                        raise IndexError(o)
                    u = u + row[o]
            except (IndexError, TypeError):
                pass
            else:
                return u
        return float(self.utilities(package))

    def crosses_red_line(self, package: npt.ArrayLike) -> bool:
        """Whether the package sets an option the party refuses outright."""
        if isinstance(package, tuple) and len(package) == len(self._allowed_rows):
            crossed = False
            try:
                for row, o in zip(self._allowed_rows, package, strict=True):
                    if o < 0:
                        raise IndexError(o)
                    crossed = crossed or not row[o]
            except (IndexError, TypeError):
                pass
            else:
                return crossed
        x = self._packages(package)
        return not bool(self._allowed[np.arange(self.n_issues), x].all())

    def acceptable(self, package: npt.ArrayLike) -> bool:
        """No own red line crossed and utility >= BATNA (the rule of ``analysis.acceptable``)."""
        return not self.crosses_red_line(package) and self.utility(package) >= (
            self._batna - TOLERANCE
        )

    @property
    def best_package(self) -> Package | None:
        """The best package inside the party's red lines (lowest option index on ties), or None
        where some issue has no allowed option at all."""
        return self._best()[0]

    def _best(self) -> tuple[Package | None, float]:
        if self._memo.best is None:
            best = self._best_package()
            self._memo.best = (best, -np.inf if best is None else self.utility(best))
        return self._memo.best

    def _best_package(self) -> Package | None:
        if not self._allowed.any(axis=1).all():
            return None
        masked = np.where(self._allowed, self._values, -np.inf)
        return tuple(int(o) for o in masked.argmax(axis=1))

    @property
    def best_utility(self) -> float:
        """Utility of :attr:`best_package` (``-inf`` where there is none)."""
        return self._best()[1]

    @property
    def space_size(self) -> int:
        """How many packages lie inside the party's red lines."""
        if self._memo.size is None:
            self._memo.size = math.prod(int(n) for n in self._allowed.sum(axis=1))
        return self._memo.size

    def package_table(self) -> PackageTable:
        """Every package inside the red lines by utility (built once: enumerates
        :attr:`space_size` packages, so for spaces small enough to enumerate)."""
        if self._memo.table is None:
            choices = tuple(_private(np.flatnonzero(row), np.int64) for row in self._allowed)
            # the utilities of the whole product by broadcasting, in the issue order of
            # utilities(): element [a, b, ...] is ((0 + c_0[a]) + c_1[b]) + ...
            grid = np.zeros((), dtype=np.float64)
            for i, options in enumerate(choices):
                grid = grid[..., None] + self._contributions[i, options]
            u = grid.ravel()
            order = np.argsort(u, kind="stable")
            self._memo.table = PackageTable(
                choices, _private(u[order], np.float64), _private(order, np.int64)
            )
        return self._memo.table


class _Memo:
    """What an :class:`OwnPreferences` derives from its arrays, kept once computed."""

    __slots__ = ("best", "size", "table")

    def __init__(self) -> None:
        self.best: tuple[Package | None, float] | None = None
        self.size: int | None = None
        self.table: PackageTable | None = None


def own_preferences(compiled: Compiled, party: str) -> OwnPreferences:
    """A private copy of ``party``'s rows of the compiled arrays."""
    p = compiled.party_index(party)
    return OwnPreferences(
        party=party,
        issue_ids=compiled.issue_ids,
        option_ids=compiled.option_ids,
        n_options=tuple(int(n) for n in compiled.n_options),
        values=compiled.values[p],
        weights=compiled.weights[p],
        allowed=compiled.allowed[p],
        batna=float(compiled.batna[p]),
    )


class PartyView:
    """The only thing a strategy sees: its own preferences (``utility``, ``acceptable``, ...)
    and the public record of the negotiation.

    ``time`` runs from 0 in the first round to 1 in the last (``round == deadline - 1``)."""

    __slots__ = ("_deadline", "_history", "_own", "_parties", "_round")

    _own: OwnPreferences
    _parties: tuple[str, ...]
    _history: tuple[Offer, ...]
    _round: int
    _deadline: int

    def __init__(
        self,
        own: OwnPreferences,
        parties: tuple[str, ...],
        history: tuple[Offer, ...],
        round: int,
        deadline: int,
    ) -> None:
        if own.party not in parties:
            raise ValueError(f"party {own.party!r} is not among the negotiating parties")
        init = object.__setattr__
        init(self, "_own", own)
        init(self, "_parties", tuple(parties))
        init(self, "_history", tuple(history))
        init(self, "_round", int(round))
        init(self, "_deadline", int(deadline))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("PartyView is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("PartyView is read-only")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            PartyView,
            (self._own, self._parties, self._history, self._round, self._deadline),
        )

    def __repr__(self) -> str:
        return (
            f"PartyView(party={self.party!r}, round={self._round}, deadline={self._deadline},"
            f" offers={len(self._history)})"
        )

    # --- public state ---------------------------------------------------------------------

    @property
    def party(self) -> str:
        """The id of the party this view belongs to."""
        return self._own.party

    @property
    def parties(self) -> tuple[str, ...]:
        """Every negotiating party, in turn order."""
        return self._parties

    @property
    def others(self) -> tuple[str, ...]:
        """The ids of the other parties at the table."""
        return tuple(p for p in self._parties if p != self.party)

    @property
    def history(self) -> tuple[Offer, ...]:
        """Every offer made so far, oldest first."""
        return self._history

    @property
    def round(self) -> int:
        """The current round, counted from 0."""
        return self._round

    @property
    def deadline(self) -> int:
        """The last round in which an offer may still be made."""
        return self._deadline

    @property
    def time(self) -> float:
        """Relative time in [0, 1]: 0 in the first round, 1 in the last."""
        return 1.0 if self._deadline <= 1 else min(1.0, self._round / (self._deadline - 1))

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """The issue ids, in the compiled order."""
        return self._own.issue_ids

    @property
    def option_ids(self) -> tuple[tuple[str, ...], ...]:
        """The option ids of each issue, in the compiled order."""
        return self._own.option_ids

    @property
    def n_options(self) -> tuple[int, ...]:
        """The number of options of each issue."""
        return self._own.n_options

    @property
    def n_issues(self) -> int:
        """The number of issues."""
        return self._own.n_issues

    def offers_by_others(self) -> tuple[Offer, ...]:
        """The offers made by the other parties (passes left out), oldest first."""
        return tuple(o for o in self._history if o.proposer != self.party and o.package)

    # --- own preferences ------------------------------------------------------------------

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """The party's option values, one row per issue (0..1)."""
        return self._own.values

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """The party's issue weights (salience normalised to sum 1)."""
        return self._own.weights

    @property
    def allowed(self) -> npt.NDArray[np.bool_]:
        """Which options the party accepts (False where it has a red line)."""
        return self._own.allowed

    @property
    def batna(self) -> float:
        """The party's walk-away utility (its BATNA)."""
        return self._own.batna

    @property
    def best_package(self) -> Package | None:
        """The party's best package, or None when every package crosses a red line."""
        return self._own.best_package

    @property
    def best_utility(self) -> float:
        """The utility of the party's best package."""
        return self._own.best_utility

    def utility(self, package: npt.ArrayLike) -> float:
        """The party's utility of a package (one option index per issue)."""
        return self._own.utility(package)

    def utilities(self, packages: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The party's utilities of many packages (one row per package)."""
        return self._own.utilities(packages)

    @property
    def space_size(self) -> int:
        """The number of packages in the space."""
        return self._own.space_size

    def package_table(self) -> PackageTable:
        """Every package inside the red lines by utility (:meth:`OwnPreferences.package_table`)."""
        return self._own.package_table()

    def crosses_red_line(self, package: npt.ArrayLike) -> bool:
        """Whether the package sets an option the party refuses outright."""
        return self._own.crosses_red_line(package)

    def acceptable(self, package: npt.ArrayLike) -> bool:
        """No own red line crossed and utility >= BATNA (see :meth:`OwnPreferences.acceptable`)."""
        return self._own.acceptable(package)
