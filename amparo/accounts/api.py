"""API: who am I, and my personal tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from amparo.accounts.models import ApiToken
from amparo.accounts.schemas import MeOut, TokenCreatedOut, TokenIn, TokenOut
from amparo.accounts.selectors import api_token_get, api_token_list
from amparo.accounts.services import api_token_create, api_token_revoke
from amparo.core.api_auth import authenticated_via
from amparo.core.schemas import error_responses, invalid

router = Router(tags=["accounts"])


def _token_out(token: ApiToken) -> dict[str, object]:
    now = timezone.now()
    return {
        "id": token.pk,
        "name": token.name,
        "hint": token.hint,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "active": token.revoked_at is None and (token.expires_at is None or token.expires_at > now),
    }


@router.get("/me", response={200: MeOut, **error_responses(401)})
def me(request: HttpRequest) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    entity = user.entity
    return {
        "username": user.username,
        "role": user.role,
        "entity": None
        if entity is None
        else {
            "slug": entity.slug,
            "name": entity.name,
            "kind": entity.kind,
            "country": entity.country,
        },
        "authenticated_via": authenticated_via(request),
    }


@router.get("/tokens", response={200: list[TokenOut], **error_responses(401)})
def token_list(request: HttpRequest) -> list[dict[str, object]]:
    return [_token_out(token) for token in api_token_list(actor=request.auth)]  # type: ignore[attr-defined]


@router.post("/tokens", response={201: TokenCreatedOut, **error_responses(401, 403, 422)})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    # A stolen token must not be able to mint successors that outlive its revocation.
    if authenticated_via(request) != "session":
        raise PermissionDenied("Create tokens from a signed-in session, not with a token.")
    if not payload.name.strip():
        raise invalid("name", "This field is required.")
    token, raw = api_token_create(
        actor=request.auth,  # type: ignore[attr-defined]
        name=payload.name.strip(),
        expires_in_days=payload.expires_in_days,
    )
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None, **error_responses(401, 403, 404, 422)})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    token = api_token_get(actor=request.auth, token_id=token_id)  # type: ignore[attr-defined]
    if token.revoked_at is None:
        api_token_revoke(actor=request.auth, token=token)  # type: ignore[attr-defined]
    return Status(204, None)
