"""Analysis engines: pure functions on the compiled form."""

from accord.analysis.diff import DraftDiff, IssueChange, PointChange, UtilityChange, diff
from accord.analysis.evaluate import (
    DraftEvaluation,
    IssueSetting,
    PartyEvaluation,
    RedLineCrossing,
    acceptable,
    crossings,
    evaluate,
    evaluate_all,
    normalised_gain,
    utilities,
)
from accord.analysis.ratification import RatificationStep, ratification_steps

__all__ = [
    "DraftDiff",
    "DraftEvaluation",
    "IssueChange",
    "IssueSetting",
    "PartyEvaluation",
    "PointChange",
    "RatificationStep",
    "RedLineCrossing",
    "UtilityChange",
    "acceptable",
    "crossings",
    "diff",
    "evaluate",
    "evaluate_all",
    "normalised_gain",
    "ratification_steps",
    "utilities",
]
