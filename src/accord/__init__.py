"""accord: analyse multi-party negotiations.

The front door is :class:`Workbench` (one scenario, every analysis as a method, and
:meth:`Workbench.analyze` for the whole :class:`Analysis` record); an id the scenario does not
have raises :class:`UnknownId`. They are imported on first use, so ``import accord.model`` stays
light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Analysis", "UnknownId", "Workbench", "__version__"]

if TYPE_CHECKING:
    from accord.workbench import Analysis, UnknownId, Workbench


def __getattr__(name: str) -> Any:
    if name in ("Analysis", "UnknownId", "Workbench"):
        import accord.workbench

        return getattr(accord.workbench, name)
    raise AttributeError(f"module 'accord' has no attribute {name!r}")
