"""Who may see and do what with communications to States, their replies and country visits.

- communications officers and coordinators see the communications of their entity; they draft,
  submit, and (never for a letter they drafted or submitted) approve and send them;
- case officers see the communications linked to their cases (defenders or incidents they see),
  without the letter's text, which may speak of other cases;
- analysts see aggregates only (response rates, outstanding visit requests);
- everyone else sees nothing: every page and endpoint answers 404.
Of the defenders and incidents linked to a communication, the communications officer sees only
summaries (codes, country, violations, dates; never names, contacts or narratives).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from amparo.accounts.models import Role
from amparo.communications.models import Communication, CommunicationStatus, CountryVisit
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope
from amparo.registry.models import Defender

# Who drafts, sends and follows communications (with an entity); approvers come from them too.
LETTER_ROLES = frozenset({Role.COMMUNICATIONS_OFFICER, Role.COORDINATOR})
# Who may open any communications page at all (each record is then filtered by policy).
PAGE_ROLES = frozenset({*LETTER_ROLES, Role.CASE_OFFICER, Role.ANALYST})
AGGREGATE_ROLES = frozenset({*LETTER_ROLES, Role.ANALYST})


def _has_entity(actor: Any) -> bool:
    return getattr(actor, "entity_id", None) is not None


def is_letter_staff(actor: Any) -> bool:
    return role_of(actor) in LETTER_ROLES and _has_entity(actor)


def _links_unseen_restricted_case(actor: Any) -> Q:
    """The communication links a defender or an incident of a restricted case the actor does
    not see: such a letter (its text is about that case) exists only for the case's team."""
    unseen = Q(case__restricted=True) & ~case_visible_q(actor, "case__")
    return Q(Exists(Defender.objects.filter(unseen, communications=OuterRef("pk")))) | Q(
        Exists(Incident.objects.filter(unseen, communications=OuterRef("pk")))
    )


def communication_scope(actor: Any) -> Q:
    """The communications the actor may know exist (detail, list, search)."""
    role = role_of(actor)
    if role == "system":
        return Q()
    if role in LETTER_ROLES and _has_entity(actor):
        return Q(lead_entity_id=actor.entity_id) & ~_links_unseen_restricted_case(actor)
    if role == Role.CASE_OFFICER:
        linked_defender = Exists(
            Defender.objects.filter(case_visible_q(actor, "case__"), communications=OuterRef("pk"))
        )
        linked_incident = Exists(
            Incident.objects.filter(incident_scope(actor), communications=OuterRef("pk"))
        )
        return Q(linked_defender) | Q(linked_incident)
    return NOTHING


def aggregate_scope(actor: Any) -> Q:
    """The communications the actor's figures (response rates, reprisal counts) are made of."""
    role = role_of(actor)
    if role in AGGREGATE_ROLES and _has_entity(actor):
        return Q(lead_entity_id=actor.entity_id)
    return communication_scope(actor)


def may_open_pages(actor: Any) -> bool:
    return role_of(actor) in PAGE_ROLES


def may_see_aggregates(actor: Any) -> bool:
    return role_of(actor) == "system" or (role_of(actor) in AGGREGATE_ROLES and _has_entity(actor))


def may_see_list(actor: Any) -> bool:
    return role_of(actor) in {"system", *LETTER_ROLES, Role.CASE_OFFICER}


def sees_letter(actor: Any, communication: Communication) -> bool:
    """The summary, the letter and the replies' text: the lead entity's letter staff."""
    if role_of(actor) == "system":
        return True
    return is_letter_staff(actor) and actor.entity_id == communication.lead_entity_id


def may_draft(actor: Any) -> bool:
    return role_of(actor) == "system" or is_letter_staff(actor)


def may_edit(actor: Any, communication: Communication) -> bool:
    """Change, submit or withdraw a draft (or a letter awaiting approval: withdraw only)."""
    return sees_letter(actor, communication) and communication.status in {
        CommunicationStatus.DRAFT,
        CommunicationStatus.AWAITING_APPROVAL,
    }


def is_second_person(actor: Any, communication: Communication) -> bool:
    """Four eyes: the approver is neither the drafter nor the submitter."""
    pk = getattr(actor, "pk", None)
    return pk is not None and pk not in {communication.drafted_by_id, communication.submitted_by_id}


def may_approve(actor: Any, communication: Communication) -> bool:
    """Approve and send: a coordinator or another communications officer of the lead entity.
    The system actor never approves: four eyes means two people."""
    return (
        role_of(actor) in LETTER_ROLES
        and sees_letter(actor, communication)
        and communication.status == CommunicationStatus.AWAITING_APPROVAL
        and is_second_person(actor, communication)
    )


def may_follow(actor: Any, communication: Communication) -> bool:
    """Record replies, publication: on a sent communication, the lead entity's letter staff."""
    return sees_letter(actor, communication) and communication.status == CommunicationStatus.SENT


def linkable_defender_scope(actor: Any) -> Q:
    """Defenders a drafter may link: the cases of their entity that are not restricted (a
    restricted case exists only for its team), or for a coordinator the cases they see."""
    role = role_of(actor)
    if role == "system":
        return Q()
    if role == Role.COORDINATOR:
        return case_visible_q(actor, "case__")
    if role == Role.COMMUNICATIONS_OFFICER and _has_entity(actor):
        return Q(case__lead_entity_id=actor.entity_id, case__restricted=False)
    return NOTHING


def linkable_incident_scope(actor: Any) -> Q:
    role = role_of(actor)
    if role == "system":
        return Q()
    if role == Role.COORDINATOR:
        return incident_scope(actor)
    if role == Role.COMMUNICATIONS_OFFICER and _has_entity(actor):
        return (Q(case__isnull=True) | Q(case__restricted=False)) & Q(
            lead_entity_id=actor.entity_id
        )
    return NOTHING


def visit_scope(actor: Any) -> Q:
    role = role_of(actor)
    if role == "system":
        return Q()
    if role in AGGREGATE_ROLES and _has_entity(actor):
        return Q(lead_entity_id=actor.entity_id)
    return NOTHING


def may_see_visits(actor: Any) -> bool:
    return may_see_aggregates(actor)


def may_write_visits(actor: Any) -> bool:
    return role_of(actor) == "system" or is_letter_staff(actor)


def may_change_visit(actor: Any, visit: CountryVisit) -> bool:
    return role_of(actor) == "system" or (
        is_letter_staff(actor) and actor.entity_id == visit.lead_entity_id
    )


def reply_scope(actor: Any) -> Q:
    """Replies are seen with their communication."""
    return Q(communication__in=Communication.objects.filter(communication_scope(actor)))
