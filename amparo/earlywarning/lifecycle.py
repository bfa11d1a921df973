"""Writes of an alert's life: acknowledge, act on (linking the measures taken), dismiss.

open → acknowledged → acted / dismissed; acted and dismissed are final. Each write checks the
policy first (denied → PermissionDenied, nothing written) and is audited in its transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import User
from amparo.audit.services import audit_record
from amparo.coordination.services import tasks_close_for
from amparo.core.policy import deny
from amparo.core.schemas import invalid
from amparo.earlywarning.models import Alert
from amparo.earlywarning.policies import may_work_alert
from amparo.measures.models import Measure
from amparo.measures.policies import measure_scope

Status = Alert.Status


class DismissReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("False positive")
    DUPLICATE = "duplicate", _("Duplicate of another alert")
    ALREADY_PROTECTED = "already_protected", _("Already protected")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    OTHER = "other", _("Other")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.ACKNOWLEDGED, Status.ACTED, Status.DISMISSED}),
    Status.ACKNOWLEDGED: frozenset({Status.ACTED, Status.DISMISSED}),
    Status.ACTED: frozenset(),
    Status.DISMISSED: frozenset(),
}
NOTE_MAX_LENGTH = 2000


def alert_allowed_transitions(*, actor: Any, alert: Alert) -> frozenset[str]:
    """The statuses this actor may move the alert to now (empty when they may not work it)."""
    if not may_work_alert(actor, alert):
        return frozenset()
    return TRANSITIONS[alert.status]


def _check(actor: Any, alert: Alert, to_status: str) -> None:
    if not may_work_alert(actor, alert):
        raise deny()
    if to_status not in TRANSITIONS[alert.status]:
        raise invalid("status", f"An alert that is {alert.status} cannot become {to_status}.")


def alert_acknowledge(*, actor: Any, alert: Alert, now: datetime.datetime | None = None) -> Alert:
    _check(actor, alert, Status.ACKNOWLEDGED)
    with transaction.atomic():
        alert.status = Status.ACKNOWLEDGED
        alert.acknowledged_at = now or timezone.now()
        alert.acknowledged_by = actor if isinstance(actor, User) else None
        alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
        audit_record(actor, "alert.acknowledge", object_type="alert", object_id=alert.pk)
    return alert


def _close(actor: Any, alert: Alert, status: str, fields: list[str]) -> None:
    alert.status = status
    alert.closed_at = timezone.now()
    alert.closed_by = actor if isinstance(actor, User) else None
    alert.save(update_fields=["status", "closed_at", "closed_by", "updated_at", *fields])
    tasks_close_for(actor=actor, subject_type="alert", subject_id=alert.pk)


def alert_act(*, actor: Any, alert: Alert, measures: Sequence[Measure], note: str = "") -> Alert:
    """Record that the alert was acted on, linking the measures taken: measures the actor may
    see, of the defenders the alert covers. The alert's open tasks are done."""
    _check(actor, alert, Status.ACTED)
    if not measures:
        raise invalid("measures", "Choose the measures taken for this alert.")
    if len(note) > NOTE_MAX_LENGTH:
        raise invalid("note", f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    allowed = set(
        Measure.objects.filter(measure_scope(actor))
        .filter(defender__in=alert.defenders.all())
        .values_list("pk", flat=True)
    )
    if any(measure.pk not in allowed for measure in measures):
        raise invalid("measures", "Choose among the measures of the defenders this alert covers.")
    with transaction.atomic():
        alert.measures.add(*measures)
        _close(actor, alert, Status.ACTED, [])
        audit_record(
            actor,
            "alert.act",
            object_type="alert",
            object_id=alert.pk,
            detail={"measures": sorted(m.code for m in measures), "noted": bool(note)},
        )
    return alert


def alert_dismiss(*, actor: Any, alert: Alert, reason_code: str) -> Alert:
    _check(actor, alert, Status.DISMISSED)
    if reason_code not in DismissReason.values:
        raise invalid("reason_code", "Choose a reason for dismissing the alert.")
    with transaction.atomic():
        alert.dismissed_reason = reason_code
        _close(actor, alert, Status.DISMISSED, ["dismissed_reason"])
        audit_record(
            actor,
            "alert.dismiss",
            object_type="alert",
            object_id=alert.pk,
            detail={"reason_code": reason_code},
        )
    return alert
