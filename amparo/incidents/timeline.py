"""Incidents on a defender's timeline: against them, their relatives or their organisations."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from amparo.core.vocab import Violation, joined_codes
from amparo.incidents.models import Incident, IncidentViolation
from amparo.incidents.selectors import incidents_concerning
from amparo.registry.models import Defender
from amparo.registry.timeline import TimelineEntry


def incident_entries(actor: Any, defender: Defender) -> list[TimelineEntry]:
    # An entry shows a date, a code and the violations: read only those, and ask the database
    # which way each incident concerns the defender instead of loading every victim's row.
    incidents = (
        incidents_concerning(actor=actor, defender=defender)
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "code", "date")
        .annotate(
            against_defender=Exists(
                Incident.victim_defenders.through.objects.filter(
                    incident_id=OuterRef("pk"), defender_id=defender.pk
                )
            ),
            against_relative=Exists(
                Incident.victim_persons.through.objects.filter(
                    incident_id=OuterRef("pk"), person__defender_id=defender.pk
                )
            ),
            violation_rows_joined=joined_codes(IncidentViolation, "incident"),
        )
    )
    entries = []
    for incident in incidents:
        labels = ", ".join(str(Violation(code).label) for code in incident.violation_codes)
        if incident.against_defender:
            kind = "incident"
        elif incident.against_relative:
            kind = "relative_incident"
        else:
            kind = "organisation_incident"
        url = reverse("incidents:incident_detail", args=[incident.code])
        entries.append(TimelineEntry(incident.date, kind, labels, incident.code, url=url))
    return entries
