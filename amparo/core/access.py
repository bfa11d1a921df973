"""View decorators: every staff page needs a signed-in, second-factor-verified, active user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from amparo.accounts.models import Role, User
from amparo.core.policy import has_role

View = Callable[..., HttpResponseBase]

# Who may open the pages that show case content (each record is then filtered by policy), and
# the audit log (no case content at all).
CASE_CONTENT_ROLES = (Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST)
AUDIT_ROLES = (Role.AUDITOR,)
# The disclosure inbox: the staff who disclose and the liaisons of the receiving entities, who
# see there only what was disclosed to them (never the registry or incident pages).
DISCLOSURE_ROLES = (Role.COORDINATOR, Role.CASE_OFFICER, Role.LIAISON)


def is_staff_session(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a page behind staff_required."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def staff_required(view: View) -> View:
    """Anonymous, unverified or disabled users go to the login page (and come back after)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_staff_session(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def roles_required(*roles: str) -> Callable[[View], View]:
    """A staff page for some roles only: the others get 403 (they know the page exists)."""

    def decorator(view: View) -> View:
        @staff_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
