"""What changed between two analysis records: the lines of "since the last version"."""

from __future__ import annotations

from accord.workbench.record import Analysis


def compare(before: Analysis, after: Analysis) -> list[str]:
    """Plain sentences saying how ``after`` differs from ``before``: which party now accepts or
    rejects which draft (and the red line that decides it), new drafts, and whether the zone of
    agreement opened or closed (and which issues the red lines leave without an option)."""
    lines: list[str] = []
    old = {e.draft: e for e in before.evaluations}
    for ev in after.evaluations:
        prev = old.get(ev.draft)
        if prev is None:
            takers = [p.party for p in ev.parties if p.acceptable]
            lines.append(f"new draft {ev.draft}: acceptable to {', '.join(takers) or 'no party'}")
            continue
        was = {p.party: p for p in prev.parties}
        for p in ev.parties:
            q = was.get(p.party)
            if q is None or q.acceptable == p.acceptable:
                continue
            if p.acceptable:
                lines.append(f"{p.party} now accepts {ev.draft}")
            else:
                why = ", ".join(f"{c.issue}" for c in p.red_lines) if p.red_lines else ""
                reason = f" (red line on {why})" if why else " (below its BATNA)"
                lines.append(f"{p.party} no longer accepts {ev.draft}{reason}")
    for draft in old:
        if draft not in {e.draft for e in after.evaluations}:
            lines.append(f"draft {draft} is gone")
    if before.zopa.open and not after.zopa.open:
        blocked = ", ".join(after.zopa.blocked_issues)
        because = f" because the red lines leave no option on {blocked}" if blocked else ""
        lines.append(f"the zone of agreement closed{because}")
    elif not before.zopa.open and after.zopa.open:
        lines.append("the zone of agreement opened")
    if not lines:
        lines.append("no change in which drafts each party accepts or in the zone of agreement")
    return lines
