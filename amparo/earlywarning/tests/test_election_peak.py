"""The election peak of `amparo warn study-elections`: the distribution of events around the
vote, the shortest run of days before it holding half of them, and the same with DECO's own
election days (studies.peak_study, timing_study, deco_timing), on small hand-made inputs."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from amparo.earlywarning import studies

D = datetime.date
TIMING = "2"  # DECO electoral_timing: on election day


def test_offset_bins_count_each_bin_of_the_span_and_leave_the_rest_out():
    offsets = [-200, -180, -166, -165, -1, 0, 14, 15, 59, 60]

    bins = studies.offset_bins(offsets)

    assert len(bins) == 16 and bins[0] == (-180, 2) and bins[1] == (-165, 1)
    assert dict(bins)[-15] == 1 and dict(bins)[0] == 2 and dict(bins)[15] == 1
    assert dict(bins)[45] == 1  # 59 is in the last bin; -200 and 60 are outside the span
    assert sum(count for _, count in bins) == 8
    assert studies.offset_bins([-3, 2], width=5, span=(-10, 5)) == ((-10, 0), (-5, 1), (0, 1))


def test_densest_run_is_the_shortest_run_holding_the_share():
    days = [1, 2, 4, 30, 31, 33, 35, 90]

    assert studies.densest_run(days, 0.5) == (30, 35)  # 5 days, against 1–30 (29)
    assert studies.densest_run(days, 0.25) == (1, 2)
    assert studies.densest_run(days, 1.0) == (1, 90)
    assert studies.densest_run([7, 3], 0.5) == (3, 3)  # a tie goes to the run nearest day 0
    assert studies.densest_run([], 0.5) is None


def test_the_peak_study_splits_the_events_around_the_vote():
    offsets = [-300, -120, -40, -20, -10, -5, -2, 0, 0, 3, 8, 70]

    peak = studies.peak_study(offsets)

    assert (peak.before, peak.on_day, peak.after) == (7, 2, 2)  # 70 is past the span
    assert peak.before_run == (2, 20)  # 4 of the 7 events before the vote: 2, 5, 10, 20
    assert peak.after_run == (3, 3)
    # The bins next to the vote above the mean bin (10 / 16): [-45, -1] and [0, 14].
    assert peak.supported == (45, 14)
    assert dict(peak.bins) == {
        **{first: 0 for first in range(-180, 60, 15)},
        -120: 1,
        -45: 1,
        -30: 1,
        -15: 3,
        0: 4,
    }
    assert peak.before_run_interval == (5, 120)  # 1,000 resamples, seeded
    assert studies.bootstrap_run_end([5, 5, 5]) == (5, 5)


def test_a_peak_with_no_event_before_the_vote_supports_no_lead():
    peak = studies.peak_study([0, 4])

    assert (peak.before_run, peak.before_run_interval, peak.after_run) == (None, None, (4, 4))
    assert peak.supported == (0, 14)
    assert studies.peak_study([-200, 300]).supported is None  # nothing in the span


def test_the_timing_study_places_events_by_deco_s_own_election_days():
    vote, later = D(2013, 3, 4), D(2017, 8, 8)
    events = [
        ("KE", vote, frozenset({TIMING})),
        ("KE", vote, frozenset({TIMING})),  # the same day twice is one election day
        ("KE", later, frozenset({TIMING})),
        ("KE", D(2013, 2, 2), frozenset({"1"})),  # 30 days before the 2013 vote
        ("KE", D(2013, 3, 4), frozenset({"1"})),  # "before" on the day: the 2017 vote is next
        ("KE", D(2013, 3, 9), frozenset({"3"})),  # 5 days after
        ("KE", D(2017, 8, 1), frozenset({"1", "3"})),  # two codes: left out
        ("KE", D(2017, 9, 7), frozenset({"3"})),  # 30 days after the 2017 vote
        ("NG", D(2015, 3, 1), frozenset({"1"})),  # no election day in Nigeria
        ("KE", D(2012, 1, 1), frozenset({"3"})),  # no election before it
    ]

    study = studies.timing_study(events)

    assert (study.election_days, study.countries) == (2, 1)
    assert study.offsets == (-30, 5, 30)  # the event of 2013-03-04 is 1,618 days before 2017
    assert study.peak.before_run == (30, 30)
    assert study.peak.after_run == (5, 5)
    assert study.peak.supported == (0, 14)  # [-15, -1] is empty: no lead


DECO = (
    '"id","type_of_violence","country","date_start","date_end","electoral_side_a",'
    '"electoral_side_b","electoral_timing"\n'
    '1,3,"Kenya",3/4/2013,3/4/2013,"Unclear","Civilians","2"\n'
    '2,3,"Kenya",2/2/2013,2/2/2013,"Unclear","Civilians","1"\n'
    '3,3,"Kenya",2/22/2013,2/22/2013,"Unclear","Civilians","1"\n'
    '4,3,"Kenya",3/14/2013,3/14/2013,"Unclear","Civilians","1;3"\n'
    '5,3,"Kenya",3/24/2013,3/24/2013,"Unclear","Civilians","3"\n'
    '6,3,"Atlantis",3/1/2013,3/1/2013,"Unclear","Civilians","1"\n'
    '7,3,"Kenya",3/1/2013,3/1/2013,"Unclear","","1"\n'
)


def test_deco_timing_reads_the_codes_of_the_rows_the_import_accepts(tmp_path):
    deco = tmp_path / "deco.csv"
    deco.write_text(DECO, encoding="utf-8")

    found = studies.deco_timing(deco)

    # No country (Atlantis) and no target category (7) are refused by the adapter.
    assert found == [
        ("KE", D(2013, 3, 4), frozenset({"2"})),
        ("KE", D(2013, 2, 2), frozenset({"1"})),
        ("KE", D(2013, 2, 22), frozenset({"1"})),
        ("KE", D(2013, 3, 14), frozenset({"1", "3"})),
        ("KE", D(2013, 3, 24), frozenset({"3"})),
    ]


ELECTIONS_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:ke-2013\r\nDTSTART;VALUE=DATE:20130304\r\nX-AMPARO-COUNTRY:KE\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.mark.django_db
def test_the_command_prints_the_peak_of_both_calendars(tmp_path):
    deco, calendar = tmp_path / "deco.csv", tmp_path / "elections.ics"
    deco.write_text(DECO, encoding="utf-8")
    calendar.write_text(ELECTIONS_ICS, encoding="utf-8")
    out = StringIO()

    call_command(
        "warn", "study-elections", "--deco", str(deco), "--elections", str(calendar), stdout=out
    )

    lines = out.getvalue().splitlines()
    # Against the calendar: -30, -10, 0, +10 (the event coded 1;3), +20.
    assert "events within 365 days of an election: 5; before or on the day: 3, after: 2" in lines
    assert (
        "peak before the vote: 50 % of the 2 events before it fall 10–10 days before it "
        "(bootstrap 95 % of the farthest day: 10–30)"
    ) in lines
    assert "peak after the vote: 50 % of the 2 events after it fall 10–10 days after it" in lines
    assert (
        "peak the data supports (the bins next to the vote above the mean bin): [30, 29] days "
        "(calendar_peak_days: before, after)"
    ) in lines
    # Against DECO's own election day (2013-03-04): -30, -10 and +20; 1;3 is left out.
    assert lines[-5:] == [
        "election days from DECO's own events coded as on election day: 1 in 1 countries; "
        "events coded as before or after the vote within 365 days of one: 3",
        "around the vote, by 15-day bin from -180 to 59 days (events; times the mean bin of "
        "these 3): "
        + ", ".join(
            f"[{first},{first + 14}] {count} ({count / (3 * 15 / 240):.2f})"
            for first, count in [(f, 0) for f in range(-180, -30, 15)]
            + [(-30, 1), (-15, 1), (0, 0), (15, 1), (30, 0), (45, 0)]
        ),
        "peak before the vote: 50 % of the 2 events before it fall 10–10 days before it "
        "(bootstrap 95 % of the farthest day: 10–30)",
        "peak after the vote: 50 % of the 1 events after it fall 20–20 days after it",
        "peak the data supports (the bins next to the vote above the mean bin): [30, 0] days "
        "(calendar_peak_days: before, after)",
    ]
