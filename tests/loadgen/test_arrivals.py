"""Arrival processes, checked statistically on samples from the real generator.

Fixed seeds make these deterministic; the bounds are the usual 1 % critical values, and
each statistical check has a negative control showing it can fail.
"""

from __future__ import annotations

import itertools
import math

import pytest

from loadgen.arrivals import arrival_offsets, resolve_arrival
from loadgen.shards import ConfigError

N = 2000


def gaps(kind: str, rate: float, burstiness: float = 1.0, seed: int = 7, n: int = N):
    offs = list(itertools.islice(arrival_offsets(kind, rate, burstiness, seed), n))
    return [b - a for a, b in zip([0.0] + offs, offs)], offs


def ks_exponential(samples: list[float], rate: float) -> float:
    """Kolmogorov-Smirnov statistic of samples against Exp(rate)."""
    xs = sorted(samples)
    n = len(xs)
    d = 0.0
    for i, x in enumerate(xs):
        f = 1 - math.exp(-rate * x)
        d = max(d, f - i / n, (i + 1) / n - f)
    return d


def dispersion_index(offsets: list[float], window: float) -> float:
    """Variance / mean of arrival counts per window (1 for a Poisson process)."""
    n_win = int(offsets[-1] // window)
    counts = [0] * n_win
    for t in offsets:
        k = int(t // window)
        if k < n_win:
            counts[k] += 1
    mean = sum(counts) / n_win
    var = sum((c - mean) ** 2 for c in counts) / (n_win - 1)
    return var / mean


KS_CRIT_1PCT = 1.63 / math.sqrt(N)


def test_poisson_gaps_pass_ks_test_against_exponential():
    g, _ = gaps("poisson", rate=10.0)
    assert ks_exponential(g, 10.0) < KS_CRIT_1PCT
    assert sum(g) / len(g) == pytest.approx(0.1, rel=0.05)


def test_ks_test_rejects_non_poisson_arrivals():
    # Negative controls: the same test must fail for constant and for the wrong rate.
    g, _ = gaps("constant", rate=10.0)
    assert ks_exponential(g, 10.0) > KS_CRIT_1PCT
    g, _ = gaps("poisson", rate=10.0)
    assert ks_exponential(g, 13.0) > KS_CRIT_1PCT


def test_poisson_counts_have_unit_dispersion():
    _, offs = gaps("poisson", rate=10.0)          # ~200 one-second windows
    assert 0.7 < dispersion_index(offs, 1.0) < 1.3
    _, offs = gaps("constant", rate=10.0)
    assert dispersion_index(offs, 1.0) < 0.1       # control: regular arrivals


@pytest.mark.parametrize("burstiness", [0.25, 4.0])
def test_gamma_gaps_have_vllm_mean_and_cv(burstiness):
    # vLLM: gap ~ Gamma(shape=burstiness, scale=1/(rate*burstiness)) -> mean 1/rate,
    # squared coefficient of variation 1/burstiness.
    g, _ = gaps("gamma", rate=20.0, burstiness=burstiness, n=4000)
    mean = sum(g) / len(g)
    var = sum((x - mean) ** 2 for x in g) / len(g)
    assert mean == pytest.approx(1 / 20.0, rel=0.08)
    assert var / mean ** 2 == pytest.approx(1 / burstiness, rel=0.2)


def test_constant_all_at_once_and_replay():
    assert list(itertools.islice(arrival_offsets("constant", 4.0), 3)) == [0.25, 0.5, 0.75]
    assert list(itertools.islice(arrival_offsets("all-at-once", math.inf), 3)) == [0.0] * 3
    assert list(arrival_offsets("replay", 1.0, timestamps=[0.0, 0.5, 2.0])) == [0.0, 0.5, 2.0]


def test_same_seed_same_schedule_different_seed_different():
    a = list(itertools.islice(arrival_offsets("poisson", 5.0, seed=1), 50))
    b = list(itertools.islice(arrival_offsets("poisson", 5.0, seed=1), 50))
    c = list(itertools.islice(arrival_offsets("poisson", 5.0, seed=2), 50))
    assert a == b and a != c


def test_resolve_arrival_auto_and_errors():
    assert resolve_arrival("auto", math.inf, 1.0, False) == "all-at-once"
    assert resolve_arrival("auto", 5.0, 1.0, False) == "poisson"
    assert resolve_arrival("auto", 5.0, 0.5, False) == "gamma"
    assert resolve_arrival("auto", 5.0, 1.0, True) == "replay"
    for args in [("poisson", math.inf, 1.0, False), ("poisson", 5.0, 2.0, False),
                 ("replay", 5.0, 1.0, False), ("nope", 5.0, 1.0, False),
                 ("auto", 0.0, 1.0, False), ("auto", 5.0, 0.0, False)]:
        with pytest.raises(ConfigError):
            resolve_arrival(*args)
