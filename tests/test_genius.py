"""GENIUS XML interop: agreement with NegMAS on the ANAC domains, round trip, hostile files."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.analysis.evaluate import utilities
from accord.compile import compile_scenario
from accord.io.genius import read_genius, write_genius
from accord.model.errors import ScenarioError

from .genius_data import FOLDERS, GENIUS, MISREAD_BY_NEGMAS, name, weights_by_position

HOSTILE = Path(__file__).parent / "data" / "genius_hostile"
MAX_OUTCOMES = 200_000
SAMPLE = 2_000

needs_data = pytest.mark.skipif(not FOLDERS, reason=f"GENIUS data not found at {GENIUS}")


def _readable(folder: Path) -> bool:
    try:
        read_genius(folder)
    except ScenarioError:
        return False
    return True


def _packages(n_options: list[int]) -> np.ndarray:
    total = int(np.prod(n_options, dtype=object))
    if total <= MAX_OUTCOMES:
        return np.array(list(itertools.product(*(range(n) for n in n_options))), dtype=np.int64)
    rng = np.random.default_rng(20_000_101)
    return np.stack([rng.integers(0, n, SAMPLE) for n in n_options], axis=1)


def _negmas_oracle(folder: Path, packages: np.ndarray, labels: list[list[str]]) -> np.ndarray:
    """GENIUS utilities from NegMAS's own parse: ``sum_i w_i/W * f_i(x_i) / max f_i`` for item
    tables, ``f_i(x_i - lowerbound)`` for integer evaluators (GENIUS subtracts the lower bound;
    NegMAS 0.16 does not). Also checks the parts reproduce NegMAS's raw ufun on a sample."""
    from negmas.inout import Scenario as NegmasScenario

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = NegmasScenario.load(
            folder, ignore_discount=True, load_stats=False, load_info=False
        )
    assert loaded is not None
    issues = list(loaded.outcome_space.issues)
    values = []  # per issue: NegMAS's value for each accord option, in accord's order
    for issue, own in zip(issues, labels, strict=True):
        by_text = {str(v): v for v in issue.all}
        values.append([by_text[label] for label in own])
    columns = []
    for ufun in loaded.ufuns:
        assert type(ufun).__name__ == "LinearAdditiveUtilityFunction"
        weights = np.asarray(ufun.weights, dtype=float)
        tables = []
        for issue, fun, vals in zip(issues, ufun.values, values, strict=True):
            if type(fun).__name__ == "TableFun":
                raw = np.array([fun(v) for v in vals], dtype=float)
                tables.append(raw / raw.max() if raw.max() > 0 else raw)
            else:
                tables.append(np.array([fun(v - issue.min_value) for v in vals], dtype=float))
        columns.append(
            sum(
                w / weights.sum() * t[packages[:, i]]
                for i, (w, t) in enumerate(zip(weights, tables, strict=True))
            )
        )
        for row in packages[:: max(1, len(packages) // 200)]:
            outcome = tuple(values[i][k] for i, k in enumerate(row))
            raw = (
                sum(w * fun(v) for w, fun, v in zip(weights, ufun.values, outcome, strict=True))
                + ufun._bias
            )
            assert ufun(outcome) == pytest.approx(raw, abs=1e-9)
    return np.stack(columns, axis=-1)


def _cases() -> list[Any]:
    cases = []
    for folder in FOLDERS:
        if not _readable(folder):
            continue
        marks = []
        if not weights_by_position(folder):
            marks.append(MISREAD_BY_NEGMAS)
        cases.append(pytest.param(folder, id=name(folder), marks=marks))
    return cases


@needs_data
@pytest.mark.parametrize("folder", _cases())
def test_agrees_with_negmas(folder: Path) -> None:
    pytest.importorskip("negmas", reason="negmas is the oracle and is not installed")
    scenario = read_genius(folder)
    compiled = compile_scenario(scenario)
    packages = _packages([int(n) for n in compiled.n_options])
    labels = [[o.label for o in issue.options] for issue in scenario.issues]
    expected = _negmas_oracle(folder, packages, labels)
    np.testing.assert_allclose(utilities(compiled, packages), expected, rtol=0, atol=1e-9)


@needs_data
@pytest.mark.parametrize("folder", [f for f in FOLDERS if _readable(f)], ids=name)
def test_round_trip_keeps_utilities(folder: Path, tmp_path: Path) -> None:
    first = read_genius(folder)
    written = write_genius(first, tmp_path)
    second = read_genius(tmp_path)
    assert written.domain.exists() and len(written.profiles) == len(first.parties)
    a, b = compile_scenario(first), compile_scenario(second)
    packages = _packages([int(n) for n in a.n_options])
    np.testing.assert_allclose(utilities(a, packages), utilities(b, packages), atol=1e-12)
    np.testing.assert_allclose(a.batna, b.batna, atol=1e-12)
    assert [p.id for p in first.parties] == [p.id for p in second.parties]


@needs_data
def test_reads_laptop() -> None:
    scenario = read_genius(GENIUS / "Laptop")
    assert [p.id for p in scenario.parties] == ["Laptop-C-prof1", "Laptop-C-prof2"]
    issue = scenario.issues[0]
    assert [o.id for o in issue.options] == ["Dell", "Macintosh", "HP"]
    assert [o.position for o in issue.options] == [0, 1, 2]
    assert issue.status_quo == "Dell"
    assert issue.scale.assumption == "GENIUS discrete items, ordinal positions in file order"
    pref = scenario.preferences["Laptop-C-prof1"]["Laptop"]
    assert pref.salience.assumption == "GENIUS weight"
    assert pref.values is not None and pref.values["Dell"].value == pytest.approx(12 / 30)
    assert str(scenario.as_of) == "2000-01-01"


def _error(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        read_genius(path)
    return caught.value.lines()


def test_refuses_nonlinear_profile() -> None:
    folder = HOSTILE / "nonlinear"
    assert _error(folder) == [
        f"{folder / 'profile.xml'} utility_function: nonlinear profile: hyper-rectangle"
        " utilities are not supported (expected a linear additive profile: <weight> and"
        " <issue> elements)"
    ]


def test_refuses_billion_laughs_without_expanding() -> None:
    path = HOSTILE / "billion_laughs.xml"
    assert _error(path) == [
        f"{path}:2: declares a DTD (<!DOCTYPE>): DTDs, entities and external references are"
        " refused and never expanded (expected GENIUS XML without a DOCTYPE)"
    ]


def test_refuses_external_entity() -> None:
    path = HOSTILE / "xxe.xml"
    assert _error(path) == [
        f"{path}:2: declares a DTD (<!DOCTYPE>): DTDs, entities and external references are"
        " refused and never expanded (expected GENIUS XML without a DOCTYPE)"
    ]


def test_malformed_xml_names_the_line() -> None:
    path = HOSTILE / "malformed.xml"
    assert _error(path) == [
        f"{path}:5: malformed XML: mismatched tag at column 7 (expected well-formed XML)"
    ]


def test_missing_folder() -> None:
    assert _error(HOSTILE / "absent") == [f"{HOSTILE / 'absent'}: no such file or folder"]
