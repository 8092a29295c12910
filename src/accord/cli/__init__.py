"""The command line: parse, call an engine, render. No logic of its own.

Every command takes ``--json`` for scripting. Bad input (a malformed scenario, an unknown draft
or shock) prints one line per problem to stderr and exits with code 2, never a traceback. The
commands live in the modules of this package, one per family; importing the package registers
them all on :data:`app`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text

# isort: off
# registration order is the order of `accord --help`
from accord.cli import scenario, drafts, analyze, space, forecasting, robust, simulation, news

# isort: on
from accord.cli.common import app, err
from accord.service import commands as service_commands

__all__ = [
    "analyze",
    "app",
    "drafts",
    "forecasting",
    "main",
    "news",
    "robust",
    "scenario",
    "simulation",
    "space",
]

app.add_typer(service_commands.db_app, name="db")


app.add_typer(service_commands.user_app, name="user")


app.command("serve")(service_commands.serve)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point. User errors exit 2 inside the commands; anything else is a bug, reported in
    one line with exit code 1 (set ACCORD_DEBUG=1 to see the traceback)."""
    run: Callable[..., Any] = app
    try:
        run(args=list(argv) if argv is not None else None, prog_name="accord")
    except KeyboardInterrupt:
        err.print("accord: interrupted")
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("ACCORD_DEBUG"):
            raise
        err.print(Text(f"accord: internal error: {type(exc).__name__}: {exc} (please report it)"))
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
