"""One module per part of the brief; each exposes functions ``Context -> Section``."""
