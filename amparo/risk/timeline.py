"""Risk on a defender's timeline: each decided assessment and each procedure opened."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from amparo.registry.models import Defender
from amparo.registry.timeline import TimelineEntry
from amparo.risk.models import Procedure, RiskLevel
from amparo.risk.selectors import assessment_list, procedure_list


def risk_entries(actor: Any, defender: Defender) -> list[TimelineEntry]:
    # An entry shows a date, a code, a kind and a level or status: read only those columns.
    assessments = (
        assessment_list(actor=actor, defender=defender)
        .filter(decided_at__isnull=False)
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "code", "decided_at", "status", "level")
        .order_by()
    )
    procedures = (
        procedure_list(actor=actor, defender=defender)
        .select_related(None)
        .only("pk", "code", "opened_at", "kind")
        .order_by()
    )
    entries = [
        TimelineEntry(
            assessment.decided_at.date(),
            "assessment",
            f"Risk assessment {assessment.get_status_display().lower()}: "
            f"{RiskLevel(assessment.level).label}",
            assessment.code,
            url=reverse("risk:assessment_detail", args=[assessment.code]),
        )
        for assessment in assessments
        if assessment.decided_at is not None
    ]
    entries += [
        TimelineEntry(
            procedure.opened_at.date(),
            "procedure",
            f"{Procedure.Kind(procedure.kind).label} procedure opened",
            procedure.code,
        )
        for procedure in procedures
    ]
    return entries
