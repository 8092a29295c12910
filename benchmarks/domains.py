"""Pieces of the random domains the benchmarks build."""

from __future__ import annotations

from typing import Any


def numbered_issues(issues: int, options: int) -> list[dict[str, Any]]:
    """``issues`` issues ``i0, i1, ...`` with ``options`` options ``o0, o1, ...`` each, placed
    at 0, 1, ... on the issue's scale; the status quo is ``o0``."""
    return [
        {
            "id": f"i{i}",
            "name": f"i{i}",
            "scale": {"min": 0, "max": options - 1},
            "options": [{"id": f"o{k}", "label": f"o{k}", "position": k} for k in range(options)],
            "status_quo": "o0",
        }
        for i in range(issues)
    ]
