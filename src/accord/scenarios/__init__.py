"""The embedded scenarios, addressed by id, and the resolution of a SCENARIO argument."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from accord.model.errors import Problem, ScenarioError
from accord.model.load import load_bytes, load_checked, load_scenario, load_scenario_checked
from accord.model.records import Scenario

DEFAULT = "ukraine-2025"

EMBEDDED: dict[str, str] = {
    "ukraine-2025": "ukraine_2025.yaml",
    "teaching-river": "teaching_river.yaml",
}


def load_embedded(scenario_id: str) -> Scenario:
    """Load an embedded scenario by id (ScenarioError naming the valid ids)."""
    name, raw = _embedded_bytes(scenario_id)
    return load_bytes(raw, name=name)


def resolve_checked(spec: str | None) -> tuple[str, Scenario, list[Problem]]:
    """Like :func:`resolve`, with the name problems are reported under and the scenario's
    source-hygiene warnings (:func:`accord.model.load.load_checked`), each with its line."""
    spec = spec or DEFAULT
    path = Path(spec)
    if spec not in EMBEDDED and (
        path.exists() or any(spec.endswith(ext) for ext in (".yaml", ".yml", ".json"))
    ):
        return (spec, *load_scenario_checked(path))
    name, raw = _embedded_bytes(spec)
    return (name, *load_checked(raw, name=name))


def _embedded_bytes(scenario_id: str) -> tuple[str, bytes]:
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
    return f"{scenario_id} ({name})", raw


def resolve(spec: str | None) -> Scenario:
    """An embedded id, or a path to a YAML or JSON file."""
    spec = spec or DEFAULT
    if spec in EMBEDDED:
        return load_embedded(spec)
    path = Path(spec)
    if path.exists() or any(spec.endswith(ext) for ext in (".yaml", ".yml", ".json")):
        return load_scenario(path)
    return load_embedded(spec)
