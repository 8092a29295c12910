"""The forecast models accord knows: one registry for ``accord forecast``, ``forecast-eval``,
the brief, :class:`accord.Workbench` and the service.

Each model has a name, a one-line description and up to two implementations: ``on_scenario``
runs over the sampled inputs of a scenario (:mod:`accord.forecast.ensemble`, arrays runs x
issues x actors) and ``on_table`` over a DEU-style positions table
(:mod:`accord.forecast.validate`, scored against recorded outcomes). A party silent on an issue
takes no part in any model on that issue: no model gives it a position.

>>> from accord.forecast.registry import REGISTRY, check_models
>>> REGISTRY["exchange"].on_scenario and REGISTRY["exchange"].on_table
True
>>> check_models(["compromise", "no_such"], "scenario")
Traceback (most recent call last):
...
accord.model.errors.UnknownId: unknown forecast model 'no_such' (expected one of: ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from accord.forecast import ensemble, validate
from accord.model.errors import UnknownId

Where = Literal["scenario", "table"]

DESCRIPTIONS: dict[str, str] = {
    "compromise": "mean of the stated positions weighted by capability x salience",
    "weighted_median": "position of the capability x salience weighted median party",
    "mean": "unweighted mean of the stated positions",
    "median": "unweighted median of the stated positions (mean of the two middle ones)",
    "salience_mean": "mean of the stated positions weighted by salience alone",
    "reference_point": "the status quo (reference point): nothing moves",
    "nash": "Nash bargaining from the status quo, quadratic losses (as nash_quadratic)",
    "nash_linear": "Nash bargaining from the status quo, linear losses",
    "nash_quadratic": "Nash bargaining from the status quo, quadratic losses",
    "eum": "Bueno de Mesquita's expected-utility model (Scholz's variant), 10 rounds per issue",
    "exchange": (
        "Stokman's equal-gain vote exchange across issues, 10 rounds (pure Python: about 1 s"
        " per run on a scenario of 20 issues)"
    ),
}
"""One line per model; every model of either implementation table must have one."""


@dataclass(frozen=True)
class ForecastModel:
    """A forecast model: its name, description, and whether it runs on a scenario (the
    ensemble) and on a DEU table (``forecast-eval``)."""

    name: str
    description: str
    on_scenario: bool
    on_table: bool

    def scenario_function(self) -> ensemble.Model:
        """The ensemble implementation (runs x issues x actors arrays)."""
        return ensemble.MODELS[self.name]

    def table_function(self) -> validate.Model:
        """The DEU-table implementation."""
        return validate.MODELS[self.name]


def _build() -> dict[str, ForecastModel]:
    names = list(dict.fromkeys([*ensemble.MODELS, *validate.MODELS]))
    missing = [n for n in names if n not in DESCRIPTIONS]
    if missing:
        raise RuntimeError(f"forecast models without a description: {', '.join(missing)}")
    return {
        n: ForecastModel(n, DESCRIPTIONS[n], n in ensemble.MODELS, n in validate.MODELS)
        for n in names
    }


REGISTRY: dict[str, ForecastModel] = _build()
"""Every forecast model, by name."""


def names(where: Where | None = None) -> tuple[str, ...]:
    """The model names that run on a scenario, on a DEU table, or (None) anywhere."""
    return tuple(
        n
        for n, m in REGISTRY.items()
        if where is None
        or (where == "scenario" and m.on_scenario)
        or (where == "table" and m.on_table)
    )


def check_models(models: Sequence[str], where: Where) -> list[ForecastModel]:
    """The registry entries of ``models``; :class:`UnknownId` (a ValueError naming the valid
    ones) for a name that is unknown or does not run ``where``."""
    valid = names(where)
    out = []
    for m in models:
        if m not in valid:
            kind = "forecast model" if m not in REGISTRY else f"forecast model on a {where}"
            raise UnknownId(kind, m, valid)
        out.append(REGISTRY[m])
    return out
