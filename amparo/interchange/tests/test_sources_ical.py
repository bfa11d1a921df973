"""`amparo import --from ical`: VEVENTs as calendar events (all-day, timed, recurring)."""

from __future__ import annotations

import pytest

from amparo.earlywarning.models import Event
from amparo.interchange.tests.helpers import run_import, run_import_failing, snapshot


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"
    return text.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("utf-8")


ALL_DAY = """UID:vote-2026@example.org
DTSTART;VALUE=DATE:20260531
DTEND;VALUE=DATE:20260602
SUMMARY:Presidential election
CATEGORIES:Elecciones,journalist
X-AMPARO-COUNTRY:CO
X-AMPARO-SUBDIVISION:Cauca"""
TIMED = """UID:hearing-1
DTSTART;TZID=America/Bogota:20260310T220000
DTEND;TZID=America/Bogota:20260311T000000
SUMMARY:Hearing
CATEGORIES:Hearing
LOCATION:Palacio de Justicia, Bogotá, Colombia"""
RECURRING = """UID:upr-session
DTSTART;VALUE=DATE:20260105
DTEND;VALUE=DATE:20260106
RRULE:FREQ=MONTHLY;COUNT=6
EXDATE;VALUE=DATE:20260305
SUMMARY:Session
CATEGORIES:UPR"""
MOVED = """UID:upr-session
RECURRENCE-ID;VALUE=DATE:20260405
DTSTART;VALUE=DATE:20260407
DTEND;VALUE=DATE:20260408
SUMMARY:Session (moved)
CATEGORIES:UPR"""
CANCELLED = """UID:cancelled-1
DTSTART;VALUE=DATE:20260701
STATUS:CANCELLED
CATEGORIES:Protest"""
NO_KIND = """UID:plain-1
DTSTART;VALUE=DATE:20260801
SUMMARY:Something"""


def write(tmp_path, *events):
    path = tmp_path / "calendar.ics"
    path.write_bytes(calendar(*events))
    return path


def dates(external_id):
    event = Event.objects.get(external_id=external_id)
    return str(event.start), str(event.end)


@pytest.mark.django_db
def test_vevents_become_events_with_kind_country_and_days(entity, tmp_path):
    path = write(tmp_path, ALL_DAY, TIMED, RECURRING, MOVED, CANCELLED)

    run = run_import(path, "--from", "ical", "--country", "PE", "--until", "2026-12-31")

    assert "source ical: 5 rows, 4 imported, 0 skipped, 1 ignored" in run.stdout
    assert "  ignored: 1 × cancelled event (STATUS:CANCELLED)" in run.stdout
    vote = Event.objects.get(external_id="ical:vote-2026@example.org")
    # DTEND of an all-day event is exclusive.
    assert dates(vote.external_id) == ("2026-05-31", "2026-06-01")
    assert (vote.kind, vote.country, vote.subdivision) == ("election", "CO", "CO-CAU")
    assert (vote.title, vote.categories) == ("Presidential election", ["journalist"])
    # A timed event ending at midnight covers its own day only, in its own time zone; the
    # country comes from LOCATION before --country.
    hearing = Event.objects.get(external_id="ical:hearing-1")
    assert dates(hearing.external_id) == ("2026-03-10", "2026-03-10")
    assert (hearing.kind, hearing.country) == ("judicial_proceeding", "CO")
    # Six monthly occurrences, less the excluded one, with April's moved by RECURRENCE-ID.
    series = Event.objects.filter(external_id__startswith="ical:upr-session:").order_by("start")
    assert [(e.external_id[-10:], str(e.start)) for e in series] == [
        ("2026-01-05", "2026-01-05"),
        ("2026-02-05", "2026-02-05"),
        ("2026-04-05", "2026-04-07"),
        ("2026-05-05", "2026-05-05"),
        ("2026-06-05", "2026-06-05"),
    ]
    assert {(e.kind, e.country) for e in series} == {("un_engagement", "PE")}


@pytest.mark.django_db
def test_the_horizon_bounds_an_endless_rule(entity, tmp_path):
    weekly = """UID:weekly
DTSTART;VALUE=DATE:20260105
RRULE:FREQ=WEEKLY
CATEGORIES:demonstration
X-AMPARO-COUNTRY:Honduras"""

    run_import(write(tmp_path, weekly), "--from", "ical", "--until", "2026-02-01")

    assert Event.objects.filter(external_id__startswith="ical:weekly:").count() == 4
    assert set(Event.objects.values_list("country", flat=True)) == {"HN"}


@pytest.mark.django_db
def test_an_event_without_kind_or_country_is_refused_unless_options_give_them(entity, tmp_path):
    path = write(tmp_path, NO_KIND)
    before = snapshot()

    run = run_import_failing(path, "--from", "ical")

    assert run.errors == [
        "line 4: field CATEGORIES: No event kind: give a known CATEGORIES value or --kind.",
        "line 4: field X-AMPARO-COUNTRY: No country: give X-AMPARO-COUNTRY, a LOCATION ending "
        "with a country, or --country.",
    ]
    assert snapshot() == before

    run_import(path, "--from", "ical", "--kind", "major_event", "--country", "GT")

    assert Event.objects.get(external_id="ical:plain-1").kind == "major_event"
    again = run_import(path, "--from", "ical", "--kind", "major_event", "--country", "GT")
    assert "event: 0 created, 0 updated, 1 unchanged" in again.stdout


@pytest.mark.django_db
def test_a_file_that_is_not_icalendar_is_refused_without_quoting_it(entity, tmp_path):
    path = tmp_path / "broken.ics"
    path.write_text("BEGIN:VCALENDAR\r\nSUMMARY:Meeting with Ana Ejemplo\r\n", encoding="utf-8")

    run = run_import_failing(path, "--from", "ical")

    assert run.errors == ["line 1: field (file): Not an iCalendar file: it could not be parsed."]
    assert "Ana Ejemplo" not in run.stdout + run.stderr
