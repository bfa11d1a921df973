"""The bare view: the web limit, routed only when AMPARO_BENCH is on (never in production)."""

from django.http import HttpRequest, HttpResponse


def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
