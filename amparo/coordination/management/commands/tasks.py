"""`amparo tasks remind | escalate [--now ISO]`: e-mail reminders and escalations.

Meant to run every few minutes from cron or a systemd timer (docs/operations.md); each run is
idempotent: a task is reminded at most once a day and escalated once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from amparo.accounts.models import SystemActor
from amparo.coordination.notify import tasks_escalate, tasks_send_reminders


def parse_now(value: str | None) -> datetime.datetime:
    if not value:
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: not an ISO 8601 date and time: {value!r}.") from None
    if timezone.is_naive(moment):
        raise CommandError("--now: give the time zone, e.g. 2026-11-29T08:00:00+00:00.")
    return moment


class Command(BaseCommand):
    help = "Send task reminders (remind) or escalate overdue procedures and tasks (escalate)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (
            ("remind", "e-mail owners about tasks due within 24 hours or overdue"),
            ("escalate", "escalate overdue urgent procedures and tasks 24 hours overdue"),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("--now", help="act as of this time (ISO 8601, with time zone)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        now = parse_now(options.get("now"))
        actor = SystemActor(f"cli:tasks {action}")
        if action == "remind":
            result = tasks_send_reminders(now=now, actor=actor)
            self.stdout.write(
                f"{len(result.tasks)} task(s) reminded in {result.messages} e-mail(s)."
            )
            return
        result = tasks_escalate(now=now, actor=actor)
        self.stdout.write(
            f"{len(result.procedures)} procedure(s) and {len(result.tasks)} task(s) escalated; "
            f"{result.messages} e-mail(s) sent."
        )
