"""What every section builder reads."""

from __future__ import annotations

from dataclasses import dataclass

from accord.compile import Compiled
from accord.model.records import Scenario
from accord.workbench.record import Analysis


@dataclass(frozen=True)
class Context:
    """What every section builder reads: the analysis record (every engine's result, computed
    once), the (shocked) scenario and its compiled form (for names and labels), and the choices
    made for this brief."""

    analysis: Analysis
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
