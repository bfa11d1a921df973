"""Idle and absolute session timeouts, enforced on the server."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

# How stale the stored last_seen may become before a request writes it again. Writing it on
# every request made every page view a session save (an UPDATE and a COMMIT on the session
# table, serialised on SQLite's write lock); once a minute keeps the idle timeout exact to the
# minute while a session that did not change is not saved at all.
LAST_SEEN_RESOLUTION_SECONDS = 60


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
                if "last_seen" not in request.session or (
                    now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS
                ):
                    request.session["last_seen"] = now
                request.session.setdefault("auth_at", now)
        return self.get_response(request)
