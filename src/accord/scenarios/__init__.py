"""The embedded scenarios, addressed by id, and the resolution of a SCENARIO argument."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from accord.model.errors import Problem, ScenarioError
from accord.model.load import load_bytes, load_scenario
from accord.model.records import Scenario

DEFAULT = "ukraine-2025"

EMBEDDED: dict[str, str] = {
    "ukraine-2025": "ukraine_2025.yaml",
    "teaching-river": "teaching_river.yaml",
}


def load_embedded(scenario_id: str) -> Scenario:
    """Load an embedded scenario by id (ScenarioError naming the valid ids)."""
    if scenario_id not in EMBEDDED:
        raise ScenarioError(
            scenario_id,
            [
                Problem(
                    (),
                    "no embedded scenario or file by that name"
                    f" (expected a file path or one of: {', '.join(EMBEDDED)})",
                )
            ],
        )
    name = EMBEDDED[scenario_id]
    raw = resources.files(__name__).joinpath(name).read_bytes()
    return load_bytes(raw, name=f"{scenario_id} ({name})")


def resolve(spec: str | None) -> Scenario:
    """An embedded id, or a path to a YAML or JSON file."""
    spec = spec or DEFAULT
    if spec in EMBEDDED:
        return load_embedded(spec)
    path = Path(spec)
    if path.exists() or any(spec.endswith(ext) for ext in (".yaml", ".yml", ".json")):
        return load_scenario(path)
    return load_embedded(spec)
