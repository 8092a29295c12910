"""Regenerate src/accord/forecast/calibration.json from the DEU III dev split, or check it.

The shipped model errors are fitted on the dev split and on nothing else (see
accord.forecast.calibrate). Run from the repository root:

    python tools/fit_calibration.py            # rewrite the shipped file (temp file + rename)
    python tools/fit_calibration.py --check    # exit 1 when the shipped file differs

DATA defaults to ../shared/data/validation/deu3_dev.tsv (relative to the repository root).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from accord.forecast.calibrate import CALIBRATION_FILE, Calibration, fit_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "validation" / "deu3_dev.tsv"
TARGET = ROOT / "src" / "accord" / "forecast" / CALIBRATION_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not Path(args.data).exists():
        print(f"{args.data}: no such file (the DEU III dev split)", file=sys.stderr)
        return 2
    fitted = fit_file(args.data).to_dict()
    if args.check:
        shipped = Calibration.from_dict(json.loads(TARGET.read_text("utf-8"))).to_dict()
        if shipped != fitted:
            print(f"{TARGET} differs from the fit on {args.data}", file=sys.stderr)
            return 1
        print(f"{TARGET.name} equals the fit on {args.data}")
        return 0
    text = json.dumps(fitted, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(dir=TARGET.parent, prefix=".calibration-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, TARGET)
    print(f"wrote {TARGET} ({len(fitted['models'])} models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
