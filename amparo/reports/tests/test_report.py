"""The annual report: exact figures on fixtures, suppression, the JSON schema, who may see the
page, the PDF, the companion list and the command; nothing sensitive ever appears."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Alert
from amparo.incidents.services import IncidentData, incident_record
from amparo.investigations.services import InvestigationChange, investigation_record
from amparo.measures.services import MeasureData, measure_request, measure_transition
from amparo.registry.services import DefenderData, case_set_team, defender_register
from amparo.reports.figures import Period, Suppress, annual_report, incident_figures
from amparo.reports.services import companion_produce
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .builders import communication

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
CANARIES = ("NARRATIVE-CANARY", "Canario Journalist", "SUMMARY-CANARY", "LOCALITY-CANARY")


@pytest.fixture
def incidents(world, coordinator, officer):
    """In 2025, on the coordinator's entity: three killings by police of a woman journalist,
    one threat by an armed group and one killing by unknown perpetrators against the team
    defender; two threats in 2024; and one killing on the restricted case, whose team the
    coordinator is not on (never counted for them)."""
    woman = defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Canario Journalist", country="CO", categories=["journalist"], gender="woman"
        ),
    )
    case_set_team(actor=coordinator, case=woman.case, members=[officer])

    def record(defender, date, violations, perpetrators):
        return incident_record(
            actor=coordinator if defender is not world.restricted_defender else officer,
            data=IncidentData(
                date=date,
                country="CO",
                violations=violations,
                perpetrators=perpetrators,
                victim_defenders=[defender],
                narrative="NARRATIVE-CANARY",
                locality="LOCALITY-CANARY",
            ),
        )

    killings = [record(woman, D(2025, m, 5), ["killing"], ["police"]) for m in (2, 3, 4)]
    record(world.team_defender, D(2025, 5, 5), ["threat"], ["armed_group"])
    unknown = record(world.team_defender, D(2025, 6, 5), ["killing"], ["unknown"])
    record(world.team_defender, D(2024, 5, 5), ["threat"], ["armed_group"])
    record(world.team_defender, D(2024, 6, 5), ["threat"], ["armed_group"])
    record(world.restricted_defender, D(2025, 7, 5), ["killing"], ["military"])
    for incident in killings:
        investigation_record(
            actor=coordinator,
            incident=incident,
            change=InvestigationChange(stage="investigation_opened", on=incident.date),
        )
    investigation_record(
        actor=coordinator,
        incident=killings[0],
        change=InvestigationChange(stage="convicted", on=D(2025, 11, 1)),
    )
    return {"killings": killings, "unknown": unknown, "woman": woman}


def test_incident_figures_are_exact_and_small_counts_suppressed(coordinator, incidents):
    i = annual_report(actor=coordinator, start=START, end=END)["incidents"]
    assert (i["total"], i["grave"]) == (5, 4)
    assert i["by_violation"] == {"killing": 4, "threat": None}
    assert i["by_perpetrator_group"] == {"state": 3, "non_state": None, "unknown": None}
    assert i["by_category"] == {"journalist": 3, "land_environment": None}
    assert i["by_gender"] == {"woman": 3, "unknown": None}
    assert i["by_country"] == {"CO": 5}
    assert [(row["from"], row["total"]) for row in i["trend"]] == [
        ("2022-01-01", 0),
        ("2023-01-01", 0),
        ("2024-01-01", None),  # 2 threats: suppressed
        ("2025-01-01", 5),
    ]


def test_each_trend_period_counts_what_was_known_by_its_last_day(
    coordinator, incidents, django_assert_num_queries
):
    """The totals and grave counts of the four periods come from one query, and each period
    counts what was reported by its last day: a 2024 killing reported on 2 January 2025 is in
    no row (not 2024's, and its date is outside 2025)."""
    for reported_on in (D(2024, 12, 31), D(2025, 1, 2)):
        incident_record(
            actor=coordinator,
            data=IncidentData(
                date=D(2024, 3, 1),
                reported_on=reported_on,
                country="CO",
                violations=["killing"],
                perpetrators=["police"],
                victim_defenders=[incidents["woman"]],
            ),
        )
    with django_assert_num_queries(5):  # trend, totals and countries, then four breakdowns
        i = incident_figures(coordinator, Period(START, END), Suppress(1))
    assert [(row["from"], row["total"], row["grave"]) for row in i["trend"]] == [
        ("2022-01-01", 0, 0),
        ("2023-01-01", 0, 0),
        ("2024-01-01", 3, 1),  # two threats and the killing reported on 31 December
        ("2025-01-01", 5, 4),
    ]
    assert (i["total"], i["grave"]) == (5, 4)


def test_the_threshold_is_configurable(coordinator, incidents, settings):
    settings.AMPARO_REPORT_MIN_COUNT = 1
    i = annual_report(actor=coordinator, start=START, end=END)["incidents"]
    assert i["by_violation"] == {"killing": 4, "threat": 1}
    assert i["trend"][2]["total"] == 2
    settings.AMPARO_REPORT_MIN_COUNT = 6
    assert annual_report(actor=coordinator, start=START, end=END)["incidents"]["total"] is None


def test_the_officer_on_the_restricted_team_counts_it(system, incidents):
    # The system actor sees the restricted case's killing too.
    assert annual_report(actor=system, start=START, end=END)["incidents"]["total"] == 6


def test_investigation_figures(coordinator, incidents):
    v = annual_report(actor=coordinator, start=START, end=END, threshold=1)["investigations"]
    # 3-month marks in 2025 for all four grave incidents; the unknown killing has none.
    assert v["uninvestigated"]["3"] == {
        "grave_incidents": 4,
        "without_investigation": 1,
        "percent": 25,
    }
    assert v["convictions"] == {"grave_incidents": 4, "convicted": 1, "per_incident": 0.25}
    state = next(row for row in v["by_perpetrator_group"] if row["key"] == "state")
    assert state == {
        "key": "state",
        "grave_incidents": 3,
        "investigated": 3,
        "convicted": 1,
        "impunity_percent": 67,
    }
    suppressed = annual_report(actor=coordinator, start=START, end=END)["investigations"]
    assert suppressed["convictions"] == {
        "grave_incidents": 4,
        "convicted": None,
        "per_incident": None,
    }


def test_measure_and_alert_figures(coordinator, incidents, entity):
    woman = incidents["woman"]
    requested = timezone.make_aware(datetime.datetime(2025, 3, 1, 9))
    for days in (2, 5, 20):
        measure = measure_request(
            actor=coordinator,
            defender=woman,
            data=MeasureData(kind="police_protection", requested_on=D(2025, 3, 1)),
            now=requested,
        )
        decided = requested + datetime.timedelta(days=days)
        measure_transition(actor=coordinator, measure=measure, to_status="approved", now=decided)
        measure_transition(
            actor=coordinator,
            measure=measure,
            to_status="in_place",
            now=decided + datetime.timedelta(days=days),
        )
    for index, status in enumerate(("acted", "acted", "dismissed", "open")):
        Alert.objects.create(
            code=f"ALR-T-{index}",
            kind="escalation",
            level="warning",
            status=status,
            dedupe_key=f"t:{index}",
            raised_on=D(2025, 4, 1),
            expires_on=D(2025, 5, 1),
            sla_due_at=requested,
            lead_entity=entity,
            reason="test",
        )
    report = annual_report(actor=coordinator, start=START, end=END, threshold=1)
    m = report["measures"]
    assert (m["requested"], m["granted"]) == (3, 3)
    assert m["by_kind"] == {"police_protection": 3}
    assert m["decision_days_median"] == 5.0
    assert m["decided_within_target_percent"] == 67  # 2 of 3 within 14 days
    assert m["protection_days_median"] == 10.0
    assert m["in_place_within_target_percent"] == 67  # 4 and 10 days; 40 is late
    a = report["alerts"]
    assert (a["raised"], a["acted"], a["acted_percent"]) == (4, 2, 50)
    assert a["by_kind"] == {"escalation": 4}
    # With the default threshold, the rates built on 2 of 3 and 2 of 4 are suppressed.
    suppressed = annual_report(actor=coordinator, start=START, end=END)
    assert suppressed["measures"]["decided_within_target_percent"] is None
    assert suppressed["measures"]["decision_days_median"] == 5.0
    assert (suppressed["alerts"]["acted"], suppressed["alerts"]["acted_percent"]) == (None, None)


def test_the_json_schema(coordinator, incidents):
    report = annual_report(actor=coordinator, start=START, end=END)
    assert set(report) >= {
        "period",
        "communications",
        "visits",
        "incidents",
        "investigations",
        "measures",
        "alerts",
        "min_count",
    }
    assert set(report["period"]) == {"from", "to"}
    assert set(report["communications"]) >= {
        "sent",
        "states",
        "replied",
        "response_rate_percent",
        "women_defenders",
        "by_kind",
        "by_state",
    }
    assert "pending_requests" in report["visits"]
    assert set(report["incidents"]) >= {
        "by_violation",
        "by_perpetrator_group",
        "by_category",
        "by_gender",
        "by_country",
        "trend",
    }
    text = json.dumps(report)
    for canary in CANARIES:
        assert canary not in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("analyst", 200),
        ("officer", 403),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
        ("defender_user", 403),
    ],
)
def test_who_may_open_the_page(request, persona, status):
    actor = request.getfixturevalue(persona)
    response = logged_in(actor).get("/reports/annual/?from=2025-01-01&to=2025-12-31")
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get("/reports/annual/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_page_shows_charts_and_the_map_and_no_sensitive_value(analyst, incidents):
    response = logged_in(analyst).get("/reports/annual/?from=2025-01-01&to=2025-12-31")
    html = response.content.decode()
    assert response.status_code == 200
    assert "5 incidents were documented in the period, 4 of them grave." in html
    assert html.count('class="chart" role="img"') == 4
    assert 'class="map" role="img"' in html
    assert "<title" in html and "<desc" in html
    for canary in CANARIES:
        assert canary not in html
    assert_no_inline_script(html)


def test_a_bad_period_keeps_what_was_typed(coordinator):
    response = logged_in(coordinator).get("/reports/annual/?from=2025-12-31&to=2025-01-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2025-12-31"' in html
    assert "before its start" in html
    assert "numbered" not in html


def test_downloads_are_audited(coordinator, incidents):
    client = logged_in(coordinator)
    before = AuditEvent.objects.filter(action="report.produce").count()
    pdf = client.get("/reports/annual/?from=2025-01-01&to=2025-12-31&format=pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    data = client.get("/reports/annual/?from=2025-01-01&to=2025-12-31&format=json").json()
    assert data["incidents"]["total"] == 5
    events = AuditEvent.objects.filter(action="report.produce").order_by("seq")
    assert events.count() == before + 2
    assert events.last().detail == {
        "report": "annual",
        "from": "2025-01-01",
        "to": "2025-12-31",
        "format": "json",
    }


def test_companion_lists_public_communications_without_summaries(coordinator, entity):
    communication(
        entity,
        "CO",
        D(2025, 2, 1),
        published_on=D(2025, 6, 1),
        replies=(D(2025, 4, 1),),
        summary="SUMMARY-CANARY",
    )
    communication(entity, "MX", D(2025, 3, 1), published_on=D(2025, 6, 1))
    communication(entity, "GT", D(2025, 3, 1))  # not published: confidential
    communication(entity, "HN", D(2025, 3, 1), published_on=D(2026, 2, 1))  # published later
    data = json.loads(companion_produce(actor=coordinator, start=START, end=END, fmt="json"))
    rows = data["communications"]
    assert [(row["state"], row["replied_on"], row["reply_kind"]) for row in rows] == [
        ("CO", "2025-04-01", "substantive"),
        ("MX", None, None),
    ]
    html = companion_produce(actor=coordinator, start=START, end=END, fmt="html").decode()
    assert "Colombia" in html and "No reply" in html
    assert "SUMMARY-CANARY" not in html
    assert "Guatemala" not in html


def test_the_command_writes_the_files(tmp_path, incidents):
    out, companion = tmp_path / "report.json", tmp_path / "companion.json"
    call_command(
        "report",
        "annual",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "json",
        "--out",
        str(out),
        "--companion",
        str(companion),
    )
    report = json.loads(out.read_text())
    assert report["incidents"]["total"] == 6  # the operator sees every entity and case
    assert report["scope"]["all_entities"] is True
    assert json.loads(companion.read_text())["communications"] == []
    pdf = tmp_path / "report.pdf"
    call_command(
        "report",
        "annual",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "pdf",
        "--out",
        str(pdf),
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_command_reports_as_a_user(tmp_path, incidents, coordinator, officer):
    out = tmp_path / "r.json"
    call_command(
        "report",
        "annual",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "json",
        "--out",
        str(out),
        "--as",
        "coordinator",
    )
    assert json.loads(out.read_text())["incidents"]["total"] == 5
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "report",
            "annual",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--format",
            "json",
            "--out",
            str(tmp_path / "x.json"),
            "--as",
            "officer",
        )
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    ("language", "contents"),
    [("en", "Contents"), ("fr", "Table des matières"), ("ar", "المحتويات")],
)
def test_the_command_writes_the_report_in_a_language(tmp_path, incidents, language, contents):
    out = tmp_path / "report.html"
    argv = ["annual", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "html"]
    call_command("report", *argv, "--out", str(out), "--language", language, stdout=io.StringIO())
    html = out.read_text(encoding="utf-8")
    assert contents in html
    if language != "en":
        assert ">Contents<" not in html
