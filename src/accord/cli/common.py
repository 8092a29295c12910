"""Shared pieces of the command line: the Typer app, the consoles, option types, the user-error
guard (exit code 2, one line per problem) and small renderers."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from accord.compile import Compiled, CompileError, compile_scenario
from accord.model import (
    Scenario,
    ScenarioError,
)
from accord.scenarios import DEFAULT, EMBEDDED

app = typer.Typer(
    name="accord",
    help="Analyse multi-party negotiations: scenarios and drafts, red lines and ratification,"
    " the agreement space, forecasts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


err = Console(stderr=True, highlight=False, soft_wrap=True)


class _Out:
    """Standard output as a rich console, made when printing (so redirection and test runners
    are honoured). Off a terminal, tables get 140 columns (or $COLUMNS) instead of rich's 80."""

    def print(self, *objects: Any) -> None:
        width = None
        if not sys.stdout.isatty():
            width = int(os.environ.get("COLUMNS", "140"))
        Console(highlight=False, soft_wrap=False, width=width).print(*objects)


out = _Out()


ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help=f"An embedded scenario id ({', '.join(EMBEDDED)}) or a YAML/JSON file.",
        show_default=DEFAULT,
    ),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


ShockOpt = Annotated[
    list[str] | None,
    typer.Option("--shock", help="Apply a named what-if shock before scoring (repeatable)."),
]


AsOfOpt = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Analyse the negotiation as it stood on this day (YYYY-MM-DD): only the drafts,"
        " events, claims and sources known by then.",
    ),
]


def as_of_day(value: dt.datetime | None) -> dt.date | None:
    """The ``--as-of`` option as a date (Typer parses dates as datetimes)."""
    return None if value is None else value.date()


def resolve_as_of(spec: str | None, as_of: dt.datetime | None) -> Scenario:
    """The scenario named by ``spec`` (an embedded id or a file), as it stood on ``--as-of``
    when given (:func:`accord.model.as_of`)."""
    from accord.model.timing import as_of as scenario_as_of
    from accord.scenarios import resolve

    scenario = resolve(spec)
    day = as_of_day(as_of)
    return scenario if day is None else scenario_as_of(scenario, day)


T = TypeVar("T")


class UsageFailure(Exception):
    """Bad input from the user that is not a scenario file problem."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the user's mistakes into one line per problem on stderr and exit code 2."""
    from accord.workbench import UnknownId

    try:
        yield
    except ScenarioError as exc:
        for line in exc.lines():
            err.print(Text(line))
        raise typer.Exit(2) from None
    except (CompileError, UsageFailure, UnknownId) as exc:
        err.print(Text(f"accord: {exc}"))
        raise typer.Exit(2) from None


def number(x: float | int | None) -> str:
    """A number as people write it: thousands separated, no exponent, a few decimals for
    small values (657,364; 52.4; 0.35)."""
    if x is None:
        return "-"
    v = float(x)
    if v != v:  # NaN
        return "n/a"
    if float(v).is_integer() and abs(v) < 1e18:
        return f"{int(v):,}"
    size = abs(v)
    if size >= 1000:
        return f"{v:,.0f}"
    if size >= 100:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    if size >= 1:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"


def emit_json(data: Any) -> None:
    """Print data as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def compiled_for(scenario: Scenario, shocks: Sequence[str] | None) -> Compiled:
    """Compile a scenario under the named shocks."""
    return compile_scenario(scenario, shocks=tuple(shocks or ()))


def draft_id(scenario: Scenario, draft: str) -> str:
    """Check a draft id (BadParameter naming the valid ids)."""
    ids = [d.id for d in scenario.drafts]
    if draft not in ids:
        raise UsageFailure(
            f"scenario {scenario.id} has no draft {draft!r} (expected one of: {', '.join(ids)})"
        )
    return draft


def option_label(compiled: Compiled, issue: str, option: str) -> str:
    """The label of an issue's option."""
    i = compiled.issue_index(issue)
    return compiled.option_labels[i][compiled.option_index(i, option)]


def point_label(number: int | None) -> str:
    """A point number as P7, or the status quo where no point sets the issue."""
    return "silent: status quo" if number is None else f"P{number}"


def shorten(text: str, width: int = 110) -> str:
    """Text flattened to one line and cut to width characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


PartiesOpt = Annotated[
    str | None,
    typer.Option("--parties", help="Comma-separated party ids (default: every party)."),
]


def chosen_parties(compiled: Compiled, parties: str | None) -> list[str] | None:
    """The party ids of a comma-separated --parties value, checked (None: all parties)."""
    if parties is None:
        return None
    chosen = [p.strip() for p in parties.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in compiled.party_ids]
    if unknown or not chosen:
        raise UsageFailure(
            f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
            f" (expected some of: {', '.join(compiled.party_ids)})"
        )
    return chosen


def package_text(compiled: Compiled, package: Sequence[int], against: Any) -> str:
    """The options of ``package`` that differ from ``against`` (the status quo)."""
    moved = [
        f"{compiled.issue_ids[i]}={compiled.option_ids[i][o]}"
        for i, o in enumerate(package)
        if o != against[i]
    ]
    return ", ".join(moved) if moved else "(the status quo on every issue)"


@contextmanager
def progress_bar(what: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (on a terminal) fed by an engine's (done, total) calls."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


@contextmanager
def spinner(what: str) -> Iterator[None]:
    """A transient progress indicator on stderr, only on a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    with err.status(what + " ..."):
        yield
