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

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
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
        windows = sliding_window_view(y, baseline, axis=-1)[..., : n - first, :]
        mean[..., first:] = windows.mean(axis=-1)
        sd[..., first:] = windows.std(axis=-1, ddof=1)
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
