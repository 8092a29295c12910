"""News ingest: precision and recall of people, events and position statements on the seed
article and the hand-written news texts (tests/data/news/expected.yaml), with the time taken.

Run: ``python -m benchmarks.ingest``. The reference is the hand-written expectation itself;
no other extractor runs offline here, so no ratio is printed.
"""

from __future__ import annotations

import time
from pathlib import Path

from accord.ingest.score import score

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    """Print one row per kind: found, expected, right, precision, recall."""
    started = time.perf_counter()
    result = score(ROOT / "tests" / "data" / "news" / "expected.yaml", ROOT)
    took = time.perf_counter() - started
    print(f"ingest: {len(result['cases'])} texts ({', '.join(result['cases'])}) in {took:.1f} s")
    print(f"{'kind':<10} {'found':>6} {'expected':>9} {'right':>6} {'precision':>10} {'recall':>7}")
    for kind in ("people", "events", "positions"):
        r = result[kind]
        print(
            f"{kind:<10} {r['found']:>6} {r['expected']:>9} {r['tp']:>6}"
            f" {r['precision']:>10.2f} {r['recall']:>7.2f}"
        )
    acc = result["option_accuracy"]
    print(f"option right where the statement was found: {'-' if acc is None else f'{acc:.2f}'}")


if __name__ == "__main__":
    main()
