"""Load and write scenarios: YAML or JSON in, a validated :class:`Scenario` out, or every
problem at once in a :class:`ScenarioError`. Writing goes through a temporary file and a rename,
so a file is never left half-written."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import tempfile
import types
import typing
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from accord.model.checks import cross_reference_problems, hygiene_problems
from accord.model.errors import Path, Problem, ScenarioError
from accord.model.parse import MAX_BYTES, Parsed, ParseFailure, decode, parse_text
from accord.model.records import Quantity, Scenario


def format_of(name: str) -> str:
    """'json' or 'yaml' by a file name's extension."""
    return "json" if name.lower().endswith(".json") else "yaml"


def load_scenario(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Scenario:
    """Read a scenario file. Raises :class:`ScenarioError` listing every problem."""
    name = str(path)
    return load_bytes(_read(path, max_bytes), name=name, fmt=format_of(name), max_bytes=max_bytes)


def load_scenario_checked(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES
) -> tuple[Scenario, list[Problem]]:
    """Read a scenario file and list its source-hygiene warnings (see :func:`load_checked`)."""
    name = str(path)
    return load_checked(_read(path, max_bytes), name=name, fmt=format_of(name), max_bytes=max_bytes)


def _read(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """A file's bytes, or a :class:`ScenarioError` saying why it cannot be read."""
    fs_path = FsPath(path)
    name = str(path)
    try:
        size = fs_path.stat().st_size
        if size > max_bytes:
            raise ScenarioError(
                name,
                [Problem((), f"file is {size:,} bytes (expected at most {max_bytes:,} bytes)")],
            )
        with fs_path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ScenarioError(
            name, [Problem((), "no such file (expected a scenario file)")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            name, [Problem((), "is a directory (expected a scenario file)")]
        ) from None
    except PermissionError:
        raise ScenarioError(
            name, [Problem((), "permission denied (expected a readable file)")]
        ) from None
    return raw


def load_text(text: str, *, name: str = "<text>", fmt: str = "yaml") -> Scenario:
    """Load a scenario from text (problems name the given name and line)."""
    return load_bytes(text.encode("utf-8"), name=name, fmt=fmt)


def load_bytes(
    raw: bytes, *, name: str = "<bytes>", fmt: str = "yaml", max_bytes: int = MAX_BYTES
) -> Scenario:
    """Load a scenario from bytes, refusing more than max_bytes."""
    try:
        parsed = parse_text(decode(raw, max_bytes=max_bytes), fmt=fmt)
    except ParseFailure as failure:
        raise ScenarioError(name, [failure.problem]) from None
    return validate(parsed, name=name)


def load_checked(
    raw: bytes, *, name: str = "<bytes>", fmt: str = "yaml", max_bytes: int = MAX_BYTES
) -> tuple[Scenario, list[Problem]]:
    """Load a scenario from bytes (a :class:`ScenarioError` as :func:`load_bytes` raises) and
    list its source-hygiene warnings (:func:`accord.model.checks.hygiene_problems`), each with
    its line, in file order."""
    try:
        parsed = parse_text(decode(raw, max_bytes=max_bytes), fmt=fmt)
    except ParseFailure as failure:
        raise ScenarioError(name, [failure.problem]) from None
    scenario = validate(parsed, name=name)
    warnings = [
        Problem(p.path, p.message, parsed.line_of(p.path)) for p in hygiene_problems(parsed.data)
    ]
    warnings.sort(key=lambda p: p.line or 0)
    return scenario, warnings


def validate(parsed: Parsed, *, name: str) -> Scenario:
    """Structural (pydantic) and cross-reference checks together; all problems, in file order."""
    data = parsed.data
    if not isinstance(data, Mapping):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ScenarioError(
            name, [Problem((), f"the file holds a {kind} (expected a scenario mapping)", line=1)]
        )
    problems = list(parsed.problems)
    already = {p.path for p in problems}
    scenario, structural = _structural(data)
    problems += [p for p in structural if p.path not in already]
    problems += cross_reference_problems(data)
    if scenario is not None and not problems:
        return scenario  # structure valid and every reference checked above
    located = _dedupe(
        Problem(p.path, p.message, p.line if p.line is not None else parsed.line_of(p.path))
        for p in problems
    )
    located.sort(key=lambda p: (p.line or 0, p.path_text))
    raise ScenarioError(name, located, data)


def _dedupe(problems: Any) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# --- pydantic errors in a person's words -----------------------------------------------------


def _structural(data: Mapping[str, Any]) -> tuple[Scenario | None, list[Problem]]:
    """Pydantic's checks alone (cross-references are checked on the raw data, all at once)."""
    try:
        return Scenario.model_validate(data, context={"skip_cross_references": True}), []
    except ValidationError as exc:
        return None, _translate(exc, data)


def _translate(exc: ValidationError, data: Any) -> list[Problem]:
    grouped: dict[Path, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        if error["type"] == "value_error" and "cross-reference" in str(error.get("msg")):
            continue
        path = _clean_loc(error["loc"], data)
        grouped.setdefault(path, []).append(dict(error))
    problems = []
    for path, errors in grouped.items():
        problems.append(Problem(path, _message(path, errors)))
    # A misspelt field is reported once, as unknown with its likely name, not also as missing.
    misspelt = {
        (p.path[:-1], p.message.rsplit("did you mean ", 1)[1].strip("'?"))
        for p in problems
        if "did you mean " in p.message
    }
    return [
        p
        for p in problems
        if not (p.message.startswith("missing") and (p.path[:-1], p.path[-1]) in misspelt)
    ]


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Path:
    """Keep the parts of pydantic's location that exist in the data (drop union member tags)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_mapping = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            path.append(part)
            node = node[part]
        elif last and isinstance(node, Mapping) and isinstance(part, str):
            path.append(part)  # a missing or unknown field: the name itself
            node = None
    return tuple(path)


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECT = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list of two numbers",
    "date_type": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_inexact": "a date YYYY-MM-DD",
    "string_pattern_mismatch": "an id: letters, digits, '_', '.' or '-'",
    "string_too_short": "non-empty text",
    "string_too_long": "shorter text",
}


def _message(path: Path, errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    kind = first["type"]
    given = first.get("input")
    if kind == "missing":
        return "missing (a required field)"
    if kind == "extra_forbidden":
        allowed = _fields_at(path[:-1])
        hint = f"expected one of: {', '.join(allowed)}" if allowed else "not a known field"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        guess = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown field {path[-1]!r} ({hint}){guess}"
    if kind in ("model_type", "dict_type", "model_attributes_type") and _model_at(path) is Quantity:
        return f"got {_show(given)} (expected a number, or {{value: NUMBER, source: ID}})"
    if kind in ("value_error", "assertion_error"):
        msg = str(first["msg"])
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("literal_error", "enum"):
        return f"got {_show(given)} ({str(first['msg']).replace('Input should be', 'expected')})"
    if kind in ("too_short", "too_long"):
        expected = first.get("ctx", {})
        if kind == "too_short":
            return f"has too few items (expected at least {expected.get('min_length')})"
        return f"has too many items (expected at most {expected.get('max_length')})"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"got {_show(given)} ({str(first['msg']).replace('Input should be', 'expected')})"
    expectations = []
    for error in errors:
        exp = _EXPECT.get(error["type"])
        if exp is None:
            exp = str(error["msg"]).removeprefix("Input should be ")
        if exp not in expectations:
            expectations.append(exp)
    if len(errors) > 1 and all(e["type"] in _EXPECT for e in errors):
        return f"got {_show(given)} (expected {' or '.join(expectations)})"
    return f"got {_show(given)} (expected {expectations[0]})"


def _fields_at(path: Path) -> list[str]:
    """The field names the model accepts at ``path`` (for 'unknown field' hints)."""
    model = _model_at(path)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _model_at(path: Path) -> Any:
    """The record class (or plain type) the scenario model expects at ``path``."""
    model: Any = Scenario
    for part in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            model = _inner(model)
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            field = next((f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if a is not type(None)]
        for a in models:
            u = _unwrap(a)
            if isinstance(u, type) and issubclass(u, BaseModel):
                return u
        return models[0] if models else annotation
    return annotation


def _inner(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, tuple) and args:
        return _unwrap(args[0])
    if typing.get_origin(annotation) is dict and len(args) == 2:
        return _unwrap(args[1])
    return annotation


# --- writing ---------------------------------------------------------------------------------


def to_data(scenario: Scenario, *, dates: str = "iso") -> dict[str, Any]:
    """Plain data: defaults left out, bare quantities written bare, a single source written as
    ``source: ID``, provenance keys after the fields they qualify. ``dates="iso"`` gives
    JSON-compatible strings; ``dates="date"`` keeps ``datetime.date`` (YAML writes them bare)."""
    data: dict[str, Any] = scenario.model_dump(
        mode="json", by_alias=True, exclude_defaults=True, exclude_none=True
    )
    data.pop("schema_version", None)
    tidy = _tidy(data, dates == "date")
    return {"schema_version": 1, **tidy}


_LAST = ("source", "position_source", "assumption", "note")
_DATE_KEYS = {"as_of", "date", "end_date", "from", "to"}


def _tidy(node: Any, as_dates: bool, key: str | None = None) -> Any:
    if isinstance(node, dict):
        out = {k: _tidy(v, as_dates, k) for k, v in node.items() if k not in _LAST}
        for k in _LAST:
            if k in node:
                value = node[k]
                if isinstance(value, list) and len(value) == 1 and k != "note":
                    value = value[0]
                out[k] = value
        return out
    if isinstance(node, list):
        return [_tidy(v, as_dates, key) for v in node]
    if as_dates and key in _DATE_KEYS and isinstance(node, str):
        try:
            return dt.date.fromisoformat(node)
        except ValueError:
            return node
    return node


class _Dumper(yaml.SafeDumper):
    """Block style, keys in model order, long text folded readably."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dumps_yaml(scenario: Scenario) -> str:
    """A scenario as YAML text."""
    return yaml.dump(
        to_data(scenario, dates="date"),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


def dumps_json(scenario: Scenario) -> str:
    """A scenario as JSON text."""
    return json.dumps(to_data(scenario), indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename. The
    file gets the permissions a new file gets here (an existing file keeps its own)."""
    target = FsPath(path)
    folder = target.parent if str(target.parent) else FsPath(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        FsPath(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Write a scenario to a path (YAML or JSON by extension), atomically."""
    text = dumps_json(scenario) if format_of(str(path)) == "json" else dumps_yaml(scenario)
    write_atomic(path, text)
