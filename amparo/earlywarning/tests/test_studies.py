"""The real-data studies of `amparo warn study-regional|study-elections` (pure functions, the
command on small invented files, and the real files' headline numbers when they are here)."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from amparo.earlywarning import studies

D = datetime.date


def test_nearest_offset_is_signed_and_a_tie_goes_to_the_coming_election():
    elections = [D(2020, 1, 11), D(2020, 1, 31)]

    assert studies.nearest_offset(D(2020, 1, 1), elections) == -10
    assert studies.nearest_offset(D(2020, 1, 13), elections) == 2
    assert studies.nearest_offset(D(2020, 1, 21), elections) == -10  # 10 after, 10 before


def test_shortest_window_holds_the_share_with_the_least_days():
    offsets = [-100, -30, -10, -5, 0, 3, 8, 40, 200, 300]

    assert studies.shortest_window(offsets, 0.5) == (10, 8)
    assert studies.shortest_window(offsets, 0.8) == (100, 40)
    assert studies.shortest_window(offsets, 1.0) == (100, 300)
    assert studies.covered(offsets, 100, 40) == 0.8
    assert studies.shortest_window([], 0.8) == (0, 0)


def test_count_series_bins_by_week_and_month_for_countries_with_enough_events():
    events = [("CO", D(2020, 1, 6))] * 2 + [("CO", D(2020, 2, 12)), ("PE", D(2020, 1, 7))]

    weekly = studies.count_series(events, "week", min_events=2)
    monthly = studies.count_series(events, "month", min_events=2)

    assert weekly.countries == ("CO",)
    assert weekly.starts[0] == D(2020, 1, 6) and len(weekly.starts) == 6
    assert weekly.counts[0].tolist() == [2, 0, 0, 0, 0, 1]
    assert monthly.starts == (D(2020, 1, 1), D(2020, 2, 1))
    assert monthly.counts.tolist() == [[2, 1]]


def _events(per_year: dict[int, int], country: str = "CO") -> list[studies.Dated]:
    found = []
    for year, count in per_year.items():
        for n in range(count):
            found.append((country, D(year, 1 + n * 12 // max(count, 1) % 12, 10)))
    return found


def test_a_surge_year_is_twice_the_two_years_before_and_at_least_ten():
    events = _events({2014: 6, 2015: 6, 2016: 14, 2017: 9})

    assert studies.surges(events, ["CO"]) == [("CO", 2016, 14, 6.0)]
    assert studies.stable_years(events, ["CO"]) == {("CO", 2017)}  # 9 against (6 + 14) / 2
    assert studies.stable_years(_events({2014: 6, 2015: 6, 2016: 7}), ["CO"]) == {("CO", 2016)}


def test_the_regional_study_flags_a_burst_in_a_quiet_series():
    quiet = [("CO", D(2018, 1, 1) + datetime.timedelta(days=14 * n)) for n in range(60)]
    burst = [("CO", D(2019, 6, 3))] * 6

    results = studies.regional_study(quiet + burst, periods=["month"], farrington=False)

    c2 = next(r for r in results if r.method == "C2")
    assert [(f.country, f.start, f.observed) for f in c2.flags] == [("CO", D(2019, 6, 1), 8)]
    assert c2.one_day_flags == 1
    assert {r.method for r in results} >= {"C1", "C2", "C3", "CUSUM"}


def test_the_election_study_compares_the_default_window():
    elections = [("KE", D(2013, 3, 4)), ("KE", D(2017, 8, 8))]
    events = [("KE", D(2013, 3, 4) + datetime.timedelta(days=d)) for d in (-200, -60, -7, 0, 2, 30)]
    events += [("KE", D(2017, 8, 8) + datetime.timedelta(days=d)) for d in (-20, 10, 90, 500)]
    events += [("NG", D(2015, 3, 28))]

    study = studies.election_study(events, elections)

    assert (study.events, study.in_joined, study.joined_countries) == (11, 10, ("KE",))
    # 500 days after 2017-08-08 is beyond the 365-day horizon.
    assert study.offsets == (-200, -60, -20, -7, 0, 2, 10, 30, 90)
    assert study.windows[0.8] == (60, 90)
    assert study.default == (180, 60)
    assert study.default_share == pytest.approx(7 / 9)  # not -200 nor +90


DECO = (
    '"id","type_of_violence","country","date_start","date_end","electoral_side_a",'
    '"electoral_side_b"\n'
    '1,3,"Spain",6/1/2011,6/1/2011,"Rebel group","Politicians"\n'
    '2,3,"Spain",11/25/2011,11/25/2011,"Rebel group","Politicians"\n'
    '3,3,"Kenya",3/1/2013,3/1/2013,"Unclear","Civilians"\n'
)
PARLGOV = (
    "country_name_short,election_type,election_date,election_id\n"
    "ESP,parliament,2011-11-20,10\nESP,parliament,2011-11-20,10\nESP,ep,2009-06-07,11\n"
)


@pytest.mark.django_db
def test_the_command_prints_the_election_study_and_writes_json(tmp_path):
    deco, parlgov = tmp_path / "deco.csv", tmp_path / "parlgov.csv"
    deco.write_text(DECO, encoding="utf-8")
    parlgov.write_bytes(PARLGOV.encode("latin-1"))
    out = StringIO()

    call_command(
        "warn",
        "study-elections",
        "--deco",
        str(deco),
        "--parlgov",
        str(parlgov),
        "--json",
        str(tmp_path / "out.json"),
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "violent events: 3 in 2 countries; elections: 2 in 1 countries",
        "countries with both: 1 (ES 2); events there: 2",
        "events within 365 days of an election: 2; before or on the day: 1, after: 1",
    ]
    assert "current default (lead 180, tail 60) holds 100.0 % of the 2 events" in lines
    written = json.loads((tmp_path / "out.json").read_text())
    assert written["offsets"] == [-172, 5]


GW = Path("/work/shared/data/global-witness-land-defenders/global_witness_led_22-09-22.csv")
DECO_FILE = Path("/work/shared/data/ucdp-deco-electoral-violence/DECO_v.1.0.csv")
PARLGOV_FILE = Path("/work/shared/data/parlgov-elections/view_election.csv")


@pytest.mark.skipif(not GW.is_file(), reason="Global Witness file not here")
@pytest.mark.django_db
def test_regional_study_on_the_real_global_witness_file():
    lines, results = studies.run_regional(GW, farrington=False)

    assert lines[0] == "killings: 1733 in 61 countries, 2012-01-01 to 2021-12-19"
    by_key = {(r.period, r.method): r for r in results}
    weekly_c2, monthly_c2 = by_key[("week", "C2")], by_key[("month", "C2")]
    assert (len(weekly_c2.flags), weekly_c2.evaluated, weekly_c2.one_day_flags) == (87, 5120, 63)
    assert (weekly_c2.stable_flags, weekly_c2.stable_evaluated) == (34, 1663)
    assert (len(monthly_c2.flags), monthly_c2.surges_flagged, len(monthly_c2.surges)) == (
        52,
        14,
        14,
    )
    assert np.isclose(monthly_c2.median_share_before_flag, 0.52, atol=0.005)


@pytest.mark.skipif(
    not (DECO_FILE.is_file() and PARLGOV_FILE.is_file()), reason="DECO or ParlGov not here"
)
@pytest.mark.django_db
def test_election_study_on_the_real_files():
    _lines, study = studies.run_elections(DECO_FILE, PARLGOV_FILE)

    assert (study.events, study.in_joined, len(study.offsets)) == (4232, 60, 40)
    assert study.joined_countries == ("ES", "GB", "IL", "IT", "TR")
    assert study.windows == {0.5: (31, 2), 0.8: (137, 66), 0.9: (137, 266)}
    assert study.default_share == pytest.approx(31 / 40)


ELECTIONS_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:ke-2013\r\nDTSTART;VALUE=DATE:20130304\r\nX-AMPARO-COUNTRY:KE\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:ke-protest\r\nDTSTART;VALUE=DATE:20130201\r\nCATEGORIES:Protest\r\n"
    "X-AMPARO-COUNTRY:KE\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.mark.django_db
def test_an_icalendar_of_election_days_can_stand_in_for_parlgov(tmp_path):
    deco, calendar = tmp_path / "deco.csv", tmp_path / "elections.ics"
    deco.write_text(DECO, encoding="utf-8")
    calendar.write_text(ELECTIONS_ICS, encoding="utf-8")
    out = StringIO()

    call_command(
        "warn", "study-elections", "--deco", str(deco), "--elections", str(calendar), stdout=out
    )

    lines = out.getvalue().splitlines()
    # The protest is not an election; the Kenyan event is 3 days before the vote.
    assert lines[:3] == [
        "violent events: 3 in 2 countries; elections: 1 in 1 countries",
        "countries with both: 1 (KE 1); events there: 1",
        "events within 365 days of an election: 1; before or on the day: 1, after: 0",
    ]
