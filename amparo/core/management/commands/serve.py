"""`amparo serve`: run Amparo under gunicorn on 127.0.0.1, after checking that it can work.

Static files need no collectstatic step: WhiteNoise serves them through the finders.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from amparo.core.management.commands.init import check_keys_open_database, pending_migrations

# No query strings in the access log: search terms (names, phone numbers) travel in them.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def default_port() -> int:
    value = os.environ.get("PORT") or "8000"
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise CommandError(f"PORT must be a TCP port number, not {value!r}.")
    return int(value)


def default_workers() -> int:
    value = os.environ.get("WEB_CONCURRENCY", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return min(4, max(2, os.cpu_count() or 2))


def check_ready() -> None:
    """Refuse to start a server that could not do its job; each message says what to do."""
    development = not settings.PRODUCTION and not settings.TESTING
    operator_key = os.environ.get("AMPARO_KEK") or os.environ.get("AMPARO_KEK_FILE")
    if development and not operator_key and not Path(settings.AMPARO_DEV_KEY_FILE).exists():
        raise CommandError(
            "This development installation has no keys yet: run `amparo init --dev` "
            "(or `amparo demo`) first."
        )
    try:
        pending = pending_migrations()
    except DatabaseError as error:
        raise CommandError(
            f"The database cannot be reached ({error.__class__.__name__}); check DATABASE_URL."
        ) from None
    if pending:
        raise CommandError(
            f"The database schema is not up to date ({pending} migrations pending): "
            "run `amparo init` first."
        )
    check_keys_open_database()


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        # gunicorn's run-time control socket is a management surface Amparo does not use.
        "--no-control-socket",
    ]


def run_server(*, host: str, port: int, workers: int, stdout: Any, stderr: Any) -> None:
    """Replace this process with gunicorn (so signals reach it directly); in development on a
    system without gunicorn, fall back to Django's single-process server."""
    check_ready()
    connections.close_all()
    stdout.write(f"Serving Amparo on http://{host}:{port}/ ({workers} workers). Ctrl-C stops.")
    stdout.flush()
    if importlib.util.find_spec("gunicorn") is not None and sys.platform != "win32":
        argv = gunicorn_argv(host=host, port=port, workers=workers)
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell
        return  # only reached when os.execv is patched in tests
    if settings.PRODUCTION:
        raise CommandError("gunicorn is not available; install it (pip install gunicorn).")
    stderr.write("gunicorn is not available here: using Django's development server instead.")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


class Command(BaseCommand):
    help = "Serve Amparo with gunicorn on 127.0.0.1:PORT (default 8000), after checking keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=None, help="TCP port (default: $PORT or 8000)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: $WEB_CONCURRENCY, else 2 to 4 by CPU count)",
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to bind (default 127.0.0.1: put a TLS reverse proxy in front)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or default_port()
        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        run_server(
            host=options["host"], port=port, workers=workers, stdout=self.stdout, stderr=self.stderr
        )
