"""Hypothesis strategies shared by the property tests: random small, valid scenarios."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from accord.model import Scenario

_SHAPES = ["linear", "quadratic", "step"]


@st.composite
def scenario_data(
    draw: st.DrawFn, max_parties: int = 4, max_issues: int = 4, max_constraints: int = 0
) -> dict[str, Any]:
    """Plain data for a valid scenario: parties, issues, preferences with red lines, drafts, and
    up to ``max_constraints`` cross-issue constraints (``excludes``/``requires``)."""
    n_parties = draw(st.integers(1, max_parties))
    n_issues = draw(st.integers(1, max_issues))
    parties = [
        {
            "id": f"P{p}",
            "name": f"Party {p}",
            "roles": ["party"],
            "batna": draw(st.floats(0, 1, allow_nan=False)),
            "capability": draw(st.floats(0, 10, allow_nan=False)),
        }
        for p in range(n_parties)
    ]
    issues = []
    for i in range(n_issues):
        n_opts = draw(st.integers(2, 4))
        positions = draw(
            st.lists(st.integers(0, 100), min_size=n_opts, max_size=n_opts, unique=True)
        )
        issues.append(
            {
                "id": f"i{i}",
                "name": f"Issue {i}",
                "scale": {"min": 0, "max": 100},
                "options": [
                    {"id": f"i{i}o{k}", "label": f"Option {k}", "position": pos}
                    for k, pos in enumerate(positions)
                ],
                "status_quo": f"i{i}o{draw(st.integers(0, n_opts - 1))}",
            }
        )
    preferences: dict[str, Any] = {}
    for party in parties:
        table = {}
        for issue in issues:
            if not draw(st.booleans()) and table:
                continue
            options = [o["id"] for o in issue["options"]]
            pref: dict[str, Any] = {"salience": draw(st.floats(0.01, 1, allow_nan=False))}
            kind = draw(st.sampled_from(["ideal", "values", "both"]))
            ideal = draw(st.sampled_from(options))
            if kind in ("ideal", "both"):
                pref["ideal"] = ideal
                pref["shape"] = draw(st.sampled_from(_SHAPES))
            if kind in ("values", "both"):
                chosen = (
                    options
                    if kind == "values"
                    else draw(
                        st.lists(st.sampled_from(options), unique=True, max_size=len(options))
                    )
                )
                pref["values"] = {o: draw(st.floats(0, 1, allow_nan=False)) for o in chosen}
            refusable = [o for o in options if o != pref.get("ideal")]
            red = draw(st.lists(st.sampled_from(refusable), unique=True, max_size=2))
            if red:
                pref["red_lines"] = [{"option": o} for o in red]
            table[issue["id"]] = pref
        preferences[party["id"]] = table
    drafts = []
    for d in range(draw(st.integers(0, 3))):
        chosen = draw(st.lists(st.sampled_from(issues), unique_by=lambda x: x["id"]))
        points = []
        for n, issue in enumerate(chosen, start=1):
            option = draw(st.sampled_from([o["id"] for o in issue["options"]]))
            points.append({"number": n, "text": f"Point {n}.", "sets": {issue["id"]: option}})
        drafts.append({"id": f"d{d}", "title": f"Draft {d}", "points": points})
    constraints = []
    if n_issues >= 2:
        for c in range(draw(st.integers(0, max_constraints))):
            a, b = draw(
                st.lists(
                    st.sampled_from(issues), min_size=2, max_size=2, unique_by=lambda x: x["id"]
                )
            )
            sides = []
            for issue in (a, b):
                ids = [o["id"] for o in issue["options"]]
                sides.append(
                    {
                        "issue": issue["id"],
                        "options": draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)),
                    }
                )
            constraints.append(
                {
                    "id": f"c{c}",
                    "kind": draw(st.sampled_from(["excludes", "requires"])),
                    "when": sides[0],
                    "then": sides[1],
                    "assumption": "random",
                }
            )
    return {
        "id": "random",
        "title": "Random scenario",
        "as_of": "2025-01-01",
        "parties": parties,
        "issues": issues,
        "preferences": preferences,
        "drafts": drafts,
        "constraints": constraints,
    }


def scenarios(
    max_parties: int = 4, max_issues: int = 4, max_constraints: int = 0
) -> st.SearchStrategy[Scenario]:
    """Random valid scenarios (see :func:`scenario_data`)."""
    return scenario_data(max_parties, max_issues, max_constraints).map(Scenario.model_validate)


@st.composite
def permuted(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario with parties, issues and each issue's options listed in another order
    (a drawn permutation)."""
    out = dict(data)
    out["parties"] = draw(st.permutations(data["parties"]))
    issues = []
    for issue in draw(st.permutations(data["issues"])):
        issues.append({**issue, "options": draw(st.permutations(issue["options"]))})
    out["issues"] = issues
    return out
