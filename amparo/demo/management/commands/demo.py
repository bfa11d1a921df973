"""`amparo demo`: development keys, a synthetic data set, one account per role, then the server.

Safe to run again: it loads the data set once (the demo entity marks it) and reprints the
accounts. The data are invented; see amparo/demo/synthetic.py.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.management.commands.createuser import totp_secret
from amparo.accounts.models import User
from amparo.core.management.commands.serve import default_port, default_workers, run_server
from amparo.demo.generator import DEMO_PASSWORD, DEMO_SEED, DEMO_USERS, DemoSize, load_demo


def _program() -> str:
    """How the operator invoked amparo (e.g. .venv/bin/amparo from `make demo`), for hints."""
    invoked = sys.argv[0] if sys.argv else ""
    if os.path.basename(invoked) == "amparo":
        return os.path.relpath(invoked) if os.path.isabs(invoked) else invoked
    return "amparo"


class Command(BaseCommand):
    help = "Set up a development installation with synthetic demo data and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="load, print, do not serve")
        parser.add_argument("--defenders", type=int, default=DemoSize.defenders)
        parser.add_argument("--incidents", type=int, default=DemoSize.incidents)
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo loads invented data with development keys; refused in "
                "production (AMPARO_ENV=production)."
            )
        if options["defenders"] < 1 or options["incidents"] < 0:
            raise CommandError("--defenders must be at least 1 and --incidents at least 0.")
        verbosity = options["verbosity"]
        call_command("init", dev=True, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        size = DemoSize(defenders=options["defenders"], incidents=options["incidents"])
        if verbosity:
            self.stdout.write(
                f"Loading the synthetic demo ({size.defenders} defenders, "
                f"{size.incidents} incidents) if it is not there yet…"
            )
        try:
            result = load_demo(
                size=size, seed=options["seed"], progress=self.stdout.write if verbosity else None
            )
        except ValidationError as error:
            # e.g. an account named like a demo account exists already: nothing was written.
            raise CommandError(
                f"The demo cannot be loaded into this database ({'; '.join(error.messages)}). "
                "Use an empty data directory: AMPARO_DATA_DIR=/tmp/amparo-demo amparo demo"
            ) from None
        if result.loaded:
            summary = ", ".join(f"{n} {what}" for what, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Loaded in {result.seconds:.1f} s: {summary}."))
        elif verbosity:
            self.stdout.write("The demo data set is loaded already; nothing added.")
        self.print_accounts()
        if not options["no_serve"]:
            run_server(
                host="127.0.0.1",
                port=options["port"] or default_port(),
                workers=options["workers"] or default_workers(),
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def print_accounts(self) -> None:
        rows = [("username", "role", "password", "TOTP secret")]
        for username, _role, _entity in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
            if user is None or device is None:
                continue
            rows.append((user.username, user.role, DEMO_PASSWORD, totp_secret(device)))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("\nDemo accounts (synthetic data only; never reuse these passwords):")
        for row in rows:
            self.stdout.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            )
        self.stdout.write(
            f"The login asks for a 6-digit code: `{_program()} totp USERNAME` prints the current "
            "one\n(or add the secret to an authenticator app, or run "
            "`oathtool --totp -b SECRET`).\n"
        )
