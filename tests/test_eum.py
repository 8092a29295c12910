"""The expected-utility model: golden tests on the Scholz EU example, a slow per-actor reference,
and properties."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.forecast.eum import OfferKind, Variant, risk_exponents, run

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "validation"
INPUT = DATA / "bdm_eu_example.csv"
LOG = DATA / "bdm_eu_example_expected.log"
KINDS = {
    "compromises with": OfferKind.COMPROMISE,
    "loses confrontation to": OfferKind.CONFRONTATION,
    "capitulates to": OfferKind.CAPITULATION,
}


# --- the slow, obvious reference: one actor and one pair at a time --------------------------


def reference(
    x0: list[float],
    c: list[float],
    s: list[float],
    rounds: int,
    variant: Variant,
    delta: float,
    q: float = 1.0,
    t: float = 1.0,
) -> tuple[list[list[float]], list[float], list[float], list[list[tuple[int, int, float]]]]:
    """Positions, means and medians per round (start first) and the accepted offers
    (receiver, proposer, kind) of each round, computed from the formulas with plain loops."""
    n = len(x0)
    x = list(x0)

    def vote(k: int, a: float, b: float, r: list[float]) -> float:
        rk = 1.0 if variant == "paper" else r[k]
        return c[k] * s[k] * ((abs(x[k] - b) / delta) ** rk - (abs(x[k] - a) / delta) ** rk)

    def prob(a: float, b: float, r: list[float]) -> float:
        if a == b:
            return 0.0
        top = sum(max(0.0, vote(k, a, b, r)) for k in range(n))
        if variant == "paper":
            both = sum(abs(vote(k, a, b, r)) for k in range(n))
            return top / both if both > 0 else 0.5
        total = sum(
            abs(vote(k, x[i], x[j], r)) for k in range(n) for i in range(n) for j in range(n)
        )
        return top / total if total > 0 else 0.0

    def median() -> float:
        best = None
        for p in sorted(set(x)):
            if best is None:
                best = p
                continue
            if sum(c[k] * s[k] * (abs(x[k] - best) - abs(x[k] - p)) / delta for k in range(n)) > 0:
                best = p
        assert best is not None
        return best

    def mean() -> float:
        return sum(c[k] * s[k] * x[k] for k in range(n)) / sum(c[k] * s[k] for k in range(n))

    def eu(h: int, i: int, j: int, r: list[float], mu: float) -> float:
        """E^h(U_ij): i challenges j, as h sees it."""
        rh = r[h]
        dist = abs(x[i] - x[j]) / delta
        p = prob(x[i], x[j], r)
        u_s = 2 - 4 * (0.5 - 0.5 * dist) ** rh
        u_f = 2 - 4 * (0.5 + 0.5 * dist) ** rh
        u_sq = 2 - 4 * 0.5**rh
        value = s[j] * (p * u_s + (1 - p) * u_f) + (1 - s[j]) * u_s - q * u_sq
        if variant == "paper" and q != 1.0:
            spread = 0.25 * (abs(x[i] - mu) + abs(x[i] - x[j])) / delta
            u_b = 2 - 4 * (0.5 - spread) ** rh
            u_w = 2 - 4 * (0.5 + spread) ** rh
            value -= (1 - q) * (t * u_b + (1 - t) * u_w)
        return value

    positions, means, medians, offers = [list(x)], [mean()], [median()], []
    for _ in range(rounds):
        ones = [1.0] * n
        mu = median()
        danger = [sum(eu(i, j, i, ones, mu) for j in range(n) if j != i) for i in range(n)]
        top, bottom = max(danger), min(danger)
        big_r = [(2 * d - top - bottom) / (top - bottom) if top > bottom else 0.0 for d in danger]
        r = [(1 - b / 3) / (1 + b / 3) for b in big_r]
        new = list(x)
        accepted = []
        for i in range(n):
            found: dict[OfferKind, list[tuple[float, int, float]]] = {k: [] for k in OfferKind}
            for j in range(n):
                if x[j] == x[i]:
                    continue
                a, b = eu(i, i, j, r, mu), eu(i, j, i, r, mu)
                if b > a > 0:
                    found[OfferKind.CONFRONTATION].append((abs(x[i] - x[j]), j, x[j]))
                elif b > 0 > a and b > abs(a):
                    pos = x[i] + (x[j] - x[i]) * abs(a / b)
                    if variant == "scholz_code":
                        key = (abs(a) * x[i] + abs(b) * x[j]) / (abs(a) + abs(b))
                    else:
                        key = abs(x[i] - pos)
                    found[OfferKind.COMPROMISE].append((key, j, pos))
                elif variant == "paper" and b > 0 > a and b < abs(a):
                    found[OfferKind.CAPITULATION].append((abs(x[i] - x[j]), j, x[j]))
            for kind in (OfferKind.CONFRONTATION, OfferKind.COMPROMISE, OfferKind.CAPITULATION):
                if found[kind]:
                    _, j, pos = min(found[kind], key=lambda o: o[0])  # first minimum wins
                    new[i] = pos
                    accepted.append((i, j, int(kind)))
                    break
        x[:] = new
        positions.append(list(x))
        means.append(mean())
        medians.append(median())
        offers.append(accepted)
    return positions, means, medians, offers


def accepted(result_round: object) -> list[tuple[int, int, int]]:
    offers = result_round.offers  # type: ignore[attr-defined]
    return [
        (i, int(offers.proposer[i]), int(offers.kind[i]))
        for i in range(offers.kind.shape[-1])
        if offers.kind[i] != OfferKind.NONE
    ]


@st.composite
def actors(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    grid = draw(st.booleans())  # a coarse grid, so actors share positions and offers tie
    x = rng.integers(0, 5, n).astype(float) * 25 if grid else rng.uniform(0, 100, n)
    return x, rng.uniform(0.01, 1, n), rng.uniform(0, 1, n)


@settings(max_examples=150, deadline=None)
@given(actors(), st.sampled_from(["scholz_code", "paper"]), st.sampled_from([1.0, 0.7]))
def test_vectorised_equals_reference(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], variant: Variant, q: float
) -> None:
    x, c, s = data
    res = run(x, c, s, 3, scale=(0.0, 100.0), variant=variant, q=q, t=0.6)
    positions, means, medians, offers = reference(
        list(x), list(c), list(s), 3, variant, 100.0, q=q, t=0.6
    )
    for k, rnd in enumerate(res.rounds):
        assert accepted(rnd) == offers[k]
        np.testing.assert_allclose(rnd.positions, positions[k + 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.means, means, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.medians, medians, rtol=0, atol=1e-9)


def test_batch_equals_one_by_one() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, (3, 4, 6))
    c, s = rng.uniform(0.1, 1, (3, 4, 6)), rng.uniform(0, 1, (3, 4, 6))
    batch = run(x, c, s, 4, scale=(0.0, 10.0))
    for a in range(3):
        for b in range(4):
            one = run(x[a, b], c[a, b], s[a, b], 4, scale=(0.0, 10.0))
            np.testing.assert_array_equal(batch.final_positions[a, b], one.final_positions)
            np.testing.assert_array_equal(batch.means[:, a, b], one.means)


# --- golden tests on the Scholz EU example ---------------------------------------------------


@dataclass(frozen=True)
class LoggedOffer:
    actor: str
    kind: OfferKind
    proposer: str
    eu_own: float
    eu_other: float
    position: float


@dataclass(frozen=True)
class Log:
    median0: float
    means: list[float]
    medians: list[float]
    rounds: list[list[LoggedOffer]]


def parse_log(text: str) -> Log:
    offer = re.compile(
        r"^(\w+) (compromises with|loses confrontation to|capitulates to) (\w+)\n"
        r"\t(\S+) vs (\S+)\n\tnew_pos = (\S+)$",
        re.M,
    )
    chunks = re.split(r"^ROUND \d+$", text, flags=re.M)
    rounds = [
        [
            LoggedOffer(m[1], KINDS[m[2]], m[3], float(m[4]), float(m[5]), float(m[6]))
            for m in offer.finditer(chunk)
        ]
        for chunk in chunks[1:]
    ]
    medians = [float(v) for v in re.findall(r"^Median position: (\S+)$", text, re.M)]
    means = [float(v) for v in re.findall(r"^Mean position: (\S+)$", text, re.M)]
    return Log(medians[0], means, medians, rounds)


@pytest.fixture(scope="module")
def example() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, Log]:
    if not (INPUT.exists() and LOG.exists()):
        pytest.skip(f"validation data not found under {DATA}")
    with INPUT.open(newline="") as f:
        rows = list(csv.DictReader(f))
    names = [r["Actor"] for r in rows]
    x = np.array([float(r["Position"]) for r in rows])
    c = np.array([float(r["Capability"]) for r in rows])
    s = np.array([float(r["Salience"]) for r in rows])
    return names, x, c, s, parse_log(LOG.read_text())


def test_golden_trajectory(
    example: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, Log],
) -> None:
    names, x, c, s, log = example
    assert len(log.rounds) == 10 and len(log.means) == 11
    res = run(x, c, s, 10, variant="scholz_code")
    assert res.initial_mean == pytest.approx(7.38996, abs=5e-6)
    assert res.initial_median == 7.0 == log.median0
    np.testing.assert_allclose(res.means, log.means, rtol=0, atol=1e-9)
    assert res.forecast == pytest.approx(7.24213, abs=5e-6)
    # The log's per-round "Median position" lines print the mean (a bug of the dmasad fork).
    assert log.medians[1:] == log.means[1:]
    positions = x.copy()
    for rnd, logged in zip(res.rounds, log.rounds, strict=True):
        ours = [
            LoggedOffer(
                names[i],
                OfferKind(int(rnd.offers.kind[i])),
                names[int(rnd.offers.proposer[i])],
                float(rnd.offers.eu_own[i]),
                float(rnd.offers.eu_other[i]),
                float(rnd.offers.position[i]),
            )
            for i in range(len(names))
            if rnd.offers.kind[i] != OfferKind.NONE
        ]
        assert [(o.actor, o.kind, o.proposer) for o in ours] == [
            (o.actor, o.kind, o.proposer) for o in logged
        ]
        for mine, theirs in zip(ours, logged, strict=True):
            assert mine.eu_own == pytest.approx(theirs.eu_own, abs=1e-9)
            assert mine.eu_other == pytest.approx(theirs.eu_other, abs=1e-9)
            assert mine.position == pytest.approx(theirs.position, abs=1e-9)
            positions[names.index(mine.actor)] = theirs.position
        np.testing.assert_allclose(rnd.positions, positions, rtol=0, atol=1e-9)


def test_golden_risk_and_quadrant(
    example: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, Log],
) -> None:
    names, x, c, s, _ = example
    r = risk_exponents(x, c, s)
    expected = [1.4057, 0.7542, 0.5089, 1.4057, 1.0465, 1.0465, 1.9649, 0.5, 2.0, 1.1121]
    np.testing.assert_allclose(r, expected, rtol=0, atol=5e-5)
    first = run(x, c, s, 1, keep_pairs=True).rounds[0]
    np.testing.assert_array_equal(first.risk, r)
    assert first.eu_challenge is not None and first.eu_challenged is not None
    belgium = names.index("Belgium")
    own = dict(zip(names, first.eu_challenge[belgium], strict=True))
    assert own["Luxembourg"] == pytest.approx(0.606, abs=5e-4)
    assert own["Denmark"] == pytest.approx(-0.832, abs=5e-4)
    for other, value in [("Netherlands", -0.473), ("Germany", -0.473), ("France", -0.115)]:
        assert own[other] == pytest.approx(value, abs=5e-4)
    assert own["UK"] == pytest.approx(-0.655, abs=5e-4)
    assert own["Ireland"] == pytest.approx(0, abs=1e-12)
    assert own["Greece"] == pytest.approx(0, abs=1e-12)
    theirs = dict(zip(names, first.eu_challenged[belgium], strict=True))
    for other in ("Netherlands", "Luxembourg", "France", "UK", "Denmark"):
        assert theirs[other] == pytest.approx(0.242, abs=2e-3)


def test_paper_variant_differs_on_example(
    example: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, Log],
) -> None:
    _, x, c, s, log = example
    paper = run(x, c, s, 10, variant="paper")
    assert paper.initial_mean == pytest.approx(log.means[0], abs=1e-12)
    assert not np.allclose(paper.means, log.means)


# --- properties ------------------------------------------------------------------------------


@st.composite
def generic(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Continuous random actors: exact ties between offers have probability zero."""
    n = draw(st.integers(2, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.uniform(0, 10, n), rng.uniform(0.05, 1, n), rng.uniform(0.05, 1, n)


@settings(max_examples=60, deadline=None)
@given(generic(), st.sampled_from(["scholz_code", "paper"]), st.randoms(use_true_random=False))
def test_permuting_actors_changes_nothing(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], variant: Variant, rnd: object
) -> None:
    x, c, s = data
    perm = np.random.default_rng(rnd.randint(0, 2**31)).permutation(len(x))  # type: ignore[attr-defined]
    a = run(x, c, s, 4, scale=(0.0, 10.0), variant=variant)
    b = run(x[perm], c[perm], s[perm], 4, scale=(0.0, 10.0), variant=variant)
    np.testing.assert_allclose(a.final_positions[perm], b.final_positions, atol=1e-9)
    np.testing.assert_allclose(a.means, b.means, atol=1e-9)
    np.testing.assert_allclose(a.medians, b.medians, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(generic(), st.sampled_from(["scholz_code", "paper"]), st.floats(-50, 50))
def test_translation_shifts_forecast(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], variant: Variant, d: float
) -> None:
    x, c, s = data
    a = run(x, c, s, 4, scale=(0.0, 10.0), variant=variant)
    b = run(x + d, c, s, 4, scale=(d, 10.0 + d), variant=variant)
    np.testing.assert_allclose(b.means, a.means + d, atol=1e-9)
    np.testing.assert_allclose(b.medians, a.medians + d, atol=1e-9)
    np.testing.assert_allclose(b.final_positions, a.final_positions + d, atol=1e-9)


def test_deterministic() -> None:
    rng = np.random.default_rng(11)
    x, c, s = rng.uniform(0, 1, (5, 12)), rng.uniform(0, 1, (5, 12)), rng.uniform(0, 1, (5, 12))
    for variant in ("scholz_code", "paper"):
        a = run(x, c, s, 6, variant=variant)
        b = run(x, c, s, 6, variant=variant)
        np.testing.assert_array_equal(a.means, b.means)
        np.testing.assert_array_equal(a.final_positions, b.final_positions)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="variant"):
        run([1.0, 2.0], [1.0, 1.0], [0.5, 0.5], 1, variant="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scale"):
        run([1.0, 2.0], [1.0, 1.0], [0.5, 0.5], 1, scale=(0.0, 1.5))
    with pytest.raises(ValueError, match="two actors"):
        run([1.0], [1.0], [0.5], 1)
