"""Confidentiality by non-interference: what a delegate (or an observer) gets from every endpoint
is the same whatever the other side's confidential preferences and BATNA are. Two services are
loaded with ukraine-2025 (UA's and RU's preferences confidential) that differ only in Russia's
(or Ukraine's) confidential numbers; every response to Ukraine's (Russia's) delegate must be
equal, byte for byte after JSON parsing, headers' ETags included, except the one bit the issue
allows: whether a draft is acceptable to every party."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest

from accord.service import db
from tests.service.conftest import Client, app_for, make_team, ukraine_document

SID = "ukraine-2025"
S = f"/api/scenarios/{SID}"
ALLOWED = "acceptable_to_all"


def perturbed(document: dict[str, Any], party: str) -> dict[str, Any]:
    """``party``'s confidential numbers changed: every salience, ideal and red line, and its
    BATNA."""
    out = copy.deepcopy(document)
    options = {i["id"]: [o["id"] for o in i["options"]] for i in out["issues"]}
    for issue, pref in out["preferences"][party].items():
        salience = pref["salience"]
        value = salience["value"] if isinstance(salience, dict) else salience
        new = round(1.0 - 0.8 * float(value), 3)
        pref["salience"] = {**salience, "value": new} if isinstance(salience, dict) else new
        if "values" not in pref:
            pref["ideal"] = (
                options[issue][0] if pref.get("ideal") != options[issue][0] else options[issue][-1]
            )
        pref.pop("red_lines", None)
    for record in out["parties"]:
        if record["id"] == party:
            batna = record["batna"]
            record["batna"] = {**batna, "value": 0.123} if isinstance(batna, dict) else 0.123
    return out


def strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k != ALLOWED}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def calls(other: str, own: str) -> list[tuple[str, str, Any]]:
    """Every read, analysis and refused write a delegate can try, aimed at ``other``."""
    reads = [
        S,
        f"{S}/meta",
        f"{S}/parties",
        f"{S}/parties/{other}",
        f"{S}/issues",
        f"{S}/drafts",
        f"{S}/drafts/us-28/points/6",
        f"{S}/shocks",
        f"{S}/events",
        f"{S}/sources",
        f"{S}/preferences",
        f"{S}/preferences/{other}/army_cap",
        f"{S}/preferences/{other}/no-such-issue",
        f"{S}/preferences/{own}/army_cap",
        f"{S}/members",
        f"{S}/audit",
        f"{S}/evaluate",
        f"{S}/evaluate?shock=us_aid_withdrawn",
        f"{S}/evaluate?draft=us-28&shock=european_support_surge",
        f"{S}/diff?a=us-28&b=framework-20",
        f"{S}/frontier?cap=20",
        f"{S}/frontier?parties={own},{other}",
        f"{S}/frontier?parties={other}",
        f"{S}/bargain",
        f"{S}/bargain?parties={other},{own}&solution=nash",
        f"{S}/relax?max_size=2",
        f"{S}/analysis",
        f"{S}/bridge?draft=us-28",
        f"{S}/bridge?draft=ru-memo-2025-06&shock=us_aid_withdrawn",
        f"{S}/forecast?runs=4",
        f"{S}/forecast?runs=4&shock=us_aid_withdrawn",
        f"{S}/simulate?deadline=6",
        f"{S}/simulate?deadline=6&policy=nash&from=framework-20",
        f"{S}/simulate?protocol=alternating&deadline=10&strategy=conceder",
        f"{S}/simulate?protocol=alternating&deadline=10&strategy={other}=boulware",
    ]
    out: list[tuple[str, str, Any]] = [("GET", path, None) for path in reads]
    out += [
        ("PUT", f"{S}/preferences/{other}/army_cap", {"salience": 0.5}),
        ("DELETE", f"{S}/preferences/{other}/army_cap", None),
        ("PUT", f"{S}/parties/{other}", {"id": other, "name": "x", "roles": ["party"]}),
        ("PUT", f"{S}/preferences/{own}/army_cap", {"salience": "high"}),
    ]
    return out


def observe(client: Client, other: str, own: str) -> list[Any]:
    seen = []
    for method, path, body in calls(other, own):
        headers = {"If-Match": '"0"'} if method in ("PUT", "DELETE") else {}
        r = client.request(method, path, json=body, headers=headers)
        seen.append((method, path, r.status_code, r.headers.get("etag"), strip(r.json())))
    # a background job's result, too
    job = client.request(
        "POST",
        f"{S}/jobs",
        json={
            "kind": "tournament",
            "params": {"seeds": 2, "deadline": 8, "strategies": ["conceder"]},
        },
    )
    assert job.status_code == 202, job.text
    for _ in range(600):
        state = client.get(f"/api/jobs/{job.json()['id']}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state
    seen.append(("JOB", "tournament", strip(state["result"])))
    return seen


@pytest.mark.parametrize(
    ("viewer", "own", "other"), [("ua", "UA", "RU"), ("ru", "RU", "UA"), ("observer", None, "RU")]
)
def test_nothing_depends_on_the_other_sides_confidential_numbers(
    viewer: str, own: str | None, other: str, tmp_path: Path
) -> None:
    base = ukraine_document()
    seen = []
    for n, document in enumerate((base, perturbed(base, other))):
        url = f"sqlite:///{tmp_path / f'{n}.db'}"
        db.upgrade(url)
        team = make_team(url, document, {"ua": "UA", "ru": "RU"})
        seen.append(observe(Client(app_for(team), viewer), other, own or "UA"))
    for a, b in zip(*seen, strict=True):
        assert a == b, a[:2]
    # the comparison is not empty: the delegate does see its own side's numbers
    statuses = {(m, p): s for m, p, s, *_ in seen[0] if m != "JOB"}
    assert statuses[("GET", f"{S}/preferences/{other}/army_cap")] == 404
    assert statuses[("GET", f"{S}/frontier?parties={(own or 'UA')},{other}")] in (400, 404)
    if own:
        assert statuses[("GET", f"{S}/preferences/{own}/army_cap")] == 200


def test_the_two_documents_really_differ_for_the_mediator(tmp_path: Path) -> None:
    """The check above would pass vacuously if the perturbation changed nothing: the mediator,
    who sees everything, must see different numbers."""
    base = ukraine_document()
    got = []
    for n, document in enumerate((base, perturbed(base, "RU"))):
        url = f"sqlite:///{tmp_path / f'{n}.db'}"
        db.upgrade(url)
        team = make_team(url, document, {"ua": "UA", "ru": "RU"})
        got.append(Client(app_for(team), "mediator").get(f"{S}/evaluate").json())
    assert got[0] != got[1]
