"""Chart data -> Plotly figures, as plain dicts (``{"data": [...], "layout": {...}}``) that
Plotly's own JavaScript draws; no Python-side plotting library is needed to build them.

The data each :class:`~accord.report.record.Chart` kind carries:

``timeline``  ``events``: [{date, end, kind, title, participants}]
``heatmap``   ``x`` (columns), ``y`` (rows), ``z`` (rows x columns, None for empty), ``text``,
              ``hover``, ``zlabel``
``bars``      ``categories``, ``series``: [{name, values}], ``x_title``, ``y_title``, ``range``?
``frontier``  ``parties`` [a, b], ``frontier`` {x, y}, ``acceptable`` {x, y}, ``drafts``:
              [{id, x, y, acceptable}], ``solutions``: [{name, x, y}], ``batna`` [a, b]
``boxes``     ``series``: [{name, issues, quantiles: [{q05, q25, q50, q75, q95} | None]}],
              ``x_title``
``lines``     ``x``, ``series``: [{name, values}], ``references``: [{name, value}], ``x_title``,
              ``y_title``
``shares``    ``bars``: [{label, share, group, hover}] (a share in [0, 1], one colour per group),
              ``x_title``
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from accord.report.record import Chart

Figure = dict[str, Any]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""Okabe and Ito's colour-blind-safe palette; series keep their order across charts, so a party
has the same colour in every chart of a brief."""

SYMBOLS = ("diamond", "star", "triangle-up", "cross", "x", "pentagon")

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def colour(k: int) -> str:
    """The k-th colour of the palette (cycling)."""
    return PALETTE[k % len(PALETTE)]


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


def _axis(title: str | None = None, **extra: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {"gridcolor": "#e5e5e5", "zerolinecolor": "#999", "automargin": True}
    if title:
        axis["title"] = {"text": title}
    axis.update(extra)
    return axis


def _timeline(d: Mapping[str, Any]) -> Figure:
    events = d["events"]
    kinds = list(dict.fromkeys(e["kind"] for e in events))
    data: list[dict[str, Any]] = []
    for k, kind in enumerate(kinds):
        mine = [e for e in events if e["kind"] == kind]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": kind.replace("_", " "),
                "x": [e["date"] for e in mine],
                "y": [kind.replace("_", " ")] * len(mine),
                "hovertext": [
                    f"{e['date']}{' to ' + e['end'] if e['end'] else ''}: {e['title']}"
                    + (f" ({', '.join(e['participants'])})" if e["participants"] else "")
                    for e in mine
                ],
                "hoverinfo": "text",
                "marker": {"size": 11, "color": colour(k), "line": {"width": 1, "color": "#fff"}},
            }
        )
        for e in mine:
            if e["end"]:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": [e["date"], e["end"]],
                        "y": [kind.replace("_", " ")] * 2,
                        "line": {"color": colour(k), "width": 4},
                        "opacity": 0.5,
                        "hoverinfo": "skip",
                        "showlegend": False,
                    }
                )
    return {
        "data": data,
        "layout": _layout(
            120 + 36 * len(kinds),
            xaxis=_axis("date", type="date"),
            yaxis=_axis(),
            showlegend=False,
        ),
    }


def _heatmap(d: Mapping[str, Any]) -> Figure:
    return {
        "data": [
            {
                "type": "heatmap",
                "x": d["x"],
                "y": d["y"],
                "z": d["z"],
                "text": d["text"],
                "texttemplate": "%{text}",
                "textfont": {"size": 10},
                "hovertext": d["hover"],
                "hovertemplate": "%{y}<br>%{hovertext}<extra></extra>",
                "colorscale": [[0, "#f2f6fb"], [0.5, "#8db4dc"], [1, "#134a86"]],
                "zmin": 0,
                "zmax": 1,
                "xgap": 2,
                "ygap": 2,
                "colorbar": {"title": {"text": d["zlabel"]}, "thickness": 12},
            }
        ],
        "layout": _layout(
            90 + 26 * len(d["y"]),
            xaxis=_axis(side="top", gridcolor="rgba(0,0,0,0)"),
            yaxis=_axis(autorange="reversed", gridcolor="rgba(0,0,0,0)"),
            margin={"l": 60, "r": 20, "t": 40, "b": 20},
        ),
    }


def _bars(d: Mapping[str, Any]) -> Figure:
    yaxis = _axis(d.get("y_title"), zeroline=True, zerolinewidth=2)
    if d.get("range"):
        yaxis["range"] = list(d["range"])
    return {
        "data": [
            {
                "type": "bar",
                "name": s["name"],
                "x": d["categories"],
                "y": s["values"],
                "marker": {"color": colour(k)},
                "hovertemplate": f"{s['name']}: %{{y:.3f}}<extra>%{{x}}</extra>",
            }
            for k, s in enumerate(d["series"])
        ],
        "layout": _layout(380, barmode="group", xaxis=_axis(d.get("x_title")), yaxis=yaxis),
    }


def _frontier(d: Mapping[str, Any]) -> Figure:
    a, b = d["parties"]
    order = sorted(range(len(d["frontier"]["x"])), key=lambda k: d["frontier"]["x"][k])
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "frontier",
            "x": [d["frontier"]["x"][k] for k in order],
            "y": [d["frontier"]["y"][k] for k in order],
            "line": {"color": "#777", "width": 1.5},
            "marker": {"size": 4, "color": "#777"},
            "hovertemplate": f"{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra>frontier</extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "frontier, acceptable to both",
            "x": d["acceptable"]["x"],
            "y": d["acceptable"]["y"],
            "marker": {"size": 7, "color": "rgba(0,158,115,0.55)"},
            "hovertemplate": f"{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra>acceptable to both</extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": "drafts",
            "x": [p["x"] for p in d["drafts"]],
            "y": [p["y"] for p in d["drafts"]],
            "text": [p["id"] for p in d["drafts"]],
            "textposition": "top center",
            "marker": {"size": 11, "symbol": "square", "color": PALETTE[0]},
            "hovertemplate": "%{text}: " + f"{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra>draft</extra>",
        },
    ]
    for k, p in enumerate(d["solutions"]):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{p['name']} solution (all parties)",
                "x": [p["x"]],
                "y": [p["y"]],
                "marker": {
                    "size": 13,
                    "symbol": SYMBOLS[k % len(SYMBOLS)],
                    "color": PALETTE[1],
                    "line": {"width": 1, "color": "#fff"},
                },
                "hovertemplate": f"{p['name']}: {a} %{{x:.3f}}, {b} %{{y:.3f}}<extra></extra>",
            }
        )
    batna_a, batna_b = d["batna"]
    shapes = [
        {"type": "line", "x0": batna_a, "x1": batna_a, "y0": 0, "y1": 1, "yref": "y",
         "line": {"dash": "dot", "color": "#999"}},
        {"type": "line", "y0": batna_b, "y1": batna_b, "x0": 0, "x1": 1, "xref": "x",
         "line": {"dash": "dot", "color": "#999"}},
    ]  # fmt: skip
    return {
        "data": data,
        "layout": _layout(
            520,
            xaxis=_axis(f"utility of {a}", range=[0, 1.02]),
            yaxis=_axis(f"utility of {b}", range=[0, 1.02]),
            shapes=shapes,
        ),
    }


def _boxes(d: Mapping[str, Any]) -> Figure:
    """Per issue, the median of the runs as a marker, the central 50% (25-75%) as a thick bar
    and the central 90% (5-95%) as a thin whisker (scatter traces with error bars, so the
    bundle needs no box trace); where no series has any spread (every run equal), the marker
    alone."""
    series = [
        (s["name"], [(i, q) for i, q in zip(s["issues"], s["quantiles"], strict=True) if q])
        for s in d["series"]
    ]
    fixed = all(q["q05"] == q["q95"] for _, shown in series for _, q in shown)
    data: list[dict[str, Any]] = []
    for k, (name, shown) in enumerate(series):
        y = [i for i, _ in shown]
        median = [q["q50"] for _, q in shown]
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "y": y,
            "x": median,
            "offsetgroup": str(k),
            "marker": {
                "color": colour(k),
                "size": 9,
                "symbol": "line-ns",
                "line": {"width": 3, "color": colour(k)},
            },
        }
        if fixed:
            trace["hovertemplate"] = f"{name}: %{{x:.1f}}%<extra>%{{y}}</extra>"
            data.append(trace)
            continue
        whisker = {
            "symmetric": False,
            "array": [q["q95"] - q["q50"] for _, q in shown],
            "arrayminus": [q["q50"] - q["q05"] for _, q in shown],
            "color": colour(k),
            "thickness": 1.5,
            "width": 4,
        }
        trace["error_x"] = whisker
        trace["customdata"] = [[q["q05"], q["q25"], q["q75"], q["q95"]] for _, q in shown]
        trace["hovertemplate"] = (
            f"{name}: median %{{x:.3~g}}, 25-75% %{{customdata[1]:.3~g}}-%{{customdata[2]:.3~g}},"
            " 5-95% %{customdata[0]:.3~g}-%{customdata[3]:.3~g}<extra>%{y}</extra>"
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "showlegend": False,
                "hoverinfo": "skip",
                "y": y,
                "x": median,
                "offsetgroup": str(k),
                "marker": {"color": colour(k), "size": 1, "opacity": 0},
                "error_x": {
                    "symmetric": False,
                    "array": [q["q75"] - q["q50"] for _, q in shown],
                    "arrayminus": [q["q50"] - q["q25"] for _, q in shown],
                    "color": colour(k),
                    "thickness": 7,
                    "width": 0,
                },
            }
        )
        data.append(trace)
    rows = max((len(shown) for _, shown in series), default=0)
    return {
        "data": data,
        "layout": _layout(
            110 + 14 * rows * max(1, len(series)),
            scattermode="group",
            xaxis=_axis(d.get("x_title"), range=[-2, 102]),
            yaxis=_axis(autorange="reversed", type="category"),
        ),
    }


def _lines(d: Mapping[str, Any]) -> Figure:
    data: list[dict[str, Any]] = []
    for k, s in enumerate(d["series"]):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s["name"],
                "x": d["x"],
                "y": s["values"],
                "line": {"color": colour(k), "width": 2},
                "hovertemplate": f"{s['name']}: %{{y:.3f}}<extra>%{{x}}</extra>",
            }
        )
    for k, ref in enumerate(d.get("references", [])):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": ref["name"],
                "x": [d["x"][0], d["x"][-1]],
                "y": [ref["value"], ref["value"]],
                "line": {"color": colour(k), "width": 1, "dash": "dot"},
                "hovertemplate": f"{ref['name']}: {ref['value']:.3f}<extra></extra>",
                "showlegend": False,
            }
        )
    return {
        "data": data,
        "layout": _layout(
            360,
            xaxis=_axis(d.get("x_title"), type="category"),
            yaxis=_axis(d.get("y_title"), range=[0, 1.02]),
        ),
    }


def _shares(d: Mapping[str, Any]) -> Figure:
    """Horizontal bars of shares (0-100%), one colour per group, the hover text on each bar."""
    bars = d["bars"]
    groups = list(dict.fromkeys(b["group"] for b in bars))
    data = []
    for k, group in enumerate(groups):
        mine = [b for b in bars if b["group"] == group]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": group,
                "x": [b["share"] for b in mine],
                "y": [b["label"] for b in mine],
                "hovertext": [b["hover"] for b in mine],
                "hovertemplate": "%{y}: %{x:.0%}<br>%{hovertext}<extra></extra>",
                "marker": {"color": colour(k)},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            110 + 22 * len(bars),
            xaxis=_axis(d.get("x_title"), range=[0, 1], tickformat=".0%"),
            yaxis=_axis(autorange="reversed", type="category"),
            margin={"l": 20, "r": 20, "t": 30, "b": 50},
        ),
    }


KINDS: dict[str, Callable[[Mapping[str, Any]], Figure]] = {
    "timeline": _timeline,
    "heatmap": _heatmap,
    "bars": _bars,
    "frontier": _frontier,
    "boxes": _boxes,
    "lines": _lines,
    "shares": _shares,
}


def figure(chart: Chart) -> Figure:
    """The Plotly figure of ``chart``."""
    return KINDS[chart.kind](chart.data)
