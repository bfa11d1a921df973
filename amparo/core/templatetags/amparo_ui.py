"""Template helpers for pages: vocabulary labels, place names and the role-based navigation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.db import models

from amparo.accounts.models import Role
from amparo.core import vocab
from amparo.core.access import AUDIT_ROLES, CASE_CONTENT_ROLES
from amparo.core.places import place_label
from amparo.core.policy import has_role

register = template.Library()

VOCABULARIES: dict[str, type[models.TextChoices]] = {
    "category": vocab.Category,
    "gender": vocab.Gender,
    "status": vocab.DefenderStatus,
    "relation": vocab.Relation,
    "organisation_kind": vocab.OrganisationKind,
    "violation": vocab.Violation,
    "perpetrator": vocab.Perpetrator,
    "context": vocab.Context,
    "verification": vocab.Verification,
    "precision": vocab.DatePrecision,
    "role": Role,
}


def register_vocabulary(name: str, choices: type[models.TextChoices]) -> None:
    """Domains add their own code lists (measure kinds, ...) from their AppConfig.ready()."""
    VOCABULARIES[name] = choices


def _label(choices: type[models.TextChoices], code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def vocab_label(code: str, name: str) -> str:
    """{{ "death_threat"|vocab_label:"violation" }} → "Death threat"."""
    return _label(VOCABULARIES[name], code) if code else ""


@register.filter
def vocab_labels(codes: Iterable[str], name: str) -> str:
    return ", ".join(_label(VOCABULARIES[name], code) for code in codes or ())


@register.filter
def is_grave(code: str) -> bool:
    return code in vocab.GRAVE_VIOLATIONS


@register.simple_tag
def place(country: str, subdivision: str = "") -> str:
    return place_label(country, subdivision) if country else ""


@register.filter
def may_open(user: Any, area: str) -> bool:
    """Which parts of the navigation a user gets: "case_content" or "audit"."""
    roles = {"case_content": CASE_CONTENT_ROLES, "audit": AUDIT_ROLES}[area]
    return has_role(user, *roles)
