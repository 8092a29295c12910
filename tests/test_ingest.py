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
