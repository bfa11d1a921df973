"""The N-month marks are computed in SQL (AddMonths): the same days as add_months, month ends
and leap days included, on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, Value

from amparo.investigations.selectors import AddMonths, add_months, uninvestigated_after
from amparo.investigations.services import InvestigationChange, investigation_record

from .conftest import record_incident

pytestmark = pytest.mark.django_db
D = datetime.date
MONTHS = (1, 3, 6, 12)


@pytest.mark.parametrize(
    "day",
    [
        D(2023, 1, 31),
        D(2023, 11, 30),
        D(2024, 1, 29),
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 8, 31),
        D(2024, 11, 30),
        D(2024, 12, 31),
        D(2025, 3, 1),
    ],
)
def test_add_months_in_sql_is_add_months(day):
    marks = (
        ContentType.objects.annotate(
            **{f"mark_{m}": AddMonths(Value(day, output_field=DateField()), m) for m in MONTHS}
        )
        .values_list(*(f"mark_{m}" for m in MONTHS))
        .first()
    )
    assert marks == tuple(add_months(day, m) for m in MONTHS)


def test_a_mark_at_the_end_of_a_short_month(world, coordinator):
    """30 November + 3 months is 28 February (not 2 March): an investigation opened on
    1 March is late, and the mark falls within a period ending on 28 February."""
    late = record_incident(coordinator, world.team_defender, date=D(2024, 11, 30))
    leap = record_incident(coordinator, world.team_defender, date=D(2023, 11, 30))
    for incident, opened in ((late, D(2025, 3, 1)), (leap, D(2024, 2, 29))):
        investigation_record(
            actor=coordinator,
            incident=incident,
            change=InvestigationChange(stage="investigation_opened", on=opened),
        )

    figures = uninvestigated_after(actor=coordinator, as_of=D(2025, 3, 31), months=[3])
    assert figures[3] == {"grave_incidents": 2, "without_investigation": 1, "percent": 50.0}
    within = uninvestigated_after(
        actor=coordinator, as_of=D(2025, 2, 28), months=[3], since=D(2025, 2, 28)
    )
    assert within[3] == {"grave_incidents": 1, "without_investigation": 1, "percent": 100.0}
    leap_day = uninvestigated_after(
        actor=coordinator, as_of=D(2024, 2, 29), months=[3], since=D(2024, 2, 29)
    )
    assert leap_day[3] == {"grave_incidents": 1, "without_investigation": 0, "percent": 0.0}
