"""accord: analyse multi-party negotiations."""

__version__ = "0.1.0"
