"""API authentication: a verified staff session (with CSRF) or a personal bearer token.

Both answer None for anything less than an active user, so the API's default auth turns every
such request into 401. The session path demands the second factor, exactly as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from amparo.accounts.selectors import user_for_token
from amparo.core.access import is_staff_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticated_via(request: HttpRequest) -> str:
    """ "token" or "session": how the current API request was authenticated."""
    return str(getattr(request, "amparo_auth_via", ""))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer amp_...`: a personal token, unrevoked, unexpired, active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            return None
        request.amparo_auth_via = "token"  # type: ignore[attr-defined]
        return user


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session of an active user who passed the second factor.

    CSRF is checked only once the session is known to be good, and only for unsafe methods,
    so an anonymous request gets 401 (not 403) and a bearer-token request never needs a cookie.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key or not is_staff_session(request):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed.")
        request.amparo_auth_via = "session"  # type: ignore[attr-defined]
        return request.user


token_auth = TokenAuth()
session_auth = VerifiedSessionAuth()


def api_actor(request: HttpRequest) -> Any:
    """The user the API's default auth resolved for this request (token or verified session)."""
    return request.auth  # type: ignore[attr-defined]
