"""Views that belong to no domain: home, health check, CSRF failure."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from amparo.core.crypto import CryptoError
from amparo.core.keys import get_keyring
from amparo.core.keystore import index_root_key


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the keys open; 503 otherwise, naming which."""
    status = {"database": "ok", "keys": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status["database"] = "unavailable"
    if status["database"] == "ok":
        try:
            get_keyring().require_current()
            index_root_key()
        except CryptoError:
            status["keys"] = "unavailable"
        except Exception:
            status["keys"] = "unavailable"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **status},
                        status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(request, "home.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
