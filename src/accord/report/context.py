"""What every section builder reads."""

from __future__ import annotations

from dataclasses import dataclass

from accord.compile import Compiled
from accord.model.records import Scenario


@dataclass(frozen=True)
class Context:
    """What every section builder reads: the (shocked) scenario, its compiled form, and the
    choices made for this brief."""

    scenario: Scenario
    compiled: Compiled
    shocks: tuple[str, ...]
    pair: tuple[str, str] | None
    start: str | None
    deadline: int
    runs: int
    seed: int
    models: tuple[str, ...]
    show_confidential: bool = False
