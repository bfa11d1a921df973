"""The controlled vocabularies of DESIGN §5: codes are stable, labels are translated."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    WOMEN_RIGHTS = "women_rights", _("Women's rights")
    LGBTI_RIGHTS = "lgbti_rights", _("LGBTI rights")
    JOURNALIST = "journalist", _("Journalist")
    TRADE_UNIONIST = "trade_unionist", _("Trade unionist")
    LAND_ENVIRONMENT = "land_environment", _("Land and environment")
    INDIGENOUS_PEOPLES = "indigenous_peoples", _("Indigenous peoples")
    ESC_RIGHTS = "esc_rights", _("Economic, social and cultural rights")
    LAWYER = "lawyer", _("Lawyer")
    JUDICIAL_OFFICIAL = "judicial_official", _("Judicial official")
    ANTI_CORRUPTION = "anti_corruption", _("Anti-corruption")
    NGO_STAFF = "ngo_staff", _("NGO staff")
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    STUDENT_ACADEMIC = "student_academic", _("Student or academic")
    HEALTH_WORKER = "health_worker", _("Health worker")
    ELECTION_MONITOR = "election_monitor", _("Election monitor")
    HUMANITARIAN_WORKER = "humanitarian_worker", _("Humanitarian worker")
    WITNESS = "witness", _("Witness")
    NHRI_STAFF = "nhri_staff", _("NHRI staff")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DefenderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELOCATED = "relocated", _("Relocated")
    INACTIVE = "inactive", _("Inactive")
    DECEASED = "deceased", _("Deceased")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    COLLEAGUE = "colleague", _("Colleague")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    UNION = "union", _("Trade union")
    MEDIA = "media", _("Media")
    COMMUNITY = "community", _("Community")
    INDIGENOUS_AUTHORITY = "indigenous_authority", _("Indigenous authority")
    LAW_FIRM = "law_firm", _("Law firm")
    NETWORK = "network", _("Network")
    INFORMAL = "informal", _("Informal group")
    OTHER = "other", _("Other")


# Organisations of these kinds are collective subjects whose very name can expose them.
SENSITIVE_ORGANISATION_KINDS = {OrganisationKind.COMMUNITY, OrganisationKind.INFORMAL}


class Violation(models.TextChoices):
    KILLING = "killing", _("Killing")
    ATTEMPTED_KILLING = "attempted_killing", _("Attempted killing")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    ABDUCTION = "abduction", _("Abduction")
    TORTURE = "torture", _("Torture or ill-treatment")
    PHYSICAL_ATTACK = "physical_attack", _("Physical attack")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    DEATH_THREAT = "death_threat", _("Death threat")
    THREAT = "threat", _("Threat")
    INTIMIDATION = "intimidation", _("Intimidation")
    HARASSMENT = "harassment", _("Harassment")
    SURVEILLANCE = "surveillance", _("Surveillance")
    STIGMATISATION = "stigmatisation", _("Stigmatisation")
    ARBITRARY_ARREST = "arbitrary_arrest", _("Arbitrary arrest")
    JUDICIAL_HARASSMENT = "judicial_harassment", _("Judicial harassment")
    DEFAMATION_SUIT = "defamation_suit", _("Defamation suit")
    TRAVEL_RESTRICTION = "travel_restriction", _("Travel restriction")
    DENIAL_OF_ACCESS = "denial_of_access", _("Denial of access")
    ASSEMBLY_RESTRICTION = "assembly_restriction", _("Restriction of assembly")
    ASSOCIATION_RESTRICTION = "association_restriction", _("Restriction of association")
    RAID = "raid", _("Raid")
    PROPERTY_DAMAGE = "property_damage", _("Property damage")
    FORCED_EVICTION = "forced_eviction", _("Forced eviction")
    REPRISAL_UN_COOPERATION = "reprisal_un_cooperation", _("Reprisal for cooperation with the UN")
    DIGITAL_ATTACK = "digital_attack", _("Digital attack")
    OTHER = "other", _("Other")


GRAVE_VIOLATIONS = frozenset(
    {
        Violation.KILLING,
        Violation.ATTEMPTED_KILLING,
        Violation.ENFORCED_DISAPPEARANCE,
        Violation.ABDUCTION,
        Violation.TORTURE,
        Violation.PHYSICAL_ATTACK,
        Violation.SEXUAL_VIOLENCE,
        Violation.ARBITRARY_DETENTION,
    }
)


class Perpetrator(models.TextChoices):
    POLICE = "police", _("Police")
    MILITARY = "military", _("Military")
    INTELLIGENCE_SERVICES = "intelligence_services", _("Intelligence services")
    JUDICIARY = "judiciary", _("Judiciary")
    GOVERNMENT_OFFICIAL = "government_official", _("Government official")
    STATE_MEDIA = "state_media", _("State media")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    PRISON_STAFF = "prison_staff", _("Prison staff")
    PARAMILITARY = "paramilitary", _("Paramilitary group")
    ARMED_GROUP = "armed_group", _("Armed group")
    VIGILANTE_GROUP = "vigilante_group", _("Vigilante group")
    CRIMINAL_GROUP = "criminal_group", _("Criminal group")
    PRIVATE_COMPANY = "private_company", _("Private company")
    PRIVATE_SECURITY = "private_security", _("Private security")
    COMMUNITY_MEMBER = "community_member", _("Community member")
    FAMILY_MEMBER = "family_member", _("Family member")
    UNKNOWN = "unknown", _("Unknown")


STATE_PERPETRATORS = frozenset(
    {
        Perpetrator.POLICE,
        Perpetrator.MILITARY,
        Perpetrator.INTELLIGENCE_SERVICES,
        Perpetrator.JUDICIARY,
        Perpetrator.GOVERNMENT_OFFICIAL,
        Perpetrator.STATE_MEDIA,
        Perpetrator.LOCAL_AUTHORITY,
        Perpetrator.PRISON_STAFF,
    }
)


def perpetrator_group(code: str) -> str:
    if code == Perpetrator.UNKNOWN:
        return "unknown"
    return "state" if code in STATE_PERPETRATORS else "non_state"


class Context(models.TextChoices):
    """What the victim was doing; also the kinds of calendar events."""

    TRAVEL_ABROAD = "travel_abroad", _("Travel abroad")
    PUBLICATION = "publication", _("Publication")
    DEMONSTRATION = "demonstration", _("Demonstration")
    INVESTIGATION = "investigation", _("Investigation")
    ELECTION = "election", _("Election")
    JUDICIAL_PROCEEDING = "judicial_proceeding", _("Judicial proceeding")
    UN_ENGAGEMENT = "un_engagement", _("Engagement with the UN")
    MAJOR_EVENT = "major_event", _("Major event")
    ARMED_CONFLICT = "armed_conflict", _("Armed conflict")
    OTHER = "other", _("Other")


@dataclass(frozen=True)
class Window:
    horizon: str
    lead_days: int
    tail_days: int


DEFAULT_WINDOWS: dict[str, Window] = {
    Context.TRAVEL_ABROAD: Window("short", 7, 14),
    Context.PUBLICATION: Window("short", 7, 30),
    Context.DEMONSTRATION: Window("short", 7, 7),
    Context.INVESTIGATION: Window("short", 0, 30),
    Context.ELECTION: Window("long", 180, 60),
    Context.JUDICIAL_PROCEEDING: Window("long", 14, 30),
    Context.UN_ENGAGEMENT: Window("long", 30, 60),
    Context.MAJOR_EVENT: Window("long", 90, 30),
    Context.ARMED_CONFLICT: Window("long", 0, 90),
    Context.OTHER: Window("short", 0, 14),
}


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    CORROBORATED = "corroborated", _("Corroborated (two independent sources)")
    VERIFIED = "verified", _("Verified")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


@functools.cache
def codes(choices: type[models.TextChoices]) -> frozenset[str]:
    # Cached: Choices.values rebuilds its list on every call, and imports check every line.
    return frozenset(choices.values)


class CommunicationKind(models.TextChoices):
    """Letters of the special procedures to a State; J marks a joint communication."""

    UA = "UA", _("Urgent appeal")
    AL = "AL", _("Allegation letter")
    OL = "OL", _("Other letter")
    JUA = "JUA", _("Joint urgent appeal")
    JAL = "JAL", _("Joint allegation letter")
    JOL = "JOL", _("Joint other letter")


class ReplyKind(models.TextChoices):
    SUBSTANTIVE = "substantive", _("Substantive")
    PARTIAL = "partial", _("Partial")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")


class InvestigationStage(models.TextChoices):
    NONE = "none", _("No investigation")
    COMPLAINT_FILED = "complaint_filed", _("Complaint filed")
    INVESTIGATION_OPENED = "investigation_opened", _("Investigation opened")
    SUSPECT_IDENTIFIED = "suspect_identified", _("Suspect identified")
    CHARGED = "charged", _("Charged")
    TRIAL = "trial", _("Trial")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    CLOSED_WITHOUT_RESULT = "closed_without_result", _("Closed without result")


# An incident counts as investigated once the authorities opened an investigation (a complaint
# alone is not an investigation); the stages are in procedural order.
INVESTIGATED_STAGES = frozenset(
    {
        InvestigationStage.INVESTIGATION_OPENED,
        InvestigationStage.SUSPECT_IDENTIFIED,
        InvestigationStage.CHARGED,
        InvestigationStage.TRIAL,
        InvestigationStage.CONVICTED,
        InvestigationStage.ACQUITTED,
        InvestigationStage.CLOSED_WITHOUT_RESULT,
    }
)


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Pending (reminder sent)")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    CONDUCTED = "conducted", _("Conducted")
    DECLINED = "declined", _("Declined")


OUTSTANDING_VISIT_STATUSES = frozenset(
    {VisitStatus.REQUESTED, VisitStatus.PENDING, VisitStatus.ACCEPTED, VisitStatus.SCHEDULED}
)


# A record's codes of a code table (an incident's violations, a defender's categories) -------
# Lists read them as one comma-joined column of the record's own row: prefetch_related builds a
# queryset per record and relation, most of a list page's ORM time. Codes hold no comma.


def joined_codes(table: type[models.Model], owner: str) -> models.Subquery:
    """For .annotate(<relation>_joined=...): the owner's codes in the table, comma-joined, or
    NULL when it has none."""
    return models.Subquery(
        table._default_manager.filter(**{owner: models.OuterRef("pk")})
        .values(owner)
        .annotate(joined=models.StringAgg("code", models.Value(",")))
        .values("joined")
    )


def code_list(record: models.Model, relation: str) -> list[str]:
    """The record's codes of a code table (by its related name), sorted: from the column that
    joined_codes read into its row, else from its rows (prefetched or not)."""
    joined = record.__dict__.get(f"{relation}_joined", _NOT_READ)
    if joined is not _NOT_READ:
        return sorted(joined.split(",")) if joined else []
    return sorted(row.code for row in getattr(record, relation).all())


_NOT_READ = object()
