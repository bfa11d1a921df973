"""Reads of communications, replies, response rates, reprisals and country visits, each
filtered by the actor's policy scope."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from amparo.communications.models import (
    Communication,
    CommunicationStatus,
    CountryVisit,
    Reply,
    ReplyDocument,
)
from amparo.communications.policies import (
    aggregate_scope,
    communication_scope,
    linkable_defender_scope,
    linkable_incident_scope,
    sees_letter,
    visit_scope,
)
from amparo.core.policy import not_found
from amparo.core.vocab import OUTSTANDING_VISIT_STATUSES, Context, Violation
from amparo.earlywarning.models import Event
from amparo.earlywarning.policies import event_scope
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope
from amparo.registry.models import Defender
from amparo.registry.policies import defender_scope

S = CommunicationStatus


@dataclass
class CommunicationFilters:
    state: str = ""
    kind: str = ""
    status: str = ""
    year: int | None = None


def _has_reply() -> Exists:
    return Exists(Reply.objects.filter(communication=OuterRef("pk")))


def with_follow_up(queryset: QuerySet[Communication], today: datetime.date) -> QuerySet[Any]:
    """Annotate `replied` and `overdue` (sent, past its follow-up day, no reply)."""
    return queryset.annotate(
        replied=_has_reply(),
        overdue=CaseWhen(
            When(
                Q(status=S.SENT, follow_up_on__lt=today) & ~Q(_has_reply()),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def communication_list(
    *,
    actor: Any,
    filters: CommunicationFilters | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Any]:
    """The communications the actor sees; overdue replies first, then the newest."""
    filters = filters or CommunicationFilters()
    communications = Communication.objects.filter(communication_scope(actor)).select_related(
        "lead_entity"
    )
    if filters.state:
        communications = communications.filter(state=filters.state.upper())
    for name in ("kind", "status"):
        if getattr(filters, name):
            communications = communications.filter(**{name: getattr(filters, name)})
    if filters.year:
        communications = communications.filter(
            Q(sent_on__year=filters.year) | Q(sent_on__isnull=True, created_at__year=filters.year)
        )
    return with_follow_up(communications, today or timezone.localdate()).order_by(
        "-overdue", "-sent_on", "-created_at"
    )


def communication_get(*, actor: Any, pk: Any) -> Communication:
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise not_found() from None
    found = (
        Communication.objects.filter(communication_scope(actor), pk=key)
        .select_related("lead_entity", "data_key", "drafted_by", "submitted_by", "approved_by")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def replies_of(communication: Communication) -> QuerySet[Reply]:
    return communication.replies.select_related("data_key").prefetch_related("documents")


def document_get(*, actor: Any, pk: Any) -> ReplyDocument:
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise not_found() from None
    visible = Communication.objects.filter(communication_scope(actor))
    found = (
        ReplyDocument.objects.filter(pk=key, reply__communication__in=visible)
        .select_related("reply__communication__lead_entity", "data_key")
        .first()
    )
    if found is None:
        raise not_found()
    return found


@dataclass
class LinkedSummary:
    """What a communication's reader is shown of a linked record: codes, country, violations,
    dates. Never a name, a contact, a locality or a narrative."""

    kind: str  # "defender" or "incident"
    code: str
    country: str
    date: datetime.date | None = None
    violations: tuple[str, ...] = ()


def linked_summaries(actor: Any, communication: Communication) -> list[LinkedSummary]:
    """The linked defenders and incidents the actor may see, as summaries. The lead entity's
    letter staff get them all (an approver must see everything a letter is about); case
    officers those of the cases they see, and no count or hint of the others (DESIGN §2)."""
    defenders = communication.defenders.order_by("code")
    incidents = communication.incidents.prefetch_related("violation_rows").order_by("date", "code")
    if not sees_letter(actor, communication):
        defenders = defenders.filter(defender_scope(actor))
        incidents = incidents.filter(incident_scope(actor))
    rows = [LinkedSummary("defender", d.code, d.country) for d in defenders]
    rows += [
        LinkedSummary("incident", i.code, i.country, i.date, tuple(i.violation_codes))
        for i in incidents
    ]
    return rows


def overdue_communications(
    *, actor: Any, today: datetime.date | None = None
) -> QuerySet[Communication]:
    today = today or timezone.localdate()
    return (
        Communication.objects.filter(
            communication_scope(actor), status=S.SENT, follow_up_on__lt=today
        )
        .exclude(_has_reply())
        .order_by("follow_up_on")
    )


# Response rates ----------------------------------------------------------------------------


@dataclass
class ResponseRate:
    key: str
    sent: int
    replied: int
    substantive: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.replied / self.sent, 1) if self.sent else None


RATE_GROUPS = ("state", "kind", "year")


def response_rates(
    *,
    actor: Any,
    group_by: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[ResponseRate]:
    """Sent communications and how many had a reply (any kind; substantive counted apart), per
    State, kind or year of sending. A rate is replied / sent, in per cent."""
    if group_by not in RATE_GROUPS:
        raise ValueError(f"Group by one of {', '.join(RATE_GROUPS)}.")
    sent = Communication.objects.filter(aggregate_scope(actor), status=S.SENT)
    if date_from:
        sent = sent.filter(sent_on__gte=date_from)
    if date_to:
        sent = sent.filter(sent_on__lte=date_to)
    substantive = Exists(Reply.objects.filter(communication=OuterRef("pk"), kind="substantive"))
    rows = sent.annotate(replied=_has_reply(), substantive=substantive).values_list(
        "state", "kind", "sent_on", "replied", "substantive"
    )
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for state, kind, sent_on, replied, is_substantive in rows:
        key = {"state": state, "kind": kind, "year": str(sent_on.year) if sent_on else ""}[group_by]
        counts = groups[key]
        counts[0] += 1
        counts[1] += int(bool(replied))
        counts[2] += int(bool(is_substantive))
    return [ResponseRate(key, *groups[key]) for key in sorted(groups)]


# Reprisals ---------------------------------------------------------------------------------


def _cooperation(actor: Any, comm_scope: Q) -> dict[str, Exists]:
    """Ways the data shows a victim of the incident (OuterRef) cooperated with the UN before
    it: named in a communication sent earlier; an earlier incident in the context of UN
    engagement; an engagement event (testimony, travel to Geneva) naming them, started earlier.
    A country visit names no witnesses, so it cannot show who testified."""
    victim_of = {"victim_defenders__incidents": OuterRef("pk")}
    return {
        "communication": Exists(
            Communication.objects.filter(
                comm_scope,
                status=S.SENT,
                sent_on__lt=OuterRef("date"),
                defenders__incidents=OuterRef("pk"),
            )
        ),
        "engagement_incident": Exists(
            Incident.objects.filter(
                incident_scope(actor),
                context_rows__code=Context.UN_ENGAGEMENT,
                date__lt=OuterRef("date"),
                **victim_of,
            )
        ),
        "engagement_event": Exists(
            Event.objects.filter(
                event_scope(actor),
                kind=Context.UN_ENGAGEMENT,
                start__lt=OuterRef("date"),
                defenders__incidents=OuterRef("pk"),
            )
        ),
    }


def _reprisal_q(flags: dict[str, Exists]) -> Q:
    own = Q(context_rows__code=Context.UN_ENGAGEMENT) | Q(
        violation_rows__code=Violation.REPRISAL_UN_COOPERATION
    )
    q = own
    for flag in flags.values():
        q |= Q(flag)
    return q


def reprisal_incidents(
    *, actor: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> QuerySet[Incident]:
    """Incidents the actor sees that are possible reprisals for cooperation with the UN: the
    victim cooperated earlier (see _cooperation), or the incident itself is recorded as one."""
    incidents = Incident.objects.filter(incident_scope(actor))
    if date_from:
        incidents = incidents.filter(date__gte=date_from)
    if date_to:
        incidents = incidents.filter(date__lte=date_to)
    flags = _cooperation(actor, aggregate_scope(actor))
    matching = incidents.filter(_reprisal_q(flags)).values("pk")
    return Incident.objects.filter(pk__in=matching).order_by("date", "code")


def reprisal_reasons(actor: Any, incident: Incident) -> list[str]:
    """Why an incident the actor sees may be a reprisal, from what the actor may see of both:
    "communication", "engagement_incident", "engagement_event", "recorded"."""
    flags = _cooperation(actor, communication_scope(actor))
    row = Incident.objects.filter(pk=incident.pk).annotate(**flags).values(*flags).first() or {}
    reasons = [name for name in flags if row.get(name)]
    if (
        Context.UN_ENGAGEMENT in incident.context_codes
        or Violation.REPRISAL_UN_COOPERATION in incident.violation_codes
    ):
        reasons.append("recorded")
    return reasons


# Country visits ----------------------------------------------------------------------------


def visit_list(*, actor: Any, state: str = "") -> QuerySet[CountryVisit]:
    visits = CountryVisit.objects.filter(visit_scope(actor))
    if state:
        visits = visits.filter(state=state.upper())
    return visits.order_by("state", "first_requested_on")


def outstanding_visits(*, actor: Any) -> QuerySet[CountryVisit]:
    """Requests not yet answered by a visit or a refusal, oldest first."""
    return CountryVisit.objects.filter(
        visit_scope(actor), status__in=OUTSTANDING_VISIT_STATUSES
    ).order_by("first_requested_on", "state")


def visit_get(*, actor: Any, pk: Any) -> CountryVisit:
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise Http404("Not found.") from None
    found = CountryVisit.objects.filter(visit_scope(actor), pk=key).first()
    if found is None:
        raise not_found()
    return found


def years_text(years: list[int]) -> str:
    """[2005, 2008, 2009] → "2005, 2008 and 2009"."""
    words = [str(y) for y in sorted(years)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def defenders_linkable(actor: Any, codes: list[str]) -> tuple[list[Defender], list[str]]:
    found = {
        d.code: d
        for d in Defender.objects.filter(linkable_defender_scope(actor), code__in=codes)
        .select_related("case", "data_key")
        .prefetch_related("category_rows")
    }
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def incidents_linkable(actor: Any, codes: list[str]) -> tuple[list[Incident], list[str]]:
    found = {
        i.code: i
        for i in Incident.objects.filter(linkable_incident_scope(actor), code__in=codes)
        .select_related("data_key")
        .prefetch_related("violation_rows", "perpetrator_rows", "victim_defenders")
    }
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def letters_about_only(defender: Defender) -> list[Communication]:
    """The letters still sealed under their own key that concern only this defender, once
    erased: every other linked defender erased too and every linked incident sealed under an
    erased key or the defender's. Erasing the defender erases them
    (amparo.communications.services.letters_erase)."""
    letters = Communication.objects.filter(
        defenders=defender, data_key__wrapped__isnull=False
    ).select_related("data_key")
    found = []
    for letter in letters:
        if letter.defenders.filter(shredded_at__isnull=True).exclude(pk=defender.pk).exists():
            continue
        if (
            letter.incidents.filter(data_key__wrapped__isnull=False)
            .exclude(data_key_id=defender.data_key_id)
            .exists()
        ):
            continue
        found.append(letter)
    return found
