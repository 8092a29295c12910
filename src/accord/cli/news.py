"""News commands: ``ingest`` (a news text into a patch of proposed edits) and ``apply``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from accord.cli.common import UsageFailure, app, out, user_errors
from accord.scenarios import resolve


@app.command("ingest")
def ingest(
    article: Annotated[Path, typer.Argument(help="A news text (plain UTF-8).")],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario id or file.")],
    url: Annotated[str | None, typer.Option("--url", help="The article's address.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="The article's date (YYYY-MM-DD).")
    ] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Who published it.")] = None,
    output: Annotated[Path | None, typer.Option("-o", help="Patch file to write.")] = None,
) -> None:
    """Read a news text and write a patch of proposed, quoted edits (nothing is applied)."""
    from accord.ingest import ingest_text, write_patch

    with user_errors():
        try:
            text = article.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageFailure(f"{article}: cannot read the article: {exc}") from None
        try:
            day = dt.date.fromisoformat(date) if date else dt.date.today()
        except ValueError:
            raise UsageFailure(f"--date: expected YYYY-MM-DD, got {date!r}") from None
        model = resolve(scenario)
        patch = ingest_text(model, text, date=day, url=url, outlet=outlet, article=str(article))
        target = output or article.with_suffix(".patch.yaml")
        write_patch(patch, target)
        counts: dict[str, int] = {}
        for edit in patch["edits"]:
            counts[edit["kind"]] = counts.get(edit["kind"], 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.print(Text(f"wrote {target}: {summary} (review, then `accord apply`)"))


@app.command("apply")
def apply(
    patch_file: Annotated[Path, typer.Argument(help="A patch written by `accord ingest`.")],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario id or file.")],
    output: Annotated[Path, typer.Option("-o", help="The new scenario file.")],
) -> None:
    """Apply the edits not marked rejected, validate, write, and say what changed."""
    from accord.ingest import PatchError, apply_patch, load_patch
    from accord.model import save_scenario
    from accord.workbench import Workbench, compare

    with user_errors():
        base = resolve(scenario)
        try:
            patch = load_patch(patch_file)
            new, done = apply_patch(base, patch)
        except PatchError as exc:
            raise UsageFailure(str(exc)) from None
        save_scenario(new, output)
        for line in done:
            out.print(Text(f"applied: {line}"))
        before = Workbench(base).analyze(models=("compromise",), runs=20)
        after = Workbench(new).analyze(models=("compromise",), runs=20)
        out.print(Text("since the last version: " + "; ".join(compare(before, after))))
        out.print(Text(f"wrote {output}"))
