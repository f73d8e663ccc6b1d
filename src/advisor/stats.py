"""The statistics behind ``decide --evidence``: intervals, two tests and sample sizes.

Standard library only, and cheap to import: every decision record carries a power estimate,
so ``decide`` imports this module even without evidence, while :mod:`statistics` (which
pulls in ``random``, ``fractions`` and ``decimal``) is imported only when measured scores
are summarised. ``docs/evidence.md`` explains each method in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

CONFIDENCE_LEVEL = 0.95  # two-sided
POWER = 0.80
MIN_GAIN = 0.05  # the smallest score gain worth a more complex system (docs/evidence.md)

# The two normal quantiles every test and sample size here needs, precomputed; tests check
# them against ``statistics.NormalDist``.
_KNOWN_Z = {0.975: 1.959963984540054, 0.8: 0.8416212335729143}
_TWO_SIDED = 1 - (1 - CONFIDENCE_LEVEL) / 2


class Difference(NamedTuple):
    """A difference of mean scores with its 95% interval and two-sided p-value."""

    gain: float
    low: float
    high: float
    p_value: float
    items: int


def z(probability: float) -> float:
    """The standard normal quantile."""
    if probability in _KNOWN_Z:
        return _KNOWN_Z[probability]
    from statistics import NormalDist

    return NormalDist().inv_cdf(probability)


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def mean_and_spread(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (at least two values)."""
    from statistics import fmean, stdev

    return fmean(values), stdev(values)


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    x = df / (df + t * t)
    tail = 0.5 * _betainc(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


def t_quantile(probability: float, df: float) -> float:
    """The ``t`` with P(T <= t) = probability (0.5 < probability < 1), by bisection."""
    if df > 1000:
        return z(probability)
    low, high = 0.0, 1e4
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Lentz's evaluation of the incomplete beta continued fraction."""
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result


# --- intervals ---------------------------------------------------------------------------


def t_interval(values: Sequence[float]) -> tuple[float, float]:
    """The 95% t interval of the mean of ``values`` (at least two), clipped to [0, 1]."""
    mean, spread = mean_and_spread(values)
    half = t_quantile(_TWO_SIDED, len(values) - 1) * spread / math.sqrt(len(values))
    return max(0.0, mean - half), min(1.0, mean + half)


def wilson_interval(p: float, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``p`` measured on ``n`` items."""
    zz = z(_TWO_SIDED) ** 2
    centre = (p + zz / (2 * n)) / (1 + zz / n)
    half = math.sqrt(zz) / (1 + zz / n) * math.sqrt(p * (1 - p) / n + zz / (4 * n * n))
    # The Wilson interval always holds p; min/max only undo rounding at p = 0 or 1.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


# --- the two tests -----------------------------------------------------------------------


def paired_t(differences: Sequence[float]) -> Difference:
    """Paired t-test on per-item differences (at least two): is their mean above zero?"""
    n = len(differences)
    gain, spread = mean_and_spread(differences)
    error = spread / math.sqrt(n)
    if error == 0:  # every item moved by the same amount: no doubt either way
        return Difference(gain, gain, gain, float(gain == 0), n)
    half = t_quantile(_TWO_SIDED, n - 1) * error
    p_value = 2 * (1 - t_cdf(abs(gain / error), n - 1))
    return Difference(gain, gain - half, gain + half, min(1.0, max(0.0, p_value)), n)


def two_proportion_z(p1: float, n1: int, p2: float, n2: int) -> Difference:
    """Two-proportion z-test of ``p1 - p2`` (unpooled standard error) from means and counts.

    Exact for right/wrong scores; cautious for scores in [0, 1], whose variance is at most
    p(1 - p).
    """
    gain = p1 - p2
    error = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if error == 0:  # both at 0 or 1: every item agrees with its mean
        return Difference(gain, gain, gain, float(gain == 0), min(n1, n2))
    half = z(_TWO_SIDED) * error
    p_value = 2 * (1 - normal_cdf(abs(gain) / error))
    return Difference(gain, gain - half, gain + half, min(1.0, max(0.0, p_value)), min(n1, n2))


# --- sample sizes ------------------------------------------------------------------------


def items_needed(min_gain: float = MIN_GAIN, *, baseline: float = 0.5) -> int:
    """Items per system for a two-proportion test to detect ``min_gain`` (95%, 80% power).

    ``baseline`` is the simpler system's score; 0.5, the default, is the worst case, so
    with no measurement yet the answer is an upper bound for scores in [0, 1].
    """
    other = min(1.0, baseline + min_gain)
    variance = baseline * (1 - baseline) + other * (1 - other)
    k = z(_TWO_SIDED) + z(POWER)
    return max(2, math.ceil(k * k * variance / (min_gain * min_gain)))


def paired_items_needed(spread: float, min_gain: float = MIN_GAIN) -> int:
    """Items for a paired test to detect ``min_gain`` when differences vary by ``spread``."""
    k = z(_TWO_SIDED) + z(POWER)
    return max(2, math.ceil((k * spread / min_gain) ** 2))
