"""Writes on the registry: register and change defenders, relatives, organisations and cases.

Every function takes the actor, checks the policy, validates, writes in one transaction and
records the audit event inside it. Nothing else saves registry models.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, Role, User
from amparo.audit.services import PendingEvent, audit_record, audit_record_many
from amparo.coordination.services import consent_record_flags, consent_record_registered
from amparo.core.blind import blind_index
from amparo.core.bulk import insert_rows
from amparo.core.codes import reserve_codes
from amparo.core.keystore import data_key_create, data_key_shred, data_keys_create
from amparo.core.policy import deny, role_of
from amparo.core.validation import Errors, local_today
from amparo.core.vocab import (
    SENSITIVE_ORGANISATION_KINDS,
    Category,
    DefenderStatus,
    Gender,
    OrganisationKind,
    Relation,
    codes,
)
from amparo.registry.models import (
    BlindIndex,
    Case,
    CaseMember,
    Defender,
    DefenderCategory,
    Organisation,
    Person,
)
from amparo.registry.policies import (
    may_change_defender,
    may_manage_case,
    may_register_defender,
    may_register_organisation,
    may_shred_defender,
    may_work_case,
)

CASE_PREFIX = "CASE"


@dataclass
class DefenderData:
    """What a defender record holds, validated the same way whatever the channel."""

    name: str
    country: str
    categories: list[str]
    alias: str = ""
    gender: str = Gender.UNKNOWN
    birth_year: int | None = None
    subdivision: str = ""
    locality: str = ""
    contacts: dict[str, str] = field(default_factory=dict)
    organisations: list[Organisation] = field(default_factory=list)
    status: str = DefenderStatus.ACTIVE
    registered_on: datetime.date | None = None
    consent_register: bool = False
    consent_share_with_state: bool = False

    def validate(self) -> None:
        errors = Errors()
        errors.required_text("name", self.name)
        errors.country("country", self.country)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.codes("categories", self.categories, codes(Category), at_least_one=True)
        errors.code("gender", self.gender, codes(Gender))
        errors.code("status", self.status, codes(DefenderStatus))
        if self.birth_year is not None and not 1900 <= self.birth_year <= local_today().year:
            errors.add("birth_year", "Give a year between 1900 and this year.")
        if not isinstance(self.contacts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.contacts.items()
        ):
            errors.add("contacts", "Contacts are pairs of text keys and text values.")
        errors.not_future("registered_on", self.registered_on)
        errors.raise_if_any()


# Fields compared on update; the sensitive ones are encrypted, the rest plain columns.
_SENSITIVE = ("name", "alias", "locality", "contacts")
_PLAIN = (
    "gender",
    "birth_year",
    "country",
    "subdivision",
    "status",
    "registered_on",
    "consent_register",
    "consent_share_with_state",
)
# The consent flags mirror the current consent records (amparo.coordination), which a change
# of these flags appends to.
_CONSENT = ("consent_register", "consent_share_with_state")


def _entity_for(actor: Any, entity: Entity | None) -> Entity:
    entity = entity or getattr(actor, "entity", None)
    if entity is None:
        raise deny("A lead entity is needed to open a case.")
    return entity


def case_open(*, actor: Any, entity: Entity, kind: str = Case.Kind.INDIVIDUAL) -> Case:
    return cases_open(actor=actor, entities=[entity], kind=kind)[0]


def cases_open(
    *, actor: Any, entities: Sequence[Entity], kind: str = Case.Kind.INDIVIDUAL
) -> list[Case]:
    """Open one case per entity given: a block of codes, one INSERT, the audit events in order."""
    if not entities:
        return []
    today = timezone.localdate()
    cases = [
        Case(code=code, kind=kind, lead_entity=entity, opened_on=today)
        for entity, code in zip(entities, reserve_codes(CASE_PREFIX, len(entities)), strict=True)
    ]
    insert_rows(Case, cases)
    if role_of(actor) == Role.CASE_OFFICER:
        insert_rows(CaseMember, (CaseMember(case=case, user=actor) for case in cases))
    audit_record_many(
        actor,
        [
            PendingEvent("case.create", "case", str(case.pk), ["lead_entity", "kind"])
            for case in cases
        ],
    )
    return cases


def _index_defender(defender: Defender, name: str, alias: str, contacts: dict[str, str]) -> None:
    defender.blind_indexes.filter(person__isnull=True).delete()
    BlindIndex.objects.bulk_create(_defender_index_rows(defender, name, alias, contacts))


def _defender_index_rows(
    defender: Defender, name: str, alias: str, contacts: dict[str, str]
) -> list[BlindIndex]:
    rows = []
    for value in (name, alias):
        digest = blind_index("defender.name", value) if value else None
        if digest:
            rows.append(BlindIndex(defender=defender, purpose="defender.name", digest=digest))
    for key, value in contacts.items():
        kind = (
            "email"
            if "@" in value or key == "email"
            else "phone"
            if key in {"phone", "mobile", "signal", "whatsapp", "telegram"}
            else None
        )
        digest = blind_index(f"defender.{kind}", value) if kind else None
        if digest:
            rows.append(BlindIndex(defender=defender, purpose=f"defender.{kind}", digest=digest))
    return rows


def _set_categories(defender: Defender, categories: list[str]) -> None:
    defender.category_rows.all().delete()
    DefenderCategory.objects.bulk_create(_category_rows(defender, categories))


def _category_rows(defender: Defender, categories: list[str]) -> list[DefenderCategory]:
    return [DefenderCategory(defender=defender, code=code) for code in sorted(set(categories))]


@dataclass
class PreparedDefender:
    """A checked new defender, not stored yet: its row (no code, data key or case yet), its data,
    and the lead entity of the case to open for it (None when it joins a given case)."""

    defender: Defender
    data: DefenderData
    case_entity: Entity | None


def defender_prepare(
    *,
    actor: Any,
    data: DefenderData,
    case: Case | None = None,
    entity: Entity | None = None,
    external_id: str | None = None,
    digest: str = "",
) -> PreparedDefender:
    """Check a new defender (policy, validation, lead entity) and build its row; raises
    PermissionDenied or ValidationError and writes nothing. Stored by defender_store_many."""
    if not may_register_defender(actor):
        raise deny()
    if case is not None and not may_work_case(actor, case):
        raise deny()
    data.validate()
    case_entity = None if case is not None else _entity_for(actor, entity)
    defender = Defender(
        external_id=external_id or "",
        created_by=actor if isinstance(actor, User) else None,
        digest=digest,
        **{name: getattr(data, name) for name in _PLAIN},
    )
    if case is not None:
        defender.case = case
    defender.registered_on = data.registered_on or timezone.localdate()
    defender.name, defender.contacts = data.name, data.contacts
    defender.alias = data.alias or None
    defender.locality = data.locality or None
    return PreparedDefender(defender, data, case_entity)


def defender_store_many(*, actor: Any, prepared: Sequence[PreparedDefender]) -> list[Defender]:
    """Store prepared defenders in one transaction, as defender_register does for one: a case
    opened for each that has none, a block of codes, their data keys, one INSERT per table (rows,
    categories, organisations, blind indexes, consent records; sensitive fields are sealed as
    each row is inserted) and the audit events in chain order."""
    defenders = [item.defender for item in prepared]
    if not defenders:
        return []
    with transaction.atomic():
        opening = [item for item in prepared if item.case_entity is not None]
        entities = [item.case_entity for item in opening if item.case_entity is not None]
        for item, case in zip(opening, cases_open(actor=actor, entities=entities), strict=True):
            item.defender.case = case
        codes_given = reserve_codes(settings.AMPARO_CODE_PREFIX, len(defenders))
        keys = data_keys_create(len(defenders))
        for defender, code, data_key in zip(defenders, codes_given, keys, strict=True):
            defender.code, defender.data_key = code, data_key
            defender.external_id = defender.external_id or code
        insert_rows(Defender, defenders)
        insert_rows(
            DefenderCategory,
            (
                row
                for item in prepared
                for row in _category_rows(item.defender, item.data.categories)
            ),
        )
        membership = Defender.organisations.through
        insert_rows(
            membership,
            (
                membership(defender_id=item.defender.pk, organisation_id=pk)
                for item in prepared
                for pk in dict.fromkeys(o.pk for o in item.data.organisations)
            ),
        )
        insert_rows(
            BlindIndex,
            (
                row
                for item in prepared
                for row in _defender_index_rows(
                    item.defender, item.data.name, item.data.alias, item.data.contacts
                )
            ),
        )
        consent_record_registered(actor=actor, defenders=defenders)
        audit_record_many(
            actor,
            [
                PendingEvent(
                    "defender.create",
                    "defender",
                    str(defender.pk),
                    [*_SENSITIVE, *_PLAIN, "categories", "organisations", "case"],
                    {"code": defender.code, "case": defender.case.code},
                )
                for defender in defenders
            ],
        )
    return defenders


def defender_register(
    *,
    actor: Any,
    data: DefenderData,
    case: Case | None = None,
    entity: Entity | None = None,
    external_id: str | None = None,
    digest: str = "",
) -> Defender:
    prepared = defender_prepare(
        actor=actor, data=data, case=case, entity=entity, external_id=external_id, digest=digest
    )
    return defender_store_many(actor=actor, prepared=[prepared])[0]


def defender_update(
    *, actor: Any, defender: Defender, data: DefenderData, digest: str | None = None
) -> list[str]:
    """Apply changes; returns the names of the fields that changed (empty: nothing written)."""
    if not may_change_defender(actor, defender):
        raise deny()
    data.validate()
    changed = [n for n in _PLAIN if getattr(defender, n) != getattr(data, n)]
    if data.registered_on is None and "registered_on" in changed:
        changed.remove("registered_on")
    current = {
        "name": defender.name,
        "alias": defender.alias or "",
        "locality": defender.locality or "",
        "contacts": defender.contacts or {},
    }
    wanted = {
        "name": data.name,
        "alias": data.alias or "",
        "locality": data.locality or "",
        "contacts": data.contacts or {},
    }
    changed += [n for n in _SENSITIVE if current[n] != wanted[n]]
    if sorted(defender.category_codes) != sorted(set(data.categories)):
        changed.append("categories")
    if {o.pk for o in defender.organisations.all()} != {o.pk for o in data.organisations}:
        changed.append("organisations")
    if not changed:
        return []
    with transaction.atomic():
        for name in _PLAIN:
            if name in changed:
                setattr(defender, name, getattr(data, name))
        for name in _SENSITIVE:
            if name in changed:
                setattr(defender, name, wanted[name] or (None if name != "contacts" else {}))
        if digest is not None:
            defender.digest = digest
        defender.save()
        if "categories" in changed:
            _set_categories(defender, data.categories)
        if "organisations" in changed:
            defender.organisations.set(data.organisations)
        if {"name", "alias", "contacts"} & set(changed):
            _index_defender(defender, data.name, data.alias, data.contacts)
        if set(_CONSENT) & set(changed):
            consent_record_flags(actor=actor, defender=defender, flags=changed)
        audit_record(
            actor, "defender.update", object_type="defender", object_id=defender.pk, fields=changed
        )
    return changed


def case_set_team(*, actor: Any, case: Case, members: list[User]) -> None:
    if not may_manage_case(actor, case):
        raise deny()
    errors = Errors()
    for user in members:
        if user.role not in {Role.COORDINATOR, Role.CASE_OFFICER} or (
            user.entity_id != case.lead_entity_id
        ):
            errors.add(
                "members",
                f"{user.username} is not a coordinator or case officer of the case's lead entity.",
            )
    errors.raise_if_any()
    with transaction.atomic():
        before = set(case.members.values_list("user_id", flat=True))
        after = {user.pk for user in members}
        case.members.filter(user_id__in=before - after).delete()
        CaseMember.objects.bulk_create(CaseMember(case=case, user_id=pk) for pk in after - before)
        audit_record(
            actor,
            "case.team",
            object_type="case",
            object_id=case.pk,
            fields=["team"],
            detail={"added": sorted(after - before), "removed": sorted(before - after)},
        )


def case_set_restricted(*, actor: Any, case: Case, restricted: bool) -> None:
    if not may_manage_case(actor, case):
        raise deny()
    if case.restricted == restricted:
        return
    with transaction.atomic():
        # A restricted case with no team would be invisible to everyone: keep its restrictor.
        if restricted and isinstance(actor, User):
            CaseMember.objects.get_or_create(case=case, user=actor)
        case.restricted = restricted
        case.save(update_fields=["restricted"])
        audit_record(
            actor,
            "case.restrict" if restricted else "case.unrestrict",
            object_type="case",
            object_id=case.pk,
            fields=["restricted"],
        )


@dataclass
class PersonData:
    name: str
    relation: str
    country: str = ""
    subdivision: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.required_text("name", self.name)
        errors.code("relation", self.relation, codes(Relation))
        errors.country("country", self.country, required=False)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.raise_if_any()


def person_prepare(
    *,
    actor: Any,
    defender: Defender,
    data: PersonData,
    external_id: str | None = None,
    digest: str = "",
) -> Person:
    """Check a new relative (policy, validation) and build their row; raises PermissionDenied or
    ValidationError and writes nothing. Stored by person_store_many."""
    if not may_change_defender(actor, defender):
        raise deny()
    data.validate()
    person = Person(
        external_id=external_id or "",
        defender=defender,
        data_key=defender.data_key,
        relation=data.relation,
        country=data.country,
        subdivision=data.subdivision,
        digest=digest,
    )
    person.external_id = external_id or f"{defender.code}-P-{person.pk.hex[:8]}"
    person.name = data.name
    return person


def person_store_many(*, actor: Any, prepared: Sequence[Person]) -> list[Person]:
    """Store prepared relatives in one transaction, as person_create does for one: one INSERT per
    table (rows, blind indexes) and the audit events in chain order."""
    persons = list(prepared)
    if not persons:
        return []
    with transaction.atomic():
        insert_rows(Person, persons)
        insert_rows(
            BlindIndex,
            (row for person in persons for row in _person_index_rows(person, person.name)),
        )
        audit_record_many(
            actor,
            [
                PendingEvent(
                    "person.create",
                    "person",
                    str(person.pk),
                    ["name", "relation", "country", "subdivision"],
                    {"defender": person.defender.code},
                )
                for person in persons
            ],
        )
    return persons


def person_create(
    *,
    actor: Any,
    defender: Defender,
    data: PersonData,
    external_id: str | None = None,
    digest: str = "",
) -> Person:
    person = person_prepare(
        actor=actor, defender=defender, data=data, external_id=external_id, digest=digest
    )
    return person_store_many(actor=actor, prepared=[person])[0]


def person_update(
    *, actor: Any, person: Person, data: PersonData, digest: str | None = None
) -> list[str]:
    if not may_change_defender(actor, person.defender):
        raise deny()
    data.validate()
    changed = [
        n for n in ("relation", "country", "subdivision") if getattr(person, n) != getattr(data, n)
    ]
    if person.name != data.name:
        changed.append("name")
    if not changed:
        return []
    with transaction.atomic():
        person.relation, person.country, person.subdivision = (
            data.relation,
            data.country,
            data.subdivision,
        )
        person.name = data.name
        if digest is not None:
            person.digest = digest
        person.save()
        if "name" in changed:
            _index_person(person, data.name)
        audit_record(
            actor, "person.update", object_type="person", object_id=person.pk, fields=changed
        )
    return changed


def _index_person(person: Person, name: str) -> None:
    person.blind_indexes.all().delete()
    BlindIndex.objects.bulk_create(_person_index_rows(person, name))


def _person_index_rows(person: Person, name: str) -> list[BlindIndex]:
    digest = blind_index("person.name", name)
    if not digest:
        return []
    return [
        BlindIndex(defender=person.defender, person=person, purpose="person.name", digest=digest)
    ]


@dataclass
class OrganisationData:
    name: str
    kind: str
    country: str
    subdivision: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.required_text("name", self.name)
        errors.code("kind", self.kind, codes(OrganisationKind))
        errors.country("country", self.country)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.raise_if_any()


def _apply_organisation_name(organisation: Organisation, data: OrganisationData) -> None:
    """Set the name, sealed for the sensitive kinds; the caller gives a data key to a sensitive
    one that has none yet (_needs_data_key)."""
    if data.kind in SENSITIVE_ORGANISATION_KINDS:
        organisation.name, organisation.sealed_name = "", data.name
    else:
        organisation.name, organisation.sealed_name = data.name, None


def _needs_data_key(organisation: Organisation) -> bool:
    return organisation.kind in SENSITIVE_ORGANISATION_KINDS and organisation.data_key_id is None


def organisation_prepare(
    *,
    actor: Any,
    data: OrganisationData,
    entity: Entity | None = None,
    external_id: str | None = None,
    digest: str = "",
) -> Organisation:
    """Check a new organisation (policy, validation, lead entity) and build its row; raises
    PermissionDenied or ValidationError and writes nothing. Stored by organisation_store_many."""
    if not may_register_organisation(actor):
        raise deny()
    data.validate()
    organisation = Organisation(
        kind=data.kind,
        country=data.country,
        subdivision=data.subdivision,
        lead_entity=_entity_for(actor, entity),
        digest=digest,
    )
    organisation.external_id = external_id or f"ORG-{organisation.pk.hex[:12]}"
    _apply_organisation_name(organisation, data)
    return organisation


def organisation_store_many(*, actor: Any, prepared: Sequence[Organisation]) -> list[Organisation]:
    """Store prepared organisations in one transaction, as organisation_create does for one: data
    keys for the sensitive kinds, one INSERT and the audit events in chain order."""
    organisations = list(prepared)
    if not organisations:
        return []
    with transaction.atomic():
        sealed = [o for o in organisations if _needs_data_key(o)]
        for organisation, data_key in zip(sealed, data_keys_create(len(sealed)), strict=True):
            organisation.data_key = data_key
        insert_rows(Organisation, organisations)
        audit_record_many(
            actor,
            [
                PendingEvent(
                    "organisation.create",
                    "organisation",
                    str(organisation.pk),
                    ["name", "kind", "country", "subdivision"],
                )
                for organisation in organisations
            ],
        )
    return organisations


def organisation_create(
    *,
    actor: Any,
    data: OrganisationData,
    entity: Entity | None = None,
    external_id: str | None = None,
    digest: str = "",
) -> Organisation:
    organisation = organisation_prepare(
        actor=actor, data=data, entity=entity, external_id=external_id, digest=digest
    )
    return organisation_store_many(actor=actor, prepared=[organisation])[0]


def organisation_update(
    *, actor: Any, organisation: Organisation, data: OrganisationData, digest: str | None = None
) -> list[str]:
    from amparo.registry.policies import organisation_scope

    if not Organisation.objects.filter(organisation_scope(actor), pk=organisation.pk).exists():
        raise deny()
    if role_of(actor) not in {"system", Role.COORDINATOR, Role.CASE_OFFICER}:
        raise deny()
    data.validate()
    changed = [
        n
        for n in ("kind", "country", "subdivision")
        if getattr(organisation, n) != getattr(data, n)
    ]
    if organisation.display_name != data.name:
        changed.append("name")
    if not changed:
        return []
    with transaction.atomic():
        organisation.kind, organisation.country, organisation.subdivision = (
            data.kind,
            data.country,
            data.subdivision,
        )
        _apply_organisation_name(organisation, data)
        if _needs_data_key(organisation):
            organisation.data_key = data_key_create()
        if digest is not None:
            organisation.digest = digest
        organisation.save()
        audit_record(
            actor,
            "organisation.update",
            object_type="organisation",
            object_id=organisation.pk,
            fields=changed,
        )
    return changed


def defender_shred(*, actor: Any, defender: Defender) -> None:
    """Destroy the defender's data key: their identity, relatives and the incidents sealed under
    that key become unreadable for good, and so do their self-reports and the letters about them
    alone, sealed under keys of their own. The stub stays for counts."""
    if not may_shred_defender(actor, defender):
        raise deny()
    if defender.is_shredded:
        return
    from amparo.communications.services import letters_erase
    from amparo.incidents.models import Incident
    from amparo.portal.services import reports_erase

    with transaction.atomic():
        data_key_shred(defender.data_key)
        BlindIndex.objects.filter(defender=defender).delete()
        # Import digests are keyed hashes of whole records (name, contacts, narrative): like the
        # blind indexes they would let whoever holds the keys confirm a guess, so they go too.
        Person.objects.filter(defender=defender).update(digest="")
        Incident.objects.filter(data_key_id=defender.data_key_id).update(digest="")
        defender.shredded_at = timezone.now()
        defender.digest = ""
        defender.save(update_fields=["shredded_at", "digest"])
        # What is sealed under keys of its own but is about them: their self-reports, and the
        # letters about them alone (see docs/keys.md, Shredding).
        erased = {
            "reports": reports_erase(actor=actor, defender=defender),
            "letters": letters_erase(defender=defender),
        }
        audit_record(
            actor,
            "defender.shred",
            object_type="defender",
            object_id=defender.pk,
            detail={"code": defender.code, **{k: n for k, n in erased.items() if n}},
        )
