"""Real-data studies of the early-warning defaults (`amparo warn study-regional|study-elections`).

Both read third-party files through the importers' adapters (amparo.interchange.sources), hold
only countries and dates in memory, write nothing, and print counts, countries and dates only.
The findings are in docs/early-warning-realdata.md.

* :func:`regional_study`: the aberration detectors (EARS C1–C3, CUSUM, and Farrington when
  amparo.earlywarning.aberration has it) on weekly and monthly counts of killings per country;
  what they flag, how often they flag stationary series of the same rate, and whether the
  country-years of sharp increase were flagged, and how early.
* :func:`election_study`: the days between deadly electoral violence (UCDP DECO) and the nearest
  election of the same country (ParlGov), the shortest election window (lead, tail) that
  holds a given share of it, and its distribution around the vote (15-day bins) with the peak
  it supports (the bins next to the vote holding more events than the mean bin).
* :func:`timing_study`: the same distribution and peak with election days taken from DECO itself
  (its events coded as on election day), for the countries ParlGov does not cover.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from amparo.core.vocab import DEFAULT_WINDOWS, Context
from amparo.earlywarning import aberration

# (country ISO 3166-1 alpha-2, day)
Dated = tuple[str, datetime.date]

PERIODS = ("week", "month")
MIN_EVENTS = 20  # countries with fewer events are too sparse for a series of their own
SURGE_MIN = 10  # a surge year has at least this many killings...
SURGE_FACTOR = 2.0  # ...and at least this many times the mean of the two years before
STABLE_RATIO = (2 / 3, 3 / 2)  # a stable year is within this ratio of the two years before
MASSACRE = 3  # killings on one day in one country: a single attack may be the whole signal
SIMULATIONS = 200  # stationary Poisson series per country, for the false-alarm rate
SEED = 20260101
BOOTSTRAP = 1000  # resamples for the intervals of the election window
GRID_LEADS, GRID_TAILS = (30, 60, 90, 120, 150, 180), (14, 30, 60, 90)
PEAK_BIN = 15  # days per bin of the distribution around the vote
PEAK_SPAN = (-180, 60)  # the bins run from 180 days before the vote up to 60 days after it
PEAK_SHARE = 0.5  # the peak: the shortest run of days before the vote holding this share
# DECO's electoral_timing codes, read from the events matched to ParlGov dates (the codebook is
# not in /work/shared/data): 1 before the vote, 2 on election day, 3 after it.
BEFORE, ELECTION_DAY, AFTER = "1", "2", "3"


def dated_records(
    adapter_name: str, path: Path, kind: str, field_name: str, *, event_kind: str = ""
) -> list[Dated]:
    """(country, date) of the records of `kind` that the importer's adapter reads from `path`
    (rows it would skip are left out, as the import leaves them out); with event_kind, only the
    events of that kind (an iCalendar without CATEGORIES counts as that kind)."""
    from amparo.interchange.sources import SOURCES, Options
    from amparo.interchange.sources.base import Mapping

    found: list[Dated] = []
    for row in SOURCES[adapter_name].rows(path, Mapping(), Options(kind=event_kind)):
        if row.problems:
            continue
        for record in row.records:
            if record["type"] == kind and (not event_kind or record.get("kind") == event_kind):
                found.append((record["country"], datetime.date.fromisoformat(record[field_name])))
    return found


# Regional aberration ----------------------------------------------------------------------


def period_start(day: datetime.date, period: str) -> datetime.date:
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(start: datetime.date, period: str) -> datetime.date:
    if period == "week":
        return start + datetime.timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _next(start: datetime.date, period: str) -> datetime.date:
    if period == "week":
        return start + datetime.timedelta(days=7)
    return (start + datetime.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Series:
    """Counts per country (rows) and period (columns) from the first to the last period."""

    period: str
    countries: tuple[str, ...]
    starts: tuple[datetime.date, ...]
    counts: np.ndarray = field(repr=False)


def count_series(events: Iterable[Dated], period: str, min_events: int = MIN_EVENTS) -> Series:
    events = list(events)
    totals = Counter(country for country, _ in events)
    countries = tuple(sorted(c for c, n in totals.items() if n >= min_events))
    if not events or not countries:
        return Series(period, countries, (), np.zeros((len(countries), 0)))
    first = period_start(min(day for _, day in events), period)
    last = period_start(max(day for _, day in events), period)
    starts = [first]
    while starts[-1] < last:
        starts.append(_next(starts[-1], period))
    column = {start: index for index, start in enumerate(starts)}
    row = {country: index for index, country in enumerate(countries)}
    counts = np.zeros((len(countries), len(starts)))
    for country, day in events:
        if country in row:
            counts[row[country], column[period_start(day, period)]] += 1
    return Series(period, countries, tuple(starts), counts)


def detectors(
    period: str, *, farrington: bool = True
) -> dict[str, Callable[[np.ndarray], aberration.DetectionResult]]:
    """The detectors with their defaults (as in RegionalConfig), and the improved Farrington
    when aberration has it: weekly series only (it models 52 weeks a year)."""
    found: dict[str, Callable[[np.ndarray], aberration.DetectionResult]] = {
        "C1": aberration.ears_c1,
        "C2": aberration.ears_c2,
        "C3": aberration.ears_c3,
        "CUSUM": aberration.cusum,
    }
    model = getattr(aberration, "farrington", None)
    if farrington and period == "week" and callable(model):
        found["Farrington"] = _quiet(model)
    return found


def _quiet(
    detector: Callable[[np.ndarray], aberration.DetectionResult],
) -> Callable[[np.ndarray], aberration.DetectionResult]:
    """The GLM of a baseline of zeros overflows exp(); its prediction is 0 either way."""

    def run(counts: np.ndarray) -> aberration.DetectionResult:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return detector(counts)

    return run


@dataclass(frozen=True)
class Flag:
    country: str
    start: datetime.date
    observed: int
    expected: float


@dataclass(frozen=True)
class Surge:
    country: str
    year: int
    killings: int
    before: float  # mean of the two years before
    first_flag: datetime.date | None  # end of the first flagged period (from 90 days before)
    share_before_flag: float | None  # share of the year's killings dated before first_flag


@dataclass
class MethodResult:
    method: str
    period: str
    evaluated: int  # country-periods with a full baseline
    flags: list[Flag]
    stable_years: int  # country-years counted as stable
    stable_evaluated: int
    stable_flags: int
    simulated_evaluated: int
    simulated_flags: int
    surges: list[Surge]
    one_day_flags: int  # flags whose period has one day with at least 3 killings (a massacre)

    @property
    def flagged_countries(self) -> int:
        return len({flag.country for flag in self.flags})

    @property
    def surges_flagged(self) -> int:
        return sum(1 for surge in self.surges if surge.first_flag is not None)

    @property
    def median_share_before_flag(self) -> float:
        shares = [s.share_before_flag for s in self.surges if s.share_before_flag is not None]
        return float(np.median(shares)) if shares else math.nan


def _rate(flags: int, evaluated: int) -> float:
    return flags / evaluated if evaluated else 0.0


def stable_years(events: Sequence[Dated], countries: Iterable[str]) -> set[tuple[str, int]]:
    """Country-years whose count stays within STABLE_RATIO of the mean of the two years before
    (and that mean is at least 1): years with no surge and no collapse to find."""
    per_year = Counter((country, day.year) for country, day in events)
    first, last = min(d.year for _, d in events), max(d.year for _, d in events)
    low, high = STABLE_RATIO
    stable = set()
    for country in countries:
        for year in range(first + 2, last + 1):
            before = (per_year[(country, year - 1)] + per_year[(country, year - 2)]) / 2
            if before >= 1 and low * before <= per_year[(country, year)] <= high * before:
                stable.add((country, year))
    return stable


def surges(events: Sequence[Dated], countries: Iterable[str]) -> list[tuple[str, int, int, float]]:
    """(country, year, killings, mean of the two years before) of the sharp increases."""
    per_year = Counter((country, day.year) for country, day in events)
    first_year = min(day.year for _, day in events)
    found = []
    for country in countries:
        for year in range(first_year + 2, max(day.year for _, day in events) + 1):
            before = (per_year[(country, year - 1)] + per_year[(country, year - 2)]) / 2
            count = per_year[(country, year)]
            if count >= SURGE_MIN and count >= SURGE_FACTOR * max(before, 1.0):
                found.append((country, year, count, before))
    return found


def _surge_result(
    events: Sequence[Dated], surge: tuple[str, int, int, float], flags: list[Flag], period: str
) -> Surge:
    country, year, count, before = surge
    opens = datetime.date(year, 1, 1) - datetime.timedelta(days=90)
    closes = datetime.date(year, 12, 31)
    ends = sorted(
        period_end(flag.start, period)
        for flag in flags
        if flag.country == country and opens <= period_end(flag.start, period) <= closes
    )
    if not ends:
        return Surge(country, year, count, before, None, None)
    days = [day for c, day in events if c == country and day.year == year]
    share = sum(1 for day in days if day < ends[0]) / len(days)
    return Surge(country, year, count, before, ends[0], share)


def _simulated(
    detector: Callable[[np.ndarray], aberration.DetectionResult], series: Series
) -> tuple[int, int]:
    """Alarms on stationary Poisson series with each country's own mean rate."""
    rng = np.random.default_rng(SEED)
    rates = series.counts.mean(axis=1)
    simulated = rng.poisson(
        np.repeat(rates, SIMULATIONS)[:, None], size=(len(rates) * SIMULATIONS, len(series.starts))
    ).astype(float)
    result = detector(simulated)
    return int((~np.isnan(result.statistic)).sum()), int(result.alarm.sum())


def _one_day(flag: Flag, per_day: Counter[Dated], period: str) -> bool:
    last = period_end(flag.start, period)
    days = (flag.start + datetime.timedelta(days=n) for n in range((last - flag.start).days + 1))
    return any(per_day[(flag.country, day)] >= MASSACRE for day in days)


def regional_study(
    events: Sequence[Dated], periods: Sequence[str] = PERIODS, *, farrington: bool = True
) -> list[MethodResult]:
    """Every detector on every period's series. Farrington fits one GLM per series and week:
    it is run on the real series only (about a minute), not on the simulated ones."""
    per_day = Counter(events)
    results = []
    for period in periods:
        series = count_series(events, period)
        if not series.countries or not series.starts:
            continue
        stable = stable_years(events, series.countries)
        in_stable = np.array(
            [
                [(country, start.year) in stable for start in series.starts]
                for country in series.countries
            ]
        )
        found_surges = surges(events, series.countries)
        for method, detector in detectors(period, farrington=farrington).items():
            result = detector(series.counts)
            flags = [
                Flag(
                    series.countries[i],
                    series.starts[j],
                    int(series.counts[i, j]),
                    float(result.expected[i, j]),
                )
                for i, j in zip(*np.nonzero(result.alarm), strict=True)
            ]
            valid = ~np.isnan(result.statistic)
            simulated_evaluated, simulated_flags = (
                (0, 0) if method == "Farrington" else _simulated(detector, series)
            )
            results.append(
                MethodResult(
                    method=method,
                    period=period,
                    evaluated=int(valid.sum()),
                    flags=flags,
                    stable_years=len(stable),
                    stable_evaluated=int((valid & in_stable).sum()),
                    stable_flags=int((result.alarm & in_stable).sum()),
                    simulated_evaluated=simulated_evaluated,
                    simulated_flags=simulated_flags,
                    surges=[_surge_result(events, s, flags, period) for s in found_surges],
                    one_day_flags=sum(1 for flag in flags if _one_day(flag, per_day, period)),
                )
            )
    return results


def regional_report(events: Sequence[Dated], results: Sequence[MethodResult]) -> list[str]:
    countries = Counter(country for country, _ in events)
    lines = [
        f"killings: {len(events)} in {len(countries)} countries, "
        f"{min(d for _, d in events)} to {max(d for _, d in events)}",
        f"series: countries with at least {MIN_EVENTS} killings "
        f"({sum(1 for n in countries.values() if n >= MIN_EVENTS)}); detector defaults "
        "(baseline 7 periods, min_sigma 0.5, min_count 3)",
    ]
    if results:
        lines.append(
            f"stable country-years (within 2/3–3/2 of the two years before): "
            f"{results[0].stable_years}"
        )
    for result in results:
        stable_rate = _rate(result.stable_flags, result.stable_evaluated)
        simulated_rate = _rate(result.simulated_flags, result.simulated_evaluated)
        lines.append(
            f"{result.period} {result.method}: {len(result.flags)} country-{result.period}s "
            f"flagged of {result.evaluated} evaluated ({result.flagged_countries} countries); "
            f"stable years {result.stable_flags}/{result.stable_evaluated} "
            f"({100 * stable_rate:.2f} %); stationary Poisson "
            + (
                f"{result.simulated_flags}/{result.simulated_evaluated} "
                f"({100 * simulated_rate:.2f} %)"
                if result.simulated_evaluated
                else "not simulated"
            )
        )
        lines.append(
            f"  {result.one_day_flags} of the flags have one day with {MASSACRE}+ killings; "
            f"surges flagged {result.surges_flagged}/{len(result.surges)}, median share of the "
            f"surge year's killings before the first flag "
            f"{100 * result.median_share_before_flag:.0f} %"
        )
        per_country = Counter(flag.country for flag in result.flags)
        if per_country:
            lines.append(
                "  flagged: "
                + ", ".join(f"{c} {n}" for c, n in sorted(per_country.items(), key=_by_count))
            )
        for surge in result.surges:
            if surge.first_flag is None:
                outcome = "not flagged"
            else:
                outcome = (
                    f"first flag {surge.first_flag} "
                    f"({100 * (surge.share_before_flag or 0):.0f} % of the year's killings "
                    "before it)"
                )
            lines.append(
                f"  surge {surge.country} {surge.year} ({surge.killings} vs {surge.before:.1f} "
                f"a year before): {outcome}"
            )
    return lines


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


# Election windows -------------------------------------------------------------------------


@dataclass(frozen=True)
class ElectionStudy:
    events: int  # violent events read
    joined_countries: tuple[str, ...]  # countries with both events and elections
    in_joined: int  # events in those countries
    offsets: tuple[int, ...]  # event day − nearest election day, within ±horizon
    horizon: int
    windows: dict[float, tuple[int, int]]  # share → shortest (lead, tail)
    # share → ((lead 2.5 %, lead 97.5 %), (tail 2.5 %, tail 97.5 %)) over bootstrap resamples
    intervals: dict[float, tuple[tuple[int, int], tuple[int, int]]]
    default: tuple[int, int]
    default_share: float
    peak: PeakStudy
    timing: TimingStudy | None = None  # the same peak with DECO's own election days


@dataclass(frozen=True)
class PeakStudy:
    """Where around the vote the events concentrate (offsets: event day − election day)."""

    bins: tuple[tuple[int, int], ...]  # (first offset of the bin, events), PEAK_BIN days each
    before: int  # events before election day (offset < 0)
    on_day: int
    after: int  # events after election day, up to PEAK_SPAN's end
    # days before the vote (nearest, farthest) of the shortest run holding PEAK_SHARE of the
    # events before it, and the bootstrap 95 % interval of its farthest day
    before_run: tuple[int, int] | None
    before_run_interval: tuple[int, int] | None
    after_run: tuple[int, int] | None  # the same for the events after it, up to PEAK_SPAN's end

    @property
    def supported(self) -> tuple[int, int] | None:
        """The peak [before, after] days the data supports: the bins next to the vote, on each
        side, that hold more events than the mean bin (None: no event in the span)."""
        total = sum(count for _, count in self.bins)
        if not total:
            return None
        mean, counts = total / len(self.bins), dict(self.bins)
        lead = tail = 0
        for first in sorted((first for first in counts if first < 0), reverse=True):
            if counts[first] <= mean:
                break
            lead = -first
        for first in sorted(first for first in counts if first >= 0):
            if counts[first] <= mean:
                break
            tail = first + PEAK_BIN - 1
        return (lead, tail)


def offset_bins(
    offsets: Iterable[int], width: int = PEAK_BIN, span: tuple[int, int] = PEAK_SPAN
) -> tuple[tuple[int, int], ...]:
    """(first offset, events) of each bin of `width` days from span[0] up to span[1] (excluded);
    offsets outside the span are left out."""
    first, end = span
    counts = Counter((offset - first) // width for offset in offsets if first <= offset < end)
    return tuple((first + b * width, counts[b]) for b in range((end - first) // width))


def densest_run(days: Sequence[int], share: float = PEAK_SHARE) -> tuple[int, int] | None:
    """The shortest run [first, last] of days holding at least `share` of them (ties: the run
    nearest day 0)."""
    if not days:
        return None
    values = sorted(days)
    need = max(1, math.ceil(share * len(values) - 1e-9))
    start = min(
        range(len(values) - need + 1),
        key=lambda i: (values[i + need - 1] - values[i], values[i]),
    )
    return (values[start], values[start + need - 1])


def bootstrap_run_end(
    days: Sequence[int], share: float = PEAK_SHARE, resamples: int = BOOTSTRAP
) -> tuple[int, int] | None:
    """95 % interval of the densest run's last day over resamples of the days."""
    if not days:
        return None
    rng = np.random.default_rng(SEED)
    values = np.array(days)
    ends = [
        run[1]
        for _ in range(resamples)
        if (run := densest_run(rng.choice(values, size=len(values)).tolist(), share))
    ]
    low, high = np.percentile(ends, [2.5, 97.5])
    return (int(low), int(high))


def peak_study(offsets: Sequence[int]) -> PeakStudy:
    before = [-offset for offset in offsets if offset < 0]
    after = [offset for offset in offsets if 0 < offset < PEAK_SPAN[1]]
    return PeakStudy(
        bins=offset_bins(offsets),
        before=len(before),
        on_day=sum(1 for offset in offsets if offset == 0),
        after=len(after),
        before_run=densest_run(before),
        before_run_interval=bootstrap_run_end(before),
        after_run=densest_run(after),
    )


def nearest_offset(day: datetime.date, elections: Sequence[datetime.date]) -> int:
    """Days from the nearest election to `day` (negative: before it); a tie goes to the coming
    election (violence before a vote is what the window must warn about)."""
    return min(((day - e).days for e in elections), key=lambda offset: (abs(offset), offset > 0))


def covered(offsets: Sequence[int], lead: int, tail: int) -> float:
    if not offsets:
        return 0.0
    return sum(1 for offset in offsets if -lead <= offset <= tail) / len(offsets)


def shortest_window(offsets: Sequence[int], share: float) -> tuple[int, int]:
    """The (lead, tail) of least lead + tail that holds at least `share` of the offsets (ties: the
    longer lead, since early warning is the point)."""
    if not offsets:
        return (0, 0)
    need = math.ceil(share * len(offsets) - 1e-9)
    before = sorted(-offset for offset in offsets if offset <= 0)
    after = sorted(offset for offset in offsets if offset > 0)
    best: tuple[int, int, int] | None = None
    for taken in range(len(before) + 1):
        lead = before[taken - 1] if taken else 0
        rest = need - taken
        if rest > len(after):
            continue
        tail = after[rest - 1] if rest > 0 else 0
        candidate = (lead + tail, -lead, tail)
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return (-best[1], best[2])


def bootstrap_window(
    offsets: Sequence[int], share: float, resamples: int = BOOTSTRAP
) -> tuple[tuple[int, int], tuple[int, int]]:
    """95 % intervals of the shortest window's lead and tail over resamples of the events."""
    if not offsets:
        return ((0, 0), (0, 0))
    rng = np.random.default_rng(SEED)
    values = np.array(offsets)
    found = np.array(
        [
            shortest_window(rng.choice(values, size=len(values)).tolist(), share)
            for _ in range(resamples)
        ]
    )
    low, high = np.percentile(found, [2.5, 97.5], axis=0)
    return ((int(low[0]), int(high[0])), (int(low[1]), int(high[1])))


def election_study(
    events: Sequence[Dated],
    elections: Sequence[Dated],
    *,
    horizon: int = 365,
    shares: Sequence[float] = (0.5, 0.8, 0.9),
) -> ElectionStudy:
    by_country: dict[str, list[datetime.date]] = defaultdict(list)
    for country, day in elections:
        by_country[country].append(day)
    joined = tuple(sorted({country for country, _ in events} & set(by_country)))
    in_joined = [(c, d) for c, d in events if c in by_country]
    offsets = [nearest_offset(day, by_country[country]) for country, day in in_joined]
    near = tuple(sorted(offset for offset in offsets if abs(offset) <= horizon))
    window = DEFAULT_WINDOWS[Context.ELECTION]
    default = (window.lead_days, window.tail_days)
    return ElectionStudy(
        events=len(events),
        joined_countries=joined,
        in_joined=len(in_joined),
        offsets=near,
        horizon=horizon,
        windows={share: shortest_window(near, share) for share in shares},
        intervals={share: bootstrap_window(near, share) for share in shares},
        default=default,
        default_share=covered(near, *default),
        peak=peak_study(near),
    )


@dataclass(frozen=True)
class TimingStudy:
    """Election days taken from DECO itself: the days of its events coded as on election day
    (per country); each event coded as before the vote is placed before the next of them, each
    coded as after it after the last one (within the horizon)."""

    election_days: int  # distinct (country, day) of events coded as on election day
    countries: int  # countries with such a day
    offsets: tuple[int, ...]  # − days to the next election day, + days since the last one
    horizon: int
    peak: PeakStudy


Timed = tuple[str, datetime.date, frozenset[str]]


def timing_study(events: Sequence[Timed], *, horizon: int = 365) -> TimingStudy:
    days: dict[str, list[datetime.date]] = defaultdict(list)
    for country, day in sorted({(c, d) for c, d, codes in events if codes == {ELECTION_DAY}}):
        days[country].append(day)
    offsets = []
    for country, day, codes in events:
        votes = days.get(country, [])
        if codes == {BEFORE} and (at := bisect_right(votes, day)) < len(votes):
            offsets.append((day - votes[at]).days)
        elif codes == {AFTER} and (at := bisect_left(votes, day)) > 0:
            offsets.append((day - votes[at - 1]).days)
    near = tuple(sorted(offset for offset in offsets if offset and abs(offset) <= horizon))
    return TimingStudy(
        election_days=sum(len(v) for v in days.values()),
        countries=len(days),
        offsets=near,
        horizon=horizon,
        peak=peak_study(near),
    )


def _quantile(values: Sequence[int], q: float) -> float:
    return float(np.quantile(np.array(values, dtype=float), q)) if values else math.nan


def election_report(
    study: ElectionStudy, events: Sequence[Dated], elections: Sequence[Dated]
) -> list[str]:
    offsets = study.offsets
    per_country = Counter(country for country, _ in events if country in study.joined_countries)
    lines = [
        f"violent events: {study.events} in {len({c for c, _ in events})} countries; "
        f"elections: {len(elections)} in {len({c for c, _ in elections})} countries",
        f"countries with both: {len(study.joined_countries)} ("
        + ", ".join(f"{c} {n}" for c, n in sorted(per_country.items(), key=_by_count))
        + f"); events there: {study.in_joined}",
        f"events within {study.horizon} days of an election: {len(offsets)}; before or on the "
        f"day: {sum(1 for o in offsets if o <= 0)}, after: {sum(1 for o in offsets if o > 0)}",
    ]
    if not offsets:
        return [*lines, "no event near an election: no window can be derived"]
    lines.append(
        "days from the nearest election (negative = before): "
        + ", ".join(
            f"q{int(q * 100)} {_quantile(offsets, q):.0f}"
            for q in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9)
        )
    )
    bins = Counter(min(max(offset // 30, -13), 12) for offset in offsets)
    lines.append(
        "by 30-day bin: " + ", ".join(f"[{b * 30},{b * 30 + 29}] {bins[b]}" for b in sorted(bins))
    )
    for share, (lead, tail) in sorted(study.windows.items()):
        (lead_low, lead_high), (tail_low, tail_high) = study.intervals[share]
        lines.append(
            f"shortest window holding {share * 100:.0f} %: lead {lead} days, tail {tail} days "
            f"(holds {100 * covered(offsets, lead, tail):.1f} %; bootstrap 95 %: lead "
            f"{lead_low}–{lead_high}, tail {tail_low}–{tail_high})"
        )
    lines.append(
        "share held by lead × tail (rows: lead; columns: tail "
        + ", ".join(str(tail) for tail in GRID_TAILS)
        + ")"
    )
    for lead in GRID_LEADS:
        lines.append(
            f"  lead {lead:>3}: "
            + "  ".join(f"{100 * covered(offsets, lead, tail):5.1f} %" for tail in GRID_TAILS)
        )
    lead, tail = study.default
    lines.append(
        f"current default (lead {lead}, tail {tail}) holds {100 * study.default_share:.1f} % "
        f"of the {len(offsets)} events"
    )
    return [*lines, *peak_report(study.peak)]


def peak_report(peak: PeakStudy) -> list[str]:
    """The distribution around the vote and the peak it supports."""
    total = sum(count for _, count in peak.bins)
    mean = total * PEAK_BIN / (PEAK_SPAN[1] - PEAK_SPAN[0])  # events per bin if spread evenly
    lines = [
        f"around the vote, by {PEAK_BIN}-day bin from {PEAK_SPAN[0]} to {PEAK_SPAN[1] - 1} "
        f"days (events; times the mean bin of these {total}): "
        + ", ".join(
            f"[{first},{first + PEAK_BIN - 1}] {count} ({count / mean:.2f})"
            for first, count in peak.bins
        )
        if total
        else "no event around the vote"
    ]
    for label, events, run in (
        ("before", peak.before, peak.before_run),
        ("after", peak.after, peak.after_run),
    ):
        if run is None:
            lines.append(f"peak {label} the vote: no event")
            continue
        interval = ""
        if label == "before" and peak.before_run_interval:
            low, high = peak.before_run_interval
            interval = f" (bootstrap 95 % of the farthest day: {low}–{high})"
        lines.append(
            f"peak {label} the vote: {100 * PEAK_SHARE:.0f} % of the {events} events {label} it "
            f"fall {run[0]}–{run[1]} days {label} it{interval}"
        )
    if peak.supported:
        lines.append(
            f"peak the data supports (the bins next to the vote above the mean bin): "
            f"[{peak.supported[0]}, {peak.supported[1]}] days (calendar_peak_days: before, after)"
        )
    return lines


def timing_report(study: TimingStudy) -> list[str]:
    lines = [
        f"election days from DECO's own events coded as on election day: "
        f"{study.election_days} in {study.countries} countries; events coded as before or after "
        f"the vote within {study.horizon} days of one: {len(study.offsets)}",
    ]
    return [*lines, *peak_report(study.peak)]


def as_json(value: Any) -> Any:
    """Dataclasses, dates and tuples as JSON-ready values (for --json)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {name: as_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


# Entry points of `amparo warn study-*` ------------------------------------------------------


def run_regional(
    global_witness: Path, *, farrington: bool = True
) -> tuple[list[str], list[MethodResult]]:
    events = dated_records("global-witness", global_witness, "incident", "date")
    if not events:
        return ["no killing could be read from the file"], []
    results = regional_study(events, farrington=farrington)
    return regional_report(events, results), results


def deco_timing(path: Path) -> list[Timed]:
    """(country, date, electoral_timing codes) of the DECO rows the importer's adapter accepts."""
    from amparo.interchange.sources.base import Mapping, read_csv
    from amparo.interchange.sources.ucdp_deco import UcdpDeco

    adapter, found = UcdpDeco(), []
    for line, data in read_csv(path):
        row = adapter.row(line, data, Mapping())
        for record in row.records if not row.problems else []:
            if record["type"] == "incident":
                codes = frozenset(re.split(r"[;,]", data.get("electoral_timing", "")))
                day = datetime.date.fromisoformat(record["date"])
                found.append((record["country"], day, codes - {""}))
    return found


def run_elections(
    deco: Path, parlgov: Path | None, calendars: Sequence[Path] = ()
) -> tuple[list[str], ElectionStudy]:
    """DECO against ParlGov and/or iCalendar files of election days (VEVENTs of kind election,
    or without CATEGORIES), then against DECO's own election days."""
    events = dated_records("ucdp-deco", deco, "incident", "date")
    elections = dated_records("parlgov", parlgov, "event", "start") if parlgov else []
    for calendar_file in calendars:
        elections += dated_records("ical", calendar_file, "event", "start", event_kind="election")
    elections = sorted(set(elections))
    timing = timing_study(deco_timing(deco))
    study = dataclasses.replace(election_study(events, elections), timing=timing)
    return [*election_report(study, events, elections), *timing_report(timing)], study
