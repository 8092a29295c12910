"""Time: the negotiation as it stood on a day (accord.model.as_of) and dated content checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from accord.cli import app
from accord.model import ScenarioError, as_of, load_text
from accord.model.checks import stale_warning
from accord.model.load import dumps_yaml, to_data
from accord.scenarios import load_embedded

UKRAINE = load_embedded("ukraine-2025")
runner = CliRunner()


def test_as_of_november_drops_the_december_text() -> None:
    view = as_of(UKRAINE, dt.date(2025, 11, 1))
    assert view.as_of == dt.date(2025, 11, 1)
    late = [d.id for d in UKRAINE.drafts if d.date and d.date > dt.date(2025, 11, 1)]
    assert late, "the embedded case has drafts after 1 November"
    assert not {d.id for d in view.drafts} & set(late)
    assert all(e.date <= dt.date(2025, 11, 1) for e in view.events)
    assert all(s.date is None or s.date <= dt.date(2025, 11, 1) for s in view.sources)


def test_as_of_on_or_after_the_scenario_date_is_the_scenario() -> None:
    assert as_of(UKRAINE, UKRAINE.as_of) is UKRAINE
    assert as_of(UKRAINE, UKRAINE.as_of + dt.timedelta(days=3)) is UKRAINE


def test_delegation_members_follow_their_dates() -> None:
    names = lambda s: {m.name + "/" + m.role for m in s.party("UA").delegation}  # noqa: E731
    before, after = as_of(UKRAINE, dt.date(2025, 11, 25)), as_of(UKRAINE, dt.date(2025, 11, 30))
    assert any(n.startswith("Andriy Yermak/Head of delegation") for n in names(before))
    assert not any(n.startswith("Andriy Yermak/Head of delegation") for n in names(after))
    assert any(n.startswith("Rustem Umerov") for n in names(after))
    assert not any(n.startswith("Rustem Umerov") for n in names(before))


def test_latest_claims_win_and_same_day_conflicts_stay_side_by_side() -> None:
    data = to_data(UKRAINE)
    data["facts"] = [
        *data["facts"],
        {
            "id": "front",
            "label": "Share held",
            "claims": [
                {"value": 18.0, "from": "2025-01-01", "assumption": "old"},
                {"value": 19.0, "from": "2025-06-01", "assumption": "report a"},
                {"value": 20.0, "from": "2025-06-01", "assumption": "report b"},
                {"value": 21.0, "from": "2025-12-01", "assumption": "newest"},
            ],
        },
    ]
    import yaml

    s = load_text(yaml.safe_dump(data, sort_keys=False))
    july = as_of(s, dt.date(2025, 7, 1))
    assert [c.value for c in july.facts[-1].claims] == [19.0, 20.0]
    assert [c.value for c in as_of(s, dt.date(2025, 12, 2)).facts[-1].claims] == [21.0]
    assert "front" not in {f.id for f in as_of(s, dt.date(2024, 12, 1)).facts}


def test_preference_and_red_line_windows() -> None:
    data = to_data(UKRAINE)
    pid, table = next(iter(data["preferences"].items()))
    iid = next(iter(table))
    table[iid]["from"] = "2025-12-01"
    import yaml

    s = load_text(yaml.safe_dump(data, sort_keys=False))
    assert iid not in as_of(s, dt.date(2025, 11, 30)).preferences.get(pid, {})
    assert iid in as_of(s, dt.date(2025, 12, 2)).preferences[pid]


def test_content_dated_after_as_of_is_refused_with_file_line_field(tmp_path: Path) -> None:
    text = dumps_yaml(UKRAINE).replace("as_of: 2025-12-31", "as_of: 2025-12-01", 1)
    with pytest.raises(ScenarioError) as caught:
        load_text(text, name="late.yaml")
    lines = caught.value.lines()
    assert any("after the scenario's as_of 2025-12-01" in line for line in lines)
    assert all(line.startswith("late.yaml:") for line in lines)
    path = tmp_path / "late.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "date: dated 2025-12-24" in result.output or "dated 2025-12-24" in result.output
    assert "Traceback" not in result.output


def test_stale_warning() -> None:
    assert stale_warning(dt.date(2025, 1, 1), today=dt.date(2025, 1, 31)) is None
    warning = stale_warning(dt.date(2025, 1, 1), today=dt.date(2025, 2, 1))
    assert warning is not None and "31 days before today" in warning


DAYS = st.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2026, 1, 31))


@settings(max_examples=25, deadline=None)
@given(DAYS)
def test_as_of_keeps_only_what_was_known(day: dt.date) -> None:
    view = as_of(UKRAINE, day)
    assert view.as_of == min(day, UKRAINE.as_of)
    assert all(d.date is None or d.date <= day for d in view.drafts)
    assert all(e.date <= day for e in view.events)
    assert {d.id for d in view.drafts} <= {d.id for d in UKRAINE.drafts}
    # a view is a valid scenario: it round-trips through its own file form
    assert load_text(dumps_yaml(view)) == view
    # going back further never adds drafts or events
    earlier = as_of(UKRAINE, day - dt.timedelta(days=7))
    assert {d.id for d in earlier.drafts} <= {d.id for d in view.drafts}
    assert {e.id for e in earlier.events} <= {e.id for e in view.events}


def test_workbench_as_of_november_does_not_score_the_24_december_text() -> None:
    from accord import Workbench

    december = [d.id for d in UKRAINE.drafts if d.date == dt.date(2025, 12, 24)]
    assert december
    bench = Workbench(UKRAINE, as_of=dt.date(2025, 11, 1))
    assert bench.as_of == dt.date(2025, 11, 1)
    scored = {e.draft for e in bench.evaluate_all()}
    assert scored and not scored & set(december)
    assert set(december) <= {e.draft for e in Workbench(UKRAINE).evaluate_all()}


def test_cli_analyze_as_of() -> None:
    import json

    result = runner.invoke(
        app,
        [
            "analyze",
            "ukraine-2025",
            "--as-of",
            "2025-11-01",
            "--runs",
            "10",
            "--brief",
            "-",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2025-11-01"
    assert "framework-20" not in json.dumps(data["evaluations"])
    assert "ru-memo-2025-06" in json.dumps(data["evaluations"])
    bad = runner.invoke(app, ["analyze", "ukraine-2025", "--as-of", "2025-13-01"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "teaching-river"),
        ("diff", "teaching-river", "commission-1", "upland-offer"),
        ("frontier", "teaching-river"),
        ("bargain", "teaching-river"),
        ("relax", "teaching-river"),
        ("bridge", "teaching-river", "upland-offer"),
        ("forecast", "teaching-river", "--runs", "10"),
        ("simulate", "teaching-river"),
    ],
)
def test_every_analysis_command_takes_as_of(args: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*args, "--as-of", "2024-04-10", "--json"])
    assert result.exit_code == 0, result.output
    # commission-2 (15 May) did not exist on 10 April
    assert "commission-2" not in result.output
    later = runner.invoke(app, [*args, "--as-of", "2024-03-10", "--json"])
    if "upland-offer" in args:  # not yet on the table on 10 March
        assert later.exit_code == 2 and "upland-offer" in later.output
