"""Regional spike detector: binning, as-of rule, delay guard, budget (no database)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from amparo.earlywarning.regional import (
    ALL_CATEGORIES,
    IncidentRecord,
    Place,
    RegionalConfig,
    Signal,
    bin_weekly,
    detect,
    evaluation_week,
    rank_and_budget,
    run_detectors,
    week_start,
)

AS_OF = date(2026, 11, 25)  # a Wednesday
SIMPLE = RegionalConfig(country_level=False, all_categories=False, history_weeks=40)


def incidents_from_counts(
    series: dict[str, list[int]],
    last_week: date,
    *,
    category: str = "journalist",
    group: str = "grave",
    delay_days: int = 0,
) -> list[IncidentRecord]:
    """One incident per count, dated the Wednesday of its week, reported ``delay_days`` later."""
    out = []
    for sub, counts in series.items():
        first = last_week - timedelta(weeks=len(counts) - 1)
        for j, n in enumerate(counts):
            day = first + timedelta(weeks=j, days=2)
            out += [
                IncidentRecord(
                    reported_on=day + timedelta(days=delay_days),
                    date=day,
                    country="CO",
                    subdivision=sub,
                    categories=(category,),
                    violation_group=group,
                )
            ] * int(n)
    return out


def quiet(seed: int, n: int = 30) -> list[int]:
    return np.random.default_rng(seed).poisson(2.0, n).tolist()


# --- weeks and the delay guard ----------------------------------------------------------------


def test_week_start_is_iso_monday():
    assert week_start(date(2026, 11, 25)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert date(2026, 11, 23).isocalendar().weekday == 1


def test_evaluation_week():
    # Last complete week on Wed 25 Nov is 16-22 Nov; one delay week skips back to 9-15 Nov.
    assert evaluation_week(AS_OF, 0) == date(2026, 11, 16)
    assert evaluation_week(AS_OF, 1) == date(2026, 11, 9)
    assert evaluation_week(AS_OF, 2) == date(2026, 11, 2)
    # On the Sunday that closes a week, that week is complete.
    assert evaluation_week(date(2026, 11, 22), 0) == date(2026, 11, 16)
    assert evaluation_week(date(2026, 11, 29), 1) == date(2026, 11, 16)


# --- binning ----------------------------------------------------------------------------------


def test_bin_counts_by_incident_date_and_respects_as_of():
    inc = [
        IncidentRecord(date(2026, 11, 10), date(2026, 11, 9), "CO", "CO-ANT", ("journalist",), "g"),
        IncidentRecord(
            date(2026, 11, 20), date(2026, 11, 15), "CO", "CO-ANT", ("journalist",), "g"
        ),
        # dated in the same week but reported after as_of: invisible
        IncidentRecord(
            date(2026, 11, 26), date(2026, 11, 12), "CO", "CO-ANT", ("journalist",), "g"
        ),
        # reported on as_of itself: visible; two categories, one listed twice
        IncidentRecord(
            AS_OF, date(2026, 11, 2), "CO", "CO-ANT", ("lawyer", "journalist", "lawyer"), "g"
        ),
        # no subdivision, no category
        IncidentRecord(date(2026, 11, 3), date(2026, 11, 3), "CO", "", (), "g"),
    ]
    w = bin_weekly(inc, AS_OF, RegionalConfig(history_weeks=4))
    assert w.weeks[-1] == date(2026, 11, 9) and len(w.weeks) == 4
    table = {key: row.tolist() for key, row in zip(w.cells, w.counts, strict=True)}
    ant, co = Place("CO", "CO-ANT"), Place("CO")
    assert table[(ant, "journalist", "g")] == [0, 0, 1, 2]
    assert table[(ant, "lawyer", "g")] == [0, 0, 1, 0]
    assert table[(ant, ALL_CATEGORIES, "g")] == [0, 0, 1, 2]  # each incident once
    assert table[(co, "journalist", "g")] == [0, 0, 1, 2]
    assert table[(co, "other", "g")] == [0, 0, 1, 0]
    assert table[(co, ALL_CATEGORIES, "g")] == [0, 0, 2, 2]
    assert list(w.cells) == sorted(
        w.cells, key=lambda c: (c[0].country, c[0].subdivision, c[1], c[2])
    )


def test_bin_ignores_incidents_outside_the_window():
    inc = incidents_from_counts({"CO-ANT": [1] * 10}, date(2026, 11, 16))
    w = bin_weekly(inc, AS_OF, replace(SIMPLE, history_weeks=5))
    assert w.counts.tolist() == [[1, 1, 1, 1, 1]]  # the week of 16 Nov is after the evaluation week
    assert bin_weekly([], AS_OF, SIMPLE).counts.shape == (0, 40)


# --- detection --------------------------------------------------------------------------------


def spike_scenario() -> list[IncidentRecord]:
    eval_week = evaluation_week(AS_OF, 1)
    series = {f"CO-{i:02d}": quiet(100 + i) for i in range(6)}
    series["CO-03"][-1] = 12
    series["CO-05"][-1] = 8
    return incidents_from_counts(series, eval_week)


def test_spike_signals_carry_evidence():
    signals = detect(spike_scenario(), AS_OF, SIMPLE)
    assert [s.place.subdivision for s in signals] == ["CO-03", "CO-05"]
    top = signals[0]
    assert top.week == date(2026, 11, 9) and top.iso_week == "2026-W46"
    assert top.observed == 12
    assert top.category == "journalist" and top.violation_group == "grave"
    assert top.statistic > top.threshold
    assert top.score == pytest.approx((top.statistic - top.threshold) / top.threshold)
    counts = quiet(103)
    ref = counts[-10:-3]  # C2/CUSUM baseline: weeks t-9..t-3
    if top.method in ("C2", "CUSUM"):
        assert top.expected == pytest.approx(sum(ref) / 7)
    assert set(top.also_alarmed) <= {"C2", "C3", "CUSUM"} - {top.method}


def test_as_of_invariance():
    base = spike_scenario()
    rng = np.random.default_rng(11)
    late = []
    for _ in range(300):
        day = AS_OF - timedelta(days=int(rng.integers(0, 200)))
        late.append(
            IncidentRecord(
                reported_on=AS_OF + timedelta(days=int(rng.integers(1, 60))),
                date=day,
                country="CO",
                subdivision=f"CO-{int(rng.integers(0, 8)):02d}",
                categories=("journalist",),
                violation_group="grave",
            )
        )
    for cfg in (SIMPLE, RegionalConfig(), replace(SIMPLE, delay_weeks=0, methods=("C1",))):
        before = detect(base, AS_OF, cfg)
        after = detect(base + late, AS_OF, cfg)
        assert before == after
        np.testing.assert_array_equal(
            bin_weekly(base, AS_OF, cfg).counts, bin_weekly(base + late, AS_OF, cfg).counts
        )
    # ...while the same incidents do count once they are reported.
    later = AS_OF + timedelta(days=60)
    eval_week = evaluation_week(AS_OF, 1)
    assert not np.array_equal(
        bin_weekly(base, later, SIMPLE, last_week=eval_week).counts,
        bin_weekly(base + late, later, SIMPLE, last_week=eval_week).counts,
    )


def test_delay_guard_holds_back_the_most_recent_week():
    last_complete = evaluation_week(AS_OF, 0)
    series = {"CO-01": [*quiet(1), 12]}  # spike in the last complete week
    inc = incidents_from_counts(series, last_complete)
    assert detect(inc, AS_OF, SIMPLE) == []  # delay_weeks = 1: not yet tested
    now = detect(inc, AS_OF, replace(SIMPLE, delay_weeks=0))
    assert [s.week for s in now] == [last_complete]
    later = detect(inc, AS_OF + timedelta(weeks=1), SIMPLE)
    assert [s.week for s in later] == [last_complete]


def test_min_count_guard_in_pipeline():
    series = {"CO-01": [0] * 20 + [2]}
    inc = incidents_from_counts(series, evaluation_week(AS_OF, 1))
    assert detect(inc, AS_OF, SIMPLE) == []
    assert detect(inc, AS_OF, replace(SIMPLE, min_count=2))


def test_short_history_never_signals():
    eval_week = evaluation_week(AS_OF, 1)
    inc = incidents_from_counts({"CO-01": [9, 9, 30]}, eval_week)
    since = eval_week - timedelta(weeks=2)
    cfg = replace(SIMPLE, data_since=since)
    assert bin_weekly(inc, AS_OF, cfg).counts.tolist() == [[9, 9, 30]]
    assert detect(inc, AS_OF, cfg) == []
    # Mid-week start: that partial week is dropped.
    cfg = replace(SIMPLE, data_since=since - timedelta(days=3))
    assert bin_weekly(inc, AS_OF, cfg).counts.tolist() == [[9, 9, 30]]
    # Deployed after the evaluation week: nothing to test.
    assert detect(inc, AS_OF, replace(SIMPLE, data_since=AS_OF)) == []
    # Without data_since the weeks before are taken as recorded zeros, so the rise does signal.
    assert detect(inc, AS_OF, SIMPLE)


def test_planted_outbreak_in_pipeline_detected_within_two_weeks():
    rng = np.random.default_rng(2026)
    counts = rng.poisson(2.0, 60)
    onset = 40
    counts[onset : onset + 3] = rng.poisson(6.0, 3)
    first = evaluation_week(AS_OF, 1) - timedelta(weeks=59)
    inc = incidents_from_counts({"CO-01": counts.tolist()}, evaluation_week(AS_OF, 1))
    detected = None
    for j in range(onset, onset + 3):
        week = first + timedelta(weeks=j)
        as_of = week + timedelta(days=13)  # the evaluation week for this day is `week`
        assert evaluation_week(as_of, 1) == week
        if detect(inc, as_of, SIMPLE):
            detected = j - onset
            break
    assert detected is not None and detected <= 2


# --- budget and ranking -----------------------------------------------------------------------


def make_signal(sub: str, stat: float, thr: float, observed: int = 5, method: str = "C2"):
    return Signal(
        place=Place("CO", sub),
        category="journalist",
        violation_group="grave",
        week=date(2026, 11, 9),
        iso_week="2026-W46",
        method=method,
        statistic=stat,
        threshold=thr,
        observed=observed,
        expected=1.0,
        sigma=1.0,
    )


def test_rank_and_budget_order_and_ties():
    sigs = [
        make_signal("CO-A", 4.0, 3.0),  # score 1/3
        make_signal("CO-B", 4.0, 2.0),  # score 1
        make_signal("CO-C", 6.0, 3.0, observed=4),  # score 1, fewer observed
        make_signal("CO-D", 6.0, 3.0, observed=9),  # score 1, more observed
        make_signal("CO-E", math.inf, 3.0),  # infinite statistic ranks first
        make_signal("CO-0", 4.52, 2.26, method="CUSUM"),  # score 1, observed 5, name first
    ]
    ranked = rank_and_budget(sigs, 10)
    assert [s.place.subdivision for s in ranked] == ["CO-E", "CO-D", "CO-0", "CO-B", "CO-C", "CO-A"]
    assert rank_and_budget(sigs, 3) == ranked[:3]
    assert rank_and_budget(sigs[::-1], 3) == ranked[:3]  # independent of input order
    assert rank_and_budget(sigs, 0) == []


def test_budget_applies_network_wide():
    eval_week = evaluation_week(AS_OF, 1)
    series = {f"CO-{i:02d}": [*quiet(i)[:-1], 6 + 2 * i] for i in range(8)}
    inc = incidents_from_counts(series, eval_week)
    everything = detect(inc, AS_OF, replace(SIMPLE, budget=100))
    assert len(everything) > 3
    top = detect(inc, AS_OF, replace(SIMPLE, budget=3))
    assert top == everything[:3]
    scores = [s.score for s in everything]
    assert scores == sorted(scores, reverse=True)


def test_one_signal_per_cell_best_method_wins():
    inc = spike_scenario()
    weekly = bin_weekly(inc, AS_OF, SIMPLE)
    sigs = run_detectors(weekly, SIMPLE)
    keys = [(s.place, s.category, s.violation_group) for s in sigs]
    assert len(keys) == len(set(keys))
    for s in sigs:
        for other in s.also_alarmed:
            single = run_detectors(weekly, replace(SIMPLE, methods=(other,)))
            match = next(x for x in single if x.place == s.place)
            assert match.score <= s.score


def test_config_validation():
    with pytest.raises(ValueError):
        RegionalConfig(methods=("C4",))
    with pytest.raises(ValueError):
        RegionalConfig(methods=())
    with pytest.raises(ValueError):
        RegionalConfig(c3_threshold=0)
    with pytest.raises(ValueError):
        RegionalConfig(baseline_weeks=2)
    with pytest.raises(ValueError):
        RegionalConfig(delay_weeks=-1)
    cfg = RegionalConfig()
    with pytest.raises(AttributeError):
        cfg.budget = 3  # type: ignore[misc]
