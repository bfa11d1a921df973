"""Reference values and guards for the EARS C1/C2/C3 and CUSUM detectors (no database)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from amparo.earlywarning.aberration import (
    R_Z_C1_C2,
    R_Z_C3,
    baseline_stats,
    cusum,
    ears_c1,
    ears_c2,
    ears_c3,
    farrington,
)

# A fixed weekly series: quiet for 10 weeks, a spike at weeks 10-12, then quiet again.
SERIES = [1, 2, 0, 3, 1, 2, 1, 2, 1, 0, 9, 8, 7, 2, 1]
NO_GUARDS = {"min_sigma": 0.0, "min_count": 0}


def hand_z(y: list[int], t: int, lag: int, baseline: int = 7, min_sigma: float = 0.0) -> float:
    """The EARS formula written out with the standard library only."""
    ref = y[t - lag - baseline + 1 : t - lag + 1]
    assert len(ref) == baseline
    sigma = max(statistics.stdev(ref), min_sigma)
    return (y[t] - statistics.mean(ref)) / sigma


def hand_c3(y: list[int], t: int, min_sigma: float = 0.0) -> float:
    return sum(max(0.0, hand_z(y, t - i, 3, min_sigma=min_sigma) - 1) for i in range(3))


# --- reference values ------------------------------------------------------------------------


def test_c1_closed_form_first_value():
    # Baseline y[0..6] = 1,2,0,3,1,2,1: mean 10/7, variance (20 - 100/7)/6 = 20/21.
    r = ears_c1(SERIES, **NO_GUARDS)
    assert r.expected[7] == pytest.approx(10 / 7, abs=1e-15)
    assert r.sigma[7] == pytest.approx(math.sqrt(20 / 21), rel=1e-15)
    assert r.statistic[7] == pytest.approx((2 - 10 / 7) / math.sqrt(20 / 21), rel=1e-14)
    assert r.statistic[7] == pytest.approx(0.5855400438, rel=1e-10)


def test_c1_matches_hand_computation_everywhere():
    r = ears_c1(SERIES, **NO_GUARDS)
    assert np.isnan(r.statistic[:7]).all()
    for t in range(7, len(SERIES)):
        assert r.statistic[t] == pytest.approx(hand_z(SERIES, t, 1), rel=1e-12)
    assert r.alarm.tolist() == [t == 10 for t in range(len(SERIES))]
    assert (r.threshold == 3.0).all()


def test_c2_uses_two_week_guard_gap():
    r = ears_c2(SERIES, **NO_GUARDS)
    assert np.isnan(r.statistic[:9]).all()  # first testable week is baseline + 3 (1-based)
    for t in range(9, len(SERIES)):
        assert r.statistic[t] == pytest.approx(hand_z(SERIES, t, 3), rel=1e-12)
    # t = 10: baseline y[1..7] = 2,0,3,1,2,1,2 → mean 11/7, variance (23 - 121/7)/6 = 20/21
    assert r.statistic[10] == pytest.approx((9 - 11 / 7) / math.sqrt(20 / 21), rel=1e-14)
    assert np.flatnonzero(r.alarm).tolist() == [10, 11, 12]


def test_c3_sums_positive_parts_of_three_c2_statistics():
    r = ears_c3(SERIES, **NO_GUARDS)
    assert np.isnan(r.statistic[:11]).all()  # first testable week is baseline + 5 (1-based)
    for t in range(11, len(SERIES)):
        assert r.statistic[t] == pytest.approx(hand_c3(SERIES, t), rel=1e-12)
    c2 = ears_c2(SERIES, **NO_GUARDS).statistic
    assert r.statistic[11] == pytest.approx(
        max(0, c2[9] - 1) + max(0, c2[10] - 1) + max(0, c2[11] - 1), rel=1e-15
    )
    assert (r.threshold == 2.0).all()
    assert np.flatnonzero(r.alarm).tolist() == [11, 12, 13, 14]


def test_min_sigma_floor_matches_hand_computation():
    r = ears_c2(SERIES, min_sigma=1.2, min_count=0)
    for t in range(9, len(SERIES)):
        assert r.statistic[t] == pytest.approx(hand_z(SERIES, t, 3, min_sigma=1.2), rel=1e-12)
    r3 = ears_c3(SERIES, min_sigma=1.2, min_count=0)
    assert r3.statistic[12] == pytest.approx(hand_c3(SERIES, 12, min_sigma=1.2), rel=1e-12)


def test_r_thresholds_are_normal_quantiles():
    # qnorm(0.999) and qnorm(0.975), as surveillance::earsC derives them from alpha.
    assert statistics.NormalDist().inv_cdf(0.999) == pytest.approx(R_Z_C1_C2, rel=1e-12)
    assert statistics.NormalDist().inv_cdf(0.975) == pytest.approx(R_Z_C3, rel=1e-12)


def test_baseline_stats_with_other_window():
    mean, sd = baseline_stats(SERIES, baseline=3, lag=1)
    assert np.isnan(mean[:3]).all()
    assert mean[3] == pytest.approx(1.0)
    assert sd[3] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        ears_c1(SERIES, baseline=2)


def test_two_dimensional_input_is_row_wise():
    rows = np.array([SERIES, SERIES[::-1]])
    r = ears_c2(rows, **NO_GUARDS)
    assert r.statistic.shape == rows.shape
    np.testing.assert_array_equal(r.statistic[0], ears_c2(SERIES, **NO_GUARDS).statistic)
    np.testing.assert_array_equal(r.alarm[1], ears_c2(SERIES[::-1], **NO_GUARDS).alarm)


# --- CUSUM ------------------------------------------------------------------------------------


def test_cusum_recursion_alarm_and_reset():
    y = [2, 2, 3, 1, 2, 2, 1, 2, 2, 2, 4, 5, 5, 6, 2, 2]
    r = cusum(y, k=0.5, h=4.0, baseline=7, guard=2, **NO_GUARDS)
    z = [hand_z(y, t, 3) for t in range(9, len(y))]
    s, expected = 0.0, []
    for zt in z:
        s = max(0.0, s + zt - 0.5)
        expected.append(s)
        if s >= 4.0:
            s = 0.0
    assert np.isnan(r.statistic[:9]).all()
    np.testing.assert_allclose(r.statistic[9:], expected, rtol=1e-12)
    alarms = np.flatnonzero(r.alarm).tolist()
    assert alarms  # the sustained rise is caught
    for t in alarms:
        assert r.statistic[t] >= 4.0
        if t + 1 < len(y):  # reset: the next value starts from zero
            assert r.statistic[t + 1] == pytest.approx(max(0.0, z[t + 1 - 9] - 0.5))


def test_cusum_accumulates_small_shifts_that_c1_misses():
    y = [3, 2, 4, 3, 2, 3, 4, 3, 2, 3] + [4] * 6
    c1 = ears_c1(y, min_sigma=0.5, min_count=3)
    cu = cusum(y, k=0.5, h=3.0, min_sigma=0.5, min_count=3)
    assert not c1.alarm[10:].any()
    assert cu.alarm[10:].any()


def test_cusum_defaults_are_algo_cusum_defaults():
    r = cusum(SERIES)
    assert (r.threshold == 2.26).all()
    with pytest.raises(ValueError):
        cusum(SERIES, h=0)


# --- guards -----------------------------------------------------------------------------------


def test_min_count_guard_suppresses_small_counts():
    y = [0] * 9 + [2, 0, 0]
    loose = ears_c2(y, min_sigma=0.5, min_count=0)
    guarded = ears_c2(y, min_sigma=0.5, min_count=3)
    assert loose.alarm[9]  # z = 2 / 0.5 = 4 > 3
    assert loose.statistic[9] == pytest.approx(4.0)
    assert not guarded.alarm.any()
    assert guarded.statistic[9] == pytest.approx(4.0)  # statistic still reported


def test_zero_variance_without_floor_follows_r():
    y = [1] * 9 + [2, 1, 0]
    r = ears_c2(y, min_sigma=0.0, min_count=0)
    assert r.sigma[9] == 0.0
    assert r.statistic[9] == math.inf
    assert r.statistic[10] == 0.0
    assert r.statistic[11] == -math.inf
    assert r.alarm.tolist() == [False] * 9 + [True, False, False]
    c3 = ears_c3([1] * 11 + [2], min_sigma=0.0, min_count=0)
    assert c3.statistic[11] == math.inf and c3.alarm[11]
    cu = cusum([1] * 9 + [2, 0, 1], min_sigma=0.0, min_count=0)
    assert cu.alarm.tolist() == [False] * 9 + [True, False, False]
    assert cu.statistic[10] == 0.0  # reset, then -inf clipped at 0


def test_zero_variance_with_floor_is_finite():
    y = [0] * 9 + [1, 3]
    r = ears_c1(y)  # defaults: min_sigma 0.5, min_count 3
    assert r.sigma[9] == 0.5 and r.statistic[9] == pytest.approx(2.0)
    assert not r.alarm[9]
    assert r.alarm[10]  # 3 counts, baseline mean 1/7


@pytest.mark.parametrize("fn", [ears_c1, ears_c2, ears_c3, cusum])
@pytest.mark.parametrize("n", [0, 1, 3, 7])
def test_short_series_never_alarm(fn, n):
    r = fn([50] * n, min_count=0)
    assert len(r) == n
    assert np.isnan(r.statistic).all()
    assert not r.alarm.any()


def test_bad_input_rejected():
    for bad in ([1, -1, 2], [1, float("nan")], [[[1]]]):
        with pytest.raises(ValueError):
            ears_c1(bad)


def test_deterministic():
    rng = np.random.default_rng(3)
    y = rng.poisson(2, 80)
    for fn in (ears_c1, ears_c2, ears_c3, cusum):
        a, b = fn(y), fn(y.copy())
        np.testing.assert_array_equal(a.statistic, b.statistic)
        np.testing.assert_array_equal(a.alarm, b.alarm)


# --- planted outbreak and false alarms --------------------------------------------------------


def planted_series(seed: int = 2026) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    y = rng.poisson(2.0, 52)
    onset = 30
    y[onset : onset + 3] = rng.poisson(6.0, 3)  # mean tripled for three weeks
    return y, onset


def test_planted_outbreak_detected_within_two_weeks():
    y, onset = planted_series()
    first = {}
    for fn in (ears_c1, ears_c2, ears_c3, cusum):
        hits = np.flatnonzero(fn(y).alarm[onset:])
        if hits.size:
            first[fn.__name__] = int(hits[0])
    assert first, "no method detected the outbreak"
    assert min(first.values()) <= 2
    assert first == PLANTED_FIRST_DETECTION


def test_flat_series_false_alarms():
    rng = np.random.default_rng(7)
    y = rng.poisson(2.0, 52)
    counts = {fn.__name__: int(fn(y).alarm.sum()) for fn in (ears_c1, ears_c2, ears_c3, cusum)}
    assert counts == FLAT_FALSE_ALARMS
    # A truly constant series never alarms.
    for fn in (ears_c1, ears_c2, ears_c3, cusum):
        assert not fn([4] * 52).alarm.any()


# Seeded outcomes (numpy.random.default_rng, PCG64). The planted weeks drew 3, 6, 9 counts: every
# method fires on the third spike week (offset 2 from onset).
PLANTED_FIRST_DETECTION = {"ears_c1": 2, "ears_c2": 2, "ears_c3": 2, "cusum": 2}
# 52 Poisson(2) weeks with defaults (min_sigma 0.5, min_count 3). Over 1,000 such seeded series
# the mean false alarms per 52 weeks were C1 1.38, C2 1.28, C3 2.36, CUSUM 1.29 (see the docs).
FLAT_FALSE_ALARMS = {"ears_c1": 1, "ears_c2": 1, "ears_c3": 3, "cusum": 0}


# --- improved Farrington (Noufaily et al. 2013) ----------------------------------------------


def _weeks(value_of_offset, length: int = 140) -> list[float]:
    """A series whose week t - offset has value_of_offset(offset), testing the last week."""
    return [float(value_of_offset(length - 1 - s)) for s in range(length)]


def _poisson_quantile(mean: float, q: float) -> int:
    k, total = 0, 0.0
    while True:
        total += math.exp(-mean) * mean**k / math.factorial(k)
        if total >= q:
            return k
        k += 1


def test_farrington_constant_baseline_is_a_poisson_bound():
    # Baseline all 2: fitted mean 2, Pearson chi2 0 so phi = 1; the 95 % Poisson(2) quantile
    # is 5 (P(X <= 4) = 0.947, P(X <= 5) = 0.983).
    assert _poisson_quantile(2, 0.95) == 5
    for observed, alarm in ((6, True), (5, False)):
        y = _weeks(lambda offset, o=observed: o if offset == 0 else 2)
        r = farrington(y, columns=[-1])
        assert r.expected[-1] == pytest.approx(2.0, rel=1e-9)
        assert r.sigma[-1] == pytest.approx(5.0 - 2.0, rel=1e-9)  # U - mu
        assert r.statistic[-1] == pytest.approx((observed - 2) / 3, rel=1e-9)
        assert bool(r.alarm[-1]) is alarm
        assert np.isnan(r.statistic[:-1]).all()  # only the requested week


def test_farrington_seasonal_period_zero_is_the_same_weeks_of_past_years():
    # Weeks 0-3 and 49-51 (mod 52) from now hold 4, every other week 1: the fitted mean of the
    # current period is 4 exactly, phi = 1, and the 95 % Poisson(4) quantile is 8.
    assert _poisson_quantile(4, 0.95) == 8

    def value(offset: int) -> int:
        k = offset % 52
        return 9 if offset == 0 else 4 if k <= 3 or k >= 49 else 1

    for trend in (True, False):  # an exact fit has a zero slope: the trend is dropped
        r = farrington(_weeks(value), columns=[-1], trend=trend)
        assert r.expected[-1] == pytest.approx(4.0, rel=1e-9)
        assert r.expected[-1] + r.sigma[-1] == pytest.approx(8.0, rel=1e-9)
        assert r.alarm[-1]


def test_farrington_overdispersion_uses_the_negative_binomial_quantile():
    # One period, no trend; baseline weeks 26..107 back alternate 4 and 0: mean 2, Pearson
    # chi2 = 82 * 4 / 2, phi = 164 / 81. Anscombe residuals (0.88 at most) stay under 2.58,
    # so nothing is down-weighted. NB with mean 2 and size 2 / (phi - 1).
    phi = 164 / 81
    size = 2 / (phi - 1)
    prob = size / (size + 2)

    def pmf(k: int) -> float:
        return math.exp(
            math.lgamma(k + size)
            - math.lgamma(size)
            - math.lgamma(k + 1)
            + size * math.log(prob)
            + k * math.log(1 - prob)
        )

    bound, total = 0, pmf(0)
    while total < 0.95:
        bound += 1
        total += pmf(bound)
    assert bound == 6
    y = _weeks(lambda offset: 8 if offset == 0 else 4 if offset % 2 == 0 else 0)
    r = farrington(y, columns=[-1], trend=False, no_periods=1)
    assert r.expected[-1] == pytest.approx(2.0, rel=1e-9)
    assert r.expected[-1] + r.sigma[-1] == bound
    assert r.statistic[-1] == pytest.approx((8 - 2) / (6 - 2), rel=1e-9)
    assert r.alarm[-1]


def test_farrington_limit54_and_zero_baseline():
    # A baseline of zeros predicts 0 with bound 0: 4 cases in the last 4 weeks are not enough.
    few = _weeks(lambda offset: 4 if offset == 0 else 0)
    r = farrington(few, columns=[-1])
    assert (r.expected[-1], r.statistic[-1], bool(r.alarm[-1])) == (0.0, math.inf, False)
    enough = _weeks(lambda offset: 3 if offset in (0, 2) else 0)
    assert farrington(enough, columns=[-1]).alarm[-1]


def test_farrington_down_weights_past_outbreaks_and_needs_its_baseline():
    def value(offset: int) -> int:
        return 30 if offset == 60 else 3 if offset == 0 else 1

    y = _weeks(value)
    weighted = farrington(y, columns=[-1], trend=False)
    plain = farrington(y, columns=[-1], trend=False, weights_threshold=1e9)
    assert weighted.expected[-1] < plain.expected[-1]
    assert weighted.expected[-1] == pytest.approx(1.0, abs=0.05)
    short = farrington([1.0] * 100)  # 2 years + 3 weeks of baseline do not fit in 100 weeks
    assert np.isnan(short.statistic).all() and not short.alarm.any()


def test_farrington_runs_on_a_matrix_and_in_the_regional_detector():
    from amparo.earlywarning.regional import RegionalConfig

    rng = np.random.default_rng(3)
    y = rng.poisson(2.0, size=(4, 140)).astype(float)
    y[2, -1] = 15
    r = farrington(y, columns=[-1])
    assert r.alarm[:, -1].tolist() == [False, False, True, False]
    detector = RegionalConfig(methods=("FARRINGTON",)).detector("FARRINGTON", 139)
    assert detector(y).alarm[:, -1].tolist() == [False, False, True, False]
