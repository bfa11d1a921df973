"""`amparo import --from ucdp-deco` (electoral violence as incidents) and `--from parlgov`
(elections as calendar events, Latin-1)."""

from __future__ import annotations

import pytest

from amparo.earlywarning.models import Event
from amparo.incidents.models import Incident
from amparo.interchange.tests.helpers import run_import, snapshot
from amparo.registry.models import Organisation

DECO_HEADER = (
    '"id","type_of_violence","conflict_new_id","conflict_name","dyad_new_id","side_a_new_id",'
    '"side_a","side_b_new_id","side_b","country_id","country","region","source_article","year",'
    '"date_start","date_end","deaths_a","deaths_b","civilian_deaths","unknown","best","high",'
    '"low","latitude","longitude","electoral_vio","electoral_vio_uncertainty",'
    '"electoral_vio_source","electoral_purpose","electoral_side_a","electoral_side_a_2",'
    '"electoral_side_a_inc","electoral_side_b","electoral_side_b_2","electoral_side_b_inc",'
    '"electoral_perpetrator","electoral_targets","electoral_type","electoral_timing","relid",'
    '"ucdp_ged"\n'
)
DECO_ROWS = [
    '9001,1,1,"Testland:Government",1,1,"Government of Testland",2,"Testland rebels",501,'
    '"Kenya","Africa","Wire report, 2012-02-21",2012,2/21/2012,2/23/2012,0,0,2,0,2,3,2,'
    '"-1.28","36.82",1,0,"NA","disrupt","Security forces","External actors",1,'
    '"Political supporters",,0,2,"2","2","2","KEN-2012-1-X-1",0\n',
    '9002,3,1,"x",1,1,"x",2,"x",501,"Kenya","Africa","Wire report",2013,3/4/2013,3/4/2013,'
    '0,0,1,0,1,1,1,"-4.05","39.66",1,1,"NA","eliminate opponent","Politicians",,1,'
    '"Politicians",,0,2,"1","1","1","KEN-2013-3-X-2",0\n',
    '9003,3,1,"x",1,1,"x",2,"x",347,"Kosovo","Europe","Wire report",2001,11/17/2001,'
    '11/17/2001,0,0,1,0,1,1,1,"42.6","20.9",1,0,"NA","spell","Unclear",,-99,"Civilians",,'
    '-99,4,"3","1","1","KOS-2001-X-3",0\n',
]


@pytest.mark.django_db
def test_deco_events_become_incidents_against_target_groups(entity, tmp_path):
    path = tmp_path / "deco.csv"
    path.write_text(DECO_HEADER + "".join(DECO_ROWS), encoding="utf-8")

    run = run_import(path, "--from", "ucdp-deco", "--skip-invalid")

    assert "source ucdp-deco: 3 rows, 2 imported, 1 skipped" in run.stdout
    assert "  skipped: 1 × country: Not an ISO 3166-1 country: 'Kosovo'." in run.stdout
    assert "organisation: 2 created, 0 updated, 0 unchanged" in run.stdout
    first = Incident.objects.get(external_id="deco:9001")
    assert (str(first.date), str(first.end_date), first.country) == (
        "2012-02-21",
        "2012-02-23",
        "KE",
    )
    assert first.perpetrator_codes == ["military", "police"]
    assert first.context_codes == ["armed_conflict", "election"]
    assert first.locality == "-1.28, 36.82"
    assert "deaths (best, low, high): 2, 2, 3" in first.narrative
    assert [o.external_id for o in first.organisations.all()] == [
        "deco-target:KE:political-supporters"
    ]
    group = Organisation.objects.get(external_id="deco-target:KE:political-supporters")
    assert (group.name, group.kind) == (
        "Political supporters in Kenya (UCDP DECO target category)",
        "other",
    )
    # Politicians on the incumbent's side are government officials.
    second = Incident.objects.get(external_id="deco:9002")
    assert second.perpetrator_codes == ["government_official"]
    assert second.context_codes == ["election"]


PARLGOV = (
    "country_name_short,country_name,election_type,election_date,vote_share,seats,seats_total,"
    "party_name_short,party_name,party_name_english,left_right,country_id,election_id,"
    "previous_parliament_election_id,previous_cabinet_id,party_id\n"
    "AUT,Austria,parliament,2008-09-28,29.3,57,183,SPÖ,Sozialdemokratische Partei Österreichs,"
    "Social Democratic Party of Austria,3.6,59,1,0,0,973\n"
    "AUT,Austria,parliament,2008-09-28,26,51,183,ÖVP,Österreichische Volkspartei,"
    "Austrian People's Party,6.2,59,1,0,0,1013\n"
    "DEU,Germany,ep,2009-06-07,37.9,42,99,CDU,Christlich Demokratische Union,CDU,6.3,54,2,0,0,1\n"
)


@pytest.mark.django_db
def test_parlgov_party_rows_fold_into_one_election_event_read_from_latin_1(entity, tmp_path):
    path = tmp_path / "view_election.csv"
    path.write_bytes(PARLGOV.encode("latin-1"))

    run = run_import(path, "--from", "parlgov")

    assert "source parlgov: 3 rows, 2 imported, 0 skipped, 1 ignored" in run.stdout
    assert "  ignored: 1 × another party's result in an election already read" in run.stdout
    austria = Event.objects.get(external_id="parlgov:1")
    assert (austria.kind, austria.country, str(austria.start), str(austria.end)) == (
        "election",
        "AT",
        "2008-09-28",
        "2008-09-28",
    )
    assert austria.title == "Parliamentary election"
    assert Event.objects.get(external_id="parlgov:2").title == "European Parliament election"
    before = snapshot()
    again = run_import(path, "--from", "parlgov")
    assert "event: 0 created, 0 updated, 2 unchanged" in again.stdout
    assert snapshot() == before
