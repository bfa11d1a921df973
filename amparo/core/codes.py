"""Pseudonymous, human-readable record codes such as HRD-2026-000123."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from amparo.core.models import Counter


def next_code(prefix: str, year: int | None = None) -> str:
    year = year or datetime.datetime.now(datetime.UTC).year
    name = f"{prefix}-{year}"
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        Counter.objects.filter(name=name).update(value=F("value") + 1)
        value = Counter.objects.values_list("value", flat=True).get(name=name)
    return f"{name}-{value:06d}"


def reserve_codes(prefix: str, count: int, year: int | None = None) -> list[str]:
    """Reserve count consecutive codes at once (imports)."""
    year = year or datetime.datetime.now(datetime.UTC).year
    name = f"{prefix}-{year}"
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        Counter.objects.filter(name=name).update(value=F("value") + count)
        last = Counter.objects.values_list("value", flat=True).get(name=name)
    return [f"{name}-{n:06d}" for n in range(last - count + 1, last + 1)]
