"""``as_of`` on the analysis routes: the negotiation as it stood that day, the same as
``Workbench(..., as_of=day)`` on the owner's view, and a clear 422 for a date that is not one."""

from __future__ import annotations

import datetime as dt
import json

from accord.scenarios import load_embedded
from accord.workbench import Workbench
from tests.service.conftest import Client, Team, app_for


def _drafts(client: Client, path: str) -> list[str]:
    r = client.get(path)
    assert r.status_code == 200, r.text
    return sorted(e["draft"] for e in r.json()["evaluations"])


def test_as_of_limits_the_drafts_to_those_known_that_day(river: Team) -> None:
    client = Client(app_for(river), "admin")
    base = f"/api/scenarios/{river.scenario}"
    every = _drafts(client, f"{base}/evaluate")
    early = _drafts(client, f"{base}/evaluate?as_of=2024-03-15")
    assert "commission-2" in every and "commission-2" not in early
    reference = Workbench(load_embedded("teaching-river"), as_of=dt.date(2024, 3, 15))
    assert early == sorted(e.draft for e in reference.evaluate_all())
    record = client.get(f"{base}/analysis?as_of=2024-03-15")
    assert record.status_code == 200, record.text
    assert record.json()["analysis"] == json.loads(json.dumps(reference.analyze().to_dict()))


def test_a_bad_as_of_is_a_clear_422(river: Team) -> None:
    client = Client(app_for(river), "admin")
    r = client.get(f"/api/scenarios/{river.scenario}/evaluate?as_of=2024-13-40")
    assert r.status_code == 422
    assert "as_of" in r.text
