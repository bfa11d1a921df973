"""`amparo duplicates scan [--as USER]`: candidate duplicate defenders and incidents, by code.

Prints codes, scores and reason codes only, never a name: terminal scroll-back and CI logs are
not places for identities.
"""

from __future__ import annotations

import getpass
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.interchange.commands import actor_for
from amparo.registry.duplicates import DATE_WINDOW_DAYS, defender_candidates, incident_candidates
from amparo.registry.policies import may_review_duplicates


class Command(BaseCommand):
    help = "Candidate duplicates among the records a user may see (codes, scores and reasons)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        scan = actions.add_parser("scan", help="list candidate pairs, best first")
        scan.add_argument("--as", dest="username", help="a coordinator: only what they may see")
        scan.add_argument(
            "--window",
            type=int,
            default=DATE_WINDOW_DAYS,
            help=f"days within which two dates count as close (default {DATE_WINDOW_DAYS})",
        )
        scan.add_argument(
            "--kind", choices=["defender", "incident", "all"], default="all", help="what to scan"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = actor_for(options["username"], default_label=f"cli:{getpass.getuser()}")
        if not may_review_duplicates(actor):
            raise CommandError("Only coordinators (or the operator) review duplicates.")
        kinds = ["defender", "incident"] if options["kind"] == "all" else [options["kind"]]
        scans = {"defender": defender_candidates, "incident": incident_candidates}
        for kind in kinds:
            started = time.perf_counter()
            candidates = scans[kind](actor=actor, window=options["window"])
            elapsed = time.perf_counter() - started
            for c in candidates:
                later = "\tlater" if c.deferred else ""
                reasons = ", ".join(str(r) for r in c.reasons)
                self.stdout.write(
                    f"{kind}\t{c.first.code}\t{c.second.code}\t{c.score}\t{reasons}{later}"
                )
            self.stderr.write(f"{kind}: {len(candidates)} candidate pairs ({elapsed:.2f} s)")
