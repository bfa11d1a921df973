"""Idle and absolute session timeouts, enforced on the server."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get("last_seen", now)
            auth_at = request.session.get("auth_at", now)
            if (
                now - last_seen > settings.AMPARO_SESSION_IDLE_SECONDS
                or now - auth_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                request.session["timed_out"] = True
            else:
                request.session["last_seen"] = now
                request.session.setdefault("auth_at", now)
        return self.get_response(request)
