"""Judgement numbers and their uncertainty: the scenario's ``uncertainty:`` block (validated),
the effective spread of each number by provenance, the one check for "nothing uncertain", and the
ensemble sampling the default widths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.forecast.ensemble import forecast_inputs, run_ensemble
from accord.judgements import (
    NOTHING_UNCERTAIN,
    effective,
    judgements,
    nothing_uncertain,
    uncertain_judgements,
)
from accord.model import Quantity, Scenario, ScenarioError, load_text
from accord.model.records import Uncertainty

BASE = Path(__file__).parent / "data" / "base.yaml"

BLOCK = """
uncertainty:
  assumption: test widths
  sourced: {salience: 0.05, batna: 0.05, value: 0.05, capability: 0.1}
  assumed: {salience: 0.2, batna: 0.1, value: 0.1, capability: 0.3}
"""


def _base(extra: str = "") -> Scenario:
    return load_text(BASE.read_text() + extra, name="base.yaml")


def _fixed(scenario: Scenario) -> Scenario:
    """``scenario`` with every range and dist removed and no uncertainty block."""
    data = scenario.model_dump(mode="python", by_alias=True)

    def strip(node: object) -> None:
        if isinstance(node, dict):
            if "value" in node:
                node.pop("range", None)
                node.pop("dist", None)
            for v in node.values():
                strip(v)
        elif isinstance(node, list):
            for v in node:
                strip(v)

    strip(data)
    data["uncertainty"] = None
    return Scenario.model_validate(data)


def test_a_scenario_with_nothing_uncertain_says_so() -> None:
    fixed = _fixed(_base())
    assert nothing_uncertain(fixed) == NOTHING_UNCERTAIN
    assert uncertain_judgements(fixed) == ()
    with_block = Scenario.model_validate(
        {**fixed.model_dump(mode="python", by_alias=True), "uncertainty": {"assumption": "r"}}
    )
    assert nothing_uncertain(with_block) == NOTHING_UNCERTAIN  # all widths zero: still fixed
    assert nothing_uncertain(_base(BLOCK)) is None


def test_default_widths_follow_provenance() -> None:
    u = Uncertainty.model_validate(
        {"assumption": "r", "sourced": {"salience": 0.05}, "assumed": {"salience": 0.2}}
    )
    sourced = Quantity(value=0.5, source=["s1"])
    assumed = Quantity(value=0.5, assumption="a guess")
    bare = Quantity(value=0.5)
    assert effective(sourced, "salience", u).range == (0.45, 0.55)
    assert effective(assumed, "salience", u).range == (0.3, 0.7)
    assert effective(bare, "salience", u).range == (0.3, 0.7)  # bare counts as an assumption
    edge = effective(Quantity(value=0.95, assumption="x"), "salience", u)
    assert edge.range is not None and edge.range[1] == 1.0  # clipped to the valid range
    own = Quantity(value=0.5, range=(0.4, 0.6), assumption="x")
    assert effective(own, "salience", u) is own  # a stated range wins
    cap = Uncertainty.model_validate({"assumption": "r", "assumed": {"capability": 0.5}})
    assert effective(Quantity(value=2.0), "capability", cap).range == (1.0, 3.0)
    assert effective(sourced, "salience", None) is sourced


def test_the_block_is_validated_with_clear_errors() -> None:
    with pytest.raises(ValidationError, match=r"wider than assumed\.salience"):
        Uncertainty.model_validate(
            {"assumption": "r", "sourced": {"salience": 0.3}, "assumed": {"salience": 0.1}}
        )
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        Uncertainty.model_validate({"assumption": "r", "assumed": {"batna": 1.5}})
    with pytest.raises(ValidationError, match="assumption"):
        Uncertainty.model_validate({"assumed": {"batna": 0.1}})
    with pytest.raises(ScenarioError, match="uncertainty"):
        _base("\nuncertainty:\n  assumption: r\n  assumed: {salinece: 0.1}\n")


@settings(max_examples=40, deadline=None)
@given(
    sal=st.floats(0.0, 0.5),
    batna=st.floats(0.0, 0.5),
    value=st.floats(0.0, 0.5),
    cap=st.floats(0.0, 1.0),
)
def test_every_judgement_spread_contains_its_value(
    sal: float, batna: float, value: float, cap: float
) -> None:
    u = Uncertainty(
        assumption="r",
        assumed={"salience": sal, "batna": batna, "value": value, "capability": cap},  # type: ignore[arg-type]
    )
    s = _fixed(_base()).model_copy(update={"uncertainty": u})
    for j in judgements(s):
        lo, hi = j.spread.range or (j.quantity.value, j.quantity.value)
        assert lo <= j.quantity.value <= hi
        assert j.uncertain == (lo < hi)


def test_the_ensemble_samples_the_default_widths() -> None:
    fixed = _fixed(_base())
    assert forecast_inputs(fixed).uncertain == ()
    one = run_ensemble(fixed, models=["compromise"], runs=50, seed=1)
    assert np.nanstd(one.raw["compromise"], axis=0).max() < 1e-9  # float noise only
    wide = fixed.model_copy(update={"uncertainty": _base(BLOCK).uncertainty})
    inputs = forecast_inputs(wide)
    kinds = {k for k, *_ in inputs.uncertain}
    assert {"salience", "capability"} & kinds
    spread = run_ensemble(wide, models=["compromise"], runs=50, seed=1)
    assert np.nanstd(spread.raw["compromise"], axis=0).max() > 1e-3
