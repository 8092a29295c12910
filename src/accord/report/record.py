"""The report data record: frozen, engine-independent, and the JSON form of the brief.

A :class:`Brief` is a sequence of :class:`Section` records; each section holds blocks in reading
order: :class:`Paragraph` (prose or a notice that the engine could not fill the section),
:class:`Table` (the numbers, readable without JavaScript) and :class:`Chart` (plain chart data of
one ``kind`` and a one-line reading; :mod:`accord.report.charts` turns it into a figure). The
renderers (:mod:`accord.report.html`, :mod:`accord.report.markdown`) only read this record, and
``Brief.to_dict()`` is the JSON output: every record writes every one of its keys, in a fixed
order, with ``type`` first on blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Flag = Literal["red_line", "gain", "loss", "yes", "no"]
"""How a cell is marked (a class in HTML, a symbol in Markdown)."""

ChartKind = Literal["timeline", "heatmap", "bars", "frontier", "boxes", "lines", "shares"]


@dataclass(frozen=True)
class Link:
    """A hyperlink: its text and address."""

    text: str
    href: str


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, links shown after the text, and an optional mark."""

    text: str
    links: tuple[Link, ...] = ()
    flag: Flag | None = None


@dataclass(frozen=True)
class Paragraph:
    """Prose; ``notice`` marks a statement that something could not be computed or shown."""

    text: str
    notice: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the brief: caption, header and rows of cells."""

    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_ids: tuple[str, ...] = ()  # anchors for the rows (empty: none)


@dataclass(frozen=True)
class Chart:
    """Chart data of one ``kind`` (the keys each kind carries are listed in
    :mod:`accord.report.charts`) and the one-line reading printed under it."""

    id: str
    kind: ChartKind
    title: str
    reading: str
    data: Mapping[str, Any] = field(default_factory=dict)


Block = Paragraph | Table | Chart


@dataclass(frozen=True)
class Section:
    """One part of the brief. ``available`` is False where the engine could not fill it; its
    first block is then a notice saying why."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    available: bool = True

    @property
    def charts(self) -> tuple[Chart, ...]:
        """The section's charts, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Chart))

    @property
    def tables(self) -> tuple[Table, ...]:
        """The section's tables, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Table))


@dataclass(frozen=True)
class Brief:
    """The whole brief of one scenario, as of its ``as_of`` date."""

    scenario: str
    title: str
    as_of: str
    invented: bool
    description: str | None
    settings: Mapping[str, Any]
    bottom_line: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: str

    def section(self, section_id: str) -> Section:
        """The section ``section_id`` (KeyError naming the valid ones if there is none)."""
        for s in self.sections:
            if s.id == section_id:
                return s
        valid = ", ".join(s.id for s in self.sections)
        raise KeyError(f"no section {section_id!r} (expected one of: {valid})")

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart of the brief, in section order."""
        return tuple(c for s in self.sections for c in s.charts)

    def links(self) -> Iterator[Link]:
        """Every link in every table, in order."""
        for section in self.sections:
            for table in section.tables:
                for row in table.rows:
                    for cell in row:
                        yield from cell.links

    def to_dict(self) -> dict[str, Any]:
        """The brief as plain JSON-ready data."""
        return _plain(self)  # type: ignore[no-any-return]


_TYPES = {Paragraph: "paragraph", Table: "table", Chart: "chart"}


def _plain(value: Any) -> Any:
    """Records to dicts (fields in declaration order, blocks with ``type`` first), tuples to
    lists, mappings to dicts."""
    if isinstance(value, Paragraph | Table | Chart | Section | Brief | Cell | Link):
        out: dict[str, Any] = {}
        kind = _TYPES.get(type(value))
        if kind is not None:
            out["type"] = kind
        for f in fields(value):
            out[f.name] = _plain(getattr(value, f.name))
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
