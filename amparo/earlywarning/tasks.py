"""Background tasks of early warning: the daily scan, and the incremental scan after a write.

Tasks take days and ids (JSON), never records, and are idempotent: a live alert with the same
cause absorbs a repeated candidate (pipeline.alerts_raise). A failure is logged by exception type
only and re-raised without its message or cause, so no record value reaches a log or the queue's
stored traceback. The daily scan is enqueued by `amparo worker` (worker.py) or by cron.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from amparo.accounts.models import SystemActor

logger = logging.getLogger(__name__)

DAILY_ACTOR_LABEL = "task:daily-scan"


class ScanFailed(RuntimeError):
    """A scan failed; carries the type of the original error only."""


def _fail(scan: str, error: Exception) -> ScanFailed:
    logger.error("%s early-warning scan failed: %s", scan, type(error).__name__)
    return ScanFailed(type(error).__name__)


@task
def daily_scan(as_of: str | None = None) -> dict[str, int]:
    """Every rule as of the day (default today), alerts raised or merged; as of today the
    expired alerts are closed too. Returns the counts."""
    from amparo.earlywarning.engine import scan_as_of
    from amparo.earlywarning.pipeline import alerts_expire, alerts_raise

    today = timezone.localdate()
    day = datetime.date.fromisoformat(as_of) if as_of else today
    try:
        actor = SystemActor(DAILY_ACTOR_LABEL)
        candidates = scan_as_of(day)
        alerts = alerts_raise(actor=actor, candidates=candidates)
        expired = alerts_expire(actor=actor, today=today) if day == today else 0
    except Exception as error:
        raise _fail("daily", error) from None
    return {"candidates": len(candidates), "alerts": len(alerts), "expired": expired}


@task
def incremental_scan(defender_ids: list[str], as_of: str) -> int:
    """The rules as of the day for these defenders only (after an incident or event was
    recorded); returns how many alerts were raised or changed."""
    from amparo.earlywarning.engine import scan_as_of
    from amparo.earlywarning.pipeline import INCREMENTAL_ACTOR_LABEL, alerts_raise

    try:
        day = datetime.date.fromisoformat(as_of)
        candidates = scan_as_of(day, defender_ids=defender_ids)
        alerts = alerts_raise(actor=SystemActor(INCREMENTAL_ACTOR_LABEL), candidates=candidates)
    except Exception as error:
        raise _fail("incremental", error) from None
    return len(alerts)


def enqueue_incremental_scan(defender_ids: Iterable[str], as_of: datetime.date) -> None:
    """Called once the recording transaction has committed. Never raises: the write is done,
    and the daily scan catches up with whatever this misses."""
    ids = sorted({str(pk) for pk in defender_ids})
    if not ids:
        return
    try:
        incremental_scan.enqueue(defender_ids=ids, as_of=as_of.isoformat())
    except Exception as error:
        logger.error("could not enqueue the incremental scan: %s", type(error).__name__)


def daily_scan_enqueue_once(day: datetime.date) -> bool:
    """Enqueue the daily scan of this day unless it was already: the day is recorded in the
    same transaction as the queued task, so a restart or a second worker cannot enqueue it
    twice. Returns whether it was enqueued now."""
    from amparo.earlywarning.models import ScheduledScan

    try:
        with transaction.atomic():
            ScheduledScan.objects.create(day=day)
            daily_scan.enqueue(as_of=day.isoformat())
    except IntegrityError:
        return False
    return True
