"""Shared pieces of the deny-by-default policy layer; each domain's policies.py builds on these.

Rules: what an actor may not see answers 404 (raise Http404) and never appears in lists, counts
or search; what they see but may not change answers 403 (raise PermissionDenied).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from amparo.accounts.models import Role

NOTHING = Q(pk__in=[])


def is_system(actor: Any) -> bool:
    return bool(getattr(actor, "is_system", False))


def role_of(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "anonymous"
    if not getattr(actor, "is_active", False):
        return "anonymous"
    return "system" if is_system(actor) else str(actor.role)


def has_role(actor: Any, *roles: str) -> bool:
    return role_of(actor) in roles


def sees_identities(actor: Any) -> bool:
    """Analysts work on pseudonymised records: no names, contacts, localities or narratives."""
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.DEFENDER}


def team_member_exists(actor: Any, case_ref: str) -> Exists:
    from amparo.registry.models import CaseMember

    return Exists(CaseMember.objects.filter(case_id=OuterRef(case_ref), user_id=actor.pk))


def team_cases_q(actor: Any, case_ref: str) -> Q:
    """The same condition as team_member_exists, as `case IN (the actor's team cases)`."""
    from amparo.registry.models import CaseMember

    cases = CaseMember.objects.filter(user_id=actor.pk).values("case_id")
    return Q(**{f"{case_ref}__in": cases})


def _on_team(actor: Any, case_ref: str, as_set: bool) -> Q:
    return team_cases_q(actor, case_ref) if as_set else Q(team_member_exists(actor, case_ref))


def case_visible_q(actor: Any, prefix: str = "", *, team_as_set: bool = False) -> Q:
    """Which cases the actor may know exist; prefix is the path to the case ('case__', ...).

    team_as_set: the team condition as a set of cases instead of a per-row EXISTS, for the same
    rows. SQLite reads a set through the index by case, which counts thousands of rows several
    times faster, but an EXISTS lets it walk an ordered index and stop at the first page."""
    role = role_of(actor)
    if role == "system":
        return Q()
    case_ref = f"{prefix}id" if prefix else "pk"
    if role == Role.COORDINATOR:
        return Q(**{f"{prefix}lead_entity_id": actor.entity_id}) & (
            Q(**{f"{prefix}restricted": False}) | _on_team(actor, case_ref, team_as_set)
        )
    if role == Role.CASE_OFFICER:
        return _on_team(actor, case_ref, team_as_set)
    if role == Role.ANALYST:
        return Q(**{f"{prefix}lead_entity_id": actor.entity_id, f"{prefix}restricted": False})
    return NOTHING


def liaison_disclosed_q(actor: Any, prefix: str = "") -> Q:
    """For a liaison: the disclosures made to their entity that are still live (pending or
    accepted); prefix is the path to the disclosure. Everyone else: nothing. A liaison sees case
    content only through these, field by field (amparo.measures.disclosure)."""
    if role_of(actor) != Role.LIAISON or not getattr(actor, "entity_id", None):
        return NOTHING
    return Q(
        **{f"{prefix}to_entity_id": actor.entity_id, f"{prefix}status__in": ["pending", "accepted"]}
    )


def deny(message: str = "You may not do this.") -> PermissionDenied:
    return PermissionDenied(message)


def not_found() -> Http404:
    return Http404("Not found.")
