"""`amparo generate`: a synthetic world with planted mechanisms, as interchange JSON Lines.

Writes FILE and its ground truth FILE.truth.json (docs/generator.md). Same seed, same bytes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from amparo.earlywarning.generator import PROFILES, Parameters, generate, parameters_for, truth_path


class Command(BaseCommand):
    help = "Write a synthetic world with planted early-warning mechanisms (JSON Lines + truth)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--defenders", type=int, default=Parameters.defenders)
        parser.add_argument("--seed", type=int, default=Parameters.seed)
        parser.add_argument("--out", required=True, help="the JSON Lines file to write")
        parser.add_argument("--years", type=int, default=Parameters.years)
        parser.add_argument(
            "--start", default=Parameters.start, help="first day, YYYY-MM-DD (default %(default)s)"
        )
        parser.add_argument(
            "--profile",
            choices=PROFILES,
            default=Parameters.profile,
            help="research (default): the world of docs/generator.md; legacy: the earlier world",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["defenders"] < 1:
            raise CommandError("--defenders must be at least 1.")
        if not 1 <= options["years"] <= 20:
            raise CommandError("--years must be between 1 and 20.")
        try:
            start = datetime.date.fromisoformat(options["start"])
        except ValueError as error:
            raise CommandError(
                f"--start: expected YYYY-MM-DD, got {options['start']!r}."
            ) from error
        end = start + datetime.timedelta(days=365 * options["years"] - 1)
        if end > timezone.localdate():
            raise CommandError(
                f"The period ends on {end}, in the future: incidents cannot be dated after today. "
                "Give an earlier --start or fewer --years."
            )
        params = parameters_for(
            options["profile"],
            defenders=options["defenders"],
            seed=options["seed"],
            years=options["years"],
            start=start.isoformat(),
        )
        counts = generate(params, options["out"])
        self.stdout.write(
            f"{options['out']}: {counts.organisations} organisations, {counts.defenders} "
            f"defenders, {counts.persons} persons, {counts.events} events, "
            f"{counts.incidents} incidents"
        )
        for name, number in sorted(counts.by_mechanism.items()):
            self.stdout.write(f"  {name}: {number} incidents")
        self.stdout.write(f"truth: {truth_path(options['out'])}")
