"""The brief as one self-contained HTML page: the tables in the page, the charts drawn by
Plotly's JavaScript inlined once from the installed ``plotly`` package; no network address is
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


def plotly_js() -> str:
    """Plotly's JavaScript bundle, from the installed ``plotly`` package."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def render_html(brief: Brief) -> str:
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
