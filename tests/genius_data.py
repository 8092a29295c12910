"""The GENIUS domains under ../shared/data/genius, shared by the tests that read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.io.genius import parse_xml, read_domain

GENIUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "genius"
FOLDERS = sorted({p.parent for p in GENIUS.rglob("*.xml")}) if GENIUS.is_dir() else []

MISREAD_BY_NEGMAS = pytest.mark.xfail(
    strict=True,
    reason="issues numbered from 2: NegMAS 0.16 places issues and weights by"
    " index position and misreads this domain",
)


def name(folder: Path) -> str:
    return str(folder.relative_to(GENIUS))


def weights_by_position(folder: Path) -> bool:
    """NegMAS 0.16 assigns ``<weight index=k>`` to the k-th issue; GENIUS to the issue whose
    ``index`` is k. They agree only when the domain numbers its issues 1..n."""
    domain = next(p for p in folder.glob("*.xml") if parse_xml(p).tag == "negotiation_template")
    indices = [issue.index for issue in read_domain(domain).issues]
    return indices == list(range(1, len(indices) + 1))
