"""Reads on accounts: token authentication and the actor's own tokens."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from amparo.accounts.models import TOKEN_PREFIX, ApiToken, User, hash_token


def user_for_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_list(*, actor: User) -> list[ApiToken]:
    """The actor's own personal tokens, newest first (digests are never shown)."""
    return list(ApiToken.objects.filter(user=actor).order_by("-created_at"))


def api_token_get(*, actor: User, token_id: int) -> ApiToken:
    """One of the actor's own tokens; someone else's answers as if it did not exist."""
    from django.http import Http404

    token = ApiToken.objects.filter(user=actor, pk=token_id).first()
    if token is None:
        raise Http404("Not found.")
    return token
