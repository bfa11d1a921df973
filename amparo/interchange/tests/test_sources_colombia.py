"""`amparo import --from colombia-leaders`: the Spanish Datasketch layout. Names are invented."""

from __future__ import annotations

import pytest

from amparo.incidents.models import Incident
from amparo.interchange.tests.helpers import run_import, snapshot
from amparo.registry.models import Defender

HEADER = (
    "Nombre,Género,Fecha,Municipio,Departamento,Tipo de líder,Cargo,Móvil,Otros,Link,"
    "Longitud,Latitud\n"
)
ROWS = [
    "Elena Imaginaria,F,2017-03-05,Almaguer ,Cauca,Líder campesino y comunal,"
    '"Presidenta de una junta, vereda ficticia","Hombres armados llegaron a su casa.",'
    ',"http://example.org/a\nhttp://example.org/b",-76.899941,1.932996\n',
    "Fabio Irreal,M,2016-08-29,Bogotá,Bogotá,Abogado defensor de Derechos Humanos,,"
    "Texto de prueba.,Se denunciaron amenazas previas,http://example.org/c,-74.08,4.6\n",
    "Gloria Simulada,F,2017-01-10,Tumaco,Nariño,Lideresa cultural,,Texto.,,,10.0,40.0\n",
]


def write(tmp_path, *rows):
    path = tmp_path / "lideres.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_spanish_rows_map_to_categories_departments_and_a_sealed_narrative(entity, tmp_path):
    run = run_import(write(tmp_path, *ROWS), "--from", "colombia-leaders")

    assert "source colombia-leaders: 3 rows, 3 imported, 0 skipped" in run.stdout
    assert "  not mapped: Tipo de líder 'Lideresa cultural' (1 rows)" in run.stdout
    assert "  not resolved to an ISO code: Latitud/Longitud (1 rows; kept as locality)" in (
        run.stdout
    )
    elena = Defender.objects.get(gender="woman", subdivision="CO-CAU")
    assert elena.external_id.startswith("co-lideres:")
    assert len(elena.external_id) == len("co-lideres:") + 20
    assert "Elena" not in elena.external_id
    assert elena.category_codes == ["community_leader", "land_environment"]
    assert elena.status == "deceased"
    incident = Incident.objects.get(external_id=elena.external_id)
    assert incident.locality == "Almaguer, Cauca (1.932996, -76.899941)"
    assert incident.sources == [
        "http://example.org/a",
        "http://example.org/b",
        "Datasketch, líderes sociales asesinados (ds-specials, 2017-11-21), line 2",
    ]
    assert incident.narrative == (
        "Hombres armados llegaron a su casa.\n\nCargo: Presidenta de una junta, vereda "
        "ficticia\n\nTipo de líder: Líder campesino y comunal"
    )
    assert incident.perpetrator_codes == ["unknown"]
    fabio = Defender.objects.get(gender="man")
    assert (fabio.subdivision, fabio.category_codes) == ("CO-DC", ["lawyer"])
    gloria = Defender.objects.get(subdivision="CO-NAR")
    assert gloria.category_codes == ["community_leader"]
    assert Incident.objects.get(external_id=gloria.external_id).locality == "Tumaco, Nariño"
    assert not any(name in run.stdout + run.stderr for name in ("Elena", "Fabio", "Gloria"))


@pytest.mark.django_db
def test_the_keyed_id_is_stable_so_a_second_import_changes_nothing(entity, tmp_path):
    path = write(tmp_path, *ROWS)
    run_import(path, "--from", "colombia-leaders")
    before = snapshot()

    again = run_import(path, "--from", "colombia-leaders")

    assert "defender: 0 created, 0 updated, 3 unchanged" in again.stdout
    assert snapshot() == before
