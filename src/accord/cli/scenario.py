"""Scenario commands: ``scenarios``, ``show``, ``validate``, ``export``, ``schema`` and
``import genius``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from accord.cli.common import (
    JsonOpt,
    ScenarioArg,
    UsageFailure,
    app,
    emit_json,
    out,
    user_errors,
)
from accord.io.genius import read_genius
from accord.model import (
    Scenario,
    ScenarioError,
    dumps_json,
    dumps_yaml,
    save_scenario,
)
from accord.model.checks import stale_warning
from accord.model.errors import format_problem, render_path
from accord.model.records import Preference
from accord.scenarios import EMBEDDED, resolve, resolve_checked


@app.command()
def scenarios(json_out: JsonOpt = False) -> None:
    """List the embedded scenarios."""
    with user_errors():
        rows: list[dict[str, Any]] = []
        for sid in EMBEDDED:
            s = resolve(sid)
            rows.append(
                {
                    "id": s.id,
                    "title": s.title,
                    "as_of": s.as_of.isoformat(),
                    "invented": s.invented,
                    "parties": len(s.parties),
                    "issues": len(s.issues),
                    "drafts": len(s.drafts),
                    "events": len(s.events),
                }
            )
    if json_out:
        emit_json(rows)
        return
    table = Table(title="Embedded scenarios")
    for column in ("id", "title", "as of", "parties", "issues", "drafts", "events"):
        table.add_column(column)
    for r in rows:
        title = r["title"] + (" [invented]" if r["invented"] else "")
        table.add_row(
            r["id"],
            title,
            r["as_of"],
            *(str(r[k]) for k in ("parties", "issues", "drafts", "events")),
        )
    out.print(table)


def _ideal_label(scenario: Scenario, issue_id: str, pref: Preference) -> str:
    issue = scenario.issue(issue_id)
    if isinstance(pref.ideal, str):
        return next(o.label for o in issue.options if o.id == pref.ideal)
    if pref.ideal is not None:
        return f"{pref.ideal.value:g}"
    best = max(pref.values.items(), key=lambda kv: kv[1].value)[0] if pref.values else None
    return next((o.label for o in issue.options if o.id == best), "-")


def position_matrix(scenario: Scenario) -> list[dict[str, Any]]:
    """Each party's position on each issue, as rows for a table or JSON."""
    rows = []
    for issue in scenario.issues:
        row: dict[str, Any] = {"issue": issue.id, "name": issue.name, "parties": {}}
        for party in scenario.parties:
            pref = scenario.preferences.get(party.id, {}).get(issue.id)
            if pref is None:
                continue
            row["parties"][party.id] = {
                "ideal": pref.ideal if isinstance(pref.ideal, str) else None,
                "ideal_label": _ideal_label(scenario, issue.id, pref),
                "salience": pref.salience.value,
                "red_lines": [r.option for r in pref.red_lines],
                "confidential": pref.confidential,
            }
        rows.append(row)
    return rows


@app.command()
def show(scenario: ScenarioArg = None, json_out: JsonOpt = False) -> None:
    """Parties, delegations, issues and the position matrix of a scenario."""
    with user_errors():
        s = resolve(scenario)
    matrix = position_matrix(s)
    if json_out:
        emit_json(
            {
                "id": s.id,
                "title": s.title,
                "as_of": s.as_of.isoformat(),
                "parties": [
                    p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in s.parties
                ],
                "issues": [i.model_dump(mode="json", exclude_none=True) for i in s.issues],
                "positions": matrix,
                "events": [e.model_dump(mode="json", exclude_none=True) for e in s.events],
            }
        )
        return
    out.print(Text(f"{s.title}  (as of {s.as_of})", style="bold"))
    if s.invented:
        out.print("Invented teaching scenario: nothing here describes real events.")
    parties = Table(title="Parties")
    for column in ("id", "name", "roles", "capability", "BATNA", "delegation (latest)"):
        parties.add_column(column)
    for p in s.parties:
        heads = [m for m in p.delegation if "head" in m.role.lower()]
        lead = heads[-1] if heads else (p.delegation[0] if p.delegation else None)
        lead_text = f"{lead.name}, {lead.role}" if lead else "-"
        if lead and lead.start:
            lead_text += f" (from {lead.start})"
        parties.add_row(
            p.id,
            p.name,
            ", ".join(r.value for r in p.roles),
            f"{p.capability.value:g}" if p.capability else "-",
            f"{p.batna.value:g}" if p.batna else "-",
            lead_text,
        )
    out.print(parties)
    issues = Table(title="Issues (status quo in brackets)")
    issues.add_column("id")
    issues.add_column("name")
    issues.add_column("options, in scale order")
    for issue in s.issues:
        ordered = sorted(issue.options, key=lambda o: o.position)
        issues.add_row(
            issue.id,
            issue.name,
            " | ".join(f"[{o.label}]" if o.id == issue.status_quo else o.label for o in ordered),
        )
    out.print(issues)
    party_ids = [p.id for p in s.parties if s.preferences.get(p.id)]
    table = Table(title="Positions: ideal (salience); red lines marked x")
    table.add_column("issue")
    for pid in party_ids:
        table.add_column(pid)
    for row in matrix:
        cells = []
        for pid in party_ids:
            cell = row["parties"].get(pid)
            if cell is None:
                cells.append("-")
                continue
            text = f"{cell['ideal_label']} ({cell['salience']:.2f})"
            if cell["confidential"]:
                text += " [confidential]"
            if cell["red_lines"]:
                labels = [
                    next(o.label for o in s.issue(row["issue"]).options if o.id == r)
                    for r in cell["red_lines"]
                ]
                text += "\nx " + "; x ".join(labels)
            cells.append(text)
        table.add_row(row["issue"], *cells)
    out.print(table)
    if s.events:
        timeline = Table(title="Timeline")
        for column in ("date", "kind", "event", "participants", "source"):
            timeline.add_column(column)
        for event in sorted(s.events, key=lambda e: e.date):
            when = event.date.isoformat()
            if event.end_date:
                when += f" to {event.end_date.isoformat()}"
            timeline.add_row(
                when,
                event.kind.value,
                event.title,
                ", ".join(event.participants),
                ", ".join(event.source or []),
            )
        out.print(timeline)


@app.command()
def validate(
    file: Annotated[
        str, typer.Argument(help="A scenario file (YAML or JSON), or an embedded scenario id.")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Check a scenario file; print every problem as FILE:LINE field: what is wrong, then every
    source-hygiene gap as a warning (a source without an http(s) url, a date or an outlet and no
    stated reason; a salience, BATNA or capability without an assumption; a party description
    without a source). Problems exit 2; warnings alone exit 0."""
    if json_out:
        try:
            name, s, gaps = resolve_checked(file)
        except ScenarioError as exc:
            emit_json(
                {
                    "file": file,
                    "ok": False,
                    "problems": [
                        {
                            "line": p.line,
                            "path": render_path(p.path, exc.data),
                            "message": p.message,
                        }
                        for p in exc.problems
                    ],
                }
            )
            raise typer.Exit(2) from None
        stale = stale_warning(s.as_of)
        warnings = [] if stale is None else [stale]
        data = s.model_dump(mode="python", by_alias=True)
        hygiene = [
            {"line": p.line, "path": render_path(p.path, data), "message": p.message} for p in gaps
        ]
        emit_json(
            {
                "file": file,
                "ok": True,
                "problems": [],
                "warnings": warnings,
                "hygiene": hygiene,
                **_counts(s),
            }
        )
        return
    with user_errors():
        name, s, gaps = resolve_checked(file)
    counts = ", ".join(f"{n} {what}" for what, n in _counts(s).items())
    out.print(f"{file}: ok ({counts})")
    stale = stale_warning(s.as_of)
    if stale is not None:
        typer.echo(f"{file}: warning: {stale}", err=True)
    data = s.model_dump(mode="python", by_alias=True)
    for gap in gaps:
        typer.echo(format_problem(name, gap, data).replace(": ", ": warning: ", 1), err=True)
    if gaps:
        typer.echo(f"{file}: {len(gaps)} source-hygiene warning(s)", err=True)


def _counts(s: Scenario) -> dict[str, int]:
    return {
        "parties": len(s.parties),
        "issues": len(s.issues),
        "drafts": len(s.drafts),
        "events": len(s.events),
        "sources": len(s.sources),
    }


@app.command()
def export(
    scenario: ScenarioArg = None,
    output: Annotated[
        str, typer.Option("-o", "--output", help="Where to write: FILE.yaml or FILE.json.")
    ] = "-",
    json_out: Annotated[
        bool, typer.Option("--json", help="With -o -: write JSON instead of YAML.")
    ] = False,
) -> None:
    """Write a scenario as YAML or JSON (to stdout with -o -), validated and normalised."""
    with user_errors():
        s = resolve(scenario)
        if output == "-":
            sys.stdout.write(dumps_json(s) if json_out else dumps_yaml(s))
            return
        try:
            save_scenario(s, output)
        except OSError as exc:
            raise UsageFailure(f"cannot write {output}: {exc.strerror}") from None
    out.print(f"wrote {output}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a scenario file."""
    emit_json(Scenario.model_json_schema(by_alias=True))


import_app = typer.Typer(help="Import scenarios from other tools' formats.", no_args_is_help=True)


app.add_typer(import_app, name="import")


@import_app.command("genius")
def import_genius(
    folder: Annotated[str, typer.Argument(help="A GENIUS domain folder (domain + profiles).")],
    output: Annotated[
        str, typer.Option("-o", "--output", help="Write FILE.yaml or FILE.json (default stdout).")
    ] = "-",
) -> None:
    """Read a GENIUS domain and its linear-additive profiles as an accord scenario."""
    with user_errors():
        scenario = read_genius(folder)
        if output == "-":
            sys.stdout.write(dumps_yaml(scenario))
            return
        try:
            save_scenario(scenario, output)
        except OSError as exc:
            raise UsageFailure(f"cannot write {output}: {exc.strerror}") from None
    out.print(f"wrote {output}")
