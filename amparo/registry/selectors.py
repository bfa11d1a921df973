"""Reads of the registry, always filtered by the actor's policy scope."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from amparo.accounts.models import Role, User
from amparo.core.blind import blind_index
from amparo.core.policy import role_of, sees_identities
from amparo.core.vocab import joined_codes
from amparo.registry.models import (
    BlindIndex,
    Case,
    Defender,
    DefenderCategory,
    DefenderMerge,
    Organisation,
    Person,
)
from amparo.registry.policies import (
    case_scope,
    defender_scope,
    organisation_scope,
    person_scope,
)


@dataclass
class DefenderFilters:
    country: str = ""
    subdivision: str = ""
    category: str = ""
    gender: str = ""
    status: str = ""
    violation: str = ""
    registered_from: datetime.date | None = None
    registered_to: datetime.date | None = None
    organisation: str = ""
    query: str = ""


def defender_queryset(actor: Any) -> QuerySet[Defender]:
    return (
        Defender.objects.filter(defender_scope(actor))
        .select_related("case", "data_key", "case__lead_entity")
        .prefetch_related("category_rows")
    )


def defender_list(*, actor: Any, filters: DefenderFilters | None = None) -> QuerySet[Defender]:
    """The visible defenders that pass the filters, each with its category codes read in its own
    row (core.vocab.joined_codes) rather than prefetched."""
    filters = filters or DefenderFilters()
    # A merged defender is listed as its survivor; its own code still opens (and redirects).
    defenders = (
        defender_queryset(actor)
        .filter(merged_into__isnull=True)
        .prefetch_related(None)
        .annotate(category_rows_joined=joined_codes(DefenderCategory, "defender"))
    )
    for name in ("country", "subdivision", "gender", "status"):
        value = getattr(filters, name)
        if value:
            defenders = defenders.filter(**{name: value})
    # Every filter on a to-many relation is an EXISTS, never a join, so that no defender can
    # appear twice and the list needs no DISTINCT (which made SQLite sort every matching row,
    # encrypted columns included, before the first page and again for the paginator's count).
    if filters.category:
        defenders = defenders.filter(
            Exists(DefenderCategory.objects.filter(defender=OuterRef("pk"), code=filters.category))
        )
    if filters.violation:
        from amparo.incidents.models import Incident, IncidentViolation
        from amparo.incidents.policies import incident_scope

        # Only incidents the actor may see count, or the filter would reveal hidden ones.
        defenders = defenders.filter(
            Exists(
                IncidentViolation.objects.filter(
                    code=filters.violation,
                    incident__victim_defenders=OuterRef("pk"),
                    incident__in=Incident.objects.filter(incident_scope(actor)),
                )
            )
        )
    if filters.organisation:
        defenders = defenders.filter(
            Exists(
                Defender.organisations.through.objects.filter(
                    defender=OuterRef("pk"), organisation__external_id=filters.organisation
                )
            )
        )
    if filters.registered_from:
        defenders = defenders.filter(registered_on__gte=filters.registered_from)
    if filters.registered_to:
        defenders = defenders.filter(registered_on__lte=filters.registered_to)
    if filters.query:
        defenders = defenders.filter(pk__in=_matching_ids(actor, filters.query))
    return defenders


_CODE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9-]*-\d{4}-\d+")


def _matching_ids(actor: Any, query: str) -> list[Any]:
    """Exact search: a defender code, or a name / phone / e-mail through the blind indexes.

    Analysts see no identities, so they can search by code only."""
    query = query.strip()
    # Only a query shaped like a code is looked up as one: anything else may be a name, a phone
    # number or an e-mail address, which must never reach SQL (or its logs) in the clear.
    ids = (
        list(Defender.objects.filter(code__iexact=query).values_list("pk", flat=True))
        if _CODE_SHAPE.fullmatch(query)
        else []
    )
    if not sees_identities(actor):
        return ids
    digests = [
        (purpose, blind_index(purpose, query))
        for purpose in ("defender.name", "defender.phone", "defender.email")
    ]
    for purpose, digest in digests:
        if digest:
            ids += BlindIndex.objects.filter(purpose=purpose, digest=digest).values_list(
                "defender_id", flat=True
            )
    return ids


def defender_get(*, actor: Any, code: str) -> Defender:
    defender = (
        defender_queryset(actor)
        .prefetch_related(None)
        .annotate(category_rows_joined=joined_codes(DefenderCategory, "defender"))
        .filter(code=code)
        .first()
    )
    if defender is None:
        raise Http404("Not found.")
    return defender


def defender_duplicates(
    *,
    actor: Any,
    name: str,
    alias: str = "",
    contacts: dict[str, str] | None = None,
    exclude: Defender | None = None,
) -> list[Defender]:
    """Visible defenders whose name, alias, phone or e-mail matches exactly (after normalising)."""
    if not sees_identities(actor):
        return []
    wanted: list[tuple[str, str | None]] = [
        ("defender.name", blind_index("defender.name", name) if name else None),
        ("defender.name", blind_index("defender.name", alias) if alias else None),
    ]
    for key, value in (contacts or {}).items():
        kind = "email" if "@" in value or key == "email" else "phone"
        wanted.append((f"defender.{kind}", blind_index(f"defender.{kind}", value)))
    ids: set[Any] = set()
    for purpose, digest in wanted:
        if digest:
            ids.update(
                BlindIndex.objects.filter(purpose=purpose, digest=digest).values_list(
                    "defender_id", flat=True
                )
            )
    # A match on a merged record's name warns about the survivor that stands for it.
    survivors = Defender.objects.filter(pk__in=ids).exclude(merged_into=None)
    ids.update(survivors.values_list("merged_into_id", flat=True))
    defenders = defender_queryset(actor).filter(
        pk__in=ids, shredded_at__isnull=True, merged_into__isnull=True
    )
    if exclude is not None:
        defenders = defenders.exclude(pk=exclude.pk)
    return list(defenders.order_by("code"))


def case_get(*, actor: Any, code: str) -> Case:
    case = Case.objects.filter(case_scope(actor), code=code).select_related("lead_entity").first()
    if case is None:
        raise Http404("Not found.")
    return case


def case_team(case: Case) -> list[User]:
    return list(User.objects.filter(case_memberships__case=case).order_by("username"))


def team_candidates(case: Case) -> QuerySet[User]:
    return User.objects.filter(
        entity_id=case.lead_entity_id,
        role__in=[Role.COORDINATOR, Role.CASE_OFFICER],
        is_active=True,
    ).order_by("username")


def person_list(*, actor: Any, defender: Defender) -> QuerySet[Person]:
    return Person.objects.filter(person_scope(actor), defender=defender).select_related(
        "data_key", "defender"
    )


def person_get(*, actor: Any, external_id: str) -> Person:
    person = (
        Person.objects.filter(person_scope(actor), external_id=external_id)
        .select_related("defender", "defender__case", "data_key")
        .first()
    )
    if person is None:
        raise Http404("Not found.")
    return person


def organisation_list(*, actor: Any, country: str = "", kind: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.filter(organisation_scope(actor)).select_related(
        "data_key"
    )
    if country:
        organisations = organisations.filter(country=country)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def organisation_get(*, actor: Any, external_id: str) -> Organisation:
    organisation = organisation_list(actor=actor).filter(external_id=external_id).first()
    if organisation is None:
        raise Http404("Not found.")
    return organisation


def may_see_team(actor: Any) -> bool:
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER}


def shred_impact(defender: Defender) -> dict[str, int]:
    """What erasing this defender makes unreadable, counted (no content read): what is sealed
    under their data key, and their self-reports and the letters about them alone, sealed under
    keys of their own (amparo.registry.services.defender_shred)."""
    from amparo.communications.selectors import letters_about_only
    from amparo.incidents.models import Attachment, Incident
    from amparo.portal.selectors import reports_sealed_apart

    key = defender.data_key_id
    return {
        "persons": Person.objects.filter(data_key_id=key).count(),
        "incidents": Incident.objects.filter(data_key_id=key).count(),
        "attachments": Attachment.objects.filter(data_key_id=key).count(),
        "self_reports": len(reports_sealed_apart(defender)),
        "letters": len(letters_about_only(defender)),
    }


def erasure_complete_on(shredded_on: datetime.date) -> datetime.date:
    """The day the last backup that still holds the wrapped key expires (docs/keys.md)."""
    from django.conf import settings

    return shredded_on + datetime.timedelta(days=settings.AMPARO_BACKUP_RETENTION_DAYS)


def defender_link_counts(*, actor: Any, defender: Defender) -> dict[str, int]:
    """What hangs on a defender that the actor may see, counted (compared before a merge)."""
    from amparo.incidents.models import Incident
    from amparo.incidents.policies import incident_scope
    from amparo.measures.models import Measure
    from amparo.measures.policies import measure_scope
    from amparo.risk.models import RiskAssessment
    from amparo.risk.policies import assessment_scope

    return {
        "incidents": Incident.objects.filter(incident_scope(actor), victim_defenders=defender)
        .distinct()
        .count(),
        "relatives": person_list(actor=actor, defender=defender).count(),
        "measures": Measure.objects.filter(measure_scope(actor), defender=defender).count(),
        "assessments": RiskAssessment.objects.filter(
            assessment_scope(actor), defender=defender
        ).count(),
    }


def merge_get(*, actor: Any, merge_id: Any) -> DefenderMerge:
    """A merge whose two records the actor may both see."""
    visible = Defender.objects.filter(defender_scope(actor)).values("pk")
    merge = (
        DefenderMerge.objects.filter(pk=merge_id, survivor__in=visible, absorbed__in=visible)
        .select_related("survivor__case", "absorbed__case")
        .first()
    )
    if merge is None:
        raise Http404("Not found.")
    return merge


def pending_merges(*, actor: Any) -> list[DefenderMerge]:
    visible = Defender.objects.filter(defender_scope(actor)).values("pk")
    return list(
        DefenderMerge.objects.filter(
            status=DefenderMerge.Status.PENDING, survivor__in=visible, absorbed__in=visible
        )
        .select_related("survivor", "absorbed")
        .order_by("-merged_at")
    )
