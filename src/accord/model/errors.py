"""Problems found in a scenario, and how they are written for a person.

Every problem names the file, the line, the field path and what was expected::

    ukraine.yaml:212 preferences.RU.army_cap.ideal: 'cap_50k' is not an option of issue army_cap
    (expected one of: no_cap, cap_800k, cap_600k)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a path into the raw data) and what."""

    path: Path
    message: str
    line: int | None = None

    @property
    def path_text(self) -> str:
        """The problem's field path as people read it (e.g. issues[2].options)."""
        return render_path(self.path)


class ScenarioError(Exception):
    """A scenario could not be loaded. ``problems`` lists every problem found, in file order."""

    def __init__(self, file: str, problems: Sequence[Problem], data: Any = None) -> None:
        self.file = file
        self.problems = list(problems)
        self.data = data
        super().__init__(self.report())

    def lines(self) -> list[str]:
        """One formatted line per problem."""
        return [format_problem(self.file, p, self.data) for p in self.problems]

    def report(self) -> str:
        """Every problem, one per line."""
        return "\n".join(self.lines())


def format_problem(file: str, problem: Problem, data: Any = None) -> str:
    """One problem as FILE:LINE: field: message."""
    where = f"{file}:{problem.line}" if problem.line is not None else file
    path = render_path(problem.path, data)
    return f"{where} {path}: {problem.message}" if path else f"{where}: {problem.message}"


def render_path(path: Path, data: Any = None) -> str:
    """Write a path the way a person reads it: list items with an ``id`` by that id, points by
    ``#number``, other list items by ``[index]``."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                out += f".{item['id']}"
            elif (
                isinstance(item, Mapping)
                and isinstance(item.get("number"), int)
                and not isinstance(item.get("number"), bool)
            ):
                out += f"#{item['number']}"
            else:
                out += f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return out


class UnknownId(ValueError):
    """An id that the scenario does not have: names the kind, the id and the valid ones."""

    def __init__(self, kind: str, value: str, valid: Sequence[str]) -> None:
        self.kind = kind
        self.value = value
        self.valid = tuple(valid)
        expected = ", ".join(self.valid) if self.valid else f"none: the scenario has no {kind}s"
        super().__init__(f"unknown {kind} {value!r} (expected one of: {expected})")
