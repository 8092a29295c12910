"""Scoring packages and drafts for every party.

``utilities(compiled, packages)`` is the one vectorised scoring function every engine uses;
``evaluate(compiled, draft_id)`` turns a draft into a named record: each party's utility, its gain
over BATNA normalised to the party's range, the red lines crossed (with the point that crosses
each), whether the party can accept, the ratification steps the draft triggers, and the
cross-issue constraints it breaks (a draft that breaks one is acceptable to no one as a whole).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from accord.analysis.ratification import RatificationStep, ratification_steps
from accord.compile import Compiled, CompiledDraft
from accord.model.errors import UnknownId


def utilities(compiled: Compiled, packages: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Utility of each package for each party: ``packages`` has shape (..., I) of option
    indices; the result has shape (..., P). ``u_p(x) = sum_i w_pi * v_pi(x_i)``."""
    x = np.asarray(packages, dtype=np.int64)
    if x.shape[-1] != compiled.n_issues:
        raise ValueError(
            f"a package has {x.shape[-1]} entries (expected one per issue: {compiled.n_issues})"
        )
    issues = np.arange(compiled.n_issues)
    # values[:, i, x_i] for every package: shape (P, ..., I)
    picked = compiled.values[:, issues, x]
    scored = (
        picked * compiled.weights.reshape((compiled.n_parties,) + (1,) * (x.ndim - 1) + (-1,))
    ).sum(axis=-1)
    return np.moveaxis(scored, 0, -1)


def crossings(compiled: Compiled, packages: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where a package crosses a party's red line on an issue: shape (..., P, I)."""
    x = np.asarray(packages, dtype=np.int64)
    issues = np.arange(compiled.n_issues)
    crossed = ~compiled.allowed[:, issues, x]  # (P, ..., I)
    return np.moveaxis(crossed, 0, -2)


def acceptable(compiled: Compiled, packages: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where a party accepts a package: no red line crossed and utility >= BATNA. Shape
    (..., P)."""
    return np.asarray(
        ~crossings(compiled, packages).any(axis=-1)
        & (utilities(compiled, packages) >= compiled.batna - 1e-12)
    )


@dataclass(frozen=True)
class RedLineCrossing:
    """A red line the draft crosses: the issue, the option it puts there, and the point that
    does it (``point`` is None where the draft is silent and the status quo crosses it)."""

    issue: str
    option: str
    point: int | None


@dataclass(frozen=True)
class PartyEvaluation:
    """How one party scores a draft: utility, BATNA, red lines crossed, acceptance."""

    party: str
    utility: float
    gain: float
    batna: float
    acceptable: bool
    below_batna: bool
    red_lines: tuple[RedLineCrossing, ...]


@dataclass(frozen=True)
class IssueSetting:
    """The option a draft sets on an issue, and the point that sets it."""

    issue: str
    option: str
    point: int | None  # None: silent, the status quo holds
    bracketed: bool


@dataclass(frozen=True)
class DraftEvaluation:
    """A draft scored for every party."""

    draft: str
    title: str
    package: tuple[IssueSetting, ...]
    parties: tuple[PartyEvaluation, ...]
    acceptable_to_all: bool
    ratification: tuple[RatificationStep, ...]
    shocks: tuple[str, ...]
    broken_constraints: tuple[str, ...] = ()  # ids of cross-issue constraints the draft breaks

    @property
    def silent_issues(self) -> tuple[str, ...]:
        """The issues no point of the draft sets (they stay at the status quo)."""
        return tuple(s.issue for s in self.package if s.point is None)

    def party(self, party_id: str) -> PartyEvaluation:
        """The evaluation for ``party_id`` (:class:`~accord.model.errors.UnknownId` if none)."""
        for p in self.parties:
            if p.party == party_id:
                return p
        raise UnknownId("party", party_id, [p.party for p in self.parties])

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as plain JSON-ready data."""
        data = asdict(self)
        data["silent_issues"] = list(self.silent_issues)
        return data


def normalised_gain(compiled: Compiled, utility: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Gain over BATNA on the party's own range: +1 is the best package the party could get,
    0 its BATNA, -1 the worst package. Shape as ``utility`` (..., P)."""
    u = np.asarray(utility, dtype=float)
    gain = u - compiled.batna
    up = compiled.utility_max - compiled.batna
    down = compiled.batna - compiled.utility_min
    above = np.divide(gain, up, out=np.zeros_like(gain), where=(gain > 0) & (up > 0))
    below = np.divide(gain, down, out=np.zeros_like(gain), where=(gain < 0) & (down > 0))
    return np.clip(np.where(gain >= 0, above, below), -1.0, 1.0)


def evaluate(compiled: Compiled, draft: str | CompiledDraft) -> DraftEvaluation:
    """Score one draft for every compiled party."""
    d = compiled.drafts[draft] if isinstance(draft, str) else draft
    x = d.package
    u = utilities(compiled, x)
    gains = normalised_gain(compiled, u)
    crossed = crossings(compiled, x)  # (P, I)
    ok = acceptable(compiled, x)
    bracketed = {i for point in d.points if point.status == "bracketed" for i, _ in point.sets}
    setting = tuple(
        IssueSetting(
            issue=compiled.issue_ids[i],
            option=compiled.option_ids[i][x[i]],
            point=int(d.set_by[i]) if d.set_by[i] >= 0 else None,
            bracketed=i in bracketed,
        )
        for i in range(compiled.n_issues)
    )
    parties = []
    for p, pid in enumerate(compiled.party_ids):
        lines = tuple(
            RedLineCrossing(
                issue=compiled.issue_ids[i],
                option=compiled.option_ids[i][x[i]],
                point=int(d.set_by[i]) if d.set_by[i] >= 0 else None,
            )
            for i in np.flatnonzero(crossed[p])
        )
        parties.append(
            PartyEvaluation(
                party=pid,
                utility=float(u[p]),
                gain=float(gains[p]),
                batna=float(compiled.batna[p]),
                acceptable=bool(ok[p]),
                below_batna=bool(u[p] < compiled.batna[p] - 1e-12),
                red_lines=lines,
            )
        )
    broken = tuple(link.id for link in compiled.links if not link.satisfied(x))
    return DraftEvaluation(
        draft=d.id,
        title=d.title,
        package=setting,
        parties=tuple(parties),
        acceptable_to_all=bool(ok.all()) and not broken,
        broken_constraints=broken,
        ratification=ratification_steps(compiled, d),
        shocks=compiled.shocks,
    )


def evaluate_all(compiled: Compiled) -> tuple[DraftEvaluation, ...]:
    """Every draft, in the order the scenario lists them."""
    return tuple(evaluate(compiled, draft_id) for draft_id in compiled.drafts)
