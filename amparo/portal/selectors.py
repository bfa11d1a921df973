"""Reads of the portal: the intake queue, a report, check-ins due and answered."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.earlywarning.models import Event
from amparo.portal.models import CheckIn, SelfReport
from amparo.portal.policies import INTAKE_ROLES, report_scope
from amparo.registry.models import Defender

CHECKIN_HORIZON_DAYS = 30
# No default window opens earlier than this before its event (elections: 180 days).
LONGEST_LEAD_DAYS = 366


def report_queue(
    *, actor: object, status: str = SelfReport.Status.RECEIVED
) -> QuerySet[SelfReport]:
    reports = SelfReport.objects.filter(report_scope(actor)).select_related(
        "entity", "case", "defender", "incident"
    )
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("received_at") if status == SelfReport.Status.RECEIVED else reports


def report_get(*, actor: object, code: str) -> SelfReport:
    report = report_queue(actor=actor, status="").filter(code=code).first()
    if report is None:
        raise Http404("Not found.")
    return report


def reports_of(defender: Defender) -> QuerySet[SelfReport]:
    """What a defender reported from their own space (never reports made without an account,
    which nothing links to them)."""
    return SelfReport.objects.filter(defender=defender).order_by("-received_at")


@dataclass
class CheckInDue:
    event: Event
    window_opens: datetime.date
    answer: CheckIn | None

    @property
    def is_travel(self) -> bool:
        return self.event.kind == "travel_abroad"


def _concerns(event: Event, defender: Defender, categories: set[str]) -> bool:
    named = {d.pk for d in event.defenders.all()}
    if named:
        return defender.pk in named
    if event.country != defender.country:
        return False
    if event.subdivision and event.subdivision != defender.subdivision:
        return False
    return not event.categories or bool(categories & set(event.categories))


def checkins_due(defender: Defender, today: datetime.date) -> list[CheckInDue]:
    """Calendar events that concern the defender (named, or their place and categories) whose
    window opens within the coming 30 days and has not ended, with their answer if given."""
    horizon = today + datetime.timedelta(days=CHECKIN_HORIZON_DAYS)
    candidates = (
        Event.objects.filter(
            Q(defenders=defender) | Q(country=defender.country),
            # Only the calendar of the programme that protects them.
            lead_entity_id=defender.case.lead_entity_id,
            end__gte=today,
            start__lte=horizon + datetime.timedelta(days=LONGEST_LEAD_DAYS),
        )
        .distinct()
        .prefetch_related("defenders")
        .order_by("start", "external_id")
    )
    categories = set(defender.category_codes)
    answers = {c.event_id: c for c in CheckIn.objects.filter(defender=defender)}
    rows = []
    for event in candidates:
        opens = event.start - datetime.timedelta(days=event.effective_lead_days)
        if opens <= horizon and _concerns(event, defender, categories):
            rows.append(CheckInDue(event, opens, answers.get(event.pk)))
    return rows


def checkin_list(*, actor: object) -> QuerySet[CheckIn]:
    """Check-in answers of the cases the actor works (their case teams and coordinators)."""
    if role_of(actor) not in {"system", *INTAKE_ROLES}:
        return CheckIn.objects.filter(NOTHING)
    return (
        CheckIn.objects.filter(case_visible_q(actor, "defender__case__"))
        .select_related("defender", "event", "task")
        .order_by("-answered_at")
    )


def reports_sealed_apart(defender: Defender) -> list[tuple[SelfReport, list[Any]]]:
    """The self-reports about this defender (sent from their space, or accepted into their
    case) still sealed under keys of their own, with those live keys: what erasing the defender
    must destroy besides the defender's key (amparo.portal.services.reports_erase)."""
    from amparo.core.models import DataKey
    from amparo.incidents.models import Incident

    accepted_into_case = Incident.objects.filter(data_key_id=defender.data_key_id).values("pk")
    reports = SelfReport.objects.filter(
        Q(defender=defender) | Q(incident__in=accepted_into_case)
    ).order_by("received_at")
    found = []
    for report in reports:
        keys = {report.data_key_id}
        keys.update(report.additions.values_list("data_key_id", flat=True))
        keys.update(report.files.values_list("data_key_id", flat=True))
        own = list(
            DataKey.objects.filter(
                pk__in=[k for k in keys if _report_owns(k, defender)], wrapped__isnull=False
            )
        )
        if own:  # otherwise under the defender's key (shredded with it), or already erased
            found.append((report, own))
    return found


def _report_owns(data_key_id: Any, defender: Defender) -> bool:
    """A report's own key, not one it shares with a record (a defender's, an incident's)."""
    from amparo.incidents.models import Incident

    return (
        data_key_id != defender.data_key_id
        and not Defender.objects.filter(data_key_id=data_key_id).exists()
        and not Incident.objects.filter(data_key_id=data_key_id).exists()
    )
