"""The Content Security Policy in a real browser (Debian's Chromium through Playwright; its own
download is never used), on a hostile scenario whose names, point text, option labels, source
titles and URLs are script injections:

* every page works under the strict policy (``script-src 'self'``: no inline script, no eval):
  the draft editor evaluates, the charts draw, and the browser reports no violation;
* the brief, one self-contained page with Plotly inline, works under its own policy, which
  allows exactly its inline scripts by hash (and breaks under the pages' policy, so the check
  can fail);
* no scenario text ever runs: no dialog opens, the text shows as text, and no ``javascript:``
  URL becomes a link.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.model.load import to_data
from accord.service import csp, db
from accord.service.csp import inline_script_hashes
from tests.browser import ARGS, CHROMIUM, keep_artifact
from tests.service.conftest import PASSWORD, make_team, river_document
from tests.service.server import Server

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
SID = "teaching-river"

# each injection opens a dialog naming where it came from, if it ever runs
HOSTILE = {
    "title": "River </title><script>alert('title')</script>",
    "party": "Upland<script>alert('party')</script>",
    "party2": "<img src=x onerror=alert('party-img')>",
    "issue": "Share\"><svg onload=alert('issue')>",
    "option": "<b onmouseover=alert('option')>half</b>",
    "draft": "Text ${alert('draft')} {{7*7}}",
    "point": "</textarea><script>alert('point')</script><a href=javascript:alert('a')>x</a>",
    "source": "<iframe src=javascript:alert('source')></iframe>",
    "url": "javascript:alert('url')",
    "event": "Talks<script>alert('event')</script>",
}
# any element the injections would make, had they been parsed as markup
INJECTED = (
    "a[href^='javascript:' i], iframe, img[src=x], [onerror], [onload], [onmouseover],"
    " script:not([src]):not([type='application/json']):has-text('alert')"
)
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + e.sample);
});
"""


def hostile_document() -> dict[str, Any]:
    doc = river_document()
    doc["title"] = HOSTILE["title"]
    parties = {p["id"]: p for p in doc["parties"]}
    parties["UP"]["name"] = HOSTILE["party"]
    parties["DE"]["name"] = HOSTILE["party2"]
    issue = next(i for i in doc["issues"] if i["id"] == "water_share")
    issue["name"] = HOSTILE["issue"]
    issue["options"][0]["label"] = HOSTILE["option"]
    draft = doc["drafts"][0]
    draft["title"] = HOSTILE["draft"]
    draft["points"][0]["text"] = HOSTILE["point"]
    doc["sources"][0]["title"] = HOSTILE["source"]
    doc["sources"][0]["url"] = HOSTILE["url"]
    doc["sources"][0].pop("no_url", None)
    for event in doc.get("events", []):
        event["title"] = HOSTILE["event"]
        event["source"] = doc["sources"][0]["id"]
    return doc


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    db.upgrade(url)
    make_team(url, hostile_document(), {"up": "UP", "lo": "LO"})
    live = Server(url, tmp_path).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page that records dialogs, CSP violations and console errors."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.console.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__violations || []"))


def test_pages_work_under_the_strict_policy_and_scenario_text_never_runs(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    w = Watched(browser)
    page = w.page
    page.goto(server.base + f"/s/{SID}")
    page.fill("input[name=name]", "mediator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.base + f"/s/{SID}")
    response = page.goto(server.base + f"/s/{SID}")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline' 'unsafe-eval" not in policy
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    seen: dict[str, str] = {}
    for tab in (
        "",
        "/compare",
        "/space",
        "/forecast",
        "/timeline",
        "/audit",
        "/drafts/commission-1",
    ):
        page.goto(server.base + f"/s/{SID}{tab}")
        page.wait_for_load_state("networkidle")
        if tab == "/space":
            page.wait_for_selector("#space-chart .main-svg")
        if tab == "/forecast":
            page.wait_for_selector("#forecast-chart .main-svg")
        if tab == "/drafts/commission-1":
            page.wait_for_selector("#evaluation-table")  # app.js ran and fetched the evaluation
        assert page.locator(INJECTED).count() == 0, tab
        seen[tab] = page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / f"csp{tab.replace('/', '-') or '-overview'}.png"))
    keep_artifact(tmp_path / "csp-overview.png")
    # the text shows as text
    assert HOSTILE["party"] in seen[""]
    assert HOSTILE["point"] in page.locator("textarea").first.input_value()
    assert HOSTILE["event"] in seen["/timeline"]
    assert w.dialogs == []
    assert w.violations() == []
    assert [m for m in w.console if "Content Security Policy" in m] == []


def _brief_html(tmp_path: Path) -> tuple[str, int]:
    from accord.model import Scenario
    from accord.model.load import validate
    from accord.model.parse import Parsed
    from accord.report import write_brief

    scenario: Scenario = validate(Parsed(hostile_document()), name="hostile")
    path = tmp_path / "brief.html"
    brief = write_brief(path, scenario)
    assert to_data(scenario)["title"] == HOSTILE["title"]
    return path.read_text(encoding="utf-8"), len(brief.charts)


def _open(browser: Any, html: str, policy: str) -> Watched:
    w = Watched(browser)
    w.page.route(
        "http://brief.test/",
        lambda route: route.fulfill(
            status=200,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
        ),
    )
    w.page.goto("http://brief.test/")
    w.page.wait_for_load_state("load")
    return w


def test_the_brief_works_under_its_own_policy_and_scenario_text_never_runs(
    browser: Any, tmp_path: Path
) -> None:
    html, charts = _brief_html(tmp_path)
    assert charts > 0
    response = csp.document_response(html)
    policy = response.headers["content-security-policy"]
    hashes = inline_script_hashes(html)
    assert len(hashes) >= 2 and all(h in policy for h in hashes)
    assert "'unsafe-eval'" not in policy and "script-src 'self'" not in policy
    w = _open(browser, html, policy)
    w.page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=charts
    )
    assert w.page.locator(INJECTED).count() == 0
    assert HOSTILE["party"] in w.page.locator("body").inner_text()
    w.page.screenshot(path=str(tmp_path / "csp-brief.png"), full_page=False)
    keep_artifact(tmp_path / "csp-brief.png")
    assert w.dialogs == []
    assert w.violations() == []
    assert [m for m in w.console if "Content Security Policy" in m] == []
    # the same brief under the pages' policy: its inline scripts are refused (so the hashes are
    # what lets it work, and the listener above does hear violations)
    strict = _open(browser, html, csp.PAGES)
    strict.page.wait_for_timeout(300)
    assert strict.violations() != []
    assert strict.page.locator(".js-plotly-plot .main-svg").count() == 0
