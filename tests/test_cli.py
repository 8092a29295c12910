"""The command line: every command runs, `--json` is machine-readable, bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.model import load_scenario
from accord.scenarios import resolve

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_scenarios_json_lists_both_embedded() -> None:
    code, output = run("scenarios", "--json")
    assert code == 0
    ids = {row["id"]: row for row in json.loads(output)}
    assert set(ids) == {"ukraine-2025", "teaching-river"}
    assert ids["teaching-river"]["invented"] is True
    assert ids["ukraine-2025"]["invented"] is False


def test_show_table_and_json() -> None:
    code, output = run("show", "teaching-river")
    assert code == 0
    assert "Positions: ideal (salience)" in output
    code, output = run("show", "teaching-river", "--json")
    data = json.loads(output)
    water = next(r for r in data["positions"] if r["issue"] == "water_share")
    assert water["parties"]["LO"] == {
        "ideal": "share_50",
        "ideal_label": "50%",
        "salience": 1.0,
        "red_lines": ["share_30"],
        "confidential": False,
    }


def test_evaluate_json_contract() -> None:
    code, output = run("evaluate", "teaching-river", "--json")
    assert code == 0
    data = json.loads(output)
    assert [d["draft"] for d in data["drafts"]] == ["commission-1", "commission-2", "upland-offer"]
    for draft in data["drafts"]:
        for party in draft["parties"]:
            assert 0 <= party["utility"] <= 1
            assert isinstance(party["acceptable"], bool)
            for line in party["red_lines"]:
                assert set(line) == {"issue", "option", "point"}


def test_evaluate_one_draft_with_a_shock() -> None:
    code, output = run(
        "evaluate", "teaching-river", "--draft", "commission-2", "--shock", "drought", "--json"
    )
    assert code == 0
    data = json.loads(output)
    assert data["shocks"] == ["drought"]
    (draft,) = data["drafts"]
    lo = next(p for p in draft["parties"] if p["party"] == "LO")
    assert lo["batna"] == pytest.approx(0.15)


def test_diff_plain_lines() -> None:
    code, output = run("diff", "teaching-river", "commission-1", "commission-2")
    assert code == 0
    assert "  + P4: Upland pays 100 million into a basin fund." in output
    assert "  dam_height: 120 m (P2) -> 60 m (P2)" in output
    assert "  fish_passage: No passage (silent: status quo) -> Fish ladder (P3)" in output


def test_validate_ok_and_schema(tmp_path: Path) -> None:
    code, output = run("validate", "src/accord/scenarios/teaching_river.yaml")
    assert code == 0 and ": ok (4 parties, 5 issues, 3 drafts" in output
    code, output = run("schema")
    schema = json.loads(output)
    assert code == 0
    assert {"parties", "issues", "preferences", "drafts"} <= set(schema["properties"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("evaluate", "teaching-river", "--draft", "zz"), "has no draft 'zz'"),
        (("evaluate", "teaching-river", "--shock", "zz"), "unknown shock(s) 'zz'"),
        (("diff", "teaching-river", "commission-1", "zz"), "has no draft 'zz'"),
        (("show", "no-such-scenario"), "no embedded scenario or file by that name"),
        (("show", "missing.yaml"), "missing.yaml: no such file"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert message in output


def test_analyze_on_teaching_writes_the_brief_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("analyze", "teaching-river")
    assert code == 0
    assert "commission-2 revises commission-1" in output
    assert output.index("The bottom line") < output.index("The drafts")
    written = tmp_path / "teaching-river-brief.html"
    assert f"The brief: {written}" in " ".join(output.split())
    assert written.read_text().lower().startswith("<!doctype html>")
    code, output = run("analyze", "teaching-river", "--json", "--brief", str(tmp_path / "b.md"))
    data = json.loads(output)
    assert [(d["a"], d["b"], d["linked"]) for d in data["diffs"]] == [
        ("commission-1", "commission-2", True),
        ("commission-1", "upland-offer", False),
    ]
    assert data["brief"] == str(tmp_path / "b.md")
    assert (tmp_path / "b.md").read_text().startswith("# ")
    code, output = run("analyze", "teaching-river", "--brief", "-")
    assert code == 0 and "The brief:" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.md", "teaching-river-brief.html"]


def test_analyze_brief_to_a_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    code, output = run("analyze", "teaching-river", "--brief", str(tmp_path / "no" / "b.html"))
    assert code == 2
    assert "cannot write" in output


@pytest.mark.parametrize("scenario", ["teaching-river", "ukraine-2025"])
def test_export_round_trips_through_json_and_yaml(scenario: str, tmp_path: Path) -> None:
    # ukraine-2025 has points with a single source, which export writes bare (`source: id`)
    for name in ("s.json", "s.yaml"):
        target = tmp_path / name
        code, output = run("export", scenario, "-o", str(target))
        assert code == 0, output
        code, output = run("validate", str(target))
        assert code == 0, output
        assert load_scenario(target) == resolve(scenario)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "s.yaml"]


def test_export_to_a_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    code, output = run("export", "teaching-river", "-o", str(tmp_path / "no" / "x.yaml"))
    assert code == 2
    assert "cannot write" in output


def test_validate_json_reports_problems_with_lines() -> None:
    code, output = run("validate", "tests/data/malformed/several_problems.yaml", "--json")
    assert code == 2
    data = json.loads(output)
    assert data["ok"] is False
    assert [(p["line"], p["path"]) for p in data["problems"]] == [
        (28, "preferences.A.price.salience"),
        (41, "drafts.d2.based_on"),
        (45, "events.e1.participants[1]"),
    ]
    code, output = run("validate", "src/accord/scenarios/teaching_river.yaml", "--json")
    assert code == 0 and json.loads(output)["parties"] == 4


def test_export_json_to_stdout_loads_back(tmp_path: Path) -> None:
    code, output = run("export", "teaching-river", "--json")
    assert code == 0
    target = tmp_path / "river.json"
    target.write_text(output)
    assert run("validate", str(target))[0] == 0


GENIUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "genius"


def test_frontier_bargain_relax_bridge_json() -> None:
    code, output = run("frontier", "ukraine-2025", "--parties", "UA,RU", "--cap", "3", "--json")
    assert code == 0
    data = json.loads(output)
    assert data["parties"] == ["UA", "RU"] and data["size"] == 3 and data["truncated"]
    assert data["count"] > 3 and set(data["points"][0]["package"]) >= {"army_cap", "sequencing"}
    code, output = run("bargain", "ukraine-2025", "--solution", "nash", "--json")
    (nash,) = json.loads(output)
    assert nash["solution"] == "nash" and all(g > 0 for g in nash["gains"].values())
    code, output = run("relax", "teaching-river", "--json")
    data = json.loads(output)
    assert code == 0 and data["zopa_open"] is True
    assert data["zopa"]["example_rule"] == "feasible" and data["example_rule"] == "feasible"
    code, output = run("relax", "teaching-river", "--example", "maximin", "--json")
    assert code == 0 and json.loads(output)["zopa"]["example_rule"] == "maximin"
    code, output = run("relax", "teaching-river", "--example", "maximin")
    assert code == 0 and "best for the worst-off" in output
    code, output = run("relax", "teaching-river", "--example", "best")
    assert code == 2 and "unknown --example 'best'" in output
    code, output = run("bridge", "teaching-river", "upland-offer", "--json")
    data = json.loads(output)
    assert data["found"] and {c["issue"] for c in data["changes"]} >= {"water_share"}


def test_agreement_space_commands_refuse_bad_input() -> None:
    code, output = run("frontier", "ukraine-2025", "--parties", "UA,XX")
    assert code == 2 and "unknown party 'XX'" in output
    code, output = run("bargain", "ukraine-2025", "--solution", "best")
    assert code == 2 and "unknown solution 'best'" in output
    code, output = run("bridge", "ukraine-2025", "no-such-draft")
    assert code == 2 and "has no draft 'no-such-draft'" in output


def test_analyze_reports_the_agreement_space() -> None:
    code, output = run("analyze", "teaching-river", "--json", "--brief", "-")
    assert code == 0
    space = json.loads(output)["agreement_space"]
    assert space["zopa"]["open"] is True
    assert [s["solution"] for s in space["solutions"]] == [
        "nash",
        "ks",
        "egalitarian",
        "utilitarian",
    ]
    assert [b["draft"] for b in space["bridges"]] == [
        "commission-1",
        "commission-2",
        "upland-offer",
    ]


@pytest.mark.skipif(not GENIUS.is_dir(), reason="../shared/data/genius is not present")
def test_import_genius(tmp_path: Path) -> None:
    target = tmp_path / "laptop.yaml"
    code, output = run("import", "genius", str(GENIUS / "Laptop"), "-o", str(target))
    assert code == 0, output
    assert run("validate", str(target))[0] == 0
    code, output = run("import", "genius", str(GENIUS / "y2014" / "10issues"))
    assert code == 2 and "hyper-rectangle utilities are not supported" in output


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    from accord.model.load import write_atomic

    target = tmp_path / "new.txt"
    write_atomic(target, "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    target.chmod(0o600)
    write_atomic(target, "y")  # an existing file keeps its mode
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_text() == "y"
