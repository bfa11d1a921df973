"""Browser tests: headless Chromium (Debian's package) driven by Playwright, against a live server.

Run with the rest of the suite (`make test`); `-m browser` runs only these, `-m "not browser"`
leaves them out. Chromium is installed with apt-get when it is missing and we are root;
otherwise these tests are skipped with the reason (and fail under CI, which must run them).
Playwright never downloads a browser of its own: it drives /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _install_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        _unavailable(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(apt-get install chromium) to run the browser tests"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    if subprocess.run(command, env=env, capture_output=True, check=False).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode:
            _unavailable(f"apt-get install chromium failed: {result.stderr[-500:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _install_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the tests
    # themselves are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox", "--disable-dev-shm-usage", "--font-render-hinting=none"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A live server on a free port. Not pytest-django's live_server: that one flushes the
    database before the audit log's append-only triggers can be dropped (audit_transactional_db)."""
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        live = LiveServer("127.0.0.1:0")
    yield live.url
    live.stop()
    # audit_transactional_db recreates the audit triggers after the last test on a connection
    # that Playwright's greenlets keep out of reach of close_all(); left open, it would keep
    # PostgreSQL from dropping the test database. End such idle sessions, then ours.
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state = 'idle'"
            )
    connections.close_all()


@pytest.fixture
def site(server: str, audit_transactional_db: None, settings: Any, tmp_path: Path) -> str:
    """The server's address, with a clean database, the intake entity, no rate-limit counts."""
    settings.AMPARO_INTAKE_ENTITY = "desk"
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path / "attachments"
    cache.clear()
    yield server
    cache.clear()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in fresh browser contexts (own cookies), by viewport and language."""
    contexts: list[Any] = []

    def open_page(
        *, viewport: dict[str, int] = DESKTOP, locale: str = "en-GB", javascript: bool = True
    ) -> Any:
        context = browser.new_context(
            viewport=viewport,
            locale=locale,
            java_script_enabled=javascript,
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def totp_code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:0{device.digits}d}"


def sign_in(page: Any, base: str, user: Any, password: str) -> None:
    """The real sign-in: password, then the authenticator code."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp_code(user))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
