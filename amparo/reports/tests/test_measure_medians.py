"""The measures' timeliness, computed by the database: the median of an odd and of an even
number of spans, the shares within the targets, and what was in place only after the period."""

import datetime

import pytest
from django.utils import timezone

from amparo.measures.services import MeasureData, measure_request, measure_transition
from amparo.reports.figures import Period, Suppress, measure_figures

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)


def _granted(actor, defender, requested, decided_after, in_place_after):
    measure = measure_request(
        actor=actor,
        defender=defender,
        data=MeasureData(kind="police_protection", requested_on=requested.date()),
        now=requested,
    )
    decided = requested + decided_after
    measure_transition(actor=actor, measure=measure, to_status="approved", now=decided)
    measure_transition(
        actor=actor, measure=measure, to_status="in_place", now=decided + in_place_after
    )


def test_medians_and_targets(world, coordinator):
    march = timezone.make_aware(datetime.datetime(2025, 3, 1, 9))
    # Decision after 2, 5.25, 7 and 20 days; in place 4, 10.5, 14 and 40 days after the request.
    for decided_after in (2 * DAY, 5 * DAY + datetime.timedelta(hours=6), 7 * DAY, 20 * DAY):
        _granted(coordinator, world.team_defender, march, decided_after, decided_after)
    # Decided in the period after 9 days, in place only in January: no protection span.
    december = timezone.make_aware(datetime.datetime(2025, 12, 1, 9))
    _granted(coordinator, world.team_defender, december, 9 * DAY, 30 * DAY)

    figures = measure_figures(coordinator, Period(D(2025, 1, 1), D(2025, 12, 31)), Suppress(1))

    assert (figures["requested"], figures["granted"]) == (5, 5)
    assert figures["decision_days_median"] == 7.0  # 2, 5.25, 7, 9, 20
    assert figures["decided_within_target_percent"] == 80  # 4 of 5 within 14 days
    assert figures["protection_days_median"] == 12.2  # (10.5 + 14) / 2 = 12.25, half to even
    assert figures["in_place_within_target_percent"] == 75  # 40 days is late
