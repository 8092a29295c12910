"""The embedded ukraine-2025 scenario: complete, sourced and faithfully encoded."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from accord.analysis import diff, evaluate, evaluate_all
from accord.compile import compile_scenario
from accord.model import Scenario
from accord.model.parse import decode, parse_yaml
from accord.scenarios import resolve

DRAFTS = ["us-28", "geneva-19", "e3-counter", "framework-20", "ru-memo-2025-06"]
ISSUES = [
    "sequencing",
    "crimea_luhansk_donetsk",
    "donetsk_held",
    "kherson_zaporizhzhia",
    "army_cap",
    "nato_membership",
    "foreign_troops",
    "security_guarantee",
    "frozen_assets",
    "reconstruction",
    "sanctions",
    "znpp",
    "elections",
    "amnesty",
    "language_church",
    "arms_mobilisation",
    "monitoring",
    "eu_accession",
]
# Numbers that place things rather than state a fact about the world: point numbers, option
# positions and scale ends (whose basis the scale's own source or assumption gives).
STRUCTURAL = {"number", "position", "min", "max", "schema_version"}


@pytest.fixture(scope="module")
def ukraine() -> Scenario:
    return resolve("ukraine-2025")


@pytest.fixture(scope="module")
def raw() -> Any:
    text = decode(resources.files("accord.scenarios").joinpath("ukraine_2025.yaml").read_bytes())
    return parse_yaml(text).data


def numbers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numbers(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from numbers(value, (*path, index))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


def owner(raw: Any, path: tuple[Any, ...]) -> Any:
    """The record a number belongs to: the mapping that holds it, or, for a number inside a
    ``range`` list or a ``dist`` mapping, the quantity above them."""
    parents = [raw]
    for part in path[:-1]:
        parents.append(parents[-1][part])
    depth = len(parents) - 1  # parents[depth] holds the number
    while depth > 0 and (isinstance(parents[depth], list) or path[depth - 1] == "dist"):
        depth -= 1
    return parents[depth]


def test_every_number_has_a_source_or_an_assumption(raw: Any) -> None:
    bare = []
    for path, value in numbers(raw):
        if path[-1] in STRUCTURAL:
            continue
        record = owner(raw, path)
        if path[0] == "uncertainty":
            record = raw["uncertainty"]  # the default widths rest on the block's assumption
        if not (isinstance(record, dict) and (record.get("source") or record.get("assumption"))):
            bare.append(f"{'.'.join(map(str, path))} = {value}")
    assert bare == []


def test_structural_numbers_rest_on_a_sourced_scale(raw: Any) -> None:
    for issue in raw["issues"]:
        assert issue["scale"].get("source") or issue["scale"].get("assumption"), issue["id"]


def test_the_walk_finds_a_bare_number() -> None:
    planted = {
        "parties": [
            {"id": "X", "batna": {"value": 0.3}},
            {"id": "Y", "batna": {"value": 0.3, "range": [0.2, 0.4], "source": "s"}},
            {"id": "Z", "capability": {"value": 1, "dist": {"mean": 1, "sd": 0.1}}},
        ],
        "facts": [{"id": "f", "claims": [{"value": 5, "source": "s"}, {"value": 6}]}],
    }
    found = [p for p, _ in numbers(planted) if not owner(planted, p).get("source")]
    assert found == [
        ("parties", 0, "batna", "value"),
        ("parties", 2, "capability", "value"),
        ("parties", 2, "capability", "dist", "mean"),
        ("parties", 2, "capability", "dist", "sd"),
        ("facts", 0, "claims", 1, "value"),
    ]


def test_scenario_contents(ukraine: Scenario) -> None:
    assert ukraine.provenance == "required"
    assert {p.id for p in ukraine.parties} == {"UA", "RU", "US", "EU"}
    us = ukraine.party("US")
    assert {r.value for r in us.roles} >= {"mediator", "party"}
    assert ukraine.party("EU").roles[0].value == "stakeholder"
    issue_ids = [i.id for i in ukraine.issues]
    assert len(issue_ids) >= 18
    assert set(ISSUES) <= set(issue_ids)
    assert set(DRAFTS) <= {d.id for d in ukraine.drafts}
    assert len(ukraine.events) >= 20
    assert all(e.source for e in ukraine.events)
    assert {"us_aid_withdrawn", "european_support_surge"} <= {s.id for s in ukraine.shocks}
    assert len(ukraine.draft("us-28").points) == 28
    assert [p.number for p in ukraine.draft("us-28").points] == list(range(1, 29))
    assert len(ukraine.draft("framework-20").points) == 20


def test_head_of_delegation_changed_in_late_november(ukraine: Scenario) -> None:
    members = {m.name: m for m in ukraine.party("UA").delegation}
    yermak = next(m for name, m in members.items() if "Yermak" in name)
    umerov = next(m for name, m in members.items() if "Umerov" in name)
    assert yermak.end is not None and yermak.end.isoformat() in ("2025-11-28", "2025-11-29")
    assert umerov.start is not None and umerov.start.isoformat() in ("2025-11-28", "2025-11-29")


def test_conflicting_army_cap_reports_kept_side_by_side(ukraine: Scenario) -> None:
    point = next(p for p in ukraine.draft("e3-counter").points if "army_cap" in p.sets)
    readings = {r.sets.get("army_cap") for r in point.readings}
    assert point.sets["army_cap"] == "cap_800k"
    assert {"cap_600k", "no_cap"} <= readings
    assert all(r.source for r in point.readings)


def test_28_points_cross_ukraines_recognition_red_line(ukraine: Scenario) -> None:
    compiled = compile_scenario(ukraine)
    e = evaluate(compiled, "us-28")
    ua = e.party("UA")
    crossed = {(r.issue, r.option): r.point for r in ua.red_lines}
    assert ("crimea_luhansk_donetsk", "de_facto_recognition") in crossed
    assert crossed[("crimea_luhansk_donetsk", "de_facto_recognition")] == 21
    assert ("army_cap", "cap_600k") in crossed
    assert crossed[("army_cap", "cap_600k")] == 6
    assert not ua.acceptable


def test_28_points_trigger_the_referendum_blocked_under_martial_law(ukraine: Scenario) -> None:
    e = evaluate(compile_scenario(ukraine), "us-28")
    steps = {s.rule: s for s in e.ratification}
    referendum = steps["ua-art73-referendum"]
    assert 21 in referendum.triggered_by
    assert referendum.status == "blocked"
    amendment = steps["ua-art157-amendment"]
    assert amendment.status == "blocked"
    assert amendment.triggered_by == (7, 21)
    # Recognition of occupied territory also meets the Constitution's territorial-integrity
    # bar, which the scenario records as a step that cannot pass, martial law or not.
    assert steps["ua-art157-territorial-integrity"].status == "fails"


def test_the_20_points_trigger_no_territorial_step(ukraine: Scenario) -> None:
    e = evaluate(compile_scenario(ukraine), "framework-20")
    assert not {s.rule for s in e.ratification} & {"ua-art73-referendum", "ua-art157-amendment"}


def test_diff_28_to_20_lists_the_reported_changes(ukraine: Scenario) -> None:
    compiled = compile_scenario(ukraine)
    d = diff(compiled, "us-28", "framework-20")
    moved = {c.issue: c for c in d.issues}
    assert (moved["army_cap"].a_option, moved["army_cap"].b_option) == ("cap_600k", "cap_800k")
    assert (moved["amnesty"].a_option, moved["amnesty"].a_point) == ("full_amnesty", 26)
    assert (moved["amnesty"].b_option, moved["amnesty"].b_point) == ("no_amnesty", None)
    assert moved["nato_membership"].a_option == "constitutional_ban"
    assert moved["nato_membership"].b_point is None  # the 20 points are silent on NATO
    removed = {n for c in d.points if c.kind == "removed" for n in c.a}
    assert 26 in removed
    changed = {n for c in d.points if c.kind == "changed" for n in c.a}
    assert 6 in changed


def test_every_draft_scores_in_unit_interval_for_every_party(ukraine: Scenario) -> None:
    compiled = compile_scenario(ukraine)
    assert set(compiled.party_ids) == {"UA", "RU", "US", "EU"}
    for e in evaluate_all(compiled):
        for p in e.parties:
            assert 0.0 <= p.utility <= 1.0


def test_reported_reactions_are_reflected(ukraine: Scenario) -> None:
    compiled = compile_scenario(ukraine)
    scores = {e.draft: {p.party: p.utility for p in e.parties} for e in evaluate_all(compiled)}
    russia = {d: scores[d]["RU"] for d in DRAFTS}
    ukraine_ = {d: scores[d]["UA"] for d in DRAFTS}
    assert max(russia, key=russia.__getitem__) == "ru-memo-2025-06"
    assert min(ukraine_, key=ukraine_.__getitem__) == "ru-memo-2025-06"
    assert ukraine_["framework-20"] > ukraine_["us-28"]
    assert russia["us-28"] > russia["e3-counter"]


@pytest.mark.parametrize("shock", ["us_aid_withdrawn", "european_support_surge"])
def test_shocks_move_ukraines_capability(ukraine: Scenario, shock: str) -> None:
    base = compile_scenario(ukraine)
    shocked = compile_scenario(ukraine, shocks=[shock])
    ua = base.party_index("UA")
    if shock == "us_aid_withdrawn":
        assert shocked.capability[ua] < base.capability[ua]
        assert shocked.batna[ua] <= base.batna[ua]
    else:
        assert shocked.capability[ua] > base.capability[ua]
