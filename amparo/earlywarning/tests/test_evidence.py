"""Alert evidence as sentences: one test per alert kind, and the filter: a reader who may not
open an incident never receives its code, count or date (page and API)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from amparo.earlywarning.evidence import RecordLink, alert_evidence
from amparo.earlywarning.models import AlertKind, Event
from amparo.earlywarning.tests.test_alert_api import _get
from amparo.earlywarning.tests.test_lifecycle import make_alert
from amparo.incidents.services import IncidentData, incident_record
from amparo.tests.helpers import assert_no_inline_script, logged_in

TODAY = timezone.localdate()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def incident(actor, victims, *, days, violations=("death_threat",)):
    return incident_record(
        actor=actor,
        data=IncidentData(
            date=ago(days), country="CO", violations=list(violations), victim_defenders=victims
        ),
    )


def link(code: str) -> RecordLink:
    return RecordLink(code, f"/incidents/{code}/")


@pytest.fixture
def records(world, system):
    """Two death threats against the team defender: one on the team's case, one recorded on
    the restricted case (its first victim), which the coordinator may not open."""
    seen = incident(system, [world.team_defender], days=20)
    hidden = incident(system, [world.restricted_defender, world.team_defender], days=5)
    assert hidden.case == world.restricted_case
    return seen, hidden


def escalation_alert(world, entity, seen, hidden):
    return make_alert(
        "ALR-ESC",
        entity,
        [world.team_defender],
        evidence={
            "rule": "escalation",
            "findings": [
                {"rule": "death_threat", "level": "urgent", "incidents": [seen.code, hidden.code]},
                {"rule": "relative_targeted", "level": "warning", "incidents": [hidden.code]},
            ],
        },
    )


@pytest.mark.django_db
def test_escalation_in_sentences_for_a_reader_who_sees_everything(officer, world, entity, records):
    seen, hidden = records
    alert = escalation_alert(world, entity, seen, hidden)
    evidence = alert_evidence(actor=officer, alert=alert)
    assert evidence.summary == "Recent incidents point to an escalating risk."
    assert [(line.text, line.records) for line in evidence.lines] == [
        (
            f"Two death threats were reported against this defender, between {day(ago(20))} "
            f"and {day(ago(5))}.",
            (link(seen.code), link(hidden.code)),
        ),
        (
            f"One incident targeted a relative of this defender, on {day(ago(5))}.",
            (link(hidden.code),),
        ),
    ]


@pytest.mark.django_db
def test_escalation_leaves_out_what_the_reader_may_not_open(coordinator, world, entity, records):
    seen, hidden = records
    alert = escalation_alert(world, entity, seen, hidden)
    evidence = alert_evidence(actor=coordinator, alert=alert)
    # Counted, dated and linked from the visible incident only; the finding that rests on the
    # hidden incident alone is not mentioned at all.
    assert [(line.text, line.records) for line in evidence.lines] == [
        (
            f"One death threat was reported against this defender, on {day(ago(20))}.",
            (link(seen.code),),
        )
    ]
    assert evidence.data == {
        "rule": "escalation",
        "findings": [{"rule": "death_threat", "level": "urgent", "incidents": [seen.code]}],
    }


@pytest.mark.django_db
def test_hidden_incident_code_never_reaches_the_page_or_the_api(
    client, coordinator, officer, world, entity, records
):
    seen, hidden = records
    escalation_alert(world, entity, seen, hidden)
    make_alert(
        "ALR-NET",
        entity,
        [world.team_defender],
        kind=AlertKind.NETWORK,
        evidence={
            "rule": "network",
            "weight": 1.6,
            "links": [{"incident": hidden.code, "link": "co_victim", "weight": 0.9}],
        },
    )
    for code in ("ALR-ESC", "ALR-NET"):
        html = logged_in(coordinator).get(f"/alerts/{code}/").content.decode()
        assert hidden.code not in html
        assert day(ago(5)) not in html
        assert_no_inline_script(html)
        body = _get(client, coordinator, f"/alerts/{code}").content.decode()
        assert hidden.code not in body
        assert day(ago(5)) not in body
    listing = _get(client, coordinator, "/alerts").content.decode()
    assert hidden.code not in listing
    # The team officer may open it, and gets it.
    assert hidden.code in logged_in(officer).get("/alerts/ALR-ESC/").content.decode()
    body = _get(client, officer, "/alerts/ALR-ESC").json()
    assert body["evidence"]["findings"][0]["incidents"] == [seen.code, hidden.code]


@pytest.mark.django_db
def test_escalation_page_links_the_incidents(coordinator, world, entity, records):
    seen, hidden = records
    escalation_alert(world, entity, seen, hidden)
    html = logged_in(coordinator).get("/alerts/ALR-ESC/").content.decode()
    assert (
        f"<li>One death threat was reported against this defender, on {day(ago(20))}. "
        f'<span class="records"><a class="code" href="/incidents/{seen.code}/">{seen.code}</a>'
        "</span></li>"
    ) in html


@pytest.mark.django_db
def test_escalation_api_gives_sentences_and_filtered_data(
    client, coordinator, world, entity, records
):
    seen, hidden = records
    escalation_alert(world, entity, seen, hidden)
    body = _get(client, coordinator, "/alerts/ALR-ESC").json()
    assert body["reason"] == "Recent incidents point to an escalating risk."
    assert body["evidence_text"] == [
        f"One death threat was reported against this defender, on {day(ago(20))}."
    ]
    assert body["evidence"] == {
        "rule": "escalation",
        "findings": [{"rule": "death_threat", "level": "urgent", "incidents": [seen.code]}],
    }


@pytest.mark.django_db
def test_network_shows_visible_links_and_no_total(coordinator, officer, world, entity, system):
    organisation_threat = incident(
        system, [world.unassigned_defender], days=10, violations=["threat"]
    )
    hidden = incident(system, [world.restricted_defender, world.team_defender], days=3)
    alert = make_alert(
        "ALR-NET",
        entity,
        [world.team_defender],
        kind=AlertKind.NETWORK,
        evidence={
            "rule": "network",
            "weight": 1.42,
            "links": [
                {"incident": organisation_threat.code, "link": "organisation", "weight": 0.38},
                {"incident": hidden.code, "link": "co_victim", "weight": 1.04},
            ],
        },
    )
    footnote = (
        "A weight combines how close the link is, how grave the incident was and how long ago "
        "it happened; it halves with time."
    )
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert [(line.text, line.records) for line in evidence.lines] == [
        (
            f"Threat against a member of this defender's organisation on {day(ago(10))} "
            "(weight 0.38).",
            (link(organisation_threat.code),),
        ),
        (footnote, ()),
    ]
    assert evidence.data == {
        "rule": "network",
        "links": [{"incident": organisation_threat.code, "link": "organisation", "weight": 0.38}],
    }
    assert evidence.summary == "Attacks on connected people raise the risk."
    # The officer is on the restricted case's team but not on the unassigned defender's case.
    assert alert_evidence(actor=officer, alert=alert).texts == [
        f"Death threat against this defender together with others on {day(ago(3))} (weight 1.04).",
        footnote,
    ]


@pytest.mark.django_db
def test_network_with_nothing_visible_says_nothing(coordinator, world, entity, system):
    hidden = incident(system, [world.restricted_defender], days=3)
    alert = make_alert(
        "ALR-NET",
        entity,
        [world.team_defender],
        kind=AlertKind.NETWORK,
        evidence={
            "rule": "network",
            "weight": 1.0,
            "links": [{"incident": hidden.code, "link": "relative", "weight": 1.0}],
        },
    )
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert (evidence.lines, evidence.data) == ([], {"rule": "network", "links": []})


@pytest.fixture
def election(entity):
    return Event.objects.create(
        external_id="EV-ELECTION",
        kind="election",
        start=datetime.date(2027, 3, 8),
        end=datetime.date(2027, 3, 8),
        country="CO",
        subdivision="CO-CAU",
        lead_entity=entity,
    )


def calendar_alert(world, entity, event_id):
    return make_alert(
        "ALR-CAL",
        entity,
        [world.team_defender],
        kind=AlertKind.CALENDAR,
        evidence={
            "rule": "calendar",
            "event": event_id,
            "event_kind": "election",
            "window": ["2026-09-09", "2027-05-07"],
        },
    )


@pytest.mark.django_db
def test_calendar_names_the_event_the_reader_may_open(coordinator, world, entity, election):
    alert = calendar_alert(world, entity, str(election.pk))
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert [(line.text, line.records) for line in evidence.lines] == [
        (
            "Election in Cauca on 8 March 2027 opens a window of exposure from 9 September 2026 "
            "to 7 May 2027.",
            (RecordLink("EV-ELECTION", "/alerts/calendar/#event-EV-ELECTION"),),
        )
    ]
    assert evidence.data == {
        "rule": "calendar",
        "window": ["2026-09-09", "2027-05-07"],
        "event": "EV-ELECTION",
        "event_kind": "election",
    }


@pytest.mark.django_db
def test_calendar_does_not_describe_an_event_the_reader_may_not_open(
    coordinator, world, entity, other_entity
):
    foreign = Event.objects.create(
        external_id="EV-FOREIGN",
        kind="election",
        start=datetime.date(2027, 3, 8),
        end=datetime.date(2027, 3, 9),
        country="CO",
        subdivision="CO-CAU",
        lead_entity=other_entity,
    )
    alert = calendar_alert(world, entity, str(foreign.pk))
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert evidence.texts == [
        "A period of expected exposure runs from 9 September 2026 to 7 May 2027."
    ]
    assert evidence.data == {"rule": "calendar", "window": ["2026-09-09", "2027-05-07"]}
    assert all(not line.records for line in evidence.lines)


@pytest.mark.django_db
def test_calendar_event_of_several_days(coordinator, world, entity, election):
    election.end = datetime.date(2027, 3, 10)
    election.save()
    alert = calendar_alert(world, entity, str(election.pk))
    assert alert_evidence(actor=coordinator, alert=alert).texts == [
        "Election in Cauca from 8 March 2027 to 10 March 2027 opens a window of exposure from "
        "9 September 2026 to 7 May 2027."
    ]


REGIONAL = {
    "rule": "regional",
    "method": "C2",
    "statistic": 4.1234,
    "threshold": 3.0,
    "observed": 5,
    "expected": 1.2,
    "week": "2026-W10",
    "also_alarmed": ["CUSUM"],
}


@pytest.mark.django_db
def test_regional_in_sentences(coordinator, entity):
    alert = make_alert(
        "ALR-REG",
        entity,
        [],
        kind=AlertKind.REGIONAL,
        subdivision="CO-CAU",
        categories=["land_environment"],
        dedupe_key="regional:CO-CAU:land_environment:grave:2026-W10",
        evidence=REGIONAL,
    )
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert evidence.texts == [
        "Weekly grave attacks on defenders of land and environment in Cauca: 5 in the week of "
        "2 March 2026 against an expected 1.2 (EARS C2 statistic 4.1, threshold 3.0).",
        "Also signalled by CUSUM.",
    ]
    assert evidence.data == REGIONAL
    assert evidence.summary == "More incidents than expected in this place."


@pytest.mark.django_db
def test_regional_of_a_whole_country_and_every_category(coordinator, entity):
    alert = make_alert(
        "ALR-REG",
        entity,
        [],
        kind=AlertKind.REGIONAL,
        dedupe_key="regional:CO:*:other:2026-W10",
        evidence={**REGIONAL, "method": "CUSUM", "also_alarmed": []},
    )
    assert alert_evidence(actor=coordinator, alert=alert).texts == [
        "Weekly other incidents against defenders in Colombia: 5 in the week of 2 March 2026 "
        "against an expected 1.2 (CUSUM statistic 4.1, threshold 3.0)."
    ]


@pytest.mark.django_db
def test_review_due(coordinator, analyst, world, entity):
    code = world.team_defender.code
    alert = make_alert(
        "ALR-REV",
        entity,
        [world.team_defender],
        kind=AlertKind.REVIEW_DUE,
        evidence={"rule": "review_due", "due": "2026-10-01"},
    )
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert [(line.text, line.records) for line in evidence.lines] == [
        (
            "The risk review of this defender was due on 1 October 2026.",
            (RecordLink(code, f"/defenders/{code}/"),),
        )
    ]
    assert evidence.summary == "The risk review is overdue."
    # Analysts get the code, not the page (as in the covered list).
    (line,) = alert_evidence(actor=analyst, alert=alert).lines
    assert line.records == (RecordLink(code, ""),)


@pytest.mark.django_db
def test_unprotected(coordinator, world, entity):
    alert = make_alert(
        "ALR-UNP",
        entity,
        [world.team_defender],
        kind=AlertKind.UNPROTECTED,
        evidence={"rule": "unprotected", "risk_level": "extreme"},
    )
    evidence = alert_evidence(actor=coordinator, alert=alert)
    assert evidence.texts == [
        "This defender is assessed at extreme (extraordinary, grave and imminent) risk and has "
        "no protection measure in place or under review."
    ]
    assert evidence.data == {"rule": "unprotected", "risk_level": "extreme"}


@pytest.mark.django_db
def test_status_alert_never_links_a_defender_the_reader_may_not_see(coordinator, world, entity):
    # An alert covering a visible and a restricted defender: only the visible one is linked.
    alert = make_alert(
        "ALR-REV",
        entity,
        [world.team_defender, world.restricted_defender],
        kind=AlertKind.REVIEW_DUE,
        evidence={"rule": "review_due", "due": "2026-10-01"},
    )
    (line,) = alert_evidence(actor=coordinator, alert=alert).lines
    assert [record.code for record in line.records] == [world.team_defender.code]


@pytest.mark.django_db
def test_every_escalation_finding_has_its_sentence(officer, world, entity, system):
    threat = incident(system, [world.team_defender], days=9, violations=["threat"])
    attack = incident(system, [world.team_defender], days=4, violations=["physical_attack"])
    findings = [
        (
            "threat_after_exposure",
            [threat],
            "One threat against this defender followed a "
            f"publication, a testimony or UN engagement, on {day(ago(9))}.",
        ),
        ("threat", [threat], f"One threat was reported against this defender, on {day(ago(9))}."),
        (
            "grave_attack",
            [attack],
            f"One grave attack was reported against this defender, on {day(ago(4))}.",
        ),
        (
            "repeated_incidents",
            [threat, attack],
            f"Two incidents were reported against this defender, between {day(ago(9))} and "
            f"{day(ago(4))}.",
        ),
    ]
    alert = make_alert(
        "ALR-ESC",
        entity,
        [world.team_defender],
        evidence={
            "rule": "escalation",
            "findings": [
                {"rule": rule, "level": "warning", "incidents": [i.code for i in found]}
                for rule, found, _text in findings
            ],
        },
    )
    assert alert_evidence(actor=officer, alert=alert).texts == [text for *_rest, text in findings]
