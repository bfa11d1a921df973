"""Who may import and export interchange files."""

from __future__ import annotations

from typing import Any

from amparo.accounts.models import Role
from amparo.core.policy import role_of


def may_import(actor: Any) -> bool:
    """Imports create and change case records: the roles that document cases."""
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER}


def may_export(actor: Any, *, pseudonymise: bool) -> bool:
    """Case staff export what they see; analysts only pseudonymised (they see no identities)."""
    role = role_of(actor)
    if role in {"system", Role.COORDINATOR, Role.CASE_OFFICER}:
        return True
    return role == Role.ANALYST and pseudonymise


def may_export_aggregates(actor: Any) -> bool:
    """Counts without identities (the HXL file): case staff and analysts, of the incidents
    they see."""
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}


def export_refusal(actor: Any) -> str:
    if role_of(actor) == Role.ANALYST:
        return "Analysts may export pseudonymised records only: add --pseudonymise."
    return "Your role may not export records."
