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


# --- source hygiene: warnings with file, line and field ------------------------------------

HYGIENE = """\
id: hygiene
title: Source hygiene
as_of: 2025-06-01
provenance: required
sources:
  - {id: good, url: https://example.org/a, outlet: Example, date: 2025-05-01}
  - {id: stated, outlet: Memo, no_url: an internal memo, undated: the memo carries no date}
  - {id: gaps, title: A page}
  - {id: noscheme, url: example.org/b, outlet: Example, date: 2025-05-02}
parties:
  - id: A
    name: Alpha
    roles: [party]
    description: Alpha, as reported.
    source: good
    batna: {value: 0.2, source: good, assumption: "walk-away judged from the memo"}
    capability: {value: 0.5, source: good}
  - id: B
    name: Beta
    roles: [party]
    description: Beta, unsourced.
    batna: {value: 0.2, assumption: "no report; midpoint"}
issues:
  - id: price
    name: Price
    scale: {min: 0, max: 100, assumption: ordinal}
    options:
      - {id: low, label: Low, position: 0}
      - {id: high, label: High, position: 100}
    status_quo: low
preferences:
  A:
    price: {ideal: high, salience: {value: 0.8, source: stated}}
  B:
    price: {ideal: low, salience: {value: 0.6, source: good, assumption: "its only issue"}}
"""


def test_hygiene_warns_on_each_gap_with_its_line_and_field() -> None:
    from accord.model import load_checked
    from accord.model.errors import format_problem

    scenario, gaps = load_checked(HYGIENE.encode(), name="h.yaml")
    assert scenario.id == "hygiene"
    assert [format_problem("h.yaml", g, None) for g in gaps] == [
        "h.yaml:8 sources[2].url: no url (expected an http(s) address, or no_url: WHY there is"
        " none)",
        "h.yaml:8 sources[2].date: no date (expected date: YYYY-MM-DD, or undated: WHY there is"
        " none)",
        "h.yaml:8 sources[2].outlet: no outlet (expected outlet: who published it)",
        "h.yaml:9 sources[3].url: 'example.org/b' is not an http(s) address (expected https://...)",
        "h.yaml:17 parties[0].capability: a judgement without an assumption (expected"
        " assumption: WHY THIS NUMBER; a source that informs it does not make the number itself"
        " a report)",
        "h.yaml:21 parties[1].description: a description without a source (expected source:"
        " IDS, or assumption: WHY)",
        "h.yaml:33 preferences.A.price.salience: a judgement without an assumption (expected"
        " assumption: WHY THIS NUMBER; a source that informs it does not make the number itself"
        " a report)",
    ]


def test_hygiene_is_silent_when_every_gap_is_stated() -> None:
    from accord.model import load_checked

    fixed = (
        HYGIENE.replace(
            "{id: gaps, title: A page}",
            "{id: gaps, outlet: X, no_url: print only, undated: 'no date printed'}",
        )
        .replace("url: example.org/b", "url: https://example.org/b")
        .replace("{value: 0.5, source: good}", "{value: 0.5, source: good, assumption: why}")
        .replace("description: Beta, unsourced.", "description: Beta.\n    assumption: invented")
        .replace("{value: 0.8, source: stated}", "{value: 0.8, source: stated, assumption: why}")
    )
    assert load_checked(fixed.encode(), name="h.yaml")[1] == []


def test_a_source_cannot_both_have_and_lack_a_url_or_date() -> None:
    both = HYGIENE.replace(
        "{id: good, url: https://example.org/a,",
        "{id: good, url: https://example.org/a, no_url: none,",
    ).replace("outlet: Memo, no_url: an internal memo,", "outlet: Memo, date: 2025-01-01,")
    with pytest.raises(ScenarioError) as caught:
        load_text(both, name="h.yaml")
    assert caught.value.lines() == [
        "h.yaml:6 sources.good: has both a url and no_url (expected a url, or no_url: WHY when"
        " there is none)",
        "h.yaml:7 sources.stated: has both a date and undated (expected a date, or undated: WHY"
        " when there is none)",
    ]


def test_validate_prints_hygiene_warnings_and_exits_0(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from accord.cli import app

    target = tmp_path / "h.yaml"
    target.write_text(HYGIENE)
    result = CliRunner().invoke(app, ["validate", str(target)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert f"{target}:17 parties.A.capability: warning: a judgement without an assumption" in (
        " ".join(lines)
    )
    assert lines[-1] == f"{target}: 7 source-hygiene warning(s)"
    result = CliRunner().invoke(app, ["validate", str(target), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["ok"] is True
    assert [(h["line"], h["path"]) for h in data["hygiene"]] == [
        (8, "sources.gaps.url"),
        (8, "sources.gaps.date"),
        (8, "sources.gaps.outlet"),
        (9, "sources.noscheme.url"),
        (17, "parties.A.capability"),
        (21, "parties.B.description"),
        (33, "preferences.A.price.salience"),
    ]
