"""Regional spike detection: weekly counts per (place, category, violation group) cell.

Pure functions on plain data (no Django models). The pipeline for one as-of day is

1. :func:`bin_weekly` keeps the incidents with ``reported_on <= as_of`` (as-of rule) and counts
   them by **incident date** into ISO weeks (Monday-based) per cell;
2. the **evaluation week** is the newest week that ended at least ``7 * delay_weeks`` days before
   ``as_of`` (reporting-delay guard; see :func:`evaluation_week`); later weeks are neither tested
   nor used;
3. every configured detector (:mod:`amparo.earlywarning.aberration`) runs on each cell's series
   and the evaluation week's alarms become :class:`Signal` objects (one per cell: the method with
   the highest score wins, the others are listed in ``also_alarmed``);
4. a network-wide **budget** keeps at most ``budget`` signals, ranked by
   ``(statistic - threshold) / threshold`` (descending), ties broken by observed count
   (descending), then place, category, violation group and method (ascending).

All knobs live in :class:`RegionalConfig`. See docs/early-warning-detectors.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from amparo.earlywarning import aberration

__all__ = [
    "ALL_CATEGORIES",
    "METHODS",
    "CellKey",
    "IncidentRecord",
    "Place",
    "RegionalConfig",
    "Signal",
    "WeeklyBinner",
    "WeeklyCounts",
    "bin_weekly",
    "detect",
    "evaluation_week",
    "rank_and_budget",
    "run_detectors",
    "week_start",
]

#: Pseudo-category for the all-categories aggregate of a place (each incident counted once).
ALL_CATEGORIES = "*"

METHODS = ("C1", "C2", "C3", "CUSUM", "FARRINGTON")
#: Weeks up to and including the tested one that an EARS statistic depends on (baseline B).
EARS_SPAN: dict[str, Callable[[int], int]] = {
    "C1": lambda b: b + 1,
    "C2": lambda b: b + 3,
    "C3": lambda b: b + 5,
}


@dataclass(frozen=True, slots=True)
class Place:
    """A country, optionally narrowed to an ISO 3166-2 subdivision (``""`` = whole country)."""

    country: str
    subdivision: str = ""

    def __str__(self) -> str:
        return self.subdivision or self.country


#: (place, category, violation group)
CellKey = tuple[Place, str, str]


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    reported_on: date
    date: date  # incident date: what is counted
    country: str
    subdivision: str = ""
    categories: tuple[str, ...] = ()  # defender categories of the victims
    violation_group: str = ""


@dataclass(frozen=True, slots=True)
class RegionalConfig:
    """Every threshold, window and guard of the regional detector, in one place."""

    methods: tuple[str, ...] = ("C2", "C3", "CUSUM")
    baseline_weeks: int = 7  # EARS baseline B (also the CUSUM baseline)
    c1_threshold: float = 3.0
    c2_threshold: float = 3.0
    c3_threshold: float = 2.0
    cusum_k: float = 1.04
    cusum_h: float = 2.26
    cusum_guard_weeks: int = 2
    # Improved Farrington (aberration.farrington): years of baseline, half-window in weeks,
    # seasonal periods, recent weeks left out, one-sided alpha, trend, limit54 guard.
    farrington_years: int = 2
    farrington_window: int = 3
    farrington_no_periods: int = 10
    farrington_past_weeks: int = 26
    farrington_alpha: float = 0.05
    farrington_trend: bool = True
    farrington_limit_cases: int = 5
    farrington_limit_weeks: int = 4
    min_sigma: float = 0.5  # sigma floor (Burkom: 0.5 or 1 for sparse data)
    min_count: int = 3  # no alarm when the tested week's count is below this
    delay_weeks: int = 1  # reporting-delay guard
    history_weeks: int = 156  # weeks of history (ending at the evaluation week) kept per cell
    # First day the network recorded incidents. Weeks before it are unknown, not zero: the series
    # starts at the first full ISO week on or after it. None: assume every week was recorded.
    data_since: date | None = None
    budget: int = 10  # max signals per as-of day, network-wide
    country_level: bool = True  # also count every incident in its country's cell
    all_categories: bool = True  # also count a place's incidents across categories ("*")
    uncategorised: str = "other"  # category for incidents with no defender category

    def __post_init__(self) -> None:
        unknown = set(self.methods) - set(METHODS)
        if unknown or not self.methods:
            raise ValueError(f"methods must be a non-empty subset of {METHODS}")
        if min(self.c1_threshold, self.c2_threshold, self.c3_threshold, self.cusum_h) <= 0:
            raise ValueError("thresholds must be > 0 (the ranking divides by them)")
        if self.baseline_weeks < 3:
            raise ValueError("baseline_weeks must be >= 3")
        if self.delay_weeks < 0 or self.budget < 0 or self.history_weeks < 1:
            raise ValueError("delay_weeks and budget must be >= 0, history_weeks >= 1")
        if self.cusum_k < 0 or self.cusum_guard_weeks < 0 or self.min_sigma < 0:
            raise ValueError("cusum_k, cusum_guard_weeks and min_sigma must be >= 0")
        if self.min_count < 0:
            raise ValueError("min_count must be >= 0")
        if not 0 < self.farrington_alpha < 1 or self.farrington_years < 1:
            raise ValueError("farrington_alpha must be in (0, 1), farrington_years >= 1")
        if self.farrington_years * 52 + self.farrington_window <= self.farrington_past_weeks:
            raise ValueError("the Farrington baseline must reach past farrington_past_weeks")

    def detector(
        self, method: str, column: int | None = None
    ) -> Callable[[np.ndarray], aberration.DetectionResult]:
        """The configured detector for ``method`` as a function of the count matrix; a
        ``column`` limits the costly detectors (Farrington) to that week."""
        b, ms, mc = self.baseline_weeks, self.min_sigma, self.min_count
        if method == "C1":
            t1 = self.c1_threshold
            return lambda y: aberration.ears_c1(
                y, baseline=b, threshold=t1, min_sigma=ms, min_count=mc
            )
        if method == "C2":
            t2 = self.c2_threshold
            return lambda y: aberration.ears_c2(
                y, baseline=b, threshold=t2, min_sigma=ms, min_count=mc
            )
        if method == "C3":
            t3 = self.c3_threshold
            return lambda y: aberration.ears_c3(
                y, baseline=b, threshold=t3, min_sigma=ms, min_count=mc
            )
        if method == "CUSUM":
            k, h, g = self.cusum_k, self.cusum_h, self.cusum_guard_weeks
            return lambda y: aberration.cusum(
                y, k=k, h=h, baseline=b, guard=g, min_sigma=ms, min_count=mc
            )
        if method == "FARRINGTON":
            return lambda y: aberration.farrington(
                y,
                years=self.farrington_years,
                window=self.farrington_window,
                no_periods=self.farrington_no_periods,
                past_weeks_not_included=self.farrington_past_weeks,
                alpha=self.farrington_alpha,
                trend=self.farrington_trend,
                limit_cases=self.farrington_limit_cases,
                limit_weeks=self.farrington_limit_weeks,
                columns=None if column is None else [column],
            )
        raise ValueError(f"unknown method {method!r}")


@dataclass(frozen=True, slots=True)
class Signal:
    """The evidence a regional-aberration alert carries."""

    place: Place
    category: str
    violation_group: str
    week: date  # Monday of the ISO week tested
    iso_week: str  # e.g. "2026-W47"
    method: str
    statistic: float
    threshold: float
    observed: int
    expected: float  # baseline mean
    sigma: float  # sigma used (after the floor)
    also_alarmed: tuple[str, ...] = ()  # other methods that alarmed on the same cell and week

    @property
    def score(self) -> float:
        """Ranking score ``(statistic - threshold) / threshold`` (``inf`` for an infinite stat)."""
        return (self.statistic - self.threshold) / self.threshold


@dataclass(frozen=True, slots=True)
class WeeklyCounts:
    """Counts per cell; column ``j`` is the ISO week starting ``first_week + 7j`` days."""

    first_week: date
    cells: tuple[CellKey, ...]
    counts: np.ndarray = field(repr=False)  # shape (len(cells), n_weeks), float64

    @property
    def weeks(self) -> list[date]:
        return [self.first_week + timedelta(weeks=j) for j in range(self.counts.shape[1])]


def week_start(d: date) -> date:
    """Monday of ``d``'s ISO week."""
    return d - timedelta(days=d.weekday())


def evaluation_week(as_of: date, delay_weeks: int) -> date:
    """Monday of the newest week tested on ``as_of``.

    A week (Monday..Sunday) is tested only once at least ``7 * delay_weeks`` days have passed since
    its Sunday, i.e. its Sunday is ``<= as_of - 7 * delay_weeks`` days. With ``delay_weeks = 0``
    that is the last complete week; the default 1 skips one more week so late reports can arrive.
    """
    cutoff = as_of - timedelta(weeks=delay_weeks)
    # Sunday <= cutoff  <=>  Monday <= cutoff - 6 days
    return week_start(cutoff - timedelta(days=6))


def cell_keys(inc: IncidentRecord, config: RegionalConfig) -> set[CellKey]:
    places = set()
    if inc.subdivision:
        places.add(Place(inc.country, inc.subdivision))
    if config.country_level or not inc.subdivision:
        places.add(Place(inc.country))
    cats = set(inc.categories) or {config.uncategorised}
    if config.all_categories:
        cats.add(ALL_CATEGORIES)
    return {(p, c, inc.violation_group) for p in places for c in cats}


def _span(as_of: date, config: RegionalConfig, last_week: date | None) -> tuple[date, int]:
    """(Monday of the first week, number of weeks) of the series for ``as_of``."""
    end = week_start(last_week) if last_week else evaluation_week(as_of, config.delay_weeks)
    first = end - timedelta(weeks=config.history_weeks - 1)
    if config.data_since is not None:
        first = max(first, week_start(config.data_since + timedelta(days=6)))
    return first, max((end - first).days // 7 + 1, 0)


class WeeklyBinner:
    """:func:`bin_weekly` for many as-of days over the same incidents.

    The cells of every incident and its week are worked out once; each as-of day is then a
    mask (reported by the day, dated inside the span) and a ``bincount``. The result for a day
    is exactly ``bin_weekly(incidents, as_of, config)``: only cells with a count in the span."""

    def __init__(self, incidents: Iterable[IncidentRecord], config: RegionalConfig) -> None:
        self._fill(
            (
                (key, week_start(inc.date).toordinal(), inc.reported_on.toordinal(), 1)
                for inc in incidents
                for key in cell_keys(inc, config)
            ),
            config,
        )

    @classmethod
    def of_counts(
        cls, counts: Iterable[tuple[CellKey, date, int]], reported_by: date, config: RegionalConfig
    ) -> WeeklyBinner:
        """A binner from counts already made per (cell, Monday of the week), all reported by
        ``reported_by``: what the daily scan gets from the database (engine.regional_counts)
        instead of one record per incident. A cell and week given twice are added up."""
        binner = cls.__new__(cls)
        day = reported_by.toordinal()
        binner._fill(((key, week.toordinal(), day, n) for key, week, n in counts), config)
        return binner

    def _fill(
        self, entries: Iterable[tuple[CellKey, int, int, int]], config: RegionalConfig
    ) -> None:
        self.config = config
        index: dict[CellKey, int] = {}
        rows: list[int] = []
        weeks: list[int] = []
        reported: list[int] = []
        weights: list[int] = []
        for key, week, day, n in entries:
            rows.append(index.setdefault(key, len(index)))
            weeks.append(week)
            reported.append(day)
            weights.append(n)
        order = sorted(index, key=_cell_sort_key)
        remap = np.empty(len(index), dtype=np.intp)
        for new, key in enumerate(order):
            remap[index[key]] = new
        self.cells = tuple(order)
        self._row = remap[np.asarray(rows, dtype=np.intp)]
        self._week = np.asarray(weeks, dtype=np.int64)
        self._reported = np.asarray(reported, dtype=np.int64)
        self._weight = np.asarray(weights, dtype=np.float64)

    def weekly(self, as_of: date, *, last_week: date | None = None) -> WeeklyCounts:
        first, n = _span(as_of, self.config, last_week)
        col = (self._week - first.toordinal()) // 7
        keep = (self._reported <= as_of.toordinal()) & (col >= 0) & (col < n)
        flat = self._row[keep] * n + col[keep]
        counts = np.bincount(
            flat, weights=self._weight[keep], minlength=len(self.cells) * n
        ).reshape(len(self.cells), n)
        used = np.flatnonzero(counts.sum(axis=1) > 0) if n else np.empty(0, dtype=np.intp)
        return WeeklyCounts(
            first_week=first, cells=tuple(self.cells[i] for i in used), counts=counts[used]
        )


def bin_weekly(
    incidents: Iterable[IncidentRecord],
    as_of: date,
    config: RegionalConfig | None = None,
    *,
    last_week: date | None = None,
) -> WeeklyCounts:
    """Weekly counts by incident date of the incidents reported on or before ``as_of``.

    The series ends at ``last_week`` (default: the evaluation week for ``as_of``) and spans
    ``config.history_weeks`` weeks (fewer if ``config.data_since`` is later). Incidents dated
    outside that span are ignored, as are those reported after ``as_of``: a later report never
    changes the result for ``as_of``. Each incident counts once per cell even if it lists a
    category twice. Only cells with at least one count appear.
    """
    config = config or RegionalConfig()
    return WeeklyBinner(incidents, config).weekly(as_of, last_week=last_week)


def _cell_sort_key(key: CellKey) -> tuple[str, str, str, str]:
    place, category, group = key
    return (place.country, place.subdivision, category, group)


def run_detectors(
    weekly: WeeklyCounts, config: RegionalConfig | None = None, *, column: int = -1
) -> list[Signal]:
    """Run ``config.methods`` on every cell; return one signal per cell alarming at ``column``.

    When several methods alarm on a cell, the one with the highest ranking score is reported and
    the others are listed in ``also_alarmed`` (ties: order of :data:`METHODS`).
    """
    config = config or RegionalConfig()
    if not weekly.cells or weekly.counts.shape[1] == 0:
        return []
    y = weekly.counts
    col = column % y.shape[1]
    week = weekly.first_week + timedelta(weeks=col)
    iso = week.isocalendar()
    per_cell: dict[int, list[Signal]] = {}
    for method in sorted(config.methods, key=METHODS.index):
        # The EARS statistics of one week need only the weeks just before it.
        first = (
            max(col + 1 - EARS_SPAN[method](config.baseline_weeks), 0) if method in EARS_SPAN else 0
        )
        res = config.detector(method, col - first)(y[:, first : col + 1])
        at = col - first
        for i in (int(x) for x in np.flatnonzero(res.alarm[:, at])):
            place, category, group = weekly.cells[i]
            per_cell.setdefault(i, []).append(
                Signal(
                    place=place,
                    category=category,
                    violation_group=group,
                    week=week,
                    iso_week=f"{iso.year}-W{iso.week:02d}",
                    method=method,
                    statistic=float(res.statistic[i, at]),
                    threshold=float(res.threshold[i, at]),
                    observed=int(y[i, col]),
                    expected=float(res.expected[i, at]),
                    sigma=float(res.sigma[i, at]),
                )
            )
    out = []
    for i in sorted(per_cell):
        candidates = per_cell[i]
        best = max(candidates, key=lambda s: s.score)  # max keeps the first on ties
        others = tuple(s.method for s in candidates if s is not best)
        out.append(replace(best, also_alarmed=others))
    return out


def _rank_key(s: Signal) -> tuple[float, int, str, str, str, str, str]:
    score = s.score
    return (
        -score if not math.isnan(score) else math.inf,
        -s.observed,
        s.place.country,
        s.place.subdivision,
        s.category,
        s.violation_group,
        s.method,
    )


def rank_and_budget(signals: Sequence[Signal], budget: int) -> list[Signal]:
    """Best ``budget`` signals by ``(statistic - threshold)/threshold``, deterministic ties."""
    return sorted(signals, key=_rank_key)[: max(budget, 0)]


def detect(
    incidents: Iterable[IncidentRecord], as_of: date, config: RegionalConfig | None = None
) -> list[Signal]:
    """All steps for one as-of day: bin, delay guard, detectors, budget."""
    config = config or RegionalConfig()
    weekly = bin_weekly(incidents, as_of, config)
    return rank_and_budget(run_detectors(weekly, config), config.budget)
