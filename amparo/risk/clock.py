"""The risk domain's clock: services read the time here (or take now=), so tests fix it by
monkeypatching `amparo.risk.clock.now` instead of sleeping."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def day_start(day: datetime.date) -> datetime.datetime:
    """A due date as a due time: 09:00 local time that day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
