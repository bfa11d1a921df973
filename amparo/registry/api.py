"""API of the registry: defenders, their relatives, their cases, organisations.

Reads go through the selectors (what the actor may not see is 404), writes through the
services (what they see but may not change is 403), and every record is shown through the
presenters, which decrypt only what the actor may see and audit that read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from amparo.core.api_auth import api_actor
from amparo.core.policy import deny, sees_identities
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.registry.models import Case, Defender, Organisation
from amparo.registry.policies import (
    may_change_defender,
    may_manage_case,
    may_register_defender,
    may_register_organisation,
)
from amparo.registry.presenters import (
    merged_into_code,
    organisation_label,
    present_defenders,
    present_persons,
)
from amparo.registry.schemas import (
    CaseOut,
    CaseRestrictedIn,
    CaseTeamIn,
    DefenderFilterParams,
    DefenderIn,
    DefenderOut,
    DefenderPage,
    DefenderPatch,
    DefenderSearchIn,
    DuplicatesIn,
    OrganisationFilterParams,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    PersonIn,
    PersonOut,
    TimelineEntryOut,
)
from amparo.registry.selectors import (
    DefenderFilters,
    case_get,
    case_team,
    defender_duplicates,
    defender_get,
    defender_list,
    may_see_team,
    organisation_get,
    organisation_list,
    person_list,
    team_candidates,
)
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_set_restricted,
    case_set_team,
    defender_register,
    defender_update,
    organisation_create,
    person_create,
)
from amparo.registry.timeline import defender_timeline

router = Router(tags=["registry"])

READ_ERRORS = error_responses(401, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _upper(value: str) -> str:
    return value.strip().upper()


# Presenting ---------------------------------------------------------------------------------


def _organisation_ids(actor: Any, defenders: Sequence[Defender]) -> dict[Any, list[str]]:
    """Ids of the organisations each defender belongs to, among those the actor may see."""
    links = (
        organisation_list(actor=actor)
        .filter(members__in=[d.pk for d in defenders])
        .values_list("members", "external_id")
        .order_by("external_id")
    )
    found: dict[Any, list[str]] = {}
    for defender_pk, external_id in links:
        found.setdefault(defender_pk, []).append(external_id)
    return found


def present_defenders_out(actor: Any, defenders: Sequence[Defender]) -> list[dict[str, Any]]:
    views = present_defenders(actor, defenders, via="api")
    organisations = _organisation_ids(actor, defenders)
    out = []
    for view in views:
        shown = view.identity_shown
        out.append(
            {
                "code": view.code,
                # An imported record's id may come from another system and say who it is.
                "external_id": view.external_id if shown else None,
                "case": view.case_code,
                "restricted": view.restricted,
                "name": view.name if shown else None,
                "alias": view.alias if shown else None,
                "gender": view.gender,
                "birth_year": view.birth_year,
                "categories": view.categories,
                "country": view.country,
                "subdivision": view.subdivision,
                "locality": view.locality if shown else None,
                "organisations": organisations.get(view.defender.pk if view.defender else None, []),
                "contacts": view.contacts if shown else None,
                "registered_on": view.registered_on,
                "status": view.status,
                "consent": {
                    "register": view.consent_register,
                    "share_with_state": view.consent_share_with_state,
                },
                "risk_level": view.defender.risk_level or None if view.defender else None,
                "next_review_on": view.defender.next_review_on if view.defender else None,
                "shredded": view.shredded,
                "identity_shown": shown,
                "merged_into": merged_into_code(actor, view.defender) if view.defender else None,
            }
        )
    return out


def _present_one(actor: Any, code: str) -> dict[str, Any]:
    return present_defenders_out(actor, [defender_get(actor=actor, code=code)])[0]


def _organisation_out(actor: Any, organisation: Organisation) -> dict[str, Any]:
    hidden = organisation.name_is_sensitive and not sees_identities(actor)
    return {
        "id": organisation.external_id,
        "name": None if hidden else organisation_label(actor, organisation),
        "kind": organisation.kind,
        "country": organisation.country,
        "subdivision": organisation.subdivision,
        "name_sensitive": organisation.name_is_sensitive,
    }


def _case_out(actor: Any, case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "kind": case.kind,
        "status": case.status,
        "lead_entity": case.lead_entity.slug,
        "restricted": case.restricted,
        "opened_on": case.opened_on,
        "team": [user.username for user in case_team(case)] if may_see_team(actor) else None,
        "defenders": list(
            defender_list(actor=actor)
            .filter(case=case)
            .order_by("code")
            .values_list("code", flat=True)
        ),
    }


# Resolving references -----------------------------------------------------------------------


def resolve_organisations(
    actor: Any, external_ids: Iterable[str], *, field: str = "organisations"
) -> list[Organisation]:
    """Organisations by id among those the actor may see; any other id is 'unknown'."""
    found = []
    for external_id in dict.fromkeys(external_ids):
        try:
            found.append(organisation_get(actor=actor, external_id=external_id))
        except Http404:
            raise invalid(field, f"Unknown organisation {external_id!r}.") from None
    return found


def _keep_hidden_organisations(
    actor: Any, defender: Defender, wanted: list[Organisation]
) -> list[Organisation]:
    # Links the actor cannot see are not theirs to remove.
    visible = set(organisation_list(actor=actor).values_list("pk", flat=True))
    hidden = [o for o in defender.organisations.all() if o.pk not in visible]
    return wanted + hidden


# Defenders ----------------------------------------------------------------------------------


@router.get("/defenders", response={200: DefenderPage, **error_responses(401, 422, 503)})
def defender_index(request: HttpRequest, filters: Query[DefenderFilterParams]) -> dict[str, Any]:
    reject_unknown_params(request, DefenderFilterParams)
    actor = api_actor(request)
    selected = DefenderFilters(
        country=_upper(filters.country),
        subdivision=_upper(filters.subdivision),
        category=_text(filters.category),
        gender=_text(filters.gender),
        status=_text(filters.status),
        violation=_text(filters.violation),
        registered_from=filters.registered_from,
        registered_to=filters.registered_to,
        organisation=filters.organisation,
    )
    defenders = defender_list(actor=actor, filters=selected)
    return page(defenders, filters, lambda rows: present_defenders_out(actor, rows))


@router.post(
    "/defenders/search", response={200: DefenderPage, **error_responses(401, 403, 422, 503)}
)
def defender_search(request: HttpRequest, payload: DefenderSearchIn) -> dict[str, Any]:
    """Exact search by code, or (for those who see identities) name, phone or e-mail.

    A POST so that the name searched for never appears in a URL, a log or a browser history."""
    actor = api_actor(request)
    defenders = defender_list(actor=actor, filters=DefenderFilters(query=payload.query))
    return page(defenders, payload, lambda rows: present_defenders_out(actor, rows))


@router.post(
    "/defenders/duplicates",
    response={200: list[DefenderOut], **error_responses(401, 403, 422, 503)},
)
def defender_duplicate_check(request: HttpRequest, payload: DuplicatesIn) -> list[dict[str, Any]]:
    """Visible defenders whose name, alias, phone or e-mail matches exactly."""
    actor = api_actor(request)
    found = defender_duplicates(
        actor=actor, name=payload.name, alias=payload.alias, contacts=payload.contacts
    )
    return present_defenders_out(actor, found)


@router.post("/defenders", response={201: DefenderOut, **error_responses(401, 403, 422, 503)})
def defender_create(request: HttpRequest, payload: DefenderIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    if not may_register_defender(actor):
        raise deny()
    data = DefenderData(
        name=payload.name,
        alias=payload.alias,
        gender=str(payload.gender),
        birth_year=payload.birth_year,
        categories=[str(code) for code in payload.categories],
        country=_upper(payload.country),
        subdivision=_upper(payload.subdivision),
        locality=payload.locality,
        contacts=payload.contacts,
        organisations=resolve_organisations(actor, payload.organisations),
        status=str(payload.status),
        registered_on=payload.registered_on,
        consent_register=payload.consent.register,
        consent_share_with_state=payload.consent.share_with_state,
    )
    defender = defender_register(actor=actor, data=data)
    return Status(201, _present_one(actor, defender.code))


@router.get("/defenders/{code}", response={200: DefenderOut, **READ_ERRORS})
def defender_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """One defender. A record merged into another answers with `merged_into`: the code of the
    record that now stands for it, or null when you may not see that one."""
    return _present_one(api_actor(request), code)


@router.patch("/defenders/{code}", response={200: DefenderOut, **WRITE_ERRORS})
def defender_change(request: HttpRequest, code: str, payload: DefenderPatch) -> dict[str, Any]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    if not may_change_defender(actor, defender):
        raise deny()
    given = payload.model_dump(exclude_unset=True)
    # One transaction: when the change is refused, the read of the current values that it
    # needed is not recorded either, since nothing was shown.
    with transaction.atomic():
        current = present_defenders(actor, [defender], via="api")[0]
        if not current.identity_shown:
            raise deny("This record's identity cannot be read, so it cannot be changed.")
        consent = given.get("consent") or {}
        if "organisations" not in given:
            organisations = list(defender.organisations.all())
        elif given["organisations"] is None:
            raise invalid("organisations", "Give a list, possibly empty.")
        else:
            wanted = resolve_organisations(actor, given["organisations"])
            organisations = _keep_hidden_organisations(actor, defender, wanted)

        def pick(name: str, now: Any) -> Any:
            return given.get(name, now)

        data = DefenderData(
            name=pick("name", current.name) or "",
            alias=pick("alias", current.alias) or "",
            gender=_text(pick("gender", current.gender)),
            birth_year=pick("birth_year", current.birth_year),
            categories=[_text(c) for c in (pick("categories", current.categories) or [])],
            country=_upper(pick("country", current.country) or ""),
            subdivision=_upper(pick("subdivision", current.subdivision) or ""),
            locality=pick("locality", current.locality) or "",
            contacts=pick("contacts", current.contacts) or {},
            organisations=organisations,
            status=_text(pick("status", current.status)),
            registered_on=pick("registered_on", current.registered_on),
            consent_register=(
                current.consent_register if consent.get("register") is None else consent["register"]
            ),
            consent_share_with_state=(
                current.consent_share_with_state
                if consent.get("share_with_state") is None
                else consent["share_with_state"]
            ),
        )
        if data.registered_on is None:
            raise invalid("registered_on", "This field cannot be cleared.")
        defender_update(actor=actor, defender=defender, data=data)
    return _present_one(actor, code)


@router.get("/defenders/{code}/timeline", response={200: list[TimelineEntryOut], **READ_ERRORS})
def defender_timeline_view(request: HttpRequest, code: str) -> list[Any]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    return list(defender_timeline(actor=actor, defender=defender))


@router.get("/defenders/{code}/persons", response={200: list[PersonOut], **READ_ERRORS})
def person_index(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    persons = list(person_list(actor=actor, defender=defender))
    return [_person_out(view) for view in present_persons(actor, persons, via="api")]


@router.post("/defenders/{code}/persons", response={201: PersonOut, **WRITE_ERRORS})
def person_add(request: HttpRequest, code: str, payload: PersonIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    person = person_create(
        actor=actor,
        defender=defender,
        data=PersonData(
            name=payload.name,
            relation=str(payload.relation),
            country=_upper(payload.country),
            subdivision=_upper(payload.subdivision),
        ),
    )
    created = person_list(actor=actor, defender=defender).get(pk=person.pk)
    return Status(201, _person_out(present_persons(actor, [created], via="api")[0]))


def _person_out(view: Any) -> dict[str, Any]:
    return {
        "id": view.external_id,
        "related_to": view.defender_code,
        "relation": view.relation,
        "country": view.country,
        "subdivision": view.subdivision,
        "name": view.name,
    }


# Cases --------------------------------------------------------------------------------------


@router.get("/cases/{code}", response={200: CaseOut, **READ_ERRORS})
def case_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    return _case_out(actor, case_get(actor=actor, code=code))


@router.put("/cases/{code}/team", response={200: CaseOut, **WRITE_ERRORS})
def case_team_set(request: HttpRequest, code: str, payload: CaseTeamIn) -> dict[str, Any]:
    actor = api_actor(request)
    case = case_get(actor=actor, code=code)
    if not may_manage_case(actor, case):
        raise deny()
    # Only the lead entity's coordinators and officers can be named; any other username is
    # "unknown", so the answer tells nothing about who else has an account.
    candidates = {user.username: user for user in team_candidates(case)}
    members = []
    for username in dict.fromkeys(payload.members):
        if username not in candidates:
            raise invalid("members", f"Unknown user {username!r}.")
        members.append(candidates[username])
    case_set_team(actor=actor, case=case, members=members)
    return _case_out(actor, case)


@router.put("/cases/{code}/restricted", response={200: CaseOut, **WRITE_ERRORS})
def case_restricted_set(
    request: HttpRequest, code: str, payload: CaseRestrictedIn
) -> dict[str, Any]:
    actor = api_actor(request)
    case = case_get(actor=actor, code=code)
    case_set_restricted(actor=actor, case=case, restricted=payload.restricted)
    case.refresh_from_db()
    return _case_out(actor, case)


# Organisations ------------------------------------------------------------------------------


@router.get("/organisations", response={200: OrganisationPage, **error_responses(401, 422, 503)})
def organisation_index(
    request: HttpRequest, filters: Query[OrganisationFilterParams]
) -> dict[str, Any]:
    reject_unknown_params(request, OrganisationFilterParams)
    actor = api_actor(request)
    organisations = organisation_list(
        actor=actor, country=_upper(filters.country), kind=_text(filters.kind)
    )
    return page(organisations, filters, lambda rows: [_organisation_out(actor, o) for o in rows])


@router.post(
    "/organisations", response={201: OrganisationOut, **error_responses(401, 403, 422, 503)}
)
def organisation_add(request: HttpRequest, payload: OrganisationIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    if not may_register_organisation(actor):
        raise deny()
    organisation = organisation_create(
        actor=actor,
        data=OrganisationData(
            name=payload.name,
            kind=str(payload.kind),
            country=_upper(payload.country),
            subdivision=_upper(payload.subdivision),
        ),
    )
    created = organisation_get(actor=actor, external_id=organisation.external_id)
    return Status(201, _organisation_out(actor, created))


@router.get("/organisations/{external_id}", response={200: OrganisationOut, **READ_ERRORS})
def organisation_detail(request: HttpRequest, external_id: str) -> dict[str, Any]:
    actor = api_actor(request)
    return _organisation_out(actor, organisation_get(actor=actor, external_id=external_id))
