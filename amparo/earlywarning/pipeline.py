"""The alert pipeline: candidates become alerts (merged when live with the same cause), each
alert opens a task for the case team, and alerts expire. Writes only; the rules are in engine.py.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.db import transaction
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
        self.incident_ids: list[Any] = []

    def __call__(self) -> None:
        from amparo.earlywarning.tasks import enqueue_incremental_scan

        try:
            defender_ids = set().union(*(affected() for affected in self.sources))
            defender_ids |= _affected_by_incidents(self.incident_ids)
        except Exception as error:
            # Never fail the user's write; the daily scan catches up. No record values logged.
            logger.error("incremental early-warning scan failed: %s", type(error).__name__)
            return
        # The scan itself runs in the task worker (amparo/earlywarning/tasks.py).
        enqueue_incremental_scan(defender_ids, timezone.localdate())


_pending = threading.local()


def _batch() -> _BatchScan:
    """The scan queued for this transaction, or a new one queued on commit."""
    connection = transaction.get_connection()
    batch = getattr(_pending, "batch", None)
    # Still queued on this connection (not run, not discarded by a rollback): join it.
    if batch is not None and any(item[1] is batch for item in connection.run_on_commit):
        return cast(_BatchScan, batch)
    batch = _pending.batch = _BatchScan()
    transaction.on_commit(batch)
    return batch


def _schedule(affected: Callable[[], set[str]]) -> None:
    _batch().sources.append(affected)


AFFECTED_CHUNK = 2000


def _affected_by_incidents(incident_ids: list[Any]) -> set[str]:
    """Victims, defenders whose relatives were victims, and the members of their organisations
    and of the organisations attacked, for every incident of the transaction at once: a few
    indexed queries per chunk of incidents, not three per incident (an import of thousands of
    incidents used to spend most of its time here)."""
    from amparo.incidents.models import Incident

    victims = Incident.victim_defenders.through
    relatives = Incident.victim_persons.through
    attacked = Incident.organisations.through
    found: set[str] = set()
    for start in range(0, len(incident_ids), AFFECTED_CHUNK):
        chunk = incident_ids[start : start + AFFECTED_CHUNK]
        direct = set(
            victims.objects.filter(incident_id__in=chunk).values_list("defender_id", flat=True)
        )
        direct |= set(
            relatives.objects.filter(incident_id__in=chunk).values_list(
                "person__defender_id", flat=True
            )
        )
        direct.discard(None)
        organisations = set(
            attacked.objects.filter(incident_id__in=chunk).values_list("organisation_id", flat=True)
        )
        organisations |= set(
            Defender.organisations.through.objects.filter(defender_id__in=direct).values_list(
                "organisation_id", flat=True
            )
        )
        members = Defender.organisations.through.objects.filter(
            organisation_id__in=organisations
        ).values_list("defender_id", flat=True)
        found |= {str(pk) for pk in direct} | {str(pk) for pk in members}
    return found


def scan_after_incident(incident: Any) -> None:
    """After commit, scan today for the defenders the incident affects: victims, defenders whose
    relatives were victims, and the members of their organisations and of the organisations
    attacked (same-perpetrator links are left to the daily scan)."""

    _batch().incident_ids.append(incident.pk)


def scan_after_event(event: Any) -> None:
    """After commit, scan today for the defenders in the event's scope."""
    from amparo.earlywarning.engine import event_scope

    _schedule(lambda: set(event_scope(event)))
