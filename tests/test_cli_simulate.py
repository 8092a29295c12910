"""`accord simulate` and `accord tournament`, and the replay in `accord analyze`: traces are
printed and machine-readable, the JSON agrees with the engines, bad input exits 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.compile import compile_scenario
from accord.scenarios import resolve
from accord.simulate import Boulware, Conceder, alternating_offers
from accord.simulate.single_text import replay

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_single_text_from_the_first_draft_says_where_it_deadlocks() -> None:
    code, output = run("simulate", "ukraine-2025")
    assert code == 0, output
    assert output.startswith("Single negotiating text from us-28 (maximin mediator")
    compiled = compile_scenario(resolve("ukraine-2025"))
    expected = replay(compiled, start="us-28").outcome
    assert f"Outcome: {expected.summary()}" in output
    assert "v0 -> v1:" in output and "Utility change:" in output  # versions diffed point by point
    rounds = [line for line in output.splitlines() if line.startswith("Round ")]
    assert len(rounds) == expected.rounds


def test_single_text_json_matches_the_engine() -> None:
    code, output = run(
        "simulate", "teaching-river", "--from", "commission-1", "--policy", "nash", "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    compiled = compile_scenario(resolve("teaching-river"))
    expected = replay(compiled, start="commission-1", policy="nash").to_dict()
    expected = json.loads(json.dumps(expected))  # tuples become lists, as in any JSON
    assert data == {"scenario": "teaching-river", "shocks": [], **expected}
    assert data["rounds_trace"][0]["version"] == "v0"


def test_alternating_json_matches_the_engine() -> None:
    code, output = run(
        "simulate",
        "teaching-river",
        "--protocol",
        "alternating",
        "--strategy",
        "conceder",
        "--strategy",
        "UP=boulware",
        "--deadline",
        "15",
        "--seed",
        "3",
        "--json",
    )
    assert code == 0, output
    data = json.loads(output)
    compiled = compile_scenario(resolve("teaching-river"))
    outcome = alternating_offers(
        compiled, {"UP": Boulware(), "LO": Conceder(), "DE": Conceder()}, deadline=15, seed=3
    ).run()
    assert data["strategies"] == {
        "UP": "Boulware(e=0.2)",
        "LO": "Conceder(e=5)",
        "DE": "Conceder(e=5)",
    }
    assert data["rounds"] == outcome.rounds and data["agreed"] == outcome.agreed
    assert list(data["utilities"].values()) == list(outcome.utilities)
    assert len(data["trace"]) == len(outcome.trace)


def test_alternating_prints_the_trace() -> None:
    code, output = run(
        "simulate", "teaching-river", "--protocol", "alternating", "--strategy", "conceder"
    )
    assert code == 0, output
    assert output.startswith("Alternating offers among UP, LO, DE (deadline 12 rounds)")
    assert "Round 1: UP offers" in output
    assert "Outcome: " in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "mediated"], "unknown protocol 'mediated' (expected one of: single-text"),
        (["--strategy", "boulware"], "--strategy applies to --protocol alternating"),
        (["--protocol", "alternating", "--from", "us-28"], "--from applies to --protocol single"),
        (["--from", "us-29"], "has no draft 'us-29' (expected one of: us-28"),
        (["--policy", "fair"], "unknown policy 'fair' (expected maximin or nash)"),
        (
            ["--protocol", "alternating", "--strategy", "XX=linear"],
            "'XX' is not among the negotiating parties",
        ),
        (
            ["--protocol", "alternating", "--strategy", "UA=bouldware"],
            "--strategy UA=bouldware: unknown strategy 'bouldware'",
        ),
        (["--protocol", "alternating", "--parties", "UA"], "need at least two parties"),
        (["--shock", "nope"], "nope"),
    ],
)
def test_simulate_bad_input_exits_2(args: list[str], message: str) -> None:
    code, output = run("simulate", "ukraine-2025", *args)
    assert code == 2
    assert message in " ".join(output.split())


def test_tournament_table_and_json() -> None:
    args = ["tournament", "teaching-river", "--seeds", "3", "--deadline", "20"]
    code, output = run(*args, "--strategy", "conceder", "--strategy", "hardliner")
    assert code == 0, output
    assert "teaching-river: alternating offers, deadline 20 rounds, 3 seeds (local)" in output
    assert "Conceder(e=5)" in output and "HardLiner(tolerance=0.05)" in output
    assert "Pareto distance to the exact acceptable frontier" in output
    code, output = run(*args, "--strategy", "conceder", "--json")
    data = json.loads(output)
    (row,) = data["summary"]
    assert row["negotiations"] == 3 and row["lineup"] == "Conceder(e=5)"
    assert len(data["results"]) == 3


def test_tournament_focal_lineups() -> None:
    code, output = run(
        "tournament",
        "teaching-river",
        "--seeds",
        "2",
        "--strategy",
        "boulware",
        "--lineup",
        "focal",
        "--opponent",
        "conceder",
        "--json",
    )
    assert code == 0, output
    labels = [row["lineup"] for row in json.loads(output)["summary"]]
    assert labels == [f"Boulware(e=0.2) as {p} vs Conceder(e=5)" for p in ("UP", "LO", "DE")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "nope"], "--strategy nope: unknown strategy 'nope'"),
        (["--lineup", "mixed"], "unknown lineup 'mixed' (expected self or focal)"),
        (["--backend", "spark"], "unknown backend 'spark' (expected local or dask)"),
        (["--opponent", "x(", "--lineup", "focal"], "--opponent x(: unbalanced parentheses"),
        (["--parties", "UP"], "need at least two parties"),
    ],
)
def test_tournament_bad_input_exits_2(args: list[str], message: str) -> None:
    code, output = run("tournament", "teaching-river", "--seeds", "1", *args)
    assert code == 2
    assert message in " ".join(output.split())


def test_analyze_replays_the_first_draft() -> None:
    code, output = run("analyze", "ukraine-2025", "--brief", "-")
    assert code == 0
    assert "A single-text replay" in output
    assert "Single negotiating text from us-28" in output
    assert "Outcome: deadlock after" in output
    code, output = run("analyze", "teaching-river", "--json", "--brief", "-")
    data = json.loads(output)
    assert data["simulation"]["start"] == "commission-1"
    assert data["simulation"]["summary"]
