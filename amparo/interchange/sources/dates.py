"""Dates as third-party sources write them, read into a day and how precisely it is known.

Strict forms first (ISO, M/D/YYYY, D-Mon-YY, Mon-YY), then free English or Spanish text such as
"May 2,3 or 4, 2015", "June 30 or July 1, 2015", "October 2015 - June 2016", "mid-April, 2005"
or "Date unknown in 2002". Free text gives a set of candidate days or months; the date is the
earliest candidate and the precision is the smallest unit holding them all (day, month, year),
so "May 2 or 3, 2012" is 2012-05-02 known to the month. Spanish order ("28 de junio de 2016")
is read too. Text saying the date is unknown keeps only its year.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

SPANISH_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
MONTHS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
    **{name: number for number, name in enumerate(SPANISH_MONTHS, start=1)},
    "setiembre": 9,
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
TWO_DIGIT_PIVOT = 50  # "Jan-93" is 1993, "22-Oct-16" is 2016


class DateProblem(ValueError):
    """The text holds no date that can be read; the message quotes it (dates are not sensitive)."""


@dataclass(frozen=True)
class SourceDate:
    date: datetime.date
    precision: str  # "day", "month" or "year"


def _year(text: str) -> int:
    number = int(text)
    if len(text) == 2:
        return 2000 + number if number < TWO_DIGIT_PIVOT else 1900 + number
    return number


def _day(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateProblem(f"Not a calendar date: {text!r}.") from None


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_D_MON_YY = re.compile(r"(\d{1,2})-([A-Za-z]{3,9})-(\d{2}|\d{4})")
_MON_YY = re.compile(r"([A-Za-z]{3,9})-(\d{2}|\d{4})")


def _strict(text: str) -> SourceDate | None:
    if match := _ISO.fullmatch(text):
        year, month, day = map(int, match.groups())
        return SourceDate(_day(year, month, day, text), "day")
    if match := _US.fullmatch(text):
        month, day, year = map(int, match.groups())
        return SourceDate(_day(year, month, day, text), "day")
    if (match := _D_MON_YY.fullmatch(text)) and match[2].lower() in MONTHS:
        return SourceDate(
            _day(_year(match[3]), MONTHS[match[2].lower()], int(match[1]), text), "day"
        )
    if (match := _MON_YY.fullmatch(text)) and match[1].lower() in MONTHS:
        return SourceDate(_day(_year(match[2]), MONTHS[match[1].lower()], 1, text), "month")
    return None


def parse_source_date(text: str) -> SourceDate:
    """The date a source wrote, or DateProblem."""
    text = " ".join(text.split())
    if not text:
        raise DateProblem("No date.")
    strict = _strict(text)
    if strict is not None:
        return strict
    tokens = re.findall(r"[A-Za-zÀ-ÿ]+|\d+", text)
    years = [int(t) for t in tokens if t.isdigit() and len(t) == 4]
    if not years:
        raise DateProblem(f"No year in the date {text!r}.")
    if "unknown" in text.lower() or "desconocida" in text.lower():
        return SourceDate(datetime.date(min(years), 1, 1), "year")
    candidates = _candidates(tokens, text)
    if not candidates:
        return SourceDate(datetime.date(min(years), 1, 1), "year")
    first, last = min(candidates), max(candidates)
    return SourceDate(first, _precision(first, last))


def _candidates(tokens: list[str], text: str) -> list[datetime.date]:
    """Every day (or first day of a month) the text allows; a month without a day stands for
    the whole month (its first and last days)."""
    pending: list[tuple[int, int | None]] = []  # (month, day) waiting for their year
    found: list[datetime.date] = []
    month: int | None = None
    loose_day: int | None = None  # "28 de junio": a day before its month
    for token in tokens:
        word = token.lower()
        if word in MONTHS:
            month = MONTHS[word]
            pending.append((month, loose_day))
            loose_day = None
        elif word in SEASONS:
            pending += [(SEASONS[word][0], None), (SEASONS[word][1], None)]
        elif token.isdigit() and len(token) == 4:
            year = int(token)
            for pending_month, day in pending:
                found += _days(year, pending_month, day, text)
            pending, month = [], None
        elif token.isdigit() and month is not None and 1 <= int(token) <= 31:
            if pending and pending[-1] == (month, None):
                pending.pop()
            pending.append((month, int(token)))
        elif token.isdigit() and month is None and 1 <= int(token) <= 31:
            loose_day = int(token)
    return found


def _days(year: int, month: int, day: int | None, text: str) -> list[datetime.date]:
    if day is not None:
        return [_day(year, month, day, text)]
    last = calendar.monthrange(year, month)[1]
    return [datetime.date(year, month, 1), datetime.date(year, month, last)]


def _precision(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return "day"
    return "month" if (first.year, first.month) == (last.year, last.month) else "year"
