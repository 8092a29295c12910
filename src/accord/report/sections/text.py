"""Small wording and formatting helpers shared by the section builders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from accord.compile import Compiled
from accord.model.records import Issue, Preference, Scenario
from accord.report.record import Cell, Flag, Link, Paragraph, Section


def source_href(scenario: Scenario, source_id: str) -> str:
    """A source's own web address where it has one (http or https only), else its row in the
    brief's list of sources."""
    url = next((s.url for s in scenario.sources if s.id == source_id), None)
    if url and url.startswith(("https://", "http://")):
        return url
    return f"#src-{source_id}"


def source_links(scenario: Scenario, ids: Iterable[str] | None) -> tuple[Link, ...]:
    """Links to the scenario's sources, one per id."""
    return tuple(Link(sid, source_href(scenario, sid)) for sid in ids or ())


def label(compiled: Compiled, issue: str, option: str) -> str:
    """The label of an issue's option."""
    i = compiled.issue_index(issue)
    return compiled.option_labels[i][compiled.option_index(i, option)]


def point(number: int | None) -> str:
    """A point number as P7, or the status quo where no point sets the issue."""
    return "silent: status quo" if number is None else f"P{number}"


def points(numbers: Sequence[int]) -> str:
    """Point numbers as 'P1, P2', or '-' for none."""
    return ", ".join(f"P{n}" for n in numbers) or "-"


def short(text: str, width: int = 160) -> str:
    """Text flattened to one line and cut to width characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def signed(x: float, digits: int = 2) -> str:
    """``+0.12`` / ``−0.12`` (a true minus sign), ``0.00`` for zero at that precision."""
    text = f"{x:+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", "−")


def change_flag(delta: float, eps: float = 5e-4) -> Flag | None:
    """'gain' or 'loss' for a utility change beyond eps, else None."""
    if delta > eps:
        return "gain"
    if delta < -eps:
        return "loss"
    return None


def cell(text: str, flag: Flag | None = None, links: tuple[Link, ...] = ()) -> Cell:
    """A table cell with optional flag and links."""
    return Cell(text=text, links=links, flag=flag)


def ideal_option(issue: Issue, pref: Preference) -> str | None:
    """The option id a preference puts first: its ideal option, the option nearest a numeric
    ideal, or the highest-valued option of its table."""
    if isinstance(pref.ideal, str):
        return pref.ideal
    if pref.ideal is not None:
        target = pref.ideal.value
        return min(issue.options, key=lambda o: abs(o.position - target)).id
    if pref.values:
        return max(pref.values.items(), key=lambda kv: kv[1].value)[0]
    return None


def ideal_text(issue: Issue, pref: Preference) -> str:
    """A party's ideal on an issue as people write it (option label or value with unit)."""
    if pref.ideal is not None and not isinstance(pref.ideal, str):
        unit = f" {issue.scale.unit}" if issue.scale.unit else ""
        return f"{pref.ideal.value:,.6g}{unit}"
    best = ideal_option(issue, pref)
    return next((o.label for o in issue.options if o.id == best), "-")


def unavailable(section_id: str, title: str, why: str) -> Section:
    """A section the engine cannot fill, saying why."""
    return Section(section_id, title, (Paragraph(why, notice=True),), available=False)


def join_names(names: Sequence[str]) -> str:
    """Names joined as 'a, b and c'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
