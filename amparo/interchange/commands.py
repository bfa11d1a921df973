"""What the import and export commands share: who the actor is."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from amparo.accounts.models import SystemActor, User


def actor_for(username: str | None, *, default_label: str) -> Any:
    """The user named by --as (their policies apply), or the operator as the system actor."""
    if not username:
        return SystemActor(default_label)
    user = User.objects.filter(username=username, is_active=True).select_related("entity").first()
    if user is None:
        raise CommandError(f"No active user is called {username!r}.")
    return user
