"""The sign-in drill's machinery: a real server with production password hashing, browsers that
sign in from addresses of their own (any 127.x.y.z reaches the loopback server), a timing
comparison of known and unknown usernames, and a flood of wrong passwords.

Each browser connects from its own loopback address, so the server sees it in REMOTE_ADDR as it
would see a client on the network; nothing relies on X-Forwarded-For.
"""

from __future__ import annotations

import binascii
import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django_otp.oath import totp

from amparo.ops.server import Server, amparo, free_port, scratch_env

PASSWORD = "drill-password-not-for-any-real-account"  # noqa: S105 - scratch accounts only
LOGIN, VERIFY = "/accounts/login/", "/accounts/verify/"
TIMING_ADDRESS = "127.0.5.1"
UNLIMITED = str(10**9)

SEED = """
import json
from amparo.accounts.models import Role, SystemActor
from amparo.accounts.services import entity_create, user_create
system = SystemActor("drill:login")
entity = entity_create(actor=system, slug="login-drill", name="Sign-in drill", country="CO")
keys = {}
for username in USERNAMES:
    user, device = user_create(actor=system, username=username, role=Role.CASE_OFFICER,
                               entity=entity, password=PASSWORD, validate=False)
    keys[username] = device.key
print(json.dumps(keys))
"""

_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def code_for(hex_key: str) -> str:
    return f"{totp(binascii.unhexlify(hex_key), step=30, t0=0, digits=6, drift=0):06d}"


class Browser:
    """One client at one source address, keeping its cookies; a new connection per request."""

    def __init__(self, server: Server, address: str) -> None:
        self.port, self.address = server.port, address
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Status, Location header and body."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return answer.status, answer.headers.get("Location", ""), text
        finally:
            connection.close()

    def csrf(self) -> str:
        status, _, page = self.request("GET", LOGIN)
        found = _CSRF_FIELD.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"the sign-in page answered {status} without a form")
        return found.group(1)

    def password_step(self, username: str, password: str, token: str) -> int:
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.request("POST", LOGIN, form)[0]

    def sign_in(self, username: str, hex_key: str) -> bool:
        """Both steps, as a person does: the page, the password, the code; True if signed in."""
        token = self.csrf()
        if self.password_step(username, PASSWORD, token) != 302:
            return False
        status, _, page = self.request("GET", VERIFY)
        found = _CSRF_FIELD.search(page)
        if status != 200 or found is None:
            return False
        form = {"csrfmiddlewaretoken": found.group(1), "otp_token": code_for(hex_key)}
        status, location, _ = self.request("POST", VERIFY, form)
        return status == 302 and "/accounts/" not in location


@contextmanager
def serving(workdir: Path, **limits: str) -> Iterator[Server]:
    env = scratch_env(workdir / "data", **limits)
    server = Server(env, free_port(), workdir / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def prepare(workdir: Path, usernames: list[str]) -> dict[str, str]:
    """`amparo init --dev` and the drill's users (production Argon2id); their TOTP keys."""
    env = scratch_env(workdir / "data")
    done = amparo(env, "init", "--dev")
    if done.returncode != 0:
        raise RuntimeError(f"amparo init --dev failed: {done.stderr}")
    script = f"USERNAMES = {usernames!r}\nPASSWORD = {PASSWORD!r}\n{SEED}"
    done = amparo(env, "shell", "-c", script)
    if done.returncode != 0:
        raise RuntimeError(f"seeding the sign-in drill failed: {done.stderr}")
    keys: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return keys


@dataclass
class TimingResult:
    tries: int
    known_median_ms: float
    unknown_median_ms: float
    difference_percent: float
    statuses: dict[int, int]


def timing(server: Server, known: str, unknown: str, tries: int) -> TimingResult:
    """Wrong passwords for an existing and an unknown username of the same length, alternated,
    from one address on a server whose limits are lifted (so every try reaches the hasher)."""
    if len(known) != len(unknown):
        raise ValueError("compare usernames of the same length")
    browser = Browser(server, TIMING_ADDRESS)
    token = browser.csrf()
    spent: dict[str, list[float]] = {known: [], unknown: []}
    statuses: Counter[int] = Counter()
    for n in range(2 * tries):
        username = (known, unknown)[n % 2] if (n // 2) % 2 == 0 else (unknown, known)[n % 2]
        started = time.perf_counter()
        statuses[browser.password_step(username, "not the password", token)] += 1
        spent[username].append(time.perf_counter() - started)
    known_ms = statistics.median(spent[known]) * 1000
    unknown_ms = statistics.median(spent[unknown]) * 1000
    return TimingResult(
        tries=tries,
        known_median_ms=round(known_ms, 1),
        unknown_median_ms=round(unknown_ms, 1),
        difference_percent=round(abs(known_ms - unknown_ms) / known_ms * 100, 2),
        statuses=dict(statuses),
    )


@dataclass
class FloodResult:
    seconds: float
    requests: int
    rate_per_second: float
    statuses: dict[int, int]
    legitimate_sign_ins: int
    legitimate_failures: int
    legitimate_p50_ms: float
    legitimate_p99_ms: float
    latencies_ms: list[float] = field(repr=False)


def _attacker(
    server: Server,
    addresses: list[str],
    usernames: list[str],
    per_second: float,
    stop: threading.Event,
    statuses: Counter[int],
    lock: threading.Lock,
) -> None:
    browsers = [Browser(server, address) for address in addresses]
    token = browsers[0].csrf()  # one CSRF cookie and token serve every address
    for browser in browsers[1:]:
        browser.cookies = dict(browsers[0].cookies)
    n, started = 0, time.monotonic()
    while not stop.is_set():
        slot = n % len(browsers)
        try:
            status = browsers[slot].password_step(usernames[n % len(usernames)], "guess", token)
        except OSError:
            status = 0
        with lock:
            statuses[status] += 1
        n += 1
        delay = started + n / per_second - time.monotonic()
        if delay > 0:
            stop.wait(delay)


def flood(
    server: Server,
    *,
    attackers: list[tuple[list[str], list[str]]],
    legitimate: list[tuple[str, str, str]],
    seconds: float,
    per_second: float,
) -> FloodResult:
    """Attacker threads (addresses, usernames) share per_second wrong passwords for `seconds`
    while legitimate (username, key, address) sign in one after the other, each once."""
    stop, lock = threading.Event(), threading.Lock()
    statuses: Counter[int] = Counter()
    rate = per_second / len(attackers)
    threads = [
        threading.Thread(target=_attacker, args=(server, a, u, rate, stop, statuses, lock))
        for a, u in attackers
    ]
    latencies: list[float] = []
    failures = 0
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        time.sleep(min(2.0, seconds / 4))  # the flood is under way before anyone signs in
        pause = max(0.0, (seconds - 2.0) / max(1, len(legitimate)) - 0.5)
        for username, key, address in legitimate:
            if time.monotonic() - started > seconds:
                break
            began = time.perf_counter()
            signed_in = Browser(server, address).sign_in(username, key)
            latencies.append((time.perf_counter() - began) * 1000)
            failures += not signed_in
            time.sleep(pause)
        remaining = seconds - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    ordered = sorted(latencies)
    return FloodResult(
        seconds=round(elapsed, 1),
        requests=total,
        rate_per_second=round(total / elapsed, 1),
        statuses=dict(statuses),
        legitimate_sign_ins=len(latencies),
        legitimate_failures=failures,
        legitimate_p50_ms=round(statistics.median(ordered), 1) if ordered else 0.0,
        legitimate_p99_ms=round(percentile(ordered, 99), 1) if ordered else 0.0,
        latencies_ms=ordered,
    )


def quiet_sign_ins(server: Server, people: list[tuple[str, str, str]]) -> list[float]:
    """Milliseconds each (username, key, address) takes to sign in with nothing else going on."""
    spent = []
    for username, key, address in people:
        began = time.perf_counter()
        if not Browser(server, address).sign_in(username, key):
            raise RuntimeError("a sign-in without any flood failed")
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def percentile(ordered: list[float], percent: int) -> float:
    """Nearest-rank percentile (with few samples, the 99th is the slowest)."""
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def password_step_status(server: Server, username: str, address: str) -> int:
    """What the password step answers this username's right password from this address."""
    browser = Browser(server, address)
    return browser.password_step(username, PASSWORD, browser.csrf())
