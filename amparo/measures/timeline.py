"""Measures on a defender's timeline: requested, and where they stand now."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from amparo.measures.models import MeasureKind, MeasureStatus
from amparo.measures.selectors import measure_queryset
from amparo.registry.models import Defender
from amparo.registry.timeline import TimelineEntry


def measure_entries(actor: Any, defender: Defender) -> list[TimelineEntry]:
    # An entry shows a date, a code, a kind and a status: read only those columns.
    measures = (
        measure_queryset(actor)
        .filter(defender=defender)
        .select_related(None)
        .only("pk", "code", "requested_on", "kind", "status")
    )
    return [
        TimelineEntry(
            measure.requested_on,
            "measure",
            f"{MeasureKind(measure.kind).label}: {MeasureStatus(measure.status).label}",
            measure.code,
            url=reverse("measures:measure_detail", args=[measure.code]),
        )
        for measure in measures
    ]
