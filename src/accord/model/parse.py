"""Reading YAML and JSON text into plain data with a line for every field, refusing hostile input.

A scenario file is untrusted. Before anything is built from it, the text is checked for size,
binary content and nesting depth, and the YAML event stream is read without recursion; building
the data then counts every node it makes, so an alias bomb ("billion laughs") is refused after a
bounded amount of work instead of being expanded. Duplicate keys are errors, not silently merged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from accord.model.errors import Path, Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000

try:  # libyaml when present: same results, faster
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


class ParseFailure(Exception):
    """The text could not be read at all; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message)


@dataclass
class Parsed:
    """Plain data (dicts, lists, scalars) and the line each path starts on."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def decode(raw: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """Bytes to text, refusing oversize and binary input."""
    if len(raw) > max_bytes:
        raise ParseFailure(
            Problem(
                (),
                f"file is {len(raw):,} bytes (expected at most {max_bytes:,} bytes)",
            )
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ParseFailure(
            Problem((), f"binary data (NUL byte at offset {nul}; expected UTF-8 text)", line=1)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseFailure(
            Problem((), f"invalid UTF-8 at byte {exc.start} (expected UTF-8 text)", line=line)
        ) from None
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ParseFailure(
            Problem(
                (),
                f"control character {ord(bad.group()):#04x} (expected printable text)",
                line=line,
            )
        )
    return text


def parse_yaml(text: str) -> Parsed:
    """Parse one YAML document into plain data with line numbers."""
    _check_events(text)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise ParseFailure(_yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise ParseFailure(Problem((), f"YAML error: {exc}")) from None
    if node is None:
        raise ParseFailure(Problem((), "the file is empty (expected a scenario mapping)", line=1))
    builder = _Builder(loader)
    data = builder.build(node, ())
    return Parsed(data, builder.lines, builder.problems)


def parse_json(text: str) -> Parsed:
    """Parse JSON: values from the json module, line numbers from the YAML composer (JSON is
    YAML's flow style), duplicate keys reported."""
    _check_json_depth(text)
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ParseFailure(
            Problem((), f"JSON syntax error: {exc.msg} at column {exc.colno}", line=exc.lineno)
        ) from None
    parsed = Parsed(data)
    try:
        located = parse_yaml(text.replace("\t", " "))
        parsed.lines = located.lines
        parsed.problems = [p for p in located.problems if "duplicate key" in p.message]
    except ParseFailure:
        # The json module accepted it; lines are a courtesy. Report duplicates without lines.
        parsed.problems = [
            Problem((), f"duplicate key {key!r} (expected each key once)") for key in duplicates
        ]
    return parsed


def parse_text(text: str, *, fmt: str) -> Parsed:
    """Parse YAML or JSON text (by fmt), keeping the line of every node."""
    return parse_json(text) if fmt == "json" else parse_yaml(text)


# --- internals -------------------------------------------------------------------------------


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = exc.problem or "syntax error"
    context = f" {exc.context}" if exc.context else ""
    return Problem((), f"YAML syntax error: {what}{context} (expected valid YAML)", line=line)


def _check_events(text: str) -> None:
    """Walk the event stream (no recursion, no expansion): depth, document count, size."""
    depth = 0
    documents = 0
    events = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            events += 1
            if events > MAX_NODES:
                raise ParseFailure(
                    Problem((), f"more than {MAX_NODES:,} YAML nodes (expected a smaller file)")
                )
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line = _line(event.start_mark)
                    raise ParseFailure(
                        Problem(
                            (),
                            "a second YAML document (expected exactly one document per file)",
                            line=line,
                        )
                    )
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = _line(event.start_mark)
                    raise ParseFailure(
                        Problem(
                            (),
                            f"nesting deeper than {MAX_DEPTH} levels"
                            f" (expected at most {MAX_DEPTH})",
                            line=line,
                        )
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise ParseFailure(_yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise ParseFailure(Problem((), f"YAML error: {exc}")) from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _check_json_depth(text: str) -> None:
    depth = 0
    for index, char in enumerate(re.findall(r"[\[\]{}]", _STRING.sub("", text))):
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            del index
            raise ParseFailure(
                Problem(
                    (),
                    f"nesting deeper than {MAX_DEPTH} levels (expected at most {MAX_DEPTH})",
                )
            )


_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}


class _Builder:
    """Turns composed YAML nodes into plain data, recording lines and counting nodes built."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.lines: dict[Path, int] = {}
        self.problems: list[Problem] = []
        self.built = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        # An explicit stack would avoid recursion; depth is already capped at MAX_DEPTH.
        self.built += 1
        if self.built > MAX_NODES:
            raise ParseFailure(
                Problem(
                    (),
                    f"aliases expand to more than {MAX_NODES:,} nodes"
                    " (expected a file without alias bombs)",
                    line=node.start_mark.line + 1,
                )
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise ParseFailure(
                    Problem(
                        path,
                        f"unsupported YAML tag {_tag(node.tag)!r} (expected plain values)",
                        line=node.start_mark.line + 1,
                    )
                )
            try:
                return self.loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                expected = (
                    "a date YYYY-MM-DD"
                    if node.tag.endswith(":timestamp")
                    else f"a valid {node.tag.rsplit(':', 1)[-1]}"
                )
                reason = getattr(exc, "problem", None) or str(exc)
                self.problems.append(
                    Problem(
                        path,
                        f"{node.value!r} is not valid: {reason} (expected {expected})",
                        line=node.start_mark.line + 1,
                    )
                )
                return node.value
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, "tag:yaml.org,2002:seq", path)
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, "tag:yaml.org,2002:map", path)
            out: dict[Any, Any] = {}
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(
                        Problem(
                            path, "merge keys '<<' are not supported (expected plain keys)", line
                        )
                    )
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        Problem(path, "a key that is not a plain value (expected a name)", line)
                    )
                    continue
                key = self.build(key_node, (*path, "<key>"))
                if isinstance(key, bool) or key is None:
                    key = key_node.value  # `yes:` or `null:` as a key means the word
                elif not isinstance(key, str | int):
                    key = str(key)
                if isinstance(key, int):
                    key = str(key)
                if key in out:
                    self.problems.append(
                        Problem((*path, key), _duplicate(path, key, first[key]), line)
                    )
                    continue
                first[key] = line
                self.lines[(*path, key)] = line
                out[key] = self.build(value_node, (*path, key))
                self.lines[(*path, key)] = line
            self.lines.pop((*path, "<key>"), None)
            return out
        raise ParseFailure(Problem(path, "unreadable YAML node"))  # pragma: no cover

    def _check_tag(self, node: yaml.Node, expected: str, path: Path) -> None:
        if node.tag != expected:
            raise ParseFailure(
                Problem(
                    path,
                    f"unsupported YAML tag {_tag(node.tag)!r} (expected plain values)",
                    line=node.start_mark.line + 1,
                )
            )


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


def _duplicate(path: Path, key: str, first_line: int) -> str:
    if path and path[-1] == "sets":
        return (
            f"issue {key!r} is set twice in this point (first at line {first_line};"
            " expected each issue once)"
        )
    return f"duplicate key {key!r} (first at line {first_line}; expected each key once)"
