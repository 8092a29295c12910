"""The brief in a real browser: headless Chromium (Debian's ``chromium``, driven by Playwright)
opens the HTML file, every chart draws, nothing is logged as an error, nothing is fetched from a
network, and the ukraine-2025 brief renders in under 3 seconds.

Skips cleanly without the ``playwright`` package (the ``dev`` extra) or without a Chromium at
``$ACCORD_CHROMIUM`` (default ``/usr/bin/chromium``); Playwright's own browser download is never
used. The full-page screenshot is written under the test's ``tmp_path`` and, when
``$ACCORD_ARTIFACTS`` names a folder, copied there as ``brief-<scenario>.png`` (CI keeps it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.report import write_brief
from accord.scenarios import resolve
from tests.browser import ARGS, CHROMIUM, keep_artifact

sync_api = pytest.importorskip("playwright.sync_api")

RENDER_LIMIT_S = 3.0
DRAWN = """n => [...document.querySelectorAll('.plot')]
    .filter(d => d.classList.contains('js-plotly-plot') && d.querySelector('.main-svg'))
    .length >= n"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _artifact(shot: Path) -> None:
    keep_artifact(shot)


@pytest.mark.parametrize("sid", ["ukraine-2025", "teaching-river"])
def test_brief_draws_every_chart_offline_without_errors(
    browser: Any, tmp_path: Path, sid: str
) -> None:
    path = tmp_path / f"brief-{sid}.html"
    brief = write_brief(path, resolve(sid))
    charts = len(brief.charts)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            fetched.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(DRAWN, arg=charts, timeout=30_000)
    elapsed = time.perf_counter() - start
    assert page.locator(".js-plotly-plot .main-svg").count() >= charts
    assert not page.get_by_text("The charts need JavaScript").is_visible()
    assert page.locator(".js-plotly-plot .plot .trace, .js-plotly-plot .hm").count() > 0
    shot = tmp_path / f"brief-{sid}.png"
    page.screenshot(path=str(shot), full_page=True)
    _artifact(shot)
    page.close()
    assert not errors, errors
    assert not fetched, fetched
    assert shot.stat().st_size > 10_000
    if sid == "ukraine-2025":
        assert elapsed < RENDER_LIMIT_S, f"load and render took {elapsed:.2f} s"


def test_brief_reads_without_javascript_and_prints(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "brief.html"
    brief = write_brief(path, resolve("teaching-river"))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.as_uri())
    tables = sum(len(s.tables) for s in brief.sections)
    assert page.locator("table").count() == tables
    assert page.get_by_text("The charts need JavaScript").is_visible()
    assert page.locator(".js-plotly-plot").count() == 0
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    context.close()
