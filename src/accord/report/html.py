"""The brief as one self-contained HTML page: the tables in the page, the charts drawn by
Plotly's JavaScript inlined once from the partial bundle vendored in ``accord/report/static``
(only the trace types the brief draws, see ``TRACE_TYPES``; rebuilt by
``tools/build_plotly_bundle.sh``); no network address is
requested (no CDN, no external font or image). Readable without JavaScript: the tables carry
the numbers; the charts add the picture."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from accord import __version__
from accord.report.charts import CONFIG, figure
from accord.report.record import Brief


def _script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` left raw)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _static(name: str) -> str:
    return resources.files("accord.report").joinpath("static", name).read_text(encoding="utf-8")


def bundle_manifest() -> dict[str, Any]:
    """The vendored Plotly bundle's version and the trace types it carries."""
    data: dict[str, Any] = json.loads(_static("plotly-accord.json"))
    return data


def plotly_js() -> str:
    """The vendored partial Plotly.js bundle (see ``bundle_manifest``)."""
    return _static("plotly-accord.min.js")


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (Plotly inlined)."""
    templates = resources.files("accord.report").joinpath("templates")
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    template = env.from_string(templates.joinpath("brief.html.j2").read_text(encoding="utf-8"))
    css = templates.joinpath("brief.css").read_text(encoding="utf-8")
    figures = {chart.id: figure(chart) for chart in brief.charts}
    heights = {cid: int(f["layout"].get("height", 400)) for cid, f in figures.items()}
    return template.render(
        brief=brief.to_dict(),
        version=__version__,
        css=Markup(css),
        heights=heights,
        figures_json=Markup(_script_json(figures)) if figures else "",
        config_json=Markup(_script_json(CONFIG)),
        plotly_js=Markup(plotly_js()) if figures else "",
    )
