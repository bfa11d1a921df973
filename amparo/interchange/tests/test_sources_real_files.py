"""The real third-party files in /work/shared/data, read in place (never copied): exact counts
of rows, rows imported and rows skipped by reason. Skipped where the files are absent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from amparo.interchange.sources import SOURCES
from amparo.interchange.sources.base import read_source
from amparo.interchange.tests.helpers import run_import, run_import_failing, snapshot

DATA = Path("/work/shared/data")
GW = DATA / "global-witness-land-defenders/global_witness_led_22-09-22.csv"
COLOMBIA = DATA / "colombia-social-leaders-killed/lideres-sociales.csv"
CPJ = DATA / "cpj-journalists-killed/cpj_killed_confirmed_1992-2025.csv"
CPJ_KAGGLE = DATA / "cpj-journalists-killed/cpj_kaggle_1992-2016.csv"
DECO = DATA / "ucdp-deco-electoral-violence/DECO_v.1.0.csv"
PARLGOV = DATA / "parlgov-elections/view_election.csv"


def needs(path: Path):
    return pytest.mark.skipif(not path.is_file(), reason=f"{path} is not here")


def record_types(lines: list[bytes]) -> dict[str, int]:
    return dict(Counter(line.split(b'"type":"')[1].split(b'"')[0].decode() for line in lines))


# (source, file, rows, imported, skipped by reason, ignored, records by type, unresolved)
EXPECTED = [
    pytest.param(
        "global-witness",
        GW,
        1733,
        1733,
        {},
        {},
        {"defender": 1733, "incident": 1733},
        {"local_region": 259},
        marks=needs(GW),
        id="global-witness",
    ),
    pytest.param(
        "colombia-leaders",
        COLOMBIA,
        121,
        121,
        {},
        {},
        {"defender": 121, "incident": 121},
        {},
        marks=needs(COLOMBIA),
        id="colombia-leaders",
    ),
    pytest.param(
        "cpj",
        CPJ,
        1687,
        1687,
        {},
        {},
        {"organisation": 1232, "defender": 1687, "incident": 1687},
        {},
        marks=needs(CPJ),
        id="cpj-confirmed",
    ),
    pytest.param(
        "cpj",
        CPJ_KAGGLE,
        1782,
        1774,
        {
            "Date: No year in the date 'Unknown'.": 3,
            "Date: No year in the date 'Date unknown'.": 4,
            "Country_killed: Unknown country ''.": 1,
        },
        {},
        {"organisation": 1320, "defender": 1774, "incident": 1774},
        {},
        marks=needs(CPJ_KAGGLE),
        id="cpj-kaggle",
    ),
    pytest.param(
        "ucdp-deco",
        DECO,
        4233,
        4232,
        {"country: Not an ISO 3166-1 country: 'Kosovo'.": 1},
        {},
        {"organisation": 262, "incident": 4232},
        {},
        marks=needs(DECO),
        id="ucdp-deco",
    ),
    pytest.param(
        "parlgov",
        PARLGOV,
        8648,
        997,
        {},
        {"another party's result in an election already read": 7651},
        {"event": 997},
        {},
        marks=needs(PARLGOV),
        id="parlgov",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "path", "rows", "imported", "skipped", "ignored", "types", "unresolved"), EXPECTED
)
def test_real_files_read_with_exact_counts(
    source, path, rows, imported, skipped, ignored, types, unresolved
):
    report, batch = read_source(SOURCES[source], path)

    assert (report.rows, report.imported) == (rows, imported)
    assert dict(report.skipped) == skipped
    assert dict(report.ignored) == ignored
    assert record_types(batch.lines) == types
    assert dict(report.unmapped) == {}
    assert dict(report.unresolved) == unresolved


@needs(COLOMBIA)
@pytest.mark.django_db
def test_the_real_colombian_file_imports_whole_and_a_second_time_changes_nothing(entity):
    first = run_import(COLOMBIA, "--from", "colombia-leaders")

    assert "source colombia-leaders: 121 rows, 121 imported, 0 skipped" in first.stdout
    assert "defender: 121 created, 0 updated, 0 unchanged" in first.stdout
    assert "incident: 121 created, 0 updated, 0 unchanged" in first.stdout
    before = snapshot()

    again = run_import(COLOMBIA, "--from", "colombia-leaders")

    assert "defender: 0 created, 0 updated, 121 unchanged" in again.stdout
    assert snapshot() == before


@needs(CPJ_KAGGLE)
@pytest.mark.django_db
def test_the_real_kaggle_file_is_refused_whole_without_skip_invalid(entity):
    before = snapshot()

    run = run_import_failing(CPJ_KAGGLE, "--from", "cpj")

    assert len(run.errors) == 8
    assert run.errors[0] == "line 174: field Date: No year in the date 'Unknown'."
    assert "source cpj: 1782 rows, 1774 imported, 8 skipped" in run.stdout
    assert snapshot() == before
