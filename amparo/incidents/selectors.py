"""Reads of incidents, filtered by the actor's policy scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from amparo.core.vocab import joined_codes
from amparo.incidents.models import (
    Attachment,
    Incident,
    IncidentContext,
    IncidentPerpetrator,
    IncidentViolation,
)
from amparo.incidents.policies import incident_scope
from amparo.registry.models import Defender
from amparo.registry.policies import defender_scope


@dataclass
class IncidentFilters:
    country: str = ""
    subdivision: str = ""
    violation: str = ""
    perpetrator: str = ""
    context: str = ""
    verification: str = ""
    category: str = ""
    gender: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    defender: str = ""


def incident_queryset(actor: Any) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(incident_scope(actor))
        .select_related("case", "data_key", "lead_entity")
        .prefetch_related("violation_rows", "perpetrator_rows", "context_rows")
    )


def incident_list(*, actor: Any, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    """The visible incidents that pass the filters, each with its violation, perpetrator and
    context codes read in its own row (core.vocab.joined_codes) rather than prefetched."""
    incidents = (
        incident_queryset(actor)
        .prefetch_related(None)
        .annotate(
            violation_rows_joined=joined_codes(IncidentViolation, "incident"),
            perpetrator_rows_joined=joined_codes(IncidentPerpetrator, "incident"),
            context_rows_joined=joined_codes(IncidentContext, "incident"),
        )
    )
    return _filtered(incidents, actor, filters or IncidentFilters())


def incident_count(*, actor: Any, filters: IncidentFilters | None = None) -> int:
    """How many incidents incident_list gives, counted with the team as a set of cases (see
    core.policy.case_visible_q): over every visible incident, the per-row EXISTS was most of the
    list page's and the API list's database time."""
    incidents = Incident.objects.filter(incident_scope(actor, team_as_set=True))
    return _filtered(incidents, actor, filters or IncidentFilters()).count()


def _filtered(
    incidents: QuerySet[Incident], actor: Any, filters: IncidentFilters
) -> QuerySet[Incident]:
    for name in ("country", "subdivision", "verification"):
        value = getattr(filters, name)
        if value:
            incidents = incidents.filter(**{name: value})
    # Filters on to-many relations are EXISTS subqueries, never joins: no incident can appear
    # twice, so the list needs no DISTINCT (a sort of every visible incident, encrypted columns
    # included, before the first page could be shown and again for the paginator's count).
    for model, code in (
        (IncidentViolation, filters.violation),
        (IncidentPerpetrator, filters.perpetrator),
        (IncidentContext, filters.context),
    ):
        if code:
            incidents = incidents.filter(
                Exists(model.objects.filter(incident=OuterRef("pk"), code=code))
            )
    if filters.category or filters.gender or filters.defender:
        # Only victims the actor may see can match, or a filter would reveal hidden records.
        victims = Defender.objects.filter(defender_scope(actor))
        if filters.category:
            victims = victims.filter(category_rows__code=filters.category)
        if filters.gender:
            victims = victims.filter(gender=filters.gender)
        if filters.defender:
            victims = victims.filter(code=filters.defender)
        incidents = incidents.filter(
            Exists(
                Incident.victim_defenders.through.objects.filter(
                    incident=OuterRef("pk"), defender__in=victims.values("pk")
                )
            )
        )
    if filters.date_from:
        incidents = incidents.filter(date__gte=filters.date_from)
    if filters.date_to:
        incidents = incidents.filter(date__lte=filters.date_to)
    return incidents


def incident_get(*, actor: Any, code: str) -> Incident:
    incident = incident_queryset(actor).filter(code=code).first()
    if incident is None:
        raise Http404("Not found.")
    return incident


def incidents_concerning(*, actor: Any, defender: Defender) -> QuerySet[Incident]:
    """Visible incidents against the defender, their relatives or their organisations."""
    # One indexed lookup per relation, united by id: an OR across three joins made the database
    # scan every incident (and DISTINCT the result) for each defender's page.
    against_defender = Incident.victim_defenders.through.objects.filter(defender=defender)
    against_relatives = Incident.victim_persons.through.objects.filter(person__defender=defender)
    against_organisations = Incident.organisations.through.objects.filter(
        organisation__in=defender.organisations.values("pk")
    )
    ids = against_defender.values_list("incident_id", flat=True).union(
        against_relatives.values_list("incident_id"),
        against_organisations.values_list("incident_id"),
    )
    return incident_queryset(actor).filter(pk__in=list(ids)).order_by("-date", "-code")


def attachment_get(*, actor: Any, incident: Incident, attachment_id: Any) -> Attachment:
    attachment = (
        Attachment.objects.filter(incident=incident, pk=attachment_id)
        .select_related("data_key", "incident")
        .first()
    )
    if attachment is None:
        raise Http404("Not found.")
    return attachment


def attachment_list(*, actor: Any, incident: Incident) -> QuerySet[Attachment]:
    """The evidence of an incident the caller already fetched through incident_get."""
    return (
        Attachment.objects.filter(incident=incident)
        .select_related("data_key", "incident")
        .order_by("uploaded_at", "pk")
    )
