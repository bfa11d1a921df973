"""The REST API: one NinjaAPI, a router per domain, OpenAPI 3 at /api/v1/openapi.json.

Every operation requires a verified session or a personal token (the API's default auth), and
answers errors in one shape: {"detail": "..."}, or for 422 {"detail": [{"field", "message"}]}.
There is no interactive documentation page: it would load assets from a CDN.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestValidationError

from amparo.accounts.api import router as accounts_router
from amparo.audit.api import router as audit_router
from amparo.communications.api import router as communications_router
from amparo.coordination.api import router as coordination_router
from amparo.core.api_auth import session_auth, token_auth
from amparo.core.crypto import CryptoError
from amparo.core.schemas import field_errors
from amparo.earlywarning.api import router as earlywarning_router
from amparo.incidents.api import router as incidents_router
from amparo.investigations.api import router as investigations_router
from amparo.measures.api import router as measures_router
from amparo.registry.api import router as registry_router
from amparo.risk.api import router as risk_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Amparo API",
    version="1",
    description=(
        "Protection case management for human rights defenders. Authenticate with a personal "
        "token (`Authorization: Bearer amp_...`) or a second-factor-verified session (send the "
        "CSRF token on unsafe methods). What you may not see answers 404."
    ),
    urls_namespace="api",
    docs_url=None,
    auth=[token_auth, session_auth],
)
api.add_router("", registry_router)
api.add_router("", incidents_router)
api.add_router("/risk", risk_router)
api.add_router("", measures_router)
api.add_router("/audit", audit_router)
api.add_router("", accounts_router)
api.add_router("", coordination_router)
api.add_router("", earlywarning_router)
api.add_router("", communications_router)
api.add_router("", investigations_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Authentication required."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="amparo"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(ValidationError)
def invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": field_errors(exc)}, status=422)


@api.exception_handler(RequestValidationError)
def invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    # Ninja's own shape echoes pydantic internals; keep one shape, and never echo the input.
    detail = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:2] == ["body", "payload"]:
            location = location[2:]
        elif location:
            location = location[1:]
        detail.append({"field": ".".join(location) or "__all__", "message": error.get("msg", "")})
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(CryptoError)
def keys_unavailable(request: HttpRequest, exc: CryptoError) -> HttpResponse:
    # Fail closed: no ciphertext, no trace. Operators find the cause in the log.
    logger.error("Decryption failed on %s: %s", request.path, type(exc).__name__)
    return api.create_response(request, {"detail": "Encrypted data is unavailable."}, status=503)
