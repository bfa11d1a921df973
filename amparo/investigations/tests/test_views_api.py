"""The incident page's Investigation section, its form, the API and the interchange record."""

import datetime
import json

import pytest

from amparo.audit.models import AuditEvent
from amparo.interchange.exporter import export_records
from amparo.interchange.importer import Importer
from amparo.investigations.models import Investigation, InvestigationUpdate
from amparo.investigations.services import InvestigationChange, investigation_record
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .conftest import OUTCOME_CANARY

pytestmark = pytest.mark.django_db
D = datetime.date


def _convict(actor, incident):
    investigation_record(
        actor=actor,
        incident=incident,
        change=InvestigationChange(
            stage="convicted", on=D(2025, 6, 1), authority="Juzgado 3", outcome=OUTCOME_CANARY
        ),
    )


def test_incident_page_shows_the_section_and_the_form_to_the_team(officer, team_incident):
    _convict(officer, team_incident)
    response = logged_in(officer).get(f"/incidents/{team_incident.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="h-investigation"' in html
    assert "Juzgado 3" in html
    assert OUTCOME_CANARY in html
    assert f"/investigations/{team_incident.code}/update/" in html
    assert_no_inline_script(html)


def test_analyst_sees_no_investigation_record_on_the_incident_page(officer, analyst, team_incident):
    _convict(officer, team_incident)
    html = logged_in(analyst).get(f"/incidents/{team_incident.code}/").content.decode()
    assert OUTCOME_CANARY not in html
    assert "Juzgado 3" not in html
    assert "/update/" not in html
    assert 'id="h-investigation"' not in html


def test_the_form_records_an_update_and_redirects(officer, team_incident):
    response = logged_in(officer).post(
        f"/investigations/{team_incident.code}/update/",
        {"stage": "complaint_filed", "on": "2025-01-20", "authority": "Fiscalía", "note": "n1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{team_incident.code}/"
    investigation = Investigation.objects.get()
    assert (investigation.stage, investigation.complaint_filed_on) == (
        "complaint_filed",
        D(2025, 1, 20),
    )


def test_a_bad_form_keeps_what_was_typed_and_writes_nothing(officer, team_incident):
    response = logged_in(officer).post(
        f"/investigations/{team_incident.code}/update/",
        {"stage": "charged", "on": "2024-01-01", "authority": "Fiscalía Seccional 42"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Fiscalía Seccional 42"' in html
    assert 'value="2024-01-01"' in html
    assert "before the incident happened" in html
    assert Investigation.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("analyst", 403), ("other_officer", 404), ("foreign_coordinator", 404)]
)
def test_the_form_is_refused_and_nothing_is_written(request, persona, status, team_incident):
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    response = logged_in(actor).post(
        f"/investigations/{team_incident.code}/update/", {"stage": "charged", "on": "2025-02-01"}
    )
    assert response.status_code == status
    assert Investigation.objects.count() == 0
    assert (
        AuditEvent.objects.filter(seq__gt=before, action__startswith="investigation").count() == 0
    )


def test_api_reads_and_records(officer, team_incident):
    client = logged_in(officer)
    response = client.post(
        f"/api/v1/investigations/{team_incident.code}/updates",
        data=json.dumps({"stage": "investigation_opened", "on": "2025-02-01", "authority": "FGN"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "investigation_opened"
    assert body["opened_on"] == "2025-02-01"
    assert body["history"] == [{"stage": "investigation_opened", "on": "2025-02-01", "note": None}]
    listing = client.get("/api/v1/investigations").json()
    assert listing["count"] == 1
    assert listing["items"][0]["incident"] == team_incident.code
    assert client.get(f"/api/v1/investigations/{team_incident.code}").json()["authority"] == "FGN"


def test_api_analysts_get_figures_only(officer, analyst, team_incident):
    _convict(officer, team_incident)
    client = logged_in(analyst)
    assert client.get("/api/v1/investigations").status_code == 403
    before = (InvestigationUpdate.objects.count(), AuditEvent.objects.count())
    refused = client.post(
        f"/api/v1/investigations/{team_incident.code}/updates",
        data=json.dumps({"stage": "acquitted", "on": "2025-07-01"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert (InvestigationUpdate.objects.count(), AuditEvent.objects.count()) == before
    assert Investigation.objects.get().stage == "convicted"
    assert client.get(f"/api/v1/investigations/{team_incident.code}").status_code == 403
    figures = client.get("/api/v1/investigations/figures?as_of=2025-12-31").json()
    assert figures["grave_incidents"] == 1
    assert figures["convicted"] == 1
    assert figures["uninvestigated"][0] == {
        "months": 3,
        "grave_incidents": 1,
        "without_investigation": 1,
        "percent": 100.0,
    }
    assert OUTCOME_CANARY not in json.dumps(figures)


def test_api_hidden_incident_is_not_found_and_nothing_written(other_officer, team_incident):
    response = logged_in(other_officer).post(
        f"/api/v1/investigations/{team_incident.code}/updates",
        data=json.dumps({"stage": "charged", "on": "2025-02-01"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert InvestigationUpdate.objects.count() == 0


def test_interchange_import_is_idempotent_and_exports_the_same_line(
    system, entity, team_incident, tmp_path
):
    line = {
        "type": "investigation",
        "id": "inv-1",
        "incident": team_incident.external_id,
        "stage": "charged",
        "updated_on": "2025-04-02",
        "authority": "Fiscalía",
    }
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(line) + "\n")
    report = Importer(actor=system, entity=entity).run(path)
    assert report.problems == []
    assert report.created["investigation"] == 1
    investigation = Investigation.objects.get(external_id="inv-1")
    assert (investigation.stage, investigation.updated_on) == ("charged", D(2025, 4, 2))
    events = AuditEvent.objects.count()
    again = Importer(actor=system, entity=entity).run(path)
    assert again.unchanged["investigation"] == 1
    assert AuditEvent.objects.count() == events
    # A changed stage is appended to the history.
    path.write_text(json.dumps({**line, "stage": "trial", "updated_on": "2025-07-01"}) + "\n")
    changed = Importer(actor=system, entity=entity).run(path)
    assert changed.updated["investigation"] == 1
    assert list(investigation.updates.values_list("stage", flat=True)) == ["charged", "trial"]
    lines = []
    export_records(actor=system, write=lines.append, types=("investigation",))
    assert json.loads(lines[0]) == {**line, "stage": "trial", "updated_on": "2025-07-01"}


def test_interchange_rejects_an_unknown_incident_and_stage(system, entity, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"type": "investigation", "id": "x", "incident": "nope", "stage": "jailed"})
        + "\n"
    )
    report = Importer(actor=system, entity=entity).run(path)
    assert sorted(p.field for p in report.problems) == ["incident", "stage"]
    assert Investigation.objects.count() == 0


def test_a_coordinators_export_writes_the_investigations_of_exported_incidents(
    coordinator, officer, team_incident, restricted_incident, tmp_path
):
    for actor, incident in ((coordinator, team_incident), (officer, restricted_incident)):
        investigation_record(
            actor=actor,
            incident=incident,
            change=InvestigationChange(stage="complaint_filed", on=incident.date),
        )
    lines = []
    export_records(actor=coordinator, write=lines.append, types=("incident", "investigation"))
    kinds = [json.loads(line)["type"] for line in lines]
    # The coordinator is not on the restricted case's team: neither its incident nor its
    # investigation is exported.
    assert kinds == ["incident", "investigation"]
    assert json.loads(lines[1])["incident"] == team_incident.external_id
