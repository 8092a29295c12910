"""The front door and the one analysis record: compiled once per shock combination, ids checked
once, and every face (terminal, JSON, brief) rendering the same record."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import accord
from accord import Analysis, UnknownId, Workbench
from accord.cli import app
from accord.compile import compile_scenario
from accord.model import Scenario, load_scenario
from accord.report import brief_of
from accord.scenarios import resolve

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_front_door_is_exported_from_accord() -> None:
    assert accord.Workbench is Workbench
    assert set(accord.__all__) >= {"Workbench", "Analysis", "UnknownId"}
    assert issubclass(UnknownId, ValueError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.evaluate("nope"), "unknown draft 'nope' (expected one of: commission-1,"),
        (lambda b: b.diff("commission-1", "nope"), "unknown draft 'nope'"),
        (lambda b: b.bridge("nope"), "unknown draft 'nope'"),
        (lambda b: b.frontier(["UP", "XX"]), "unknown party 'XX' (expected one of: UP, LO, DE)"),
        (lambda b: b.bargain("best"), "unknown solution 'best' (expected one of: nash, ks,"),
        (lambda b: b.forecast(["oracle"]), "unknown forecast model 'oracle'"),
        (
            lambda b: b.zopa(extra_shocks=["flood"]),
            "unknown shock 'flood' (expected one of: drought,",
        ),
        (lambda b: b.replay("nope"), "unknown draft 'nope'"),
        (lambda b: b.analyze(start="nope"), "unknown draft 'nope'"),
        (lambda b: b.analyze(pair=["UP", "XX"]), "unknown party 'XX'"),
    ],
)
def test_an_unknown_id_is_one_clear_error(call: Any, message: str) -> None:
    bench = Workbench("teaching-river")
    with pytest.raises(UnknownId) as info:
        call(bench)
    assert str(info.value).startswith(message)


def test_an_unknown_shock_is_refused_at_the_door() -> None:
    with pytest.raises(UnknownId, match="unknown shock 'flood'"):
        Workbench("teaching-river", shocks=["flood"])


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Replace every accord module's reference to compile_scenario by a counting wrapper."""
    calls: list[tuple[str, ...]] = []

    def counting(scenario: Scenario, *args: Any, **kwargs: Any) -> Any:
        calls.append(tuple(kwargs.get("shocks", args[1] if len(args) > 1 else ())))
        return compile_scenario(scenario, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("accord") and getattr(module, "compile_scenario", None) is not None:
            monkeypatch.setattr(module, "compile_scenario", counting)
    return calls


def test_analyze_compiles_each_shock_combination_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _count_compiles(monkeypatch)
    code, output = run("analyze", "teaching-river", "--brief", str(tmp_path / "b.html"))
    assert code == 0, output
    shocks = [sh.id for sh in resolve("teaching-river").shocks]
    # as given, then each declared shock once; the brief renders the record and compiles nothing
    assert calls == [(), *((sh,) for sh in shocks)]
    calls.clear()
    code, _ = run("analyze", "teaching-river", "--shock", "drought", "--brief", "-", "--json")
    assert code == 0
    assert calls == [("drought",), *(("drought", sh) for sh in shocks if sh != "drought")]


def test_the_terminal_json_and_brief_show_one_record(tmp_path: Path) -> None:
    target = tmp_path / "brief.json"
    code, output = run("analyze", "teaching-river", "--json", "--brief", str(target))
    assert code == 0
    record = json.loads(output)
    brief = json.loads(target.read_text())
    assert brief["bottom_line"] == record["bottom_line"]
    chart = next(
        b
        for s in brief["sections"]
        if s["id"] == "drafts"
        for b in s["blocks"]
        if b["type"] == "chart"
    )
    gains = {
        (e["draft"], p["party"]): round(p["gain"], 4)
        for e in record["evaluations"]
        for p in e["parties"]
    }
    for series in chart["data"]["series"]:
        for draft, value in zip(chart["data"]["categories"], series["values"], strict=True):
            assert gains[(draft, series["name"])] == pytest.approx(value, abs=1e-4)
    code, text = run("analyze", "teaching-river", "--brief", "-")
    flat = " ".join(text.split())
    for line in record["bottom_line"]:
        assert " ".join(line.split()) in flat


def test_what_if_holds_the_drafts_and_the_zone_under_every_declared_shock() -> None:
    _, output = run("analyze", "teaching-river", "--json", "--brief", "-")
    data = json.loads(output)
    assert [w["shock"] for w in data["what_if"]] == [
        sh.id for sh in resolve("teaching-river").shocks
    ]
    subsidy = next(w for w in data["what_if"] if w["shock"] == "delta_subsidy")
    assert set(subsidy) == {"shock", "evaluations", "zopa"}
    assert subsidy["zopa"]["open"] is False and data["agreement_space"]["zopa"]["open"] is True
    c2 = next(e for e in subsidy["evaluations"] if e["draft"] == "commission-2")
    assert next(p for p in c2["parties"] if p["party"] == "DE")["acceptable"] is False
    assert (
        "Under delta_subsidy: DE no longer accepts commission-2; the zone of agreement closes."
        in (data["bottom_line"])
    )
    # a BATNA shock now reaches the drafts, not only the forecasts
    drought = next(w for w in data["what_if"] if w["shock"] == "drought")
    lo = [
        p["utility"] - p["batna"]
        for e in drought["evaluations"]
        for p in e["parties"]
        if p["party"] == "LO"
    ]
    lo_base = [
        p["utility"] - p["batna"]
        for e in data["evaluations"]
        for p in e["parties"]
        if p["party"] == "LO"
    ]
    assert lo != lo_base


def test_the_default_output_is_short_whole_and_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, output = run("analyze", "ukraine-2025", "--brief", "-")
    assert code == 0
    lines = output.splitlines()
    assert len(lines) <= 250
    assert max(len(line) for line in lines) <= 100
    assert lines.index("The bottom line") < 4
    assert "…" not in output  # no cell cut short
    assert not re.search(r"\d\.\d+e[+-]\d", output)  # 657,364, never 6.574e+05
    s = resolve("ukraine-2025")
    words = set(re.findall(r"[A-Za-z0-9_\-]+", output))
    for issue in s.issues:
        assert issue.id in words  # every issue named whole, never broken across a line
    assert "657,364" in output  # army_cap as people write it
    bottom = lines[lines.index("The bottom line") + 1 : lines.index("The drafts") - 1]
    assert 1 <= len([b for b in bottom if not b.startswith(" ") or b.startswith("  ")]) <= 15 * 3


@pytest.mark.parametrize("name", ["bottom-line", "drafts", "space", "bridges", "what-if"])
def test_sections_print_alone(name: str) -> None:
    code, output = run("analyze", "teaching-river", "--section", name, "--brief", "-")
    assert code == 0
    assert "More: --section" not in output


def test_an_unknown_section_is_a_clean_error() -> None:
    code, output = run("analyze", "teaching-river", "--section", "everything")
    assert code == 2 and "unknown section(s) 'everything'" in output


def test_the_bottom_line_has_at_most_fifteen_lines() -> None:
    for scenario in ("ukraine-2025", "teaching-river"):
        analysis = Workbench(scenario).analyze(runs=5)
        assert 1 <= len(analysis.bottom_line) <= 15
        assert analysis.bottom_line[0].startswith("Acceptable to every party")


def test_the_brief_renders_the_record_without_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = Workbench("teaching-river").analyze(runs=5)
    import accord.analysis.conflict as conflict
    import accord.forecast.ensemble as ensemble
    import accord.workbench.bench as bench

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an engine ran while rendering")

    for module, name in [
        (conflict, "zopa"),
        (conflict, "bridge"),
        (conflict, "minimal_relaxations"),
        (ensemble, "run_ensemble"),
        (bench, "run_ensemble"),
        (bench, "replay"),
    ]:
        monkeypatch.setattr(module, name, boom)
    brief = brief_of(analysis)
    assert brief.bottom_line == analysis.bottom_line
    assert {s.id for s in brief.sections} >= {"drafts", "agreement-space", "forecasts"}


# --- scenarios users write -------------------------------------------------------------------


def test_a_labour_dispute_with_a_narrow_scale_and_a_silent_party_analyses() -> None:
    labour = load_scenario(DATA / "labour.yaml")
    code, output = run("validate", str(DATA / "labour.yaml"))
    assert code == 0
    code, output = run("analyze", str(DATA / "labour.yaml"), "--brief", "-")
    assert code == 0, output
    analysis = Workbench(labour).analyze(runs=5)
    forecasts = analysis.forecasts[0].ensemble.forecasts
    hours = [f for f in forecasts if f.issue == "hours"]
    assert hours and all(35 <= f.mean <= 40 for f in hours)


@st.composite
def user_scenarios(draw: st.DrawFn) -> Scenario:
    """Valid scenarios of the kinds users write: scales that exclude 0, parties silent on some
    issues, one-option issues, and a shock."""
    n_parties = draw(st.integers(2, 3))
    n_issues = draw(st.integers(1, 3))
    parties = [
        {
            "id": f"P{p}",
            "name": f"Party {p}",
            "roles": ["party"],
            "batna": draw(st.floats(0, 0.6, allow_nan=False)),
            "capability": draw(st.floats(0.5, 5, allow_nan=False)),
        }
        for p in range(n_parties)
    ]
    issues = []
    for i in range(n_issues):
        low = draw(st.integers(1, 50))
        width = draw(st.integers(2, 20))
        n_opts = draw(st.integers(1, 3))
        positions = sorted(
            draw(
                st.lists(
                    st.integers(low, low + width), min_size=n_opts, max_size=n_opts, unique=True
                )
            )
        )
        n_opts = len(positions)
        issues.append(
            {
                "id": f"i{i}",
                "name": f"Issue {i}",
                "scale": {"min": low, "max": low + width},
                "options": [
                    {"id": f"i{i}o{k}", "label": f"Option {k}", "position": pos}
                    for k, pos in enumerate(positions)
                ],
                "status_quo": f"i{i}o{draw(st.integers(0, n_opts - 1))}",
            }
        )
    preferences: dict[str, Any] = {}
    for p in parties:
        table = {}
        for issue in issues:
            if table and not draw(st.booleans()):
                continue  # silent on this issue
            options = [o["id"] for o in issue["options"]]
            table[issue["id"]] = {
                "ideal": draw(st.sampled_from(options)),
                "salience": draw(st.floats(0.05, 1, allow_nan=False)),
            }
        preferences[p["id"]] = table
    drafts = [
        {
            "id": "d0",
            "title": "A draft",
            "points": [
                {
                    "number": 1,
                    "text": "One point.",
                    "sets": {issues[0]["id"]: draw(st.sampled_from(issues[0]["options"]))["id"]},
                }
            ],
        }
    ]
    return Scenario.model_validate(
        {
            "id": "user",
            "title": "A user's scenario",
            "as_of": "2025-01-01",
            "parties": parties,
            "issues": issues,
            "preferences": preferences,
            "drafts": drafts,
            "shocks": [
                {
                    "id": "weaker",
                    "name": "P0 is weaker",
                    "rationale": "For tests.",
                    "edits": [{"target": "parties.P0.batna", "op": "multiply", "value": 0.5}],
                }
            ],
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user_scenarios())
def test_analyze_never_fails_on_a_valid_scenario(scenario: Scenario) -> None:
    analysis = Workbench(scenario).analyze(runs=3, deadline=3, max_relax=1)
    assert isinstance(analysis, Analysis)
    json.dumps(analysis.to_dict(), default=str)
    brief_of(analysis)


def test_a_model_that_cannot_forecast_an_issue_says_why() -> None:
    labour = load_scenario(DATA / "labour.yaml")
    ens = Workbench(labour).forecast(models=("eum", "compromise"), runs=3)
    assert ens.missing == ()  # the EUM runs over the parties that speak; FED is left out
    assert 35 <= ens.get("eum", "hours").mean <= 40
    silent = labour.model_copy(
        update={
            "preferences": {
                party: {k: v for k, v in table.items() if k != "hours"}
                for party, table in labour.preferences.items()
            }
        }
    )
    ens = Workbench(silent).forecast(models=("eum", "compromise"), runs=3)
    missing = {(m.model, m.issue): m.reason for m in ens.missing}
    assert missing[("eum", "hours")] == "no party states a position on this issue"
    assert ("compromise", "pay") not in missing
    with pytest.raises(KeyError, match="no party states a position"):
        ens.get("eum", "hours")
    assert ens.find("eum", "hours") is None
