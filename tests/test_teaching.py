"""The invented teaching scenario, scored by hand: the numbers in these tests are worked out in
the comments, not copied from the program's output."""

from __future__ import annotations

import pytest

from accord.analysis import diff, evaluate
from accord.compile import CompileError, apply_shocks, compile_scenario
from accord.model import Scenario
from accord.scenarios import resolve


@pytest.fixture(scope="module")
def river() -> Scenario:
    return resolve("teaching-river")


def test_compiled_arrays_are_read_only_and_shaped(river: Scenario) -> None:
    c = compile_scenario(river)
    assert c.party_ids == ("UP", "LO", "DE")  # RC states no preferences
    assert c.values.shape == (3, 5, 3)
    assert c.n_options.tolist() == [3, 3, 3, 3, 2]
    assert not c.valid[4, 2]  # timing has two options: the third slot is padding
    assert c.weights.sum(axis=1) == pytest.approx([1, 1, 1])
    with pytest.raises(ValueError):
        c.values[0, 0, 0] = 0.5


def test_commission_2_by_hand(river: Scenario) -> None:
    e = evaluate(compile_scenario(river), "commission-2")
    # Upland: saliences 0.7, 1.0, 0.2, 0.5, 0.1 (sum 2.5); every chosen option is halfway
    # from its ideal (value 0.5) except timing (value 0): (0.7+1.0+0.2+0.5) * 0.5 / 2.5 = 0.48.
    assert e.party("UP").utility == pytest.approx(0.48)
    # Its gain: (0.48 - BATNA 0.45) / (best 1.0 - 0.45).
    assert e.party("UP").gain == pytest.approx(0.03 / 0.55)
    # Lowland: water 0.5, dam quadratic 1 - (60/120)^2 = 0.75, ladder 1, fund 0.5, timing 1,
    # weighted by 1.0, 0.5, 0.1, 0.6, 0.2 over 2.4.
    assert e.party("LO").utility == pytest.approx((0.5 + 0.375 + 0.1 + 0.3 + 0.2) / 2.4)
    # Delta: water 0.5 (x0.4), dam_60 from its table 0.7 (x0.6), ladder 0.5 (x1.0),
    # fund_100 0.5 (x0.3): (0.2 + 0.42 + 0.5 + 0.15) / 2.3.
    assert e.party("DE").utility == pytest.approx(1.27 / 2.3)
    assert e.acceptable_to_all
    assert e.silent_issues == ()


def test_silence_takes_the_status_quo_and_crosses_a_red_line(river: Scenario) -> None:
    e = evaluate(compile_scenario(river), "commission-1")
    assert set(e.silent_issues) == {"fish_passage", "fund"}
    fish = next(s for s in e.package if s.issue == "fish_passage")
    assert (fish.option, fish.point) == ("none", None)
    crossing = e.party("DE").red_lines
    assert [(r.issue, r.option, r.point) for r in crossing] == [("fish_passage", "none", None)]
    assert not e.party("DE").acceptable


def test_red_line_named_with_its_point(river: Scenario) -> None:
    e = evaluate(compile_scenario(river), "upland-offer")
    lines = [(r.issue, r.option, r.point) for r in e.party("LO").red_lines]
    assert lines == [("water_share", "share_30", 1)]
    assert e.party("UP").utility == pytest.approx(
        1.0 * 0.7 / 2.5 + 1.0 / 2.5 + 0.2 / 2.5 + 0.5 / 2.5 + 0.1 / 2.5
    )


def test_ratification_blocked_while_the_fact_holds(river: Scenario) -> None:
    e = evaluate(compile_scenario(river), "upland-offer")
    (step,) = e.ratification
    assert (step.party, step.rule, step.status, step.triggered_by) == (
        "LO",
        "lo-parliament",
        "blocked",
        (1,),
    )


def test_ratification_open_when_the_draft_ends_the_blocking_fact(river: Scenario) -> None:
    data = river.model_dump(by_alias=True)
    offer = next(d for d in data["drafts"] if d["id"] == "upland-offer")
    offer["points"].append(
        {"number": 3, "text": "In force after the election.", "sets": {"timing": "after_election"}}
    )
    e = evaluate(compile_scenario(Scenario.model_validate(data)), "upland-offer")
    (step,) = e.ratification
    assert step.status == "open"
    assert "the draft ends" in step.reasons[0]


def test_diff_by_revises(river: Scenario) -> None:
    d = diff(compile_scenario(river), "commission-1", "commission-2")
    kinds = [(c.kind, c.a, c.b) for c in d.points]
    assert kinds == [
        ("changed", (2,), (2,)),
        ("changed", (3,), (3,)),
        ("changed", (4,), (5,)),
        ("added", (), (4,)),
    ]
    assert d.unchanged_points == 1
    moved = {(c.issue, c.a_option, c.b_option) for c in d.issues}
    assert moved == {
        ("dam_height", "dam_120", "dam_60"),
        ("fish_passage", "none", "ladder"),
        ("fund", "fund_0", "fund_100"),
        ("timing", "on_signature", "after_election"),
    }
    de = next(u for u in d.utilities if u.party == "DE")
    assert (de.a_acceptable, de.b_acceptable) == (False, True)


def test_shock_edits_and_keeps_provenance(river: Scenario) -> None:
    shocked = apply_shocks(river, ["drought"])
    lo = shocked.party("LO")
    assert lo.batna is not None and lo.batna.value == pytest.approx(0.15)
    assert lo.batna.note is not None and "shock drought: multiply 0.5" in lo.batna.note
    assert lo.batna.assumption is not None
    assert river.party("LO").batna.value == pytest.approx(0.3)  # the original is untouched
    assert compile_scenario(river, shocks=["drought"]).shocks == ("drought",)


def test_unknown_shock_and_party_are_clear_errors(river: Scenario) -> None:
    with pytest.raises(
        CompileError, match=r"unknown shock\(s\) 'flood' \(expected one of: delta_subsidy, drought"
    ):
        compile_scenario(river, shocks=["flood"])
    with pytest.raises(CompileError, match="unknown party 'XX'"):
        compile_scenario(river, parties=["XX"])
