"""Strategies by name, for the command line and for tournaments.

A spec is ``NAME`` or ``NAME(key=value, ...)``; ``red-line-keeper(SPEC)`` wraps another spec.
Names are case-insensitive and ``-``/``_`` are ignored::

    boulware                    Boulware(e=0.2)
    conceder(e=3)               Conceder(e=3)
    linear                      Linear(e=1)
    time-based(e=0.5)           TimeBased(e=0.5)
    hardliner(tolerance=0.1)    HardLiner(tolerance=0.1)
    tit-for-tat                 TitForTat
    red-line-keeper(conceder)   RedLineKeeper(Conceder(e=5))
    accommodating(e=5)          Accommodating(e=5): time-based, offers what its frequency
                                model of the others rates best (e=1 by default)
    negmas:AspirationNegotiator any NegMAS SAO negotiator in ``negmas.sao`` (the ``negmas``
                                extra), through :class:`~accord.simulate.interop.NegmasStrategy`

``parse_strategy`` raises ``ValueError`` with the expected forms on anything else.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence

from accord.simulate.opponent_model import Accommodating
from accord.simulate.strategies import (
    Boulware,
    Conceder,
    HardLiner,
    Linear,
    RedLineKeeper,
    Strategy,
    TimeBased,
    TitForTat,
)

_Factory = Callable[[dict[str, float]], Strategy]


def _time_based(cls: type[TimeBased]) -> _Factory:
    def make(params: dict[str, float]) -> Strategy:
        _only(params, {"e"}, cls.__name__)
        return cls(params["e"]) if "e" in params else cls()

    return make


def _hardliner(params: dict[str, float]) -> Strategy:
    _only(params, {"tolerance"}, "HardLiner")
    return HardLiner(params["tolerance"]) if "tolerance" in params else HardLiner()


def _tit_for_tat(params: dict[str, float]) -> Strategy:
    _only(params, set(), "TitForTat")
    return TitForTat()


FACTORIES: dict[str, _Factory] = {
    "boulware": _time_based(Boulware),
    "linear": _time_based(Linear),
    "conceder": _time_based(Conceder),
    "timebased": _time_based(TimeBased),
    "hardliner": _hardliner,
    "titfortat": _tit_for_tat,
    "accommodating": _time_based(Accommodating),
}
NAMES = (
    "boulware",
    "linear",
    "conceder",
    "time-based",
    "hardliner",
    "tit-for-tat",
    "accommodating",
)
"""The spec names, as the help text shows them (plus ``red-line-keeper(SPEC)``)."""

EXPECTED = (
    f"one of {', '.join(NAMES)}, optionally with parameters as in 'conceder(e=3)' or"
    " 'hardliner(tolerance=0.1)', or 'red-line-keeper(SPEC)', or 'negmas:CLASS'"
)


def _only(params: dict[str, float], allowed: set[str], name: str) -> None:
    extra = sorted(set(params) - allowed)
    if extra:
        takes = ", ".join(sorted(allowed)) if allowed else "no parameters"
        raise ValueError(f"{name} does not take {', '.join(extra)} (it takes {takes})")


def _key(name: str) -> str:
    return re.sub(r"[-_\s]", "", name).lower()


def _split(spec: str) -> tuple[str, str | None]:
    spec = spec.strip()
    if "(" not in spec:
        return spec, None
    if not spec.endswith(")"):
        raise ValueError(f"unbalanced parentheses in strategy {spec!r} (expected {EXPECTED})")
    head, _, inner = spec.partition("(")
    return head.strip(), inner[:-1]


def _params(text: str, spec: str) -> dict[str, float]:
    params: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, eq, value = part.partition("=")
        if not eq:
            raise ValueError(f"parameter {part!r} in strategy {spec!r} is not key=value")
        try:
            params[key.strip().lower()] = float(value)
        except ValueError:
            raise ValueError(
                f"parameter {key.strip()!r} in strategy {spec!r} is {value.strip()!r}"
                " (expected a number)"
            ) from None
    return params


def _negmas(name: str, spec: str) -> Strategy:
    try:
        sao = importlib.import_module("negmas.sao")
    except ImportError:
        raise ValueError(f"strategy {spec!r} needs NegMAS (pip install 'accord[negmas]')") from None
    factory = getattr(sao, name, None)
    if not isinstance(factory, type) or not name.endswith("Negotiator"):
        known = sorted(n for n in dir(sao) if n.endswith("Negotiator") and not n.startswith("_"))
        raise ValueError(
            f"negmas.sao has no negotiator {name!r} (expected one of: {', '.join(known[:12])}, ...)"
        )
    from accord.simulate.interop import NegmasStrategy

    return NegmasStrategy(factory)


def parse_strategy(spec: str) -> Strategy:
    """The strategy a spec names (see the module docstring)."""
    if spec.strip().lower().startswith("negmas:"):
        return _negmas(spec.strip()[len("negmas:") :].strip(), spec)
    head, inner = _split(spec)
    key = _key(head)
    if key == "redlinekeeper":
        if not inner:
            raise ValueError(f"red-line-keeper needs a strategy to wrap, as in {spec}(linear)")
        return RedLineKeeper(parse_strategy(inner))
    if key not in FACTORIES:
        raise ValueError(f"unknown strategy {head!r} (expected {EXPECTED})")
    return FACTORIES[key](_params(inner or "", spec))


def assign_strategies(
    specs: Sequence[str], parties: Sequence[str], *, default: str = "linear"
) -> dict[str, Strategy]:
    """A strategy for each of ``parties`` from command-line style specs: ``SPEC`` sets every
    party's (and clears earlier ``PARTY=SPEC`` choices), ``PARTY=SPEC`` one party's; later ones
    win; ``default`` for the rest. A ``ValueError`` names the spec that is wrong."""
    chosen: dict[str, str] = {}
    for spec in specs:
        party, eq, rest = spec.partition("=")
        if eq and "(" not in party:
            if party.strip() not in parties:
                raise ValueError(
                    f"{spec}: {party.strip()!r} is not among the negotiating parties"
                    f" (expected PARTY=STRATEGY with PARTY one of: {', '.join(parties)})"
                )
            chosen[party.strip()] = rest
        else:
            default, chosen = spec, {}
    made = {}
    for p in parties:
        spec = chosen.get(p, default)
        try:
            made[p] = parse_strategy(spec)
        except ValueError as exc:
            raise ValueError(f"{p}={spec}: {exc}" if p in chosen else f"{spec}: {exc}") from None
    return made
