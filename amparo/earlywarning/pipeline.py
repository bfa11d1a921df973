"""The alert pipeline: candidates become alerts (merged when live with the same cause), each
alert opens a task for the case team, and alerts expire. Writes only; the rules are in engine.py.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.coordination.services import task_open, tasks_close_for
from amparo.core.codes import next_code
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.config import LEVELS, EngineConfig, config_current
from amparo.earlywarning.models import Alert
from amparo.registry.models import Defender

ALERT_PREFIX = "ALR"
LIVE = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)
EXPIRED_REASON = "expired"


def _split_by_entity(candidate: AlertCandidate) -> dict[int, list[Defender]]:
    """The covered defenders grouped by the lead entity of their case."""
    groups: dict[int, list[Defender]] = defaultdict(list)
    rows = Defender.objects.filter(pk__in=candidate.defender_ids).select_related("case")
    for defender in rows.order_by("pk"):
        groups[defender.case.lead_entity_id].append(defender)
    return dict(sorted(groups.items()))


def _sla(level: str, now: datetime.datetime, config: EngineConfig) -> datetime.datetime:
    return now + datetime.timedelta(hours=config.sla_hours[level])


def _create(
    actor: Any,
    candidate: AlertCandidate,
    entity_id: int,
    defenders: list[Defender],
    now: datetime.datetime,
    config: EngineConfig,
) -> Alert:
    alert = Alert.objects.create(
        code=next_code(ALERT_PREFIX),
        kind=candidate.kind,
        level=candidate.level,
        dedupe_key=candidate.dedupe_key,
        raised_on=candidate.raised_on,
        expires_on=candidate.expires_on,
        sla_due_at=_sla(candidate.level, now, config),
        lead_entity_id=entity_id,
        country=candidate.country,
        subdivision=candidate.subdivision,
        categories=list(candidate.categories),
        reason=candidate.reason[:500],
        evidence=candidate.evidence,
        recommended_measures=list(candidate.recommended_measures),
    )
    alert.defenders.set(defenders)
    audit_record(
        actor,
        "alert.raise",
        object_type="alert",
        object_id=alert.pk,
        detail={"code": alert.code, "kind": alert.kind, "level": alert.level},
    )
    return alert


def _merge(
    actor: Any,
    alert: Alert,
    candidate: AlertCandidate,
    defenders: list[Defender],
    now: datetime.datetime,
    config: EngineConfig,
) -> bool:
    """Extend, widen, raise; returns whether anything changed."""
    changed = []
    if candidate.expires_on > alert.expires_on:
        alert.expires_on = candidate.expires_on
        changed.append("expires_on")
    if LEVELS.index(candidate.level) > LEVELS.index(alert.level):
        alert.level = candidate.level
        alert.sla_due_at = min(alert.sla_due_at, _sla(candidate.level, now, config))
        changed += ["level", "sla_due_at"]
    if candidate.evidence != alert.evidence:
        alert.evidence = candidate.evidence
        alert.reason = candidate.reason[:500]
        changed += ["evidence", "reason"]
    known = set(alert.defenders.values_list("pk", flat=True))
    new = [d for d in defenders if d.pk not in known]
    if new:
        alert.defenders.add(*new)
        changed.append("defenders")
    if not changed:
        return False
    alert.save(update_fields=[f for f in changed if f != "defenders"] + ["updated_at"])
    audit_record(
        actor,
        "alert.merge",
        object_type="alert",
        object_id=alert.pk,
        fields=changed,
        detail={"code": alert.code, "level": alert.level},
    )
    return True


def _open_task(actor: Any, alert: Alert, defenders: list[Defender]) -> None:
    cases = {d.case for d in defenders}
    task_open(
        actor=actor,
        kind=Task.Kind.OTHER,
        title=f"Act on alert {alert.code} ({alert.get_kind_display()}, {alert.level})",
        entity=alert.lead_entity,
        due_at=alert.sla_due_at,
        case=cases.pop() if len(cases) == 1 else None,
        subject_type="alert",
        subject_id=str(alert.pk),
    )


def alerts_raise(
    *,
    actor: Any,
    candidates: Iterable[AlertCandidate],
    now: datetime.datetime | None = None,
    config: EngineConfig | None = None,
) -> list[Alert]:
    """Persist candidates: one alert per (candidate, lead entity of the covered defenders);
    a live alert with the same dedupe key and entity absorbs the candidate instead.
    Returns the alerts created or changed, in candidate order."""
    now = now or timezone.now()
    config = config or config_current()
    touched: list[Alert] = []
    for candidate in candidates:
        for entity_id, defenders in _split_by_entity(candidate).items():
            with transaction.atomic():
                alert = (
                    Alert.objects.select_for_update()
                    .filter(
                        dedupe_key=candidate.dedupe_key,
                        lead_entity_id=entity_id,
                        status__in=LIVE,
                        expires_on__gte=candidate.raised_on,
                    )
                    .order_by("raised_on", "code")
                    .first()
                )
                if alert is None:
                    alert = _create(actor, candidate, entity_id, defenders, now, config)
                elif not _merge(actor, alert, candidate, defenders, now, config):
                    continue
                _open_task(actor, alert, list(alert.defenders.select_related("case")))
            touched.append(alert)
    return touched


def alerts_expire(*, actor: Any, today: datetime.date) -> int:
    """Close the live alerts whose expiry has passed, and their tasks; returns how many."""
    count = 0
    for alert in Alert.objects.filter(status__in=LIVE, expires_on__lt=today).order_by("code"):
        with transaction.atomic():
            alert.status = Alert.Status.DISMISSED
            alert.dismissed_reason = EXPIRED_REASON
            alert.closed_at = timezone.now()
            alert.save(update_fields=["status", "dismissed_reason", "closed_at", "updated_at"])
            audit_record(actor, "alert.expire", object_type="alert", object_id=alert.pk)
            tasks_close_for(actor=actor, subject_type="alert", subject_id=alert.pk)
        count += 1
    return count


# --- The incremental scan after a write ----------------------------------------------------

logger = logging.getLogger(__name__)
INCREMENTAL_ACTOR_LABEL = "system:early-warning"


class _BatchScan:
    """One incremental scan per transaction, for the union of the affected defenders: an import
    or the demo loader recording thousands of incidents in one transaction scans once."""

    def __init__(self) -> None:
        self.sources: list[Callable[[], set[str]]] = []

    def __call__(self) -> None:
        from amparo.earlywarning.tasks import enqueue_incremental_scan

        try:
            defender_ids = set().union(*(affected() for affected in self.sources))
        except Exception as error:
            # Never fail the user's write; the daily scan catches up. No record values logged.
            logger.error("incremental early-warning scan failed: %s", type(error).__name__)
            return
        # The scan itself runs in the task worker (amparo/earlywarning/tasks.py).
        enqueue_incremental_scan(defender_ids, timezone.localdate())


_pending = threading.local()


def _schedule(affected: Callable[[], set[str]]) -> None:
    connection = transaction.get_connection()
    batch = getattr(_pending, "batch", None)
    # Still queued on this connection (not run, not discarded by a rollback): join it.
    if batch is not None and any(item[1] is batch for item in connection.run_on_commit):
        batch.sources.append(affected)
        return
    batch = _pending.batch = _BatchScan()
    batch.sources.append(affected)
    transaction.on_commit(batch)


def scan_after_incident(incident: Any) -> None:
    """After commit, scan today for the defenders the incident affects: victims, defenders whose
    relatives were victims, and the members of their organisations and of the organisations
    attacked (same-perpetrator links are left to the daily scan)."""

    def affected() -> set[str]:
        direct = {str(pk) for pk in incident.victim_defenders.values_list("pk", flat=True)}
        direct |= {str(pk) for pk in incident.victim_persons.values_list("defender_id", flat=True)}
        members = Defender.objects.filter(
            Q(organisations__members__pk__in=direct) | Q(organisations__incidents=incident)
        ).values_list("pk", flat=True)
        return direct | {str(pk) for pk in members}

    _schedule(affected)


def scan_after_event(event: Any) -> None:
    """After commit, scan today for the defenders in the event's scope."""
    from amparo.earlywarning.engine import event_scope

    _schedule(lambda: set(event_scope(event)))
