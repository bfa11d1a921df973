"""Navigation for the registry's own pages, decided by its policies."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.registry.policies import may_review_duplicates

register = template.Library()


@register.filter
def may_open_duplicates(user: Any) -> bool:
    return may_review_duplicates(user)
