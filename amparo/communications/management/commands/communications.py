"""`amparo communications remind [--now ISO]`: follow-up tasks for letters left without reply.

Run daily from cron or a systemd timer (docs/communications.md). Idempotent: a communication
has at most one open follow-up task; recording the reply closes it. The tasks' owners are then
e-mailed by `amparo tasks remind` like any other task.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.accounts.models import SystemActor
from amparo.communications.services import follow_up_days, replies_remind
from amparo.coordination.management.commands.tasks import parse_now


class Command(BaseCommand):
    help = "Open follow-up tasks for sent communications past their reply deadline (remind)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        remind = actions.add_parser(
            "remind", help="open a follow-up task for each communication overdue for a reply"
        )
        remind.add_argument("--now", help="act as of this time (ISO 8601, with time zone)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        now = parse_now(options.get("now"))
        reminded = replies_remind(actor=SystemActor("cli:communications remind"), now=now)
        self.stdout.write(
            f"{len(reminded)} communication(s) overdue for a reply "
            f"(follow-up after {follow_up_days()} days): follow-up task(s) opened."
        )
