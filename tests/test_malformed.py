"""Every malformed scenario file gets exactly the messages a user needs: file, line, field path,
what is wrong and what was expected. Each file lies in tests/data/malformed/."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.model import ScenarioError, load_scenario
from accord.model.parse import MAX_BYTES

HERE = Path(__file__).parent / "data" / "malformed"

# The part of each line after the file name: ":LINE path: message".
EXPECTED: dict[str, list[str]] = {
    "alias_bomb.yaml": [
        ":1: aliases expand to more than 500,000 nodes (expected a file without alias bombs)",
    ],
    "bad_date.yaml": [
        ":4 as_of: '2025-13-45' is not valid: month must be in 1..12 (expected a date YYYY-MM-DD)",
    ],
    "bad_id.yaml": [
        ":45 events.talks round 1.id: got 'talks round 1' (expected an id: letters, digits, '_', '.' or '-')",
    ],
    "based_on_cycle.yaml": [
        ":36 drafts.d1.based_on: based_on forms a cycle (d1 -> d2 -> d1; expected a chain back to a first draft)",
        ":42 drafts.d2.based_on: based_on forms a cycle (d2 -> d1 -> d2; expected a chain back to a first draft)",
    ],
    "based_on_missing.yaml": [
        ":41 drafts.d2.based_on: draft 'd0' does not exist (expected one of: d1, d2)",
    ],
    "batna_out_of_range.yaml": [
        ":8 parties.A.batna: 1.2 is out of range (expected a value in [0, 1])",
    ],
    "binary_garbage.yaml": [
        ":1: binary data (NUL byte at offset 0; expected UTF-8 text)",
    ],
    "deep_nesting.yaml": [
        ":2: nesting deeper than 64 levels (expected at most 64)",
    ],
    "duplicate_option_id.yaml": [
        ":16 issues.price.options.low.id: duplicate option id 'low' (first used by item 1; expected unique ids)",
        ":18 issues.price.status_quo: 'mid' is not an option of issue price (expected one of: low, high)",
        ":37 drafts.d1.points#1.sets.price: 'mid' is not an option of issue price (expected one of: low, high)",
    ],
    "duplicate_party_id.yaml": [
        ":9 parties.A.id: duplicate party id 'A' (first used by item 1; expected unique ids)",
        ":30 preferences.B: preferences for unknown party 'B' (expected one of: A)",
        ":45 events.e1.participants[1]: unknown party 'B' (expected one of: A)",
    ],
    "duplicate_top_level_key.yaml": [
        ":4 title: duplicate key 'title' (first at line 3; expected each key once)",
    ],
    "empty.yaml": [
        ":1: the file is empty (expected a scenario mapping)",
    ],
    "event_unknown_participant.yaml": [
        ":45 events.e1.participants[1]: unknown party 'Z' (expected one of: A, B)",
    ],
    "ideal_not_an_option.yaml": [
        ":32 preferences.B.term.ideal: 'medium' is not an option of issue term (expected one of: short, long)",
    ],
    "json_duplicate_key.json": [
        ":5 title: duplicate key 'title' (first at line 4; expected each key once)",
    ],
    "json_syntax_error.json": [
        ":111: JSON syntax error: Expecting ',' delimiter at column 7",
    ],
    "json_unknown_option.json": [
        ":123 drafts.d1.points#2.sets.term: 'forever' is not an option of issue term (expected one of: short, long)",
    ],
    "missing_issues.yaml": [
        ":1 issues: missing (a required field)",
    ],
    "missing_title.yaml": [
        ":1 title: missing (a required field)",
    ],
    "nan_salience.yaml": [
        ":28 preferences.A.price.salience: nan is not a finite number (expected a finite number)",
    ],
    "not_utf8.yaml": [
        ":8: invalid UTF-8 at byte 155 (expected UTF-8 text)",
    ],
    "point_sets_issue_twice.yaml": [
        ":37 drafts.d1.points#1.sets.price: issue 'price' is set twice in this point (first at line 37; expected each issue once)",
    ],
    "position_outside_scale.yaml": [
        ":24 issues.term.options.long.position: 12 is outside the issue's scale (expected a position in [0, 10])",
    ],
    "preference_unknown_party.yaml": [
        ":30 preferences.C: preferences for unknown party 'C' (expected one of: A, B)",
    ],
    "provenance_required.yaml": [
        ":9 parties.A.batna: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":10 parties.B.batna: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":14 issues.price.scale: the scale has no basis for its option positions (expected source: ID or assumption: WHY; provenance is required in this scenario)",
        ":22 issues.term.scale: the scale has no basis for its option positions (expected source: ID or assumption: WHY; provenance is required in this scenario)",
        ":29 preferences.A.price.salience: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":30 preferences.A.term.salience: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":32 preferences.B.price.salience: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":33 preferences.B.term.salience: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
        ":52 shocks.s-up.edits[0].value: a bare number (expected {value: ..., source: ID} or {value: ..., assumption: WHY}; provenance is required in this scenario)",
    ],
    "python_tag.yaml": [
        ":3 title: unsupported YAML tag '!!python/object/apply:os.system' (expected plain values)",
    ],
    "red_line_unknown_option.yaml": [
        ":31 preferences.B.price.red_lines[0].option: 'max' is not an option of issue price (expected one of: low, mid, high)",
    ],
    "revises_unknown_point.yaml": [
        ":43 drafts.d2.points#1.revises[0]: draft d1 has no point 7 (expected one of: 1, 2)",
    ],
    "salience_out_of_range.yaml": [
        ":28 preferences.A.price.salience: 1.5 is out of range (expected a value in [0, 1])",
    ],
    "several_problems.yaml": [
        ":28 preferences.A.price.salience: 2 is out of range (expected a value in [0, 1])",
        ":41 drafts.d2.based_on: draft 'd0' does not exist (expected one of: d1, d2)",
        ":45 events.e1.participants[1]: unknown party 'Q' (expected one of: A, B)",
    ],
    "shock_bad_target.yaml": [
        ":51 shocks.s-up.edits[0].target: cannot edit 'parties.A.morale' (expected parties.PARTY.capability, parties.PARTY.batna, preferences.PARTY.ISSUE.salience or preferences.PARTY.ISSUE.ideal)",
    ],
    "source_undeclared.yaml": [
        ":45 events.e1.source: source 's9' is never declared (expected an id from the sources list)",
    ],
    "status_quo_not_an_option.yaml": [
        ":25 issues.term.status_quo: 'none' is not an option of issue term (expected one of: short, long)",
    ],
    "top_level_list.yaml": [
        ":1: the file holds a list (expected a scenario mapping)",
    ],
    "two_documents.yaml": [
        ":52: a second YAML document (expected exactly one document per file)",
    ],
    "two_points_set_one_issue.yaml": [
        ":38 drafts.d1.points#2.sets.price: issue 'price' is already set by point 1 of draft d1 (expected each issue set by one point per draft)",
    ],
    "unknown_field.yaml": [
        ":29 preferences.A.term.salince: unknown field 'salince' (expected one of: from, to, ideal, salience, values, shape, red_lines, confidential, position_source, note); did you mean 'salience'?",
    ],
    "unknown_option_in_point.yaml": [
        ":38 drafts.d1.points#2.sets.term: 'forever' is not an option of issue term (expected one of: short, long)",
    ],
    "unknown_role.yaml": [
        ":8 parties.A.roles[0]: got 'king' (expected 'party', 'mediator', 'stakeholder' or 'guarantor')",
    ],
    "wrong_type_salience.yaml": [
        ":29 preferences.A.term.salience: got 'high' (expected a number, or {value: NUMBER, source: ID})",
    ],
    "yaml_syntax_error.yaml": [
        ":19: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence (expected valid YAML)",
    ],
}


def test_every_malformed_file_is_listed() -> None:
    assert sorted(p.name for p in HERE.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exact_messages(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(name)
    assert caught.value.lines() == [name + tail for tail in EXPECTED[name]]


@pytest.mark.parametrize("name", ["several_problems.yaml", "alias_bomb.yaml", "bad_date.yaml"])
def test_cli_exit_code_2_and_no_traceback(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = CliRunner().invoke(app, ["validate", name])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [name + tail for tail in EXPECTED[name]]


def test_oversize_file_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(big)
    assert caught.value.lines() == [
        f"{big}: file is {MAX_BYTES + 1:,} bytes (expected at most {MAX_BYTES:,} bytes)"
    ]


def test_larger_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    # 30 levels of 10: expanding it would never finish; the node budget stops it.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]" for k in range(1, 30)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nid: x\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "aliases expand to more than" in caught.value.lines()[0]


def test_missing_file() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no/such/file.yaml")
    assert caught.value.lines() == ["no/such/file.yaml: no such file (expected a scenario file)"]
