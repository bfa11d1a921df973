"""`amparo worker`: run the background task queue and enqueue the daily early-warning scan at
AMPARO_SCAN_AT (local time), once per day even across restarts. See docs/operations.md.

django.tasks has no scheduler: a thread of this process checks the clock every
SCHEDULE_CHECK_SECONDS; the day is recorded with the queued task (ScheduledScan), so a restart,
a second worker or cron enqueueing too cannot run the daily scan twice."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from amparo.earlywarning.models import ScheduledScan
from amparo.earlywarning.tasks import daily_scan_enqueue_once

logger = logging.getLogger(__name__)
SCHEDULE_CHECK_SECONDS = 30


def scan_due_day(now: datetime.datetime, scan_at: datetime.time) -> datetime.date | None:
    """The local day whose scan is due at this moment: today, once its scan time has passed.
    A worker started late (or down at the scan time) catches up at once; missed earlier days
    are not replayed, since today's scan sees everything they would have."""
    local = timezone.localtime(now)
    return local.date() if local.time() >= scan_at else None


def schedule_tick(now: datetime.datetime | None = None) -> bool:
    """Enqueue the daily scan if it is due and not enqueued yet; returns whether it was."""
    day = scan_due_day(now or timezone.now(), settings.AMPARO_SCAN_AT)
    if day is None or ScheduledScan.objects.filter(day=day).exists():
        return False
    enqueued = daily_scan_enqueue_once(day)
    if enqueued:
        logger.info("daily early-warning scan of %s enqueued", day.isoformat())
    return enqueued


def _schedule_forever() -> None:
    while True:
        try:
            schedule_tick()
        except Exception as error:
            logger.error("scheduling the daily scan failed: %s", type(error).__name__)
        finally:
            connections.close_all()  # this thread's connections only
        time.sleep(SCHEDULE_CHECK_SECONDS)


class Command(BaseCommand):
    help = (
        "Run the background task queue and enqueue the daily early-warning scan at "
        "AMPARO_SCAN_AT (local time) once per day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between two looks at an empty queue (default 1)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="enqueue the daily scan if due, run the waiting tasks, then exit (for cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queued = isinstance(backend, DatabaseBackend)
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive.")
        if options["once"]:
            if schedule_tick():
                self.stdout.write("Daily scan enqueued.")
            if queued:
                self._worker(batch=True, interval=options["interval"]).run()
            return
        if not queued:
            raise CommandError(
                "amparo worker runs the database queue: set AMPARO_TASKS_BACKEND=database "
                "(the default)."
            )
        at = settings.AMPARO_SCAN_AT.strftime("%H:%M")
        zone = timezone.get_current_timezone_name()
        self.stdout.write(f"Worker started; the daily scan is enqueued at {at} ({zone}).")
        threading.Thread(target=_schedule_forever, name="amparo-scheduler", daemon=True).start()
        worker = self._worker(batch=False, interval=options["interval"])
        worker.configure_signals()
        worker.run()

    def _worker(self, *, batch: bool, interval: float) -> Worker:
        return Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
