"""The one sampler of judgement numbers (accord.judgements.sample_runs): the vectorised inverse
transform equals the one-number-at-a-time reference, chunks draw what the whole run draws, and
the draws follow the stated distributions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from accord.judgements import draw, sample_runs, uniforms
from accord.model.records import Distribution, Quantity


@st.composite
def quantities(draw_: st.DrawFn) -> tuple[Quantity, float, float]:
    kind = draw_(st.sampled_from(["range", "uniform", "normal", "triangular", "beta"]))
    lo = draw_(st.floats(-5, 5, allow_nan=False))
    width = draw_(st.floats(0, 5, allow_nan=False))
    hi = lo + width
    if kind == "range":
        q = Quantity(value=lo, range=(lo, hi))
    elif kind == "uniform":
        q = Quantity(value=lo, dist=Distribution(kind="uniform", low=lo, high=hi))
    elif kind == "normal":
        sd = draw_(st.floats(0.01, 3))
        q = Quantity(value=lo, dist=Distribution(kind="normal", mean=lo, sd=sd))
    elif kind == "triangular":
        mode = lo + width * draw_(st.floats(0, 1))
        q = Quantity(value=lo, dist=Distribution(kind="triangular", low=lo, mode=mode, high=hi))
    else:
        a, b = draw_(st.floats(0.2, 8)), draw_(st.floats(0.2, 8))
        q = Quantity(value=0.5, dist=Distribution(kind="beta", a=a, b=b))
    clip_lo = draw_(st.floats(-6, 1))
    return q, clip_lo, clip_lo + draw_(st.floats(0, 12))


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(quantities(), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
    runs=st.integers(1, 12),
    data=st.data(),
)
def test_vectorised_draws_equal_the_reference(items, seed, runs, data) -> None:  # type: ignore[no-untyped-def]
    start = data.draw(st.integers(0, runs))
    stop = data.draw(st.integers(start, runs))
    got = sample_runs(items, seed, start, stop, runs)
    u = uniforms(seed, len(items), start, stop)
    want = np.array(
        [
            [draw(float(u[r, k]), q, lo, hi) for k, (q, lo, hi) in enumerate(items)]
            for r in range(stop - start)
        ]
    ).reshape(stop - start, len(items))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    assert got.shape == (stop - start, len(items))


@settings(max_examples=30, deadline=None)
@given(
    items=st.lists(quantities(), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(0, 30), max_size=4),
)
def test_any_chunking_draws_what_one_pass_draws(items, seed, cuts) -> None:  # type: ignore[no-untyped-def]
    runs = 30
    whole = sample_runs(items, seed, 0, runs, runs)
    bounds = [0, *sorted(cuts), runs]
    parts = [sample_runs(items, seed, a, b, runs) for a, b in itertools.pairwise(bounds)]
    assert np.array_equal(np.vstack(parts), whole)


def test_uniforms_jump_to_their_start() -> None:
    full = uniforms(3, 2, 0, 50)
    assert np.array_equal(uniforms(3, 2, 17, 41), full[17:41])
    assert np.all((full >= 0) & (full < 1))
    assert not np.array_equal(full[:, 0], full[:, 1])  # each quantity its own stream


@pytest.mark.parametrize(
    ("dist", "reference"),
    [
        (Distribution(kind="normal", mean=2.0, sd=0.5), stats.norm(2.0, 0.5)),
        (Distribution(kind="triangular", low=0, mode=0.2, high=1), stats.triang(0.2, 0, 1)),
        (Distribution(kind="beta", a=2.0, b=5.0), stats.beta(2.0, 5.0)),
        (Distribution(kind="uniform", low=-1, high=3), stats.uniform(-1, 4)),
    ],
)
def test_draws_follow_the_stated_distribution(dist: Distribution, reference) -> None:  # type: ignore[no-untyped-def]
    x = sample_runs([(Quantity(value=0.0, dist=dist), -np.inf, np.inf)], 11, 0, 20_000, 20_000)
    assert stats.kstest(x[:, 0], reference.cdf).pvalue > 0.001


def test_out_of_range_runs_are_refused() -> None:
    with pytest.raises(ValueError, match="not within"):
        sample_runs([(Quantity(value=0.5, range=(0.0, 1.0)), 0.0, 1.0)], 0, 5, 3, 10)
