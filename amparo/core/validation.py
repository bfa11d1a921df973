"""Domain validation shared by forms, the API and the importer: errors keyed by field name."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from amparo.core.places import is_country, is_subdivision_of

# not_future allows a day of slack for time zones, so today's date may be up to a minute old:
# looked up once a minute per time zone, it spares imports a time-zone conversion per line.
_TODAY_TTL_SECONDS = 60.0
_today_by_zone: dict[object, tuple[float, datetime.date]] = {}


def local_today() -> datetime.date:
    """timezone.localdate(), looked up at most once a minute for the current time zone."""
    zone, now = timezone.get_current_timezone(), time.monotonic()
    cached = _today_by_zone.get(zone)
    if cached is None or now - cached[0] >= _TODAY_TTL_SECONDS:
        cached = _today_by_zone[zone] = (now, timezone.localdate())
    return cached[1]


class Errors:
    """Collects field errors, then raises one ValidationError naming every bad field."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)

    def country(self, field: str, value: str, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(field, "This field is required.")
        elif not is_country(value):
            self.add(field, f"Unknown ISO 3166-1 alpha-2 country code {value!r}.")

    def subdivision(self, field: str, value: str, country: str) -> None:
        if value and not is_subdivision_of(value, country):
            self.add(field, f"{value!r} is not an ISO 3166-2 subdivision of {country or '?'}.")

    def codes(
        self, field: str, values: Iterable[str], allowed: Iterable[str], *, at_least_one: bool
    ) -> None:
        values = list(values)
        allowed = set(allowed)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.add(field, f"Unknown code {unknown[0]!r}.")
        elif at_least_one and not values:
            self.add(field, "Give at least one code.")

    def code(self, field: str, value: str, allowed: Iterable[str]) -> None:
        if value not in set(allowed):
            self.add(field, f"Unknown code {value!r}.")

    def required_text(self, field: str, value: str | None) -> None:
        if value is None or not str(value).strip():
            self.add(field, "This field is required.")

    def not_future(self, field: str, value: datetime.date | None) -> None:
        if value is not None and value > local_today() + datetime.timedelta(days=1):
            self.add(field, "This date is in the future.")
