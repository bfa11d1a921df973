"""List downloads: the rows the user may see, filters applied, CSV or XLSX, audited."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from amparo.audit.models import AuditEvent
from amparo.tests.helpers import logged_in


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.mark.django_db
def test_defender_list_as_csv_holds_what_the_officer_sees(world, officer):
    response = logged_in(officer).get("/defenders/?download=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="defenders-')
    rows = _csv(response)
    assert rows[0] == [
        "code",
        "name",
        "categories",
        "country",
        "subdivision",
        "status",
        "registered_on",
        "restricted",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code == {
        world.team_defender.code: [
            world.team_defender.code,
            world.names["team"],
            "land_environment",
            "CO",
            "",
            "active",
            world.team_defender.registered_on.isoformat(),
            "false",
        ],
        world.restricted_defender.code: [
            world.restricted_defender.code,
            world.names["restricted"],
            "land_environment",
            "CO",
            "",
            "active",
            world.restricted_defender.registered_on.isoformat(),
            "true",
        ],
    }
    event = AuditEvent.objects.filter(action="export.list").get()
    assert event.detail == {
        "list": "defenders",
        "format": "csv",
        "rows": 2,
        "filters": [],
        "completed": True,
    }
    # The names it decrypted are audited as reads, like the page's.
    reads = AuditEvent.objects.filter(action="defender.read", actor_id=officer.pk)
    assert {e.detail.get("via") for e in reads} >= {"download"}


@pytest.mark.django_db
def test_analysts_download_no_names(world, analyst):
    rows = _csv(logged_in(analyst).get("/defenders/?download=csv"))

    assert "name" not in rows[0]
    body = "\n".join(",".join(r) for r in rows)
    for name in world.names.values():
        assert name not in body
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [world.team_defender.code, world.unassigned_defender.code]
    )


@pytest.mark.django_db
def test_download_applies_the_filters(world, coordinator):
    response = logged_in(coordinator).get("/defenders/?country=MX&download=csv")
    rows = _csv(response)
    assert rows[1:] == []
    event = AuditEvent.objects.filter(action="export.list").get()
    assert event.detail["filters"] == ["country"]


@pytest.mark.django_db
def test_defender_list_as_xlsx(world, coordinator):
    response = logged_in(coordinator).get("/defenders/?download=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book["defenders"].iter_rows(values_only=True))
    assert rows[0][:2] == ("code", "name")
    assert sorted(r[1] for r in rows[1:]) == [world.names["team"], world.names["unassigned"]]


@pytest.mark.django_db
def test_the_list_page_links_to_its_downloads(world, coordinator):
    html = logged_in(coordinator).get("/defenders/?country=CO&page=1").content.decode()
    assert 'href="?country=CO&amp;download=csv"' in html
    assert 'href="?country=CO&amp;download=xlsx"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "auditor", "admin_user"])
def test_roles_without_the_list_get_no_download(world, persona, request):
    user = request.getfixturevalue(persona)
    response = logged_in(user).get("/defenders/?download=csv")
    assert response.status_code in {403, 404}
    assert not AuditEvent.objects.filter(action="export.list").exists()


@pytest.mark.django_db
def test_incident_and_measure_lists_download(world, coordinator):
    client = logged_in(coordinator)
    incidents = _csv(client.get("/incidents/?download=csv"))
    assert incidents[0][:3] == ["code", "case", "date"]
    measures = _csv(client.get("/measures/?download=csv"))
    assert measures[0] == [
        "code",
        "defender",
        "kind",
        "status",
        "provider",
        "requested_on",
        "review_due_on",
    ]
    assert list(
        AuditEvent.objects.filter(action="export.list").values_list("detail__list", flat=True)
    ) == ["incidents", "measures"]


@pytest.mark.django_db
def test_alert_task_and_communication_lists_download(world, coordinator):
    client = logged_in(coordinator)
    assert _csv(client.get("/alerts/?download=csv"))[0] == [
        "code",
        "kind",
        "level",
        "status",
        "raised_on",
        "expires_on",
        "sla_due_at",
        "place",
        "overdue",
    ]
    assert _csv(client.get("/work/tasks/?download=csv"))[0] == [
        "kind",
        "title",
        "case",
        "status",
        "due_at",
        "overdue",
    ]
    assert _csv(client.get("/communications/?download=csv"))[0][:3] == [
        "reference",
        "kind",
        "state",
    ]
    assert list(
        AuditEvent.objects.filter(action="export.list").values_list("detail__list", flat=True)
    ) == ["alerts", "tasks", "communications"]


@pytest.mark.django_db
def test_auditors_download_the_audit_log(world, auditor, coordinator):
    rows = _csv(logged_in(auditor).get("/audit/?download=csv"))
    assert rows[0] == [
        "seq",
        "occurred_at",
        "actor",
        "role",
        "action",
        "object_type",
        "object_id",
        "fields",
        "detail",
        "hash",
    ]
    assert len(rows) > 5
    assert all(len(row[9]) == 64 for row in rows[1:])
    # A coordinator has no audit pages: nothing is downloaded, nothing recorded.
    assert logged_in(coordinator).get("/audit/?download=csv").status_code == 403
    assert list(
        AuditEvent.objects.filter(action="export.list").values_list("actor_role", flat=True)
    ) == ["auditor"]


@pytest.mark.django_db
def test_hxl_counts_from_the_report_page(world, analyst, officer):
    response = logged_in(analyst).get("/reports/incident-counts.hxl.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:3] == ["#country+code", "#adm1+code", "#date+month"]
    assert AuditEvent.objects.filter(action="export.run", detail__format="hxl").count() == 1
    # Case officers have no report pages.
    assert logged_in(officer).get("/reports/incident-counts.hxl.csv").status_code == 403
    assert AuditEvent.objects.filter(action="export.run", detail__format="hxl").count() == 1
