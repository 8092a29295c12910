"""Positions tables: the inputs of the forecasting models, read from the layouts research uses.

* **DEU** (Decision-making in the European Union; tab-separated): one row per issue; columns
  ``p<actor>`` (position, 0-100) and ``s<actor>`` (salience, 0-100) for each actor, ``out`` (the
  recorded outcome), ``rp`` (the reference point), descriptive columns (``prnr`` proposal,
  ``counvte`` decision rule, ``proc`` procedure, ...), and, in the copy research uses, a second
  row of capabilities under the ``p<actor>`` columns (a row with no issue id).
* **BDM** (comma-separated): one issue, one row per actor: ``Actor, Capability, Position,
  Salience``.

Empty cells are missing values (NaN). A bad cell gets the same kind of message as a scenario
file: ``FILE:LINE column: what is wrong (expected ...)``, all of them at once, exit code 2.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath

import numpy as np
import numpy.typing as npt

from accord.model.errors import Problem, ScenarioError
from accord.model.parse import MAX_BYTES, ParseFailure, decode

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PositionsTable:
    """Issues x actors: positions and saliences (NaN where missing), actor capabilities, and
    per issue the recorded outcome, the reference point and descriptive attributes."""

    source: str
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    positions: FloatArray  # (I, A)
    salience: FloatArray  # (I, A)
    capability: FloatArray  # (A,)
    outcome: FloatArray  # (I,)
    reference: FloatArray  # (I,)
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    scale: tuple[float, float] = (0.0, 100.0)

    @property
    def n_issues(self) -> int:
        """The number of issues."""
        return len(self.issues)


def _read_text(path: str | os.PathLike[str]) -> str:
    name = str(path)
    try:
        raw = FsPath(path).read_bytes()
    except FileNotFoundError:
        raise ScenarioError(
            name, [Problem((), "no such file (expected a positions table)")]
        ) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise ScenarioError(name, [Problem((), f"cannot read: {exc.strerror}")]) from None
    try:
        return decode(raw, max_bytes=MAX_BYTES)
    except ParseFailure as failure:
        raise ScenarioError(name, [failure.problem]) from None


def _number(cell: str, line: int, column: str, problems: list[Problem]) -> float:
    text = cell.strip().strip('"')
    if text == "" or text.upper() in ("NA", "NAN"):
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        problems.append(
            Problem(
                (column,), f"{text!r} is not a number (expected a number or an empty cell)", line
            )
        )
        return float("nan")
    if not np.isfinite(value):
        problems.append(
            Problem((column,), f"{text!r} is not finite (expected a finite number)", line)
        )
        return float("nan")
    return value


def read_deu(path: str | os.PathLike[str]) -> PositionsTable:
    """A DEU table (see the module docstring)."""
    name = str(path)
    rows = list(csv.reader(io.StringIO(_read_text(path)), delimiter="\t"))
    if not rows:
        raise ScenarioError(name, [Problem((), "the file is empty (expected a header row)", 1)])
    header = [h.strip().strip('"') for h in rows[0]]
    saliences = {h[1:]: k for k, h in enumerate(header) if h.startswith("s") and len(h) > 1}
    positions = {h[1:]: k for k, h in enumerate(header) if h.startswith("p") and h[1:] in saliences}
    problems: list[Problem] = []
    for needed in ("out",):
        if needed not in header:
            problems.append(
                Problem((needed,), "missing column (expected an 'out' column of outcomes)", 1)
            )
    if not positions:
        problems.append(
            Problem((), "no actor columns (expected pairs p<actor>/s<actor>, e.g. pde and sde)", 1)
        )
    if problems:
        raise ScenarioError(name, problems)
    actors = tuple(positions)
    id_column = next((c for c in ("isnr", "issue", "id") if c in header), None)
    capability = np.ones(len(actors))
    body: list[tuple[int, list[str]]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        issue_id = (
            row[header.index(id_column)].strip()
            if id_column and header.index(id_column) < len(row)
            else ""
        )
        if not issue_id and line == 2:  # the capability row
            capability = np.array(
                [
                    _number(
                        row[positions[a]] if positions[a] < len(row) else "",
                        line,
                        "p" + a,
                        problems,
                    )
                    for a in actors
                ]
            )
            continue
        body.append((line, row))

    def cell(row: list[str], column: str) -> str:
        k = header.index(column) if column in header else -1
        return row[k] if 0 <= k < len(row) else ""

    issues = []
    pos = np.full((len(body), len(actors)), np.nan)
    sal = np.full((len(body), len(actors)), np.nan)
    out = np.full(len(body), np.nan)
    ref = np.full(len(body), np.nan)
    attribute_columns = [c for c in ("prnr", "counvte", "proc", "type", "council") if c in header]
    attributes: dict[str, list[str]] = {c: [] for c in attribute_columns}
    for r, (line, row) in enumerate(body):
        issues.append(cell(row, id_column).strip() if id_column else f"row{line}")
        for a_index, a in enumerate(actors):
            pos[r, a_index] = _number(cell(row, "p" + a), line, "p" + a, problems)
            sal[r, a_index] = _number(cell(row, "s" + a), line, "s" + a, problems)
        out[r] = _number(cell(row, "out"), line, "out", problems)
        if "rp" in header:
            ref[r] = _number(cell(row, "rp"), line, "rp", problems)
        for c in attribute_columns:
            attributes[c].append(cell(row, c).strip().strip('"'))
        for a_index, a in enumerate(actors):
            for kind, value in (("p", pos[r, a_index]), ("s", sal[r, a_index])):
                if not np.isnan(value) and not 0 <= value <= 100:
                    problems.append(
                        Problem((kind + a,), f"{value:g} is out of range (expected 0 to 100)", line)
                    )
    if problems:
        raise ScenarioError(name, problems)
    return PositionsTable(
        source=name,
        actors=actors,
        issues=tuple(issues),
        positions=pos,
        salience=sal,
        capability=capability,
        outcome=out,
        reference=ref,
        attributes={c: tuple(v) for c, v in attributes.items()},
    )


def read_bdm(path: str | os.PathLike[str]) -> PositionsTable:
    """A BDM table: one issue, rows of Actor, Capability, Position, Salience."""
    name = str(path)
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows:
        raise ScenarioError(name, [Problem((), "the file is empty (expected a header row)", 1)])
    header = [h.strip().lower() for h in rows[0]]
    needed = ["actor", "capability", "position", "salience"]
    missing = [n for n in needed if n not in header]
    if missing:
        raise ScenarioError(
            name,
            [
                Problem(
                    (),
                    f"missing column(s) {', '.join(missing)} (expected Actor, Capability,"
                    " Position, Salience)",
                    1,
                )
            ],
        )
    k = {n: header.index(n) for n in needed}
    problems: list[Problem] = []
    actors, caps, pos, sal = [], [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = {n: (row[k[n]] if k[n] < len(row) else "") for n in needed}
        actors.append(cells["actor"].strip() or f"actor{line}")
        caps.append(_number(cells["capability"], line, "Capability", problems))
        pos.append(_number(cells["position"], line, "Position", problems))
        sal.append(_number(cells["salience"], line, "Salience", problems))
    if problems:
        raise ScenarioError(name, problems)
    position = np.array([pos])
    low, high = float(np.nanmin(position)), float(np.nanmax(position))
    return PositionsTable(
        source=name,
        actors=tuple(actors),
        issues=(FsPath(name).stem,),
        positions=position,
        salience=np.array([sal]),
        capability=np.array(caps),
        outcome=np.array([np.nan]),
        reference=np.array([np.nan]),
        scale=(low, high) if high > low else (low, low + 1.0),
    )


def read_positions(path: str | os.PathLike[str]) -> PositionsTable:
    """DEU for tab-separated files (``.tsv``), BDM for comma-separated ones (``.csv``)."""
    return read_bdm(path) if str(path).lower().endswith(".csv") else read_deu(path)
