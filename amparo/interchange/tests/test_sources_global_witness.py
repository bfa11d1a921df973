"""`amparo import --from global-witness`: killed defenders and their killings, through the
importer (checks, encryption, audit, idempotent upsert). Names are invented."""

from __future__ import annotations

import pytest

from amparo.audit.models import AuditEvent
from amparo.incidents.models import Incident
from amparo.interchange.tests.helpers import run_import, run_import_failing, snapshot
from amparo.registry.models import Defender

HEADER = (
    "id,date,name,gender,age,person_characteristics,industry_driver,perpetrator_type,"
    "continent,country,country_numeric,local_region,number_of_victims\n"
)
ROWS = [
    "recTEST0000000001,2016-02-18,Ana Ejemplo Prueba,Female,49,Indigenous peoples,"
    "Mining & Extractives,Hitmen,Americas,Colombia,170,Cauca,1\n",
    "recTEST0000000002,2015-05-22,Bruno Ficticio,Male,,Small-scale farmer,"
    "Sector could not be confirmed*,Armed forces,Asia,Philippines,608,Mindanao,1\n",
    "recTEST0000000003,2019-07-01,Carla Inventada,,,,Logging,Sea monsters,Americas,"
    "Democratic Republic of Congo,,North Kivu,1\n",
]
NAMES = ("Ana Ejemplo Prueba", "Bruno Ficticio", "Carla Inventada")


def write(tmp_path, *rows: str):
    path = tmp_path / "gw.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_each_row_becomes_a_deceased_defender_and_the_killing(entity, tmp_path):
    run = run_import(write(tmp_path, *ROWS), "--from", "global-witness")

    assert "source global-witness: 3 rows, 3 imported, 0 skipped" in run.stdout
    assert "defender: 3 created, 0 updated, 0 unchanged" in run.stdout
    assert "incident: 3 created, 0 updated, 0 unchanged" in run.stdout
    defender = Defender.objects.get(external_id="gw:recTEST0000000001")
    assert defender.name == "Ana Ejemplo Prueba"
    assert (defender.gender, defender.status, defender.birth_year) == ("woman", "deceased", 1967)
    assert defender.category_codes == ["indigenous_peoples", "land_environment"]
    assert (defender.country, defender.subdivision) == ("CO", "CO-CAU")
    assert (defender.consent_register, defender.consent_share_with_state) == (False, False)
    incident = Incident.objects.get(external_id="gw:recTEST0000000001")
    assert (str(incident.date), incident.date_precision) == ("2016-02-18", "day")
    assert incident.violation_codes == ["killing"]
    assert incident.perpetrator_codes == ["criminal_group"]
    assert [d.external_id for d in incident.victim_defenders.all()] == [defender.external_id]
    assert incident.narrative == (
        "Global Witness: victim characteristics: Indigenous peoples; sector: Mining & "
        "Extractives; perpetrator type: Hitmen."
    )
    assert incident.sources == [
        "Global Witness, land and environmental defenders data (download of 2022-09-22), "
        "record recTEST0000000001"
    ]
    # A region that is not a subdivision (an island group) stays as the sensitive locality.
    mindanao = Incident.objects.get(external_id="gw:recTEST0000000002")
    assert (mindanao.country, mindanao.subdivision, mindanao.locality) == ("PH", "", "Mindanao")
    assert mindanao.perpetrator_codes == ["military"]
    # No numeric code: the country name; an English region name from the alias table.
    congo = Defender.objects.get(external_id="gw:recTEST0000000003")
    assert (congo.country, congo.subdivision, congo.gender) == ("CD", "CD-NK", "unknown")
    assert congo.category_codes == ["land_environment"]


@pytest.mark.django_db
def test_the_report_counts_what_was_not_mapped_and_never_shows_a_name(entity, tmp_path):
    run = run_import(write(tmp_path, *ROWS), "--from", "global-witness")

    assert "  not mapped: perpetrator_type 'Sea monsters' (1 rows)" in run.stdout
    assert "  not mapped: person_characteristics '(empty)' (1 rows)" not in run.stdout
    assert "  not resolved to an ISO code: local_region (1 rows; kept as locality)" in run.stdout
    assert Incident.objects.get(external_id="gw:recTEST0000000003").perpetrator_codes == ["unknown"]
    shown = run.stdout + run.stderr
    assert not any(name in shown for name in NAMES)
    assert "Mindanao" not in shown
    details = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    assert not any(name in details for name in NAMES)


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(entity, tmp_path):
    path = write(tmp_path, *ROWS)
    run_import(path, "--from", "global-witness")
    before = snapshot()

    again = run_import(path, "--from", "global-witness")

    assert "defender: 0 created, 0 updated, 3 unchanged" in again.stdout
    assert "incident: 0 created, 0 updated, 3 unchanged" in again.stdout
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_row_updates_its_records(entity, tmp_path):
    run_import(write(tmp_path, *ROWS), "--from", "global-witness")

    changed = ROWS[0].replace(",Hitmen,", ",Police,")
    run = run_import(write(tmp_path, changed, *ROWS[1:]), "--from", "global-witness")

    assert "incident: 0 created, 1 updated, 2 unchanged" in run.stdout
    assert Incident.objects.get(external_id="gw:recTEST0000000001").perpetrator_codes == ["police"]


BAD_ROW = (
    "recTEST0000000004,sometime,Dora Supuesta,Female,30,Other,Other,Police,Americas,Atlantis,,,1\n"
)


@pytest.mark.django_db
def test_a_bad_row_names_its_line_and_fields_and_nothing_is_written(entity, tmp_path):
    before = snapshot()

    run = run_import_failing(write(tmp_path, ROWS[0], BAD_ROW), "--from", "global-witness")

    assert run.errors == [
        "line 3: field country: Unknown country 'Atlantis'.",
        "line 3: field date: No year in the date 'sometime'.",
    ]
    assert "source global-witness: 2 rows, 1 imported, 1 skipped" in run.stdout
    assert "  skipped: 1 × country: Unknown country 'Atlantis'." in run.stdout
    assert snapshot() == before
    assert "Dora Supuesta" not in run.stdout + run.stderr


@pytest.mark.django_db
def test_skip_invalid_writes_the_good_rows(entity, tmp_path):
    run = run_import(
        write(tmp_path, ROWS[0], BAD_ROW), "--from", "global-witness", "--skip-invalid"
    )

    assert "defender: 1 created, 0 updated, 0 unchanged" in run.stdout
    assert list(Defender.objects.values_list("external_id", flat=True)) == ["gw:recTEST0000000001"]


@pytest.mark.django_db
def test_dry_run_reports_the_counts_and_writes_nothing(entity, tmp_path):
    before = snapshot()

    run = run_import(write(tmp_path, *ROWS), "--from", "global-witness", "--dry-run")

    assert "defender: 3 created, 0 updated, 0 unchanged" in run.stdout
    assert "Dry run: nothing was written." in run.stdout
    assert snapshot() == before


@pytest.mark.django_db
def test_a_repeated_record_id_is_reported_on_the_source_line_of_the_repeat(entity, tmp_path):
    before = snapshot()

    run = run_import_failing(write(tmp_path, ROWS[0], ROWS[0]), "--from", "global-witness")

    assert run.errors == [
        "line 3: field id: Duplicate defender id 'gw:recTEST0000000001': first on line 2.",
        "line 3: field id: Duplicate incident id 'gw:recTEST0000000001': first on line 2.",
    ]
    assert "source global-witness: 2 rows, 1 imported, 1 skipped" in run.stdout
    assert snapshot() == before
