"""Test helpers shared by the page tests."""

from __future__ import annotations

import re
from typing import Any

import django_otp
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


def login(client: Client, user: Any) -> Client:
    """Sign the user in with a verified second factor, as the TOTP step would."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def logged_in(user: Any) -> Client:
    return login(Client(), user)


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def assert_no_inline_script(html: str) -> None:
    """Every <script> tag loads a file; nothing is inline and no element carries style=."""
    for attributes in _SCRIPT_TAG.findall(html):
        assert "src=" in attributes, f"inline <script{attributes}>"
    assert not re.search(r"<script\b[^>]*>(?!\s*</script>)", html), "a <script> tag has a body"
    assert not re.search(r"\sstyle=", html, re.IGNORECASE), "an inline style= attribute"
    assert not re.search(r"\son[a-z]+=", html, re.IGNORECASE), "an inline event handler"
