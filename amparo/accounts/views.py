"""Sign-in in two steps (password, then TOTP; enrolment after a reset), sign-out, API tokens.

Between the steps the session holds only the pending user's id: nobody is logged in until the
second factor is verified. Wrong usernames and wrong passwords answer identically.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import time
from typing import Any, Literal, cast

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.forms import ApiTokenForm, LoginForm, TokenForm
from amparo.accounts.models import User
from amparo.accounts.selectors import api_token_get, api_token_list
from amparo.accounts.services import (
    api_token_create,
    api_token_revoke,
    totp_device_confirm,
    user_language_set,
)
from amparo.audit.services import audit_record
from amparo.core.access import acting_user, is_staff_session, staff_required

PENDING_USER = "amparo_pending_user"
PENDING_AT = "amparo_pending_at"
PENDING_BACKEND = "amparo_pending_backend"
PENDING_NEXT = "amparo_pending_next"
PENDING_SECONDS = 300
SameSite = Literal["Lax", "Strict", "None", False] | None


def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "accounts/locked.html", status=429)


def client_address(request: HttpRequest) -> str:
    """The address lockouts and rate limits count: the connection's, unless the operator said how
    many reverse proxies append to X-Forwarded-For (AMPARO_TRUSTED_PROXIES); the header is
    otherwise ignored, since any client can write it."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.AMPARO_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def _failing(limit: int, **where: str) -> bool:
    """Over the limit within the cool-off, or inside the back-off that starts halfway to it:
    1 s after the failure, then 2 s, 4 s… (a person retyping never notices; a flood waits)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since, **where)
    seen = attempts.aggregate(total=Sum("failures_since_start"), latest=Max("attempt_time"))
    total = seen["total"] or 0
    if total >= limit:
        return True
    if total < limit // 2:
        return False
    back_off = datetime.timedelta(seconds=2 ** min(total - limit // 2, 20))
    return bool(timezone.now() - seen["latest"] < back_off)


def login_refused(request: HttpRequest, username: str) -> bool:
    """Refused before any password is hashed, whether or not the account exists: the (username,
    address) pair is locked (axes); the address fails too often across usernames; the username
    fails too often across addresses and this address never signed in as it."""
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        return True
    address = client_address(request)
    if _failing(settings.AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT, ip_address=address):
        return True
    if not _failing(settings.AMPARO_LOGIN_USERNAME_FAILURE_LIMIT, username=username):
        return False
    # A flood from many addresses does not keep the account's owner out of their usual places.
    return not AccessLog.objects.filter(username=username, ip_address=address).exists()


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _forget_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_BACKEND, PENDING_NEXT):
        request.session.pop(key, None)


def _pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, within the last few minutes."""
    user_id, started = request.session.get(PENDING_USER), request.session.get(PENDING_AT, 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        _forget_pending(request)
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _record_login_failure(username: str) -> None:
    # A known account is named as the actor; what someone typed for an unknown one is not kept.
    known = User.objects.filter(username=username).first()
    audit_record(
        known,
        "auth.login_failed",
        object_type="user" if known else "",
        object_id=known.pk if known else "",
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if is_staff_session(request):
        return redirect(next_url or "home")
    timed_out = request.session.pop("timed_out", False)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if login_refused(request, username):
            return locked_out(request)
        user = authenticate(
            request=request, username=username, password=form.cleaned_data["password"]
        )
        if user is None:
            _record_login_failure(username)
            form.add_error(None, _("The username or password is not correct."))
        else:
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_AT] = time.time()
            request.session[PENDING_BACKEND] = user.backend
            request.session[PENDING_NEXT] = next_url
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect("accounts:verify")
            return redirect("accounts:enrol")
    context = {"form": form, "timed_out": timed_out, "next": next_url}
    return render(request, "accounts/login.html", context)


def _complete_login(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    backend = request.session.get(PENDING_BACKEND)
    next_url = request.session.get(PENDING_NEXT) or ""
    _forget_pending(request)
    auth_login(request, user, backend=backend)
    django_otp.login(request, device)
    now = time.time()
    request.session["auth_at"] = now
    request.session["last_seen"] = now
    audit_record(user, "auth.login", object_type="user", object_id=user.pk)
    response = redirect(_safe_next(request, next_url) or "home")
    if user.language:
        # The stored choice wins over this browser's cookie and Accept-Language from now on.
        translation.activate(user.language)
        _remember_language(response, user.language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    """The language cookie that LocaleMiddleware reads, set as Django's set_language sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
    )


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect back); a signed-in user's choice is also stored."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


def _second_factor_failed(request: HttpRequest, user: User, form: TokenForm) -> None:
    audit_record(user, "auth.otp_failed", object_type="user", object_id=user.pk)
    # Counted with password failures, so guessing codes locks the account out too.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )
    form.add_error(
        "otp_token",
        _("That code is not valid. Check your device's clock and try the current code."),
    )


def _verify_token(device: TOTPDevice, token: str) -> bool:
    with transaction.atomic():  # the device's throttling counters are updated with the check
        return bool(device.verify_token(token))


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if login_refused(request, user.username):
            _forget_pending(request)
            return locked_out(request)
        for device in devices:
            if _verify_token(device, form.cleaned_data["otp_token"]):
                return _complete_login(request, user, device)
        _second_factor_failed(request, user, form)
    return render(request, "accounts/verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in after an administrator reset the second factor: confirm the new device."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:verify")
    # Only an administrator creates a device (by resetting it): a password alone never does.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        return render(request, "accounts/enrol_unavailable.html", status=403)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if login_refused(request, user.username):
            _forget_pending(request)
            return locked_out(request)
        if _verify_token(device, form.cleaned_data["otp_token"]):
            totp_device_confirm(user=user, device=device)
            return _complete_login(request, user, device)
        _second_factor_failed(request, user, form)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    # segno writes presentation attributes only (no style=), so the page keeps its strict CSP.
    qr_svg = mark_safe(segno.make_qr(device.config_url, error="m").svg_inline(omitsize=True))  # noqa: S308
    return render(
        request, "accounts/enrol.html", {"form": form, "secret": secret, "qr_svg": qr_svg}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(request.user, "auth.logout", object_type="user", object_id=request.user.pk)
    auth_logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@staff_required
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = api_token_create(
            actor=user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        # Shown in this response only; never stored, never redirected through the session.
        created = {"token": token, "raw": raw}
        form = ApiTokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": api_token_list(actor=user),
        "nav": "tokens",
    }
    return render(request, "accounts/tokens.html", context)


@staff_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = acting_user(request)
    token = api_token_get(actor=user, token_id=token_id)
    if token.revoked_at is None:
        api_token_revoke(actor=user, token=token)
        messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
