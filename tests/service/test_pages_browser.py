"""End to end in headless Chromium (Debian's, driven by Playwright; its own download is never
used): the mediator signs in, opens ukraine-2025, changes a point of a draft and sees the
evaluation change; Ukraine's delegate signs in and sees only what the role may see. No page
logs an error, and nothing is requested from another origin. Screenshots go to the test's
folder and, when $ACCORD_ARTIFACTS is set, there too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.service import db
from tests.browser import ARGS, CHROMIUM, keep_artifact
from tests.service.conftest import PASSWORD, make_team, ukraine_document
from tests.service.server import Server

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
DRAFT = "/s/ukraine-2025/drafts/us-28"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    db.upgrade(url)
    make_team(url, ukraine_document(), {"ua": "UA", "ru": "RU"})
    live = Server(url, tmp_path).start()
    try:
        yield live
    finally:
        live.stop()


def shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"service-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep_artifact(path)


def sign_in(page: Any, base: str, name: str, then: str) -> None:
    page.goto(base + then)
    assert "/login" in page.url  # sent to sign in first
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + then)


def test_mediator_edits_a_point_and_a_delegate_sees_only_its_share(
    server: Server, tmp_path: Path
) -> None:
    errors: list[str] = []
    foreign: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: foreign.append(r.url) if not r.url.startswith(server.base) else None,
            )

            # the mediator: overview, then the draft editor
            sign_in(page, server.base, "mediator", "/s/ukraine-2025")
            assert page.locator("#matrix tbody tr").count() == 23
            assert page.locator("#matrix thead th").all_inner_texts()[1:] == [
                "UA",
                "RU",
                "US",
                "EU",
            ]
            shot(page, tmp_path, "mediator-overview")
            page.goto(server.base + DRAFT)
            page.wait_for_selector("#evaluation-table")
            ua = page.locator("#evaluation-table td[data-party=UA]")
            before = ua.inner_text()
            point = page.locator("section.point[data-number='6']")
            point.locator("select[data-issue=army_cap]").select_option("no_cap")
            point.locator("textarea").fill("No ceiling on Ukraine's armed forces.")
            point.locator("button.save").click()
            page.wait_for_selector("#status .ok")
            page.wait_for_function(
                "before => document.querySelector('#evaluation-table td[data-party=UA]')"
                ".innerText !== before",
                arg=before,
            )
            after = ua.inner_text()
            assert float(after.split()[0]) > float(before.split()[0])  # no cap: Ukraine gains
            # the point now also sets an issue the plan was silent on: US aid halted, which
            # Ukraine likes less than the status quo (no restriction)
            point.locator("select.add-issue").select_option("arms_mobilisation")
            point.locator("select[data-issue=arms_mobilisation]").select_option("halt_us_aid")
            point.locator("button.save").click()
            page.wait_for_function(
                "before => document.querySelector('#evaluation-table td[data-party=UA]')"
                ".innerText !== before",
                arg=after,
            )
            assert float(ua.inner_text().split()[0]) < float(after.split()[0])
            # and a new point, added from the form
            page.fill("#new-point textarea", "A point added in the editor.")
            page.click("#new-point button[type=submit]")
            page.wait_for_selector("section.point[data-number='29']")
            assert "A point added in the editor." in page.content()
            shot(page, tmp_path, "mediator-draft-edited")
            page.goto(server.base + "/s/ukraine-2025/space")
            page.wait_for_selector("#space-chart .main-svg")
            page.goto(server.base + "/s/ukraine-2025/audit")
            assert "drafts/us-28/points/6" in page.locator("#audit").inner_text()
            page.click("form.who button")
            page.wait_for_url(server.base + "/login")

            # Ukraine's delegate: its own side and the public parties, read only
            sign_in(page, server.base, "ua", DRAFT)
            page.wait_for_selector("#evaluation-table")
            heads = page.locator("#evaluation-table thead th").all_inner_texts()
            assert heads == ["draft", "UA", "US", "EU", "acceptable to all"]
            assert "RU" in page.locator("#hidden-note").inner_text()
            assert (
                page.locator("textarea").count() == 0 and page.locator("button.save").count() == 0
            )
            assert "No ceiling on Ukraine's armed forces." in page.content()
            assert page.locator("a[href$='/audit']").count() == 0
            shot(page, tmp_path, "delegate-draft")
            page.goto(server.base + "/s/ukraine-2025")
            assert page.locator("#matrix thead th").all_inner_texts()[1:] == ["UA", "US", "EU"]
            response = page.goto(server.base + "/s/ukraine-2025/audit")
            assert response is not None and response.status == 403
            shot(page, tmp_path, "delegate-audit-refused")
        finally:
            browser.close()
    # the refused audit page answers 403, which the browser logs; nothing else may
    unexpected = [e for e in errors if "403" not in e]
    assert unexpected == []
    assert foreign == []


def test_space_and_forecast_draw_each_quantity_on_its_own_terms(
    server: Server, tmp_path: Path
) -> None:
    """The agreement space draws the two-party frontier of the pair it names (the viewer's first
    two visible parties by default) and says so; the forecasts draw one chart per issue on that
    issue's own scale (a troop ceiling never shares the 0-100 axis of an ordinal issue); the
    pages run no inline script."""
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            ranges = (
                "() => { const l = document.getElementById('forecast-chart').layout;"
                " return Object.keys(l).filter((k) => k.startsWith('xaxis'))"
                ".map((k) => [l[k].title.text, l[k].range]); }"
            )
            for name, pair in (("mediator", "UA,RU"), ("ua", "UA,US")):
                sign_in(page, server.base, name, "/s/ukraine-2025/space")
                assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
                assert page.input_value("#space-form input[name=parties]") == pair
                page.wait_for_selector("#space-chart .main-svg")
                reading = page.locator("#space-reading").inner_text()
                a, b = pair.split(",")
                assert f"Pareto frontier of {a} and {b} taken alone" in reading
                assert "other parties are not counted" in reading
                page.fill("#space-form input[name=parties]", "UA")
                page.click("#space-form button[type=submit]")
                page.wait_for_function(
                    "() => document.getElementById('space-reading').innerText"
                    ".includes('exactly two parties')"
                )
                page.goto(server.base + "/s/ukraine-2025/forecast")
                page.wait_for_selector("#forecast-chart .main-svg")
                listed = page.evaluate(ranges)
                rows = page.locator("#forecast-table tbody tr td:first-child").all_inner_texts()
                assert len(listed) == len(set(rows)) > 20  # one small multiple per issue
                basis = page.locator("#forecast-basis").inner_text()
                assert "calibrated on DEU III dev" in basis and "not a probability" in basis
                heads = page.locator("#forecast-table thead th").all_inner_texts()
                assert "90% interval" in heads and "calibrated median" in heads
                axes = dict((t, r) for t, r in listed)
                army = next(r for t, r in axes.items() if t.startswith("Peacetime ceiling"))
                assert army == [0, 1_000_000]
                sequencing = next(r for t, r in axes.items() if t.startswith("Sequencing"))
                assert sequencing == [0, 100]
                shot(page, tmp_path, f"{name}-forecast")
                page.click("form.who button")
                page.wait_for_url(server.base + "/login")
        finally:
            browser.close()
    assert errors == []
