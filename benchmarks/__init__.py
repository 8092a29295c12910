"""Runnable comparisons: `python -m benchmarks` (or `make bench`)."""
