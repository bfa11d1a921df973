"""Messy source dates: the day, and how precisely the source knew it."""

from __future__ import annotations

import datetime

import pytest

from amparo.core.places import country_code, fold, subdivision_code
from amparo.interchange.sources.dates import DateProblem, parse_source_date


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("2016-06-28", "2016-06-28", "day"),
        ("2/21/2012", "2012-02-21", "day"),
        ("22-Oct-16", "2016-10-22", "day"),
        ("3-Jan-93", "1993-01-03", "day"),
        ("Aug-15", "2015-08-01", "month"),
        ("Jan-93", "1993-01-01", "month"),
        ("January 28 1998", "1998-01-28", "day"),
        ("December, 1992", "1992-12-01", "month"),
        (" November, 2004", "2004-11-01", "month"),
        ("July 2007,", "2007-07-01", "month"),
        ("mid-April, 2005", "2005-04-01", "month"),
        ("May 2,3 or 4, 2015", "2015-05-02", "month"),
        ("May 13, 14, 15, 16, 17, or 18, 2015", "2015-05-13", "month"),
        ("April 10-12, 1994", "1994-04-10", "month"),
        ("Between February 5 and 11, 2014", "2014-02-05", "month"),
        ("February 8 or February 9, 2016", "2016-02-08", "month"),
        ("June 30 or July 1, 2015", "2015-06-30", "year"),
        ("May 29, 30, 31, June 1, or 2, 2014", "2014-05-29", "year"),
        ("June 24 through July 9, 2013", "2013-06-24", "year"),
        ("January 30 to February 24, 2016", "2016-01-30", "year"),
        ("April-June, 1994", "1994-04-01", "year"),
        ("June or July 1993", "1993-06-01", "year"),
        ("August or September, 2014", "2014-08-01", "year"),
        ("summer 1993", "1993-06-01", "year"),
        ("October 2015 - June 2016", "2015-10-01", "year"),
        ("Date unknown in 2002", "2002-01-01", "year"),
        ("on an unknown date (death disclosed February 2007)", "2007-01-01", "year"),
        ("28 de junio de 2016", "2016-06-28", "day"),
    ],
)
def test_source_dates_give_the_first_possible_day_and_its_precision(text, day, precision):
    parsed = parse_source_date(text)

    assert (parsed.date, parsed.precision) == (datetime.date.fromisoformat(day), precision)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Unknown", "No year in the date 'Unknown'."),
        ("Date unknown", "No year in the date 'Date unknown'."),
        ("", "No date."),
        ("2016-02-30", "Not a calendar date: '2016-02-30'."),
        ("31-Feb-16", "Not a calendar date: '31-Feb-16'."),
    ],
)
def test_dates_that_cannot_be_read_say_why(text, message):
    with pytest.raises(DateProblem) as problem:
        parse_source_date(text)

    assert str(problem.value) == message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Colombia", "CO"),
        ("COL", "CO"),
        ("Alemania", "DE"),
        ("Perú", "PE"),
        ("Democratic Republic of Congo", "CD"),
        ("DR Congo (Zaire)", "CD"),
        ("Cambodia (Kampuchea)", "KH"),
        ("Ivory Coast", "CI"),
        ("Turkey", "TR"),
        ("Viet Nam", "VN"),
        ("United States of America", "US"),
        ("Kosovo", ""),
        ("Atlantis", ""),
    ],
)
def test_country_names_resolve_exactly_or_not_at_all(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize(
    ("country", "name", "code"),
    [
        ("CO", "Cauca", "CO-CAU"),
        ("CO", "Narino", "CO-NAR"),
        ("CO", "Norte Santander", "CO-NSA"),
        ("CO", "Bogotá", ""),
        ("MX", "Estado de México", "MX-MEX"),
        ("MX", "Michoacán state", "MX-MIC"),
        ("PH", "Capiz province", "PH-CAP"),
        ("HN", "Departamento de Colón", "HN-CL"),
        ("PH", "Mindanao", ""),
        ("XX", "Cauca", ""),
    ],
)
def test_subdivision_names_resolve_to_iso_3166_2(country, name, code):
    assert subdivision_code(country, name) == code


def test_fold_drops_case_accents_and_punctuation():
    assert fold("  Nariño, Depto.  ") == "narino depto"
