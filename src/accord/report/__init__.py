"""The brief: a self-contained HTML page with charts, plus Markdown and JSON.

``brief_of(analysis)`` turns the analysis record (:meth:`accord.Workbench.analyze`, where every
engine runs once) into a frozen :class:`Brief` record (the bottom line, then sections of
paragraphs, tables and chart data); ``build(scenario, ...)`` makes the analysis first.
``render(brief, format)`` turns it into HTML, Markdown or JSON; ``write_brief(path, scenario or
analysis, ...)`` does both and writes the file atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from accord.compile import CompileError
from accord.model.load import write_atomic
from accord.model.records import Scenario
from accord.report.build import DEFAULT_MODELS, ReportError, brief_of, build, principal_pair
from accord.report.record import Brief, Cell, Chart, Link, Paragraph, Section, Table
from accord.workbench.record import Analysis

Format = Literal["html", "md", "json"]
FORMATS: tuple[Format, ...] = ("html", "md", "json")
SUFFIXES: dict[str, Format] = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}

__all__ = [
    "DEFAULT_MODELS",
    "FORMATS",
    "Brief",
    "Cell",
    "Chart",
    "CompileError",
    "Format",
    "Link",
    "Paragraph",
    "ReportError",
    "Section",
    "Table",
    "brief_of",
    "build",
    "format_for",
    "principal_pair",
    "render",
    "write_brief",
]


def format_for(path: str | os.PathLike[str], format: str | None = None) -> Format:
    """The format asked for, or the one the file's suffix names (HTML by default)."""
    if format is not None:
        if format not in FORMATS:
            raise ReportError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")
        return format
    return SUFFIXES.get(Path(path).suffix.lower(), "html")


def render(brief: Brief, format: str = "html") -> str:
    """The brief as text in ``format``: ``html``, ``md`` or ``json``."""
    fmt = format_for("", format)
    if fmt == "html":
        from accord.report.html import render_html

        return render_html(brief)
    if fmt == "md":
        from accord.report.markdown import render_markdown

        return render_markdown(brief)
    return json.dumps(brief.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_brief(
    path: str | os.PathLike[str],
    scenario: Scenario | Analysis,
    *,
    format: str | None = None,
    **options: Any,
) -> Brief:
    """Build the brief of ``scenario`` and write it to ``path`` atomically (a temporary file in
    the same folder, then a rename). ``format`` defaults to the path's suffix (``.md``,
    ``.json``; HTML otherwise); ``options`` go to :func:`build` (``shocks``, ``pair``,
    ``start``, ...). Returns the brief. Raises :class:`ReportError` on a bad choice,
    ``CompileError`` on an unknown shock, ``OSError`` when the file cannot be written."""
    fmt = format_for(path, format)
    brief = build(scenario, **options)
    write_atomic(path, render(brief, fmt))
    return brief
