"""Incidents on a defender's timeline: against them, their relatives or their organisations."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from amparo.core.vocab import Violation
from amparo.incidents.selectors import incidents_concerning
from amparo.registry.models import Defender
from amparo.registry.timeline import TimelineEntry


def incident_entries(actor: Any, defender: Defender) -> list[TimelineEntry]:
    entries = []
    incidents = incidents_concerning(actor=actor, defender=defender).prefetch_related(
        "victim_defenders", "victim_persons"
    )
    for incident in incidents:
        labels = ", ".join(str(Violation(code).label) for code in incident.violation_codes)
        if any(d.pk == defender.pk for d in incident.victim_defenders.all()):
            kind = "incident"
        elif any(p.defender_id == defender.pk for p in incident.victim_persons.all()):
            kind = "relative_incident"
        else:
            kind = "organisation_incident"
        url = reverse("incidents:incident_detail", args=[incident.code])
        entries.append(TimelineEntry(incident.date, kind, labels, incident.code, url=url))
    return entries
