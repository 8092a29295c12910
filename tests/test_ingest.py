"""accord ingest / apply: quoted edits, offsets, patch validation, the analysis diff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from accord.ingest import PatchError, apply_patch, ingest_text, load_patch, write_patch
from accord.scenarios import resolve

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / ".." / "shared" / "sources" / "000_e6b6ec0c80d84c08.txt"
NEWS = ROOT / "tests" / "data" / "news"


@pytest.fixture(scope="module")
def ukraine():
    return resolve("ukraine-2025")


def _check_quotes(text, patch):
    for edit in patch["edits"]:
        assert text[edit["start"] : edit["end"]] == edit["quote"], edit["id"]


@pytest.mark.skipif(not SEED.exists(), reason="seed article absent")
def test_seed_article(ukraine):
    text = SEED.read_text(encoding="utf-8")
    patch = ingest_text(ukraine, text, date=dt.date(2025, 12, 1))
    _check_quotes(text, patch)
    kinds = [e["kind"] for e in patch["edits"]]
    assert kinds[0] == "source"
    positions = [e for e in patch["edits"] if e["kind"] == "position"]
    # "Ukraine seeks an immediate ceasefire as a prerequisite to further talks"
    assert any(p["party"] == "UA" and p["issue"] == "sequencing" for p in positions)
    assert all(p["option_guess"] for p in positions)
    # no invented people: the seed names nobody
    assert all(e["kind"] != "member" for e in patch["edits"])


def test_geneva_text(ukraine):
    text = (NEWS / "geneva.txt").read_text(encoding="utf-8")
    patch = ingest_text(ukraine, text, date=dt.date(2025, 11, 25))
    _check_quotes(text, patch)
    events = [e for e in patch["edits"] if e["kind"] == "event"]
    assert any(
        e["value"]["date"] == "2025-11-23" and e["value"]["venue"] == "Geneva" for e in events
    )
    pos = {(e["party"], e["stance"], e["issue"]) for e in patch["edits"] if e["kind"] == "position"}
    assert ("UA", "rejects", "army_cap") in pos
    assert any(p == "RU" for p, _, _ in pos)


def test_new_member_and_draft():
    scenario = resolve("teaching-river")
    party = scenario.parties[0]
    text = (
        f"{party.name} named chief negotiator Maria Lindqvist on Monday.\n"
        "The proposal reads:\n1. Water shares are reviewed yearly.\n"
        "2. A joint commission monitors the dam.\n3. Disputes go to arbitration.\n"
    )
    patch = ingest_text(scenario, text, date=dt.date(2024, 3, 6))
    _check_quotes(text, patch)
    members = [e for e in patch["edits"] if e["kind"] == "member"]
    assert [(m["party"], m["value"]["name"]) for m in members] == [(party.id, "Maria Lindqvist")]
    drafts = [e for e in patch["edits"] if e["kind"] == "draft"]
    assert len(drafts) == 1 and [p["number"] for p in drafts[0]["value"]["points"]] == [1, 2, 3]
    assert drafts[0]["value"].get("based_on") in {d.id for d in scenario.drafts}


def test_apply_and_reject(tmp_path):
    scenario = resolve("teaching-river")
    party = scenario.parties[0]
    text = f"{party.name} named chief negotiator Maria Lindqvist on Monday.\n"
    patch = ingest_text(scenario, text, date=dt.date(2024, 3, 6))
    path = tmp_path / "p.yaml"
    write_patch(patch, path)
    new, done = apply_patch(scenario, load_patch(path))
    assert any(m.name == "Maria Lindqvist" for m in new.parties[0].delegation)
    assert len(new.sources) == len(scenario.sources) + 1
    for edit in patch["edits"]:
        edit["status"] = "rejected"
    write_patch(patch, path)
    same, done = apply_patch(scenario, load_patch(path))
    assert done == [] and same.parties == scenario.parties


def test_bad_patch_names_line_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"edits": [{"kind": "source", "value": {}}, {"kind": "x"}]}))
    with pytest.raises(PatchError, match=r"bad.yaml:\d+: edits\[1\]\.kind"):
        load_patch(path)


def test_expected_edits_floor():
    """Each written text meets its expectations; the floor fails if the extractor regresses."""
    from accord.ingest.score import score

    result = score(NEWS / "expected.yaml", ROOT)
    assert result["people"]["recall"] == 1.0 and result["people"]["precision"] == 1.0
    assert result["events"]["recall"] == 1.0
    assert result["positions"]["recall"] >= 0.6 and result["positions"]["precision"] >= 0.6


def test_every_written_text_quotes_exactly():
    for path in sorted(NEWS.glob("*.txt")):
        scenario = resolve("teaching-river" if path.name.startswith("river") else "ukraine-2025")
        text = path.read_text(encoding="utf-8")
        _check_quotes(text, ingest_text(scenario, text, date=dt.date(2024, 3, 6)))


def test_cli_apply_prints_what_changed(tmp_path):
    from typer.testing import CliRunner

    from accord.cli import app

    runner = CliRunner()
    patch = tmp_path / "p.yaml"
    res = runner.invoke(
        app,
        [
            "ingest",
            str(NEWS / "river-talks.txt"),
            "--scenario",
            "teaching-river",
            "--date",
            "2024-03-06",
            "-o",
            str(patch),
        ],
    )
    assert res.exit_code == 0, res.output
    new = tmp_path / "new.yaml"
    res = runner.invoke(app, ["apply", str(patch), "--scenario", "teaching-river", "-o", str(new)])
    assert res.exit_code == 0, res.output
    assert "applied: LO red line on dam_height: dam_120" in res.output
    assert "since the last version:" in res.output
    assert new.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("edits:\n  - kind: position\n    party: LO\n")
    res = runner.invoke(app, ["apply", str(bad), "--scenario", "teaching-river", "-o", str(new)])
    assert res.exit_code == 2 and "bad.yaml:2: edits[0].issue" in res.output


def test_compare_names_the_change():
    from accord.workbench import Workbench, compare

    scenario = resolve("teaching-river")
    before = Workbench(scenario).analyze(models=("compromise",), runs=10)
    assert compare(before, before) == [
        "no change in which drafts each party accepts or in the zone of agreement"
    ]
    text = "Upland rejects a fish ladder at the dam.\nUpland rejects a full bypass channel.\n"
    patch = ingest_text(scenario, text, date=dt.date(2024, 3, 6))
    new, done = apply_patch(scenario, patch)
    assert done[1:] == [
        "UP red line on fish_passage: ladder",
        "UP red line on fish_passage: bypass",
    ]
    after = Workbench(new).analyze(models=("compromise",), runs=10)
    assert compare(before, after) == [
        "UP no longer accepts commission-2 (red line on fish_passage)",
        "the zone of agreement closed because the red lines leave no option on fish_passage",
    ]


def test_dated_edits_and_as_of():
    """A later article moves the scenario's as_of; its red lines hold from the article's day."""
    from accord.model.timing import as_of

    scenario = resolve("teaching-river")
    day = dt.date(2030, 1, 8)
    patch = ingest_text(scenario, "Upland rejects a fish ladder at the dam.\n", date=day)
    new, done = apply_patch(scenario, patch)
    assert new.as_of == day and f"as_of moved to {day}" in done
    line = new.preferences["UP"]["fish_passage"].red_lines[-1]
    assert (line.option, line.start) == ("ladder", day)
    earlier = as_of(new, dt.date(2029, 12, 31))
    assert all(r.option != "ladder" for r in earlier.preferences["UP"]["fish_passage"].red_lines)
