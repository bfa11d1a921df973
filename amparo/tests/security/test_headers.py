"""T17, headers. Every route as every role is checked by the matrix (test_matrix): each answer
carries a Content-Security-Policy without 'unsafe-inline', nosniff, a Referrer-Policy and
Cache-Control: no-store. Here: what only production settings add, HSTS and the HTTPS redirect
(`check --deploy` itself is amparo/tests/test_deploy.py)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(SERVER_NAME="amparo.example.org")
plain = client.get("/healthz")
secure = client.get("/healthz", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csp": secure.get("Content-Security-Policy", ""),
    "nosniff": secure.get("X-Content-Type-Options", ""),
    "referrer": secure.get("Referrer-Policy", ""),
    "cache": secure.get("Cache-Control", ""),
}))
"""


def test_production_answers_with_hsts_and_redirects_to_https(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AMPARO_ENV": "production",
        "AMPARO_DATA_DIR": str(tmp_path),
        "AMPARO_ALLOWED_HOSTS": "amparo.example.org",
        "AMPARO_SECRET_KEY": "s" * 20 + base64.b64encode(os.urandom(40)).decode(),
        "AMPARO_KEK": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    headers = json.loads(done.stdout.strip().splitlines()[-1])
    assert headers["plain_status"] == 301
    assert headers["plain_location"].startswith("https://")
    assert "max-age=31536000" in headers["hsts"]
    assert "includeSubDomains" in headers["hsts"]
    assert headers["csp"] and "unsafe-inline" not in headers["csp"]
    assert headers["nosniff"] == "nosniff"
    assert headers["referrer"] == "same-origin"
    assert "no-store" in headers["cache"]
