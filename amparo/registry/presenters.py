"""What a given actor is shown of registry records: full, pseudonymised, or a shredded stub.

Presenting decrypts, so presenting is where sensitive reads are audited (one event per record).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError, Shredded
from amparo.core.policy import sees_identities
from amparo.registry.models import Defender, Organisation, Person

DEFENDER_SENSITIVE = ["name", "alias", "locality", "contacts"]
logger = logging.getLogger(__name__)


@dataclass
class DefenderView:
    code: str
    external_id: str
    case_code: str
    restricted: bool
    gender: str
    birth_year: int | None
    categories: list[str]
    country: str
    subdivision: str
    status: str
    registered_on: datetime.date
    consent_register: bool
    consent_share_with_state: bool
    shredded: bool
    identity_shown: bool
    name: str | None = None
    alias: str | None = None
    locality: str | None = None
    contacts: dict[str, str] = field(default_factory=dict)
    defender: Defender | None = field(default=None, repr=False)


def _identity(
    defender: Defender, name_only: bool
) -> tuple[str | None, str | None, str | None, dict[str, str]]:
    if name_only:
        return defender.name, None, None, {}
    return defender.name, defender.alias, defender.locality, defender.contacts or {}


def present_defenders(
    actor: Any, defenders: Sequence[Defender], *, via: str, name_only: bool = False
) -> list[DefenderView]:
    """Views of the defenders for this actor; identities decrypted and audited when allowed.

    name_only: for lists, which show the name and nothing else of the identity; only the name is
    decrypted, and only the name is recorded as read."""
    identities = sees_identities(actor)
    views, read = [], []
    for defender in defenders:
        view = DefenderView(
            code=defender.code,
            external_id=defender.external_id,
            case_code=defender.case.code,
            restricted=defender.case.restricted,
            gender=defender.gender,
            birth_year=defender.birth_year,
            categories=defender.category_codes,
            country=defender.country,
            subdivision=defender.subdivision,
            status=defender.status,
            registered_on=defender.registered_on,
            consent_register=defender.consent_register,
            consent_share_with_state=defender.consent_share_with_state,
            shredded=defender.is_shredded,
            identity_shown=False,
            defender=defender,
        )
        if identities and not defender.is_shredded:
            try:
                view.name, view.alias, view.locality, view.contacts = _identity(defender, name_only)
            except Shredded:
                view.shredded = True
            except CryptoError as error:
                # A missing or wrong key, or a ciphertext that does not authenticate: nothing is
                # shown, but it is not "shredded" either; the data may well exist (or be forged).
                logger.warning(
                    "Cannot decrypt defender %s: %s", defender.code, type(error).__name__
                )
            else:
                view.identity_shown = True
                read.append(defender)
        views.append(view)
    fields = ["name"] if name_only else DEFENDER_SENSITIVE
    audit_read(actor, "defender", read, fields=fields, via=via)
    return views


def present_defender(actor: Any, defender: Defender, *, via: str) -> DefenderView:
    return present_defenders(actor, [defender], via=via)[0]


@dataclass
class PersonView:
    external_id: str
    defender_code: str
    relation: str
    country: str
    subdivision: str
    name: str | None


def present_persons(actor: Any, persons: Sequence[Person], *, via: str) -> list[PersonView]:
    identities = sees_identities(actor)
    views, read = [], []
    for person in persons:
        name = None
        if identities and not person.defender.is_shredded:
            try:
                name = person.name
                read.append(person)
            except CryptoError:
                name = None
        views.append(
            PersonView(
                person.external_id,
                person.defender.code,
                person.relation,
                person.country,
                person.subdivision,
                name,
            )
        )
    audit_read(actor, "person", read, fields=["name"], via=via)
    return views


def organisation_label(actor: Any, organisation: Organisation) -> str:
    """Public organisations by name; community and informal ones only to those who see identities
    (not audited: an organisation's name is not a defender's identity)."""
    if not organisation.name_is_sensitive:
        return organisation.name
    if sees_identities(actor):
        try:
            return organisation.sealed_name or organisation.external_id
        except CryptoError:
            return organisation.external_id
    return organisation.external_id


def merged_into_code(actor: Any, defender: Defender) -> str | None:
    """For a merged record, the code of the record that now stands for it (following merges)
    when the actor may see that one; None for a live record or an invisible survivor."""
    if not defender.merged_into_id:
        return None
    from amparo.registry.merge import merged_survivor
    from amparo.registry.selectors import defender_queryset

    survivor = merged_survivor(defender)
    if survivor.pk == defender.pk or not defender_queryset(actor).filter(pk=survivor.pk).exists():
        return None
    return survivor.code
