"""Loading details: provenance-carrying numbers, serialisation, and robustness of the loader
against arbitrary damage (it either loads or raises ScenarioError, never anything else)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accord.compile import apply_shocks
from accord.model import Quantity, Scenario, ScenarioError, load_bytes, load_text
from accord.model.load import dumps_yaml, to_data
from accord.model.records import Distribution, Edit, Member

BASE = (Path(__file__).parent / "data" / "base.yaml").read_text()


def test_base_fixture_loads() -> None:
    scenario = load_text(BASE, name="base.yaml")
    assert scenario.id == "mini"


def test_bare_number_is_a_quantity_written_back_bare() -> None:
    q = Quantity.model_validate(0.4)
    assert q.value == 0.4 and q.bare
    assert q.model_dump() == 0.4
    sourced = Quantity.model_validate({"value": 0.4, "source": "s1"})
    assert sourced.source == ["s1"] and not sourced.bare
    assert sourced.model_dump() == {"value": 0.4, "source": "s1"}


def test_quantity_range_and_distribution_are_checked() -> None:
    with pytest.raises(ValidationError, match=r"value 0.9 lies outside its range \[0.1, 0.5\]"):
        Quantity.model_validate({"value": 0.9, "range": [0.1, 0.5], "assumption": "x"})
    with pytest.raises(ValidationError, match="a normal distribution needs mean, sd; missing sd"):
        Distribution.model_validate({"kind": "normal", "mean": 0.5})
    with pytest.raises(ValidationError, match=r"mode 2.0 is outside \[0.0, 1.0\]"):
        Distribution.model_validate({"kind": "triangular", "low": 0, "mode": 2, "high": 1})
    with pytest.raises(ValidationError, match="valid dictionary or instance of Quantity"):
        Quantity.model_validate(True)


def test_member_dates_and_edit_payload_are_checked() -> None:
    with pytest.raises(ValidationError, match="from 2025-12-01 is after to 2025-11-01"):
        Member.model_validate(
            {"name": "X", "role": "head", "from": "2025-12-01", "to": "2025-11-01"}
        )
    with pytest.raises(ValidationError, match="needs exactly one of value or option"):
        Edit.model_validate({"target": "parties.A.batna"})
    with pytest.raises(ValidationError, match="cannot apply to an option"):
        Edit.model_validate({"target": "preferences.A.price.ideal", "op": "add", "option": "low"})


def test_cross_references_guard_scenarios_built_in_code() -> None:
    data = to_data(load_text(BASE, name="base.yaml"))
    data["drafts"][1]["based_on"] = "nowhere"
    with pytest.raises(ValidationError, match="draft 'nowhere' does not exist"):
        Scenario.model_validate(data)


def test_shock_can_move_an_ideal() -> None:
    text = BASE.replace(
        "      - {target: parties.A.batna, op: add, value: 0.1}",
        "      - {target: parties.A.batna, op: add, value: 0.1}\n"
        "      - {target: preferences.A.price.ideal, option: mid}",
    )
    shocked = apply_shocks(load_text(text, name="base.yaml"), ["s-up"])
    assert shocked.preferences["A"]["price"].ideal == "mid"
    batna = shocked.party("A").batna
    assert batna is not None and batna.value == pytest.approx(0.3)


def test_json_problems_carry_lines() -> None:
    text = to_data(load_text(BASE, name="base.yaml"))
    import json

    raw = json.dumps(text, indent=2).replace('"ideal": "low"', '"ideal": "lowest"')
    with pytest.raises(ScenarioError) as caught:
        load_text(raw, name="mini.json", fmt="json")
    (line,) = caught.value.lines()
    number = raw.splitlines().index('        "ideal": "lowest",') + 1
    assert line.startswith(f"mini.json:{number} preferences.B.price.ideal: 'lowest' is not")


def test_yaml_output_is_stable_and_readable() -> None:
    text = dumps_yaml(load_text(BASE, name="base.yaml"))
    assert "as_of: 2025-01-01\n" in text  # a date, not a quoted string
    assert "batna: 0.2\n" in text  # a bare number stays bare
    assert dumps_yaml(load_text(text)) == text


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_damaged_files_fail_cleanly(data: st.DataObject) -> None:
    raw = BASE.encode()
    kind = data.draw(st.sampled_from(["cut", "delete-line", "flip", "insert"]))
    if kind == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif kind == "delete-line":
        lines = raw.splitlines(keepends=True)
        del lines[data.draw(st.integers(0, len(lines) - 1))]
        raw = b"".join(lines)
    elif kind == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([data.draw(st.integers(0, 255))]) + raw[at + 1 :]
    else:
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    try:
        load_bytes(raw, name="damaged.yaml")
    except ScenarioError as exc:
        lines = exc.lines()
        assert lines and all(line.startswith("damaged.yaml") for line in lines)
