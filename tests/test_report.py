"""The brief: every section, chart and source link is there; the HTML requests no network
address; Markdown and JSON carry the same record; the file is written atomically; bad input
exits 2 with one clear line."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.analysis import diff
from accord.cli import app
from accord.compile import compile_scenario
from accord.model import load_scenario
from accord.model.records import Scenario
from accord.report import Brief, ReportError, build, principal_pair, render, write_brief
from accord.report.charts import figure
from accord.report.html import bundle_manifest, plotly_js
from accord.report.record import Chart, Paragraph, Table
from accord.report.sections.drafts import issue_deltas
from accord.scenarios import resolve
from accord.workbench import UnknownId
from accord.workbench.bench import version_pairs

SECTIONS = [
    "parties",
    "timeline",
    "positions",
    "drafts",
    "versions",
    "agreement-space",
    "forecasts",
    "robustness",
    "simulation",
    "sources",
]
MINI = Path(__file__).parent / "data" / "base.yaml"
runner = CliRunner()


class Page(HTMLParser):
    """What a check of the page needs: every element's attributes, the text of each element with
    an id, and the script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[dict[str, str]] = []
        self.ids: dict[str, dict[str, str]] = {}
        self._script: list[str] | None = None
        self.script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if "id" in found:
            self.ids[found["id"]] = found
        if tag == "script":
            self.scripts.append(found)
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.script_text.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def attributes(self, name: str) -> list[str]:
        return [a[name] for _, a in self.elements if name in a]

    def with_class(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


@pytest.fixture(scope="module")
def briefs() -> dict[str, tuple[Scenario, Brief, str]]:
    out = {}
    for sid in ("ukraine-2025", "teaching-river"):
        scenario = resolve(sid)
        brief = build(scenario)
        out[sid] = (scenario, brief, render(brief, "html"))
    return out


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def figures(page: Page) -> dict[str, Any]:
    (blob,) = [
        text
        for attrs, text in zip(page.scripts, page.script_text, strict=True)
        if attrs.get("id") == "accord-figures"
    ]
    data: dict[str, Any] = json.loads(blob)
    return data


@pytest.mark.parametrize("sid", ["ukraine-2025", "teaching-river"])
def test_every_section_is_there_and_filled(
    briefs: dict[str, tuple[Scenario, Brief, str]], sid: str
) -> None:
    _, brief, html = briefs[sid]
    assert [s.id for s in brief.sections] == SECTIONS
    assert all(s.available for s in brief.sections)
    page = parse(html)
    for section in brief.sections:
        assert page.ids[section.id] is not None
        assert f'href="#{section.id}"' in html  # the table of contents
        for table in section.tables:
            assert f"table-{table.id}" in page.ids
            assert table.rows, table.id


@pytest.mark.parametrize(
    ("sid", "expected"),
    [
        (
            "ukraine-2025",
            [
                "timeline-chart",
                "positions-chart",
                "drafts-chart",
                "versions-chart",
                "frontier-chart",
                "forecast-chart-0",  # us_aid_withdrawn
                "forecast-chart-1",  # european_support_surge
                "robustness-chart",
                "simulation-chart",
            ],
        ),
        (
            "teaching-river",
            [
                "timeline-chart",
                "positions-chart",
                "drafts-chart",
                "versions-chart",
                "frontier-chart",
                "forecast-chart-0",
                "forecast-chart-1",
                "forecast-chart-2",
                "robustness-chart",
                "simulation-chart",
            ],
        ),
    ],
)
def test_every_chart_is_drawn_from_valid_figure_data_with_a_reading(
    briefs: dict[str, tuple[Scenario, Brief, str]], sid: str, expected: list[str]
) -> None:
    import plotly.graph_objects as go

    _, brief, html = briefs[sid]
    assert [c.id for c in brief.charts] == expected
    page = parse(html)
    assert [a["id"] for a in page.with_class("div", "plot")] == expected
    data = figures(page)
    assert list(data) == expected
    for chart in brief.charts:
        assert chart.reading.strip() and "\n" not in chart.reading
        fig = data[chart.id]
        assert fig["data"], chart.id
        go.Figure(fig)  # plotly's own validator: every trace and layout property exists
    assert len(page.with_class("figcaption", "reading")) == len(expected)


@pytest.mark.parametrize("sid", ["ukraine-2025", "teaching-river"])
def test_no_network_address_is_requested(
    briefs: dict[str, tuple[Scenario, Brief, str]], sid: str
) -> None:
    scenario, _, html = briefs[sid]
    page = parse(html)
    source_urls = {s.url for s in scenario.sources if s.url}
    assert not page.attributes("src"), "no element loads anything"
    assert not [t for t, _ in page.elements if t in ("link", "img", "iframe", "object", "embed")]
    external = [h for h in page.attributes("href") if not h.startswith("#")]
    assert all(h in source_urls for h in external), set(external) - source_urls
    for href in page.attributes("href"):
        if href.startswith("#"):
            assert href[1:] in page.ids, href
    css = html[html.index("<style>") : html.index("</style>")]
    assert "@import" not in css and not re.search(r"url\(", css)
    assert "@font-face" not in css
    # Plotly's bundle is inlined exactly once, from the vendored partial bundle
    assert html.count(plotly_js()[:200]) == 1


def test_every_source_is_listed_and_linked(
    briefs: dict[str, tuple[Scenario, Brief, str]],
) -> None:
    scenario, brief, html = briefs["ukraine-2025"]
    page = parse(html)
    hrefs = set(page.attributes("href"))
    for source in scenario.sources:
        assert f"src-{source.id}" in page.ids
        if source.url and source.url.startswith(("https://", "http://")):
            assert source.url in hrefs, source.id
        elif source.url:  # an address without a scheme is shown, not linked
            assert source.url in html and source.url not in hrefs
    # each event links to the sources that report it
    timeline = next(t for t in brief.section("timeline").tables if t.id == "timeline")
    events = sorted(scenario.events, key=lambda e: (e.date, e.id))
    assert len(timeline.rows) == len(events)
    for row, event in zip(timeline.rows, events, strict=True):
        assert [link.text for link in row[-1].links] == list(event.source or [])
    # every assumption is listed, with what depends on it
    assumptions = next(t for t in brief.section("sources").tables if t.id == "assumptions")
    assert len(assumptions.rows) >= 100
    army = [r for r in assumptions.rows if r[0].text == "issues.army_cap.scale"]
    assert army and "forecasts of army_cap" in army[0][3].text


def test_frontier_pair_rule_and_override() -> None:
    ukraine = resolve("ukraine-2025")
    compiled = compile_scenario(ukraine)
    assert principal_pair(ukraine, compiled) == ("UA", "RU")
    river = resolve("teaching-river")
    assert principal_pair(river, compile_scenario(river)) == ("UP", "LO")
    brief = build(river, pair=["LO", "DE"])
    (chart,) = [c for c in brief.charts if c.kind == "frontier"]
    assert chart.data["parties"] == ["LO", "DE"]
    assert brief.settings["pair"] == ["LO", "DE"]


def test_drafts_versions_and_who_gains(briefs: dict[str, tuple[Scenario, Brief, str]]) -> None:
    scenario, brief, _ = briefs["ukraine-2025"]
    assert version_pairs(scenario) == [
        ("us-28", "geneva-19", True),
        ("us-28", "e3-counter", True),
        ("geneva-19", "framework-20", True),
        ("us-28", "ru-memo-2025-06", False),
    ]
    compiled = compile_scenario(scenario)
    # what each issue move adds to a party adds up to the party's utility change
    for a, b, _ in version_pairs(scenario):
        d = diff(compiled, a, b)
        total = [0.0] * compiled.n_parties
        for ic in d.issues:
            for p, x in enumerate(issue_deltas(compiled, ic.issue, ic.a_option, ic.b_option)):
                total[p] += x
        assert total == pytest.approx([u.delta for u in d.utilities], abs=1e-9)
    versions = brief.section("versions")
    ids = [t.id for t in versions.tables]
    assert "diff-0-points" in ids and "diff-3-points" not in ids  # the Russian text is unlinked
    red = next(t for t in brief.section("drafts").tables if t.id == "red-lines")
    army = [r for r in red.rows if r[0].text == "us-28" and r[2].text == "army_cap"]
    assert [(r[1].text, r[4].text) for r in army] == [("UA", "P6")]


def test_simulation_replay_names_the_deadlock(
    briefs: dict[str, tuple[Scenario, Brief, str]],
) -> None:
    _, brief, _ = briefs["ukraine-2025"]
    sim = brief.section("simulation")
    (chart,) = sim.charts
    assert chart.reading.startswith("Deadlock after")
    blocking = next(t for t in sim.tables if t.id == "simulation-blocking")
    assert [r[0].text for r in blocking.rows] == ["RU"]
    _, river, _ = briefs["teaching-river"]
    assert river.section("simulation").charts[0].reading.startswith("Agreement after")
    assert not any(t.id == "simulation-blocking" for t in river.section("simulation").tables)


def test_start_draft_is_an_argument() -> None:
    river = resolve("teaching-river")
    brief = build(river, start="upland-offer")
    assert brief.settings["start"] == "upland-offer"
    assert "from upland-offer" in brief.section("simulation").charts[0].title


def test_neutral_wording_and_footer(briefs: dict[str, tuple[Scenario, Brief, str]]) -> None:
    for scenario, brief, html in briefs.values():
        assert scenario.as_of.isoformat() in brief.footer
        assert "model output" in brief.footer and "as reported by" in brief.footer
        assert "<footer>" in html and brief.footer in html.replace("&#39;", "'")
        ours = [c.reading for c in brief.charts] + [
            b.text for s in brief.sections for b in s.blocks if isinstance(b, Paragraph)
        ]
        for text in ours:
            if text.startswith("Shock "):
                continue  # the scenario's own rationale, quoted
            assert not re.search(r"\b(should|must|recommend\w*|best option)\b", text), text


def test_sections_the_engine_cannot_fill_say_so() -> None:
    river = resolve("teaching-river")
    bare = river.model_copy(update={"drafts": [], "events": [], "shocks": []})
    brief = build(bare)
    for sid in ("timeline", "drafts", "versions"):
        section = brief.section(sid)
        assert not section.available
        (notice,) = section.blocks
        assert isinstance(notice, Paragraph) and notice.notice
    assert "no events" in brief.section("timeline").blocks[0].text  # type: ignore[union-attr]
    assert "the status quo" in brief.section("simulation").charts[0].title
    assert any(
        isinstance(b, Paragraph) and b.notice and "no further shock" in b.text
        for b in brief.section("forecasts").blocks
    )
    html = render(brief, "html")
    assert "(not available)" in html


def test_confidential_positions_stay_out_unless_asked() -> None:
    river = resolve("teaching-river")
    hidden = build(river)
    matrix = next(t for t in hidden.section("positions").tables if t.id == "positions")
    cells = [c.text for row in matrix.rows for c in row]
    assert "confidential: not shown" in cells
    shown = build(river, show_confidential=True)
    matrix = next(t for t in shown.section("positions").tables if t.id == "positions")
    assert any("[confidential]" in c.text for row in matrix.rows for c in row)


def test_markdown_and_json_carry_the_same_record(
    briefs: dict[str, tuple[Scenario, Brief, str]],
) -> None:
    _, brief, _ = briefs["teaching-river"]
    md = render(brief, "md")
    for section in brief.sections:
        assert f"## {section.title}" in md
        for block in section.blocks:
            if isinstance(block, Chart):
                assert block.reading in md
            elif isinstance(block, Table):
                assert block.caption.split(":")[0] in md
    assert "http" not in md  # the invented scenario's only source has no address
    data = json.loads(render(brief, "json"))
    assert list(data) == [
        "scenario",
        "title",
        "as_of",
        "invented",
        "description",
        "settings",
        "bottom_line",
        "sections",
        "footer",
    ]
    assert data["bottom_line"] and all(line.strip() in md for line in data["bottom_line"])
    assert [s["id"] for s in data["sections"]] == SECTIONS
    for section in data["sections"]:
        assert list(section) == ["id", "title", "blocks", "available"]
        for block in section["blocks"]:
            assert block["type"] in {"paragraph", "table", "chart"}
            assert next(iter(block)) == "type"
    assert data == brief.to_dict()


def test_same_inputs_same_brief() -> None:
    river = resolve("teaching-river")
    assert render(build(river), "html") == render(build(river), "html")


def test_chart_figures_are_plain_json() -> None:
    brief = build(load_scenario(MINI))
    for chart in brief.charts:
        json.dumps(figure(chart), allow_nan=False)


@pytest.mark.parametrize("sid", ["ukraine-2025", "teaching-river"])
def test_brief_is_under_1_5_mb(briefs: dict[str, tuple[Scenario, Brief, str]], sid: str) -> None:
    _, _, html = briefs[sid]
    assert len(html.encode("utf-8")) < 1_500_000


def _trace_types_in_charts_source() -> set[str]:
    """Every trace type literal in charts.py (``"type": "x"`` in a trace, ``type="x"`` in
    ``go``-style calls), minus layout values (axis types, shape types)."""
    import accord.report.charts as charts_module

    text = Path(charts_module.__file__).read_text(encoding="utf-8")
    found = set(re.findall(r'"type":\s*"([a-z0-9]+)"', text))
    found |= set(re.findall(r'\btype="([a-z0-9]+)"', text))
    return found - {"line", "rect", "circle", "path", "date", "category", "linear", "log"}


def test_every_trace_type_used_is_in_the_bundle(
    briefs: dict[str, tuple[Scenario, Brief, str]],
) -> None:
    from plotly.offline import get_plotlyjs_version

    manifest = bundle_manifest()
    carried = set(manifest["traces"])
    used = {
        trace.get("type", "scatter")
        for _, _, html in briefs.values()
        for fig in figures(parse(html)).values()
        for trace in fig["data"]
    }
    assert used, "the briefs draw charts"
    wanted = used | _trace_types_in_charts_source()
    assert wanted <= carried, f"rebuild with tools/build_plotly_bundle.sh: {wanted - carried}"
    js = plotly_js()
    for trace in carried:
        assert f'moduleType:"trace",name:"{trace}"' in js, trace
    # the bundle and the validator used above describe the same plotly.js
    assert manifest["plotly.js"] == get_plotlyjs_version()
    assert js.startswith(f"/*! plotly.js v{manifest['plotly.js']} partial bundle")


def test_write_brief_is_atomic_and_picks_the_format(tmp_path: Path) -> None:
    mini = load_scenario(MINI)
    target = tmp_path / "brief.html"
    target.write_text("old")
    write_brief(target, mini)
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    write_brief(tmp_path / "brief.md", mini)
    write_brief(tmp_path / "brief.json", mini)
    assert json.loads((tmp_path / "brief.json").read_text())["scenario"] == "mini"
    assert (tmp_path / "brief.md").read_text().startswith("# Minimal scenario")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html", "brief.json", "brief.md"]
    # a failed write leaves the old file whole and no temporary file behind
    folder = tmp_path / "taken"
    folder.mkdir()
    with pytest.raises(OSError):
        write_brief(folder, mini)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "brief.html",
        "brief.json",
        "brief.md",
        "taken",
    ]
    assert not list(folder.iterdir())


def test_bad_choices_raise_report_errors() -> None:
    mini = load_scenario(MINI)
    with pytest.raises(ReportError, match="frontier pair"):
        build(mini, pair=["A", "A"])
    with pytest.raises(ReportError, match="unknown draft 'zz'"):
        build(mini, start="zz")
    with pytest.raises(ReportError, match="unknown forecast model"):
        build(mini, models=["oracle"])
    with pytest.raises(ReportError, match="unknown format"):
        render(build(mini), "pdf")
    with pytest.raises(UnknownId, match="unknown shock 'zz'"):
        build(mini, shocks=["zz"])


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_report_command_writes_each_format(tmp_path: Path) -> None:
    target = tmp_path / "river.html"
    code, output = cli("report", "teaching-river", "-o", str(target))
    assert code == 0, output
    assert f"wrote {target}" in output.replace("\n", "")
    assert "<!doctype html>" in target.read_text(encoding="utf-8")
    code, output = cli("report", "teaching-river", "--format", "md", "-o", "-")
    assert code == 0 and output.startswith("# The Veyra river accord")
    code, output = cli("report", str(MINI), "--format", "json", "-o", "-", "--shock", "s-up")
    assert code == 0
    assert json.loads(output)["settings"]["shocks"] == ["s-up"]
    code, output = cli("report", str(MINI), "--json")
    assert code == 0 and json.loads(output)["scenario"] == "mini"
    code, output = cli("report", str(MINI), "--json", "--format", "md")
    assert code == 2 and "--json and --format md disagree" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--pair", "UP,UP"), "the frontier pair must be two different parties"),
        (("--pair", "UP,ZZ"), "unknown party 'ZZ'"),
        (("--start", "zz"), "unknown draft 'zz'"),
        (("--format", "pdf"), "unknown format 'pdf'"),
        (("--shock", "zz"), "unknown shock 'zz'"),
        (("-o", "/nonexistent-folder/brief.html"), "cannot write /nonexistent-folder/brief.html"),
    ],
)
def test_report_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    code, output = cli("report", "teaching-river", *args)
    assert code == 2
    assert message in output
    assert len(output.strip().splitlines()) == 1


def test_report_bad_scenario_file_exits_2() -> None:
    code, output = cli("report", "tests/data/malformed/several_problems.yaml", "-o", "-")
    assert code == 2
    assert "several_problems.yaml:28 preferences.A.price.salience" in output
