"""`amparo totp USERNAME`: the current second-factor code of a demo account (development only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user, for trying the demo. Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("amparo totp is for demos and development; refused in production.")
        device = (
            TOTPDevice.objects.filter(user__username__iexact=username, confirmed=True)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise CommandError(f"{username} has no confirmed TOTP device (or does not exist).")
        code = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        remaining = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        if options.get("verbosity", 1) > 1:
            self.stderr.write(f"valid for {remaining} more seconds")
