"""Aberration detectors for weekly incident counts (DESIGN §4.4, research §3.1–3.2).

Pure NumPy, no Django. Every detector takes a count series (1-D, or 2-D with one series per row
and time along the last axis) and returns a :class:`DetectionResult` with one value per period.

Formulas (sources: /work/shared/research/anchors-early-warning.md §3.1 and §3.2, which cite the
CDC EARS definitions as implemented by R ``surveillance::earsC`` [42] and ``algo.cusum`` [43]):

* baseline of ``B`` weeks (default 7) ending ``lag`` weeks before ``t``:
  ``ȳ_t = mean(y[t-lag-B+1 .. t-lag])``, ``s_t = sd(...)`` with the ``n-1`` denominator (R ``sd``);
  the sigma used is ``σ_t = max(s_t, min_sigma)`` (R ``pmax(sd, minSigma)``).
* **C1**: lag 1 (baseline ``y[t-7..t-1]``). ``C1_t = (y_t - ȳ_t)/σ_t``, alarm if ``C1_t > 3``.
* **C2**: lag 3, i.e. a 2-week guard gap (baseline ``y[t-9..t-3]``). ``C2_t = (y_t - ȳ_t)/σ_t``,
  alarm if ``C2_t > 3``.
* **C3**: ``C3_t = Σ_{i=0..2} max(0, C2_{t-i} - 1)``, alarm if ``C3_t > 2``.
* **CUSUM** (one-sided, upper): ``z_t`` is the C2-style standardised count (baseline ``B`` with a
  ``guard`` gap), ``S_t = max(0, S_{t-1} + z_t - k)``, alarm if ``S_t >= h``; ``S`` resets to 0
  after it crosses ``h``. Defaults ``k = 1.04``, ``h = 2.26`` (``algo.cusum`` defaults [43]).

Thresholds 3 / 3 / 2 are the CDC EARS cut-offs (z ≈ 3 for alpha = 0.001, z ≈ 2 for alpha = 0.025).
R computes them as ``qnorm(1 - alpha)``; pass :data:`R_Z_C1_C2` / :data:`R_Z_C3` to match R to the
last digit.

Guards shared by every detector:

* **short series**: a period without a full baseline has ``statistic = NaN`` and never alarms;
* **zero variance**: ``σ_t = max(s_t, min_sigma)``; if that is still 0 (``min_sigma = 0`` and a
  flat baseline) the statistic is ``+inf`` / ``0`` / ``-inf`` as ``y_t`` is above / equal to /
  below ``ȳ_t`` (R's behaviour: the upper bound collapses to ``ȳ_t``);
* **minimum count**: no alarm while ``y_t < min_count`` (default 3), whatever the statistic.

Known divergence from R: ``surveillance::earsC`` (cran/surveillance @014b5f73, ``R/earsC.R``)
computes the C3 upper bound as ``y_t + σ_t (z - P_{t-1} - P_{t-2})``, so its C3 alarm ignores the
current week's term. We implement the canonical C3 sum above, as the research file and the brief
specify.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "R_Z_C1_C2",
    "R_Z_C3",
    "DetectionResult",
    "baseline_stats",
    "cusum",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "farrington",
    "standardise",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: ``qnorm(1 - 0.001)`` and ``qnorm(1 - 0.025)``: R's exact C1/C2 and C3 thresholds.
R_Z_C1_C2 = 3.090232306167813
R_Z_C3 = 1.959963984540054


@dataclass(frozen=True, slots=True, eq=False)
class DetectionResult:
    """Per-period output of one detector (same shape as the input counts)."""

    method: str
    observed: FloatArray
    statistic: FloatArray  # NaN where the baseline is incomplete
    threshold: FloatArray  # on the statistic's scale
    alarm: BoolArray
    expected: FloatArray  # baseline mean ȳ_t (NaN where undefined)
    sigma: FloatArray  # σ_t = max(s_t, min_sigma) (NaN where undefined)

    def __len__(self) -> int:
        return int(self.observed.shape[-1])


def _as_counts(counts: ArrayLike) -> FloatArray:
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim not in (1, 2):
        raise ValueError("counts must be 1-D (one series) or 2-D (one series per row)")
    if not np.all(np.isfinite(y)):
        raise ValueError("counts must be finite")
    if np.any(y < 0):
        raise ValueError("counts must be non-negative")
    return y


def _check(baseline: int, min_sigma: float, min_count: float) -> None:
    if baseline < 3:
        raise ValueError("baseline must be at least 3 (as in surveillance::earsC)")
    if min_sigma < 0:
        raise ValueError("min_sigma must be >= 0")
    if min_count < 0:
        raise ValueError("min_count must be >= 0")


def baseline_stats(
    counts: ArrayLike, baseline: int = 7, lag: int = 1
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample SD (ddof=1) of ``y[t-lag-baseline+1 .. t-lag]`` for every ``t``.

    ``lag = 1`` is the C1 baseline, ``lag = 3`` the C2 baseline (2-week guard gap). Periods
    without a full baseline get NaN.
    """
    y = _as_counts(counts)
    if lag < 1:
        raise ValueError("lag must be >= 1")
    n = y.shape[-1]
    mean = np.full(y.shape, np.nan)
    sd = np.full(y.shape, np.nan)
    first = baseline + lag - 1  # first t with a complete baseline
    if n > first:
        # Running sums: exact for counts (integers below 2**53), so a flat baseline has a
        # variance of exactly 0; one pass instead of a window per week.
        pad = [(0, 0)] * (y.ndim - 1) + [(1, 0)]
        total = np.pad(np.cumsum(y, axis=-1), pad)
        squares = np.pad(np.cumsum(y * y, axis=-1), pad)
        window = total[..., baseline : n - lag + 1] - total[..., : n - lag + 1 - baseline]
        window_sq = squares[..., baseline : n - lag + 1] - squares[..., : n - lag + 1 - baseline]
        mean[..., first:] = window / baseline
        variance = (baseline * window_sq - window * window) / (baseline * (baseline - 1))
        sd[..., first:] = np.sqrt(np.maximum(variance, 0.0))
    return mean, sd


def standardise(
    y: FloatArray, mean: FloatArray, sd: FloatArray, min_sigma: float
) -> tuple[FloatArray, FloatArray]:
    """``(y - mean) / max(sd, min_sigma)`` with the zero-variance rule; returns (z, sigma)."""
    sigma = np.where(np.isnan(sd), np.nan, np.maximum(sd, min_sigma))
    diff = y - mean
    z = np.full(y.shape, np.nan)
    pos = sigma > 0
    np.divide(diff, sigma, out=z, where=pos)
    zero = sigma == 0
    z[zero & (diff > 0)] = np.inf
    z[zero & (diff == 0)] = 0.0
    z[zero & (diff < 0)] = -np.inf
    return z, sigma


def _result(
    method: str,
    y: FloatArray,
    stat: FloatArray,
    threshold: float,
    alarm_raw: BoolArray,
    mean: FloatArray,
    sigma: FloatArray,
    min_count: float,
) -> DetectionResult:
    alarm = alarm_raw & ~np.isnan(stat) & (y >= min_count)
    return DetectionResult(
        method=method,
        observed=y,
        statistic=stat,
        threshold=np.full(y.shape, float(threshold)),
        alarm=alarm,
        expected=mean,
        sigma=sigma,
    )


def _ears_c12(
    method: str,
    counts: ArrayLike,
    lag: int,
    baseline: int,
    threshold: float,
    min_sigma: float,
    min_count: float,
) -> DetectionResult:
    _check(baseline, min_sigma, min_count)
    y = _as_counts(counts)
    mean, sd = baseline_stats(y, baseline, lag)
    stat, sigma = standardise(y, mean, sd, min_sigma)
    return _result(method, y, stat, threshold, stat > threshold, mean, sigma, min_count)


def ears_c1(
    counts: ArrayLike,
    *,
    baseline: int = 7,
    threshold: float = 3.0,
    min_sigma: float = 0.5,
    min_count: float = 3,
) -> DetectionResult:
    """EARS C1: baseline ``y[t-7..t-1]``; ``C1_t = (y_t - ȳ_t)/σ_t``; alarm if ``C1_t > 3``."""
    return _ears_c12("C1", counts, 1, baseline, threshold, min_sigma, min_count)


def ears_c2(
    counts: ArrayLike,
    *,
    baseline: int = 7,
    threshold: float = 3.0,
    min_sigma: float = 0.5,
    min_count: float = 3,
) -> DetectionResult:
    """EARS C2: baseline ``y[t-9..t-3]`` (2-week guard); alarm if ``C2_t > 3``."""
    return _ears_c12("C2", counts, 3, baseline, threshold, min_sigma, min_count)


def ears_c3(
    counts: ArrayLike,
    *,
    baseline: int = 7,
    threshold: float = 2.0,
    min_sigma: float = 0.5,
    min_count: float = 3,
) -> DetectionResult:
    """EARS C3: ``C3_t = Σ_{i=0..2} max(0, C2_{t-i} - 1)``; alarm if ``C3_t > 2``.

    ``expected`` and ``sigma`` are those of the current week's C2 baseline.
    """
    _check(baseline, min_sigma, min_count)
    y = _as_counts(counts)
    mean, sd = baseline_stats(y, baseline, 3)
    c2, sigma = standardise(y, mean, sd, min_sigma)
    part = np.maximum(c2 - 1.0, 0.0)  # NaN stays NaN
    stat = np.full(y.shape, np.nan)
    if y.shape[-1] >= 3:
        stat[..., 2:] = part[..., 2:] + part[..., 1:-1] + part[..., :-2]
    return _result("C3", y, stat, threshold, stat > threshold, mean, sigma, min_count)


def cusum(
    counts: ArrayLike,
    *,
    k: float = 1.04,
    h: float = 2.26,
    baseline: int = 7,
    guard: int = 2,
    min_sigma: float = 0.5,
    min_count: float = 3,
) -> DetectionResult:
    """One-sided upper CUSUM on standardised counts, reset after each crossing.

    ``z_t = (y_t - ȳ_t)/σ_t`` over the baseline ``y[t-guard-B .. t-guard-1]``;
    ``S_t = max(0, S_{t-1} + z_t - k)``; alarm if ``S_t >= h``. Once ``S_t >= h`` the next period
    starts again from ``S = 0`` (also when the minimum-count guard suppressed the alarm, so that a
    crossing is never carried forward). Periods without a baseline report NaN and keep ``S = 0``.
    """
    _check(baseline, min_sigma, min_count)
    if k < 0 or h <= 0:
        raise ValueError("need k >= 0 and h > 0")
    if guard < 0:
        raise ValueError("guard must be >= 0")
    y = _as_counts(counts)
    mean, sd = baseline_stats(y, baseline, guard + 1)
    z, sigma = standardise(y, mean, sd, min_sigma)
    stat = np.full(y.shape, np.nan)
    s: Any = np.zeros(y.shape[:-1])
    for t in range(y.shape[-1]):
        zt = z[..., t]
        valid = ~np.isnan(zt)
        current = np.where(valid, np.maximum(s + np.where(valid, zt, 0.0) - k, 0.0), np.nan)
        stat[..., t] = current
        crossed = current >= h
        s = np.where(valid & ~crossed, current, np.where(valid, 0.0, s))
    return _result("CUSUM", y, stat, h, stat >= h, mean, sigma, min_count)


# --- Improved Farrington (Noufaily et al. 2013) -------------------------------------------------

WEEKS_PER_YEAR = 52


def _periods(offsets: NDArray[np.int64], window: int, no_periods: int) -> NDArray[np.int64]:
    """Seasonal period of each baseline week, by its distance in weeks from the current week:
    period 0 is the current week ± ``window`` in past years; the rest of each year is cut into
    ``no_periods - 1`` equal periods (Noufaily et al. 2013's 10-level factor)."""
    k = offsets % WEEKS_PER_YEAR
    in_window = (k <= window) | (k >= WEEKS_PER_YEAR - window)
    if no_periods <= 1:
        return np.zeros(offsets.shape, dtype=np.int64)
    rest = WEEKS_PER_YEAR - 2 * window - 1
    other = 1 + ((k - window - 1) * (no_periods - 1)) // rest
    return np.where(in_window, 0, other).astype(np.int64)


def _poisson_glm(
    x: FloatArray, y: FloatArray, weights: FloatArray, iterations: int = 50
) -> tuple[FloatArray, FloatArray]:
    """Weighted Poisson GLM with log link by iteratively reweighted least squares: returns
    (coefficients, fitted means)."""
    mu = np.maximum(y, 0.5)
    eta = np.log(mu)
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        z = eta + (y - mu) / mu
        w = weights * mu
        xtw = x.T * w
        new = np.linalg.lstsq(xtw @ x, xtw @ z, rcond=None)[0]
        eta = np.clip(x @ new, -30.0, 30.0)
        mu = np.exp(eta)
        if np.max(np.abs(new - beta)) < 1e-10:
            beta = new
            break
        beta = new
    return beta, mu


def _fit(
    x: FloatArray, y: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray, float, FloatArray]:
    """(coefficients, fitted, dispersion φ >= 1, covariance of the coefficients)."""
    beta, mu = _poisson_glm(x, y, weights)
    n, p = x.shape
    pearson = float(np.sum(weights * (y - mu) ** 2 / mu))
    phi = max(1.0, pearson / (n - p)) if n > p else 1.0
    info = (x.T * (weights * mu)) @ x
    cov = phi * np.linalg.pinv(info)
    return beta, mu, phi, cov


def _nb_quantile(mean: float, phi: float, q: float) -> float:
    """Smallest k with P(X <= k) >= q for X negative binomial with this mean and variance
    φ·mean (Poisson when φ = 1): the ``nbPlugin`` threshold of Noufaily et al."""
    if mean <= 0:
        return 0.0
    if phi <= 1.0:
        log_p = lambda k: k * math.log(mean) - mean - math.lgamma(k + 1)  # noqa: E731
    else:
        size = mean / (phi - 1.0)
        prob = size / (size + mean)
        log_p = lambda k: (  # noqa: E731
            math.lgamma(k + size)
            - math.lgamma(size)
            - math.lgamma(k + 1)
            + size * math.log(prob)
            + k * math.log1p(-prob)
        )
    total, k = 0.0, 0
    while True:
        total += math.exp(log_p(k))
        if total >= q or k > 100_000:
            return float(k)
        k += 1


def farrington(
    counts: ArrayLike,
    *,
    years: int = 2,
    window: int = 3,
    no_periods: int = 10,
    past_weeks_not_included: int = 26,
    alpha: float = 0.05,
    trend: bool = True,
    p_threshold_trend: float = 0.05,
    weights_threshold: float = 2.58,
    limit_cases: int = 5,
    limit_weeks: int = 4,
    columns: ArrayLike | None = None,
) -> DetectionResult:
    """Improved Farrington (Noufaily et al. 2013) on weekly counts.

    For week ``t`` the baseline is every week from ``years`` × 52 + ``window`` weeks back to
    ``past_weeks_not_included`` weeks back. A Poisson GLM with log link,
    ``log μ = α + β·time + γ_period`` (``no_periods`` seasonal levels, see :func:`_periods`), is
    fitted; the dispersion is ``φ = max(1, Pearson χ² / (n − p))``. Weeks whose Anscombe residual
    ``(3/2)(y^{2/3} μ^{-1/6} − μ^{1/2}) / sqrt(φ (1 − h))`` exceeds ``weights_threshold`` are
    down-weighted (weight ∝ residual⁻², the weights rescaled to sum to n) and the model refitted.
    The trend stays only if its Wald p-value is below ``p_threshold_trend`` and the prediction does
    not exceed the baseline's maximum. The threshold is the ``1 − alpha`` quantile of a negative
    binomial with the predicted mean and variance ``φ·μ`` (``nbPlugin``). Statistic
    ``(y_t − μ̂_t) / (U_t − μ̂_t)``, alarm when ``y_t > U_t`` (statistic > 1) and at least
    ``limit_cases`` counts in the last ``limit_weeks`` weeks including ``t`` (``limit54``).

    ``columns`` restricts the evaluation to some weeks (the others are NaN): one GLM per series
    and week is costly. A baseline of zeros predicts 0 with threshold 0. ``sigma`` holds
    ``U_t − μ̂_t``. Defaults follow surveillance::farringtonFlexible with Noufaily's options
    (research §3.3), except ``years`` (2, as the engine keeps 156 weeks of history).
    """
    y = _as_counts(counts)
    matrix = y.reshape(1, -1) if y.ndim == 1 else y
    n_series, n = matrix.shape
    span = years * WEEKS_PER_YEAR + window
    if span <= past_weeks_not_included:
        raise ValueError("the baseline must reach further back than past_weeks_not_included")
    stat = np.full(matrix.shape, np.nan)
    expected = np.full(matrix.shape, np.nan)
    spread = np.full(matrix.shape, np.nan)
    upper = np.full(matrix.shape, np.nan)
    wanted = np.arange(n) if columns is None else np.atleast_1d(np.asarray(columns)) % max(n, 1)
    offsets = np.arange(span, past_weeks_not_included - 1, -1, dtype=np.int64)
    periods = _periods(offsets, window, no_periods)
    levels = sorted(set(periods.tolist()))
    design = np.column_stack(
        [np.ones(len(offsets)), -offsets.astype(np.float64)]
        + [(periods == level).astype(np.float64) for level in levels[1:]]
    )
    for t in (int(c) for c in wanted if span <= c < n):
        for i in range(n_series):
            base = matrix[i, t - offsets]
            mu0, bound = _farrington_cached(
                design.tobytes(),
                design.shape,
                base.tobytes(),
                (trend, p_threshold_trend, weights_threshold, alpha),
            )
            expected[i, t], upper[i, t] = mu0, bound
            spread[i, t] = bound - mu0
            observed = matrix[i, t]
            if bound > mu0:
                stat[i, t] = (observed - mu0) / (bound - mu0)
            else:
                stat[i, t] = np.inf if observed > bound else 0.0
    recent = np.zeros(matrix.shape)
    for lag in range(limit_weeks):
        recent[:, lag:] += matrix[:, : n - lag] if lag else matrix
    alarm = (matrix > upper) & ~np.isnan(stat) & (recent >= limit_cases)
    shape = y.shape
    return DetectionResult(
        method="FARRINGTON",
        observed=y,
        statistic=stat.reshape(shape),
        threshold=np.full(shape, 1.0),
        alarm=alarm.reshape(shape),
        expected=expected.reshape(shape),
        sigma=spread.reshape(shape),
    )


@functools.lru_cache(maxsize=65536)
def _farrington_cached(
    design: bytes, shape: tuple[int, int], base: bytes, options: tuple[bool, float, float, float]
) -> tuple[float, float]:
    """The same baseline gives the same fit: a back-test re-tests most cells' baselines day
    after day unchanged."""
    return _farrington_point(np.frombuffer(design).reshape(shape), np.frombuffer(base), *options)


def _farrington_point(
    design: FloatArray,
    base: FloatArray,
    trend: bool,
    p_threshold_trend: float,
    weights_threshold: float,
    alpha: float,
) -> tuple[float, float]:
    """(predicted mean, upper bound) for the current week (time 0, period 0) from one
    baseline."""
    if not base.any():
        return 0.0, 0.0
    for attempt in (trend, False):
        columns = list(range(design.shape[1])) if attempt else [0, *range(2, design.shape[1])]
        x = design[:, columns]
        weights = np.ones(len(base))
        _, mu, phi, _ = _fit(x, base, weights)
        hat = _leverage(x, mu)
        residual = (1.5 * (base ** (2 / 3) * mu ** (-1 / 6) - mu**0.5)) / np.sqrt(
            phi * np.maximum(1 - hat, 1e-12)
        )
        weights = np.ones(len(base))
        outlying = residual > weights_threshold
        weights[outlying] = residual[outlying] ** -2.0
        weights *= len(base) / weights.sum()
        beta, mu, phi, cov = _fit(x, base, weights)
        current = np.zeros(len(columns))
        current[0] = 1.0  # time 0, reference period: intercept only
        mu0 = float(np.exp(current @ beta))
        if attempt and len(columns) > 1 and 1 in columns:
            slope = columns.index(1)
            z = abs(beta[slope]) / math.sqrt(max(cov[slope, slope], 1e-300))
            p_value = math.erfc(z / math.sqrt(2))
            if p_value >= p_threshold_trend or mu0 > base.max():
                continue
        return mu0, _nb_quantile(mu0, phi, 1 - alpha)
    raise AssertionError("unreachable")  # pragma: no cover


def _leverage(x: FloatArray, mu: FloatArray) -> FloatArray:
    """Diagonal of the GLM hat matrix W^{1/2} X (X' W X)^{-1} X' W^{1/2}, W = diag(μ)."""
    root = np.sqrt(mu)[:, None] * x
    inverse = np.linalg.pinv(root.T @ root)
    return np.einsum("ij,jk,ik->i", root, inverse, root)
