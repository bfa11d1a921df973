"""`amparo import --from cpj`: both CPJ layouts, their messy dates and line ends. Names are
invented."""

from __future__ import annotations

import pytest

from amparo.incidents.models import Incident
from amparo.interchange.tests.helpers import run_import, run_import_failing, snapshot
from amparo.registry.models import Defender, Organisation

CONFIRMED = (
    "fullName,organizations,location,status,typeOfDeath,Date,mtpage,type,motiveConfirmed,"
    "charges,Year,Month\n"
    'Hugo Ficticio,"Radio Prueba,Freelance",Colombia,Killed,Murder,2018-04-30,'
    "https://cpj.org/data/people/hugo-ficticio/,Journalist,Confirmed,,2018,April\n"
    "Inés Inventada,Diario Imaginario,Israel and the Occupied Palestinian Territory,Killed,"
    "Crossfire,2023-12-18,https://cpj.org/data/people/ines-inventada/,Journalist,Confirmed,,"
    "2023,December\n"
)
KAGGLE_HEADER = (
    "Type,Date,Name,Sex,Country_killed,Organization,Nationality,Medium,Job,Coverage,"
    "Freelance,Local_Foreign,Source_fire,Type_death,Impunity_for_murder,Taken_captive,"
    "Threatened,Tortured"
)
KAGGLE_ROWS = [
    'Motive Confirmed,22-Oct-16,Jorge Supuesto,Male,Iraq,Canal Prueba,Iraqi,"Television, '
    'Internet",Camera Operator,War,No,Local,"Military Officials, Political Group",'
    'Crossfire/Combat-Related,Yes,Yes,Yes,"No\n"',
    'Motive Unconfirmed,"May 2,3 or 4, 2015",Karla Irreal,Female,Mexico,,Mexican,Print,'
    'Writer,Crime,No,Local,Criminal Group,Murder,Yes,No,No,"Yes\n"',
    'Media Workers,Unknown,Luis Quimera,,Syria,,,,,,,,,,,,,"\n"',
]


def write_kaggle(tmp_path, rows):
    path = tmp_path / "cpj_kaggle.csv"
    # CRLF line ends, and a quoted line break in the last field of each row, as CPJ ships it.
    path.write_bytes(("\r\n".join([KAGGLE_HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


@pytest.mark.django_db
def test_the_database_export_gives_journalists_outlets_and_killings(entity, tmp_path):
    path = tmp_path / "cpj.csv"
    path.write_text(CONFIRMED, encoding="utf-8")

    run = run_import(path, "--from", "cpj")

    assert "source cpj: 2 rows, 2 imported, 0 skipped" in run.stdout
    assert "organisation: 2 created, 0 updated, 0 unchanged" in run.stdout
    hugo = Defender.objects.get(country="CO")
    assert hugo.external_id.startswith("cpj:") and "hugo" not in hugo.external_id
    assert (hugo.category_codes, hugo.status, hugo.gender) == (
        ["journalist"],
        "deceased",
        "unknown",
    )
    assert Organisation.objects.get(external_id="cpj-org:CO:radio-prueba").kind == "media"
    assert not Organisation.objects.filter(name="Freelance").exists()
    assert [o.external_id for o in hugo.organisations.all()] == ["cpj-org:CO:radio-prueba"]
    ines = Incident.objects.get(country="PS")
    assert ines.context_codes == ["armed_conflict"]
    assert ines.sources[0] == "https://cpj.org/data/people/ines-inventada/"


@pytest.mark.django_db
def test_the_kaggle_layout_reads_messy_dates_crlf_and_perpetrators(entity, tmp_path):
    run = run_import(write_kaggle(tmp_path, KAGGLE_ROWS[:2]), "--from", "cpj")

    assert "source cpj: 2 rows, 2 imported, 0 skipped" in run.stdout
    jorge = Incident.objects.get(country="IQ")
    assert (str(jorge.date), jorge.date_precision) == ("2016-10-22", "day")
    assert jorge.perpetrator_codes == ["armed_group", "military"]
    assert jorge.violation_codes == ["abduction", "killing"]
    assert jorge.context_codes == ["armed_conflict"]
    assert "threatened before: Yes" in jorge.narrative
    karla = Incident.objects.get(country="MX")
    assert (str(karla.date), karla.date_precision) == ("2015-05-02", "month")
    assert karla.violation_codes == ["killing", "torture"]
    assert karla.narrative.endswith("Date as given: May 2,3 or 4, 2015.")
    assert Defender.objects.get(country="MX").gender == "woman"


@pytest.mark.django_db
def test_a_row_without_a_date_is_refused_with_its_line(entity, tmp_path):
    before = snapshot()

    run = run_import_failing(write_kaggle(tmp_path, KAGGLE_ROWS), "--from", "cpj")

    # Each row spans two physical lines (the quoted line break): the third row starts on line 6.
    assert run.errors == ["line 6: field Date: No year in the date 'Unknown'."]
    assert snapshot() == before
    assert "Quimera" not in run.stdout + run.stderr

    kept = run_import(write_kaggle(tmp_path, KAGGLE_ROWS), "--from", "cpj", "--skip-invalid")

    assert "source cpj: 3 rows, 2 imported, 1 skipped" in kept.stdout
    assert "  skipped: 1 × Date: No year in the date 'Unknown'." in kept.stdout
    assert Defender.objects.count() == 2
