"""What an actor is shown of measures and disclosures. Presenting decrypts, so it audits.

Staff of the case get the full view (the analyst a pseudonymised one); a liaison gets the
disclosure view, built field by field from the disclosure's whitelisted names and from nothing
else: it never goes through the staff presenters.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError
from amparo.measures.disclosure import DETAIL_KEYS, disclosable_fields
from amparo.measures.models import (
    RELOCATION_KINDS,
    Disclosure,
    InterimMeasureRequest,
    Measure,
    MeasureFeedback,
    MeasureStatusChange,
    Relocation,
    SafetyPlan,
)
from amparo.measures.policies import sees_measure_details

MEASURE_SENSITIVE = ["details", "provider_override_reason", "refusal_reason"]
logger = logging.getLogger(__name__)


@dataclass
class MeasureView:
    code: str
    external_id: str
    defender_code: str
    case_code: str
    beneficiary_kind: str
    beneficiary_ref: str
    kind: str
    status: str
    lead_entity: str
    lead_entity_name: str
    provider: str | None
    provider_name: str | None
    procedure: str | None
    requested_on: datetime.date
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    implemented_at: datetime.datetime | None
    review_due_on: datetime.date | None
    ended_at: datetime.datetime | None
    cost: Decimal | None
    currency: str
    replaced_by: str | None
    replaces: list[str]
    details_shown: bool
    provider_override: bool
    details: dict[str, str] = field(default_factory=dict)
    provider_override_reason: str | None = None
    refusal_reason: str | None = None
    measure: Measure | None = field(default=None, repr=False)


def _beneficiary_ref(measure: Measure) -> str:
    if measure.beneficiary_person is not None:
        return measure.beneficiary_person.external_id
    if measure.beneficiary_organisation is not None:
        return measure.beneficiary_organisation.external_id
    return measure.defender.code


def present_measures(actor: Any, measures: Sequence[Measure], *, via: str) -> list[MeasureView]:
    details = sees_measure_details(actor)
    views, read = [], []
    replaces: dict[Any, list[str]] = {}
    for code, replaced_by in Measure.objects.filter(
        replaced_by__in=[m.pk for m in measures]
    ).values_list("code", "replaced_by"):
        replaces.setdefault(replaced_by, []).append(code)
    for measure in measures:
        view = MeasureView(
            code=measure.code,
            external_id=measure.external_id,
            defender_code=measure.defender.code,
            case_code=measure.case.code,
            beneficiary_kind=measure.beneficiary_kind,
            beneficiary_ref=_beneficiary_ref(measure),
            kind=measure.kind,
            status=measure.status,
            lead_entity=measure.lead_entity.slug,
            lead_entity_name=measure.lead_entity.name,
            provider=measure.provider.slug if measure.provider else None,
            provider_name=measure.provider.name if measure.provider else None,
            procedure=measure.procedure.code if measure.procedure else None,
            requested_on=measure.requested_on,
            requested_at=measure.requested_at,
            decided_at=measure.decided_at,
            implemented_at=measure.implemented_at,
            review_due_on=measure.review_due_on,
            ended_at=measure.ended_at,
            cost=measure.cost,
            currency=measure.currency,
            replaced_by=measure.replaced_by.code if measure.replaced_by else None,
            replaces=sorted(replaces.get(measure.pk, [])),
            details_shown=False,
            # That an override exists is not sensitive; its reason is.
            provider_override=_has_override(measure),
            measure=measure,
        )
        if details and not measure.data_key.is_shredded:
            try:
                opened = (
                    measure.details or {},
                    measure.provider_override_reason,
                    measure.refusal_reason,
                )
            except CryptoError as error:
                logger.warning("Cannot decrypt measure %s: %s", measure.code, type(error).__name__)
            else:
                view.details, view.provider_override_reason, view.refusal_reason = opened
                view.details_shown = True
                read.append(measure)
        views.append(view)
    audit_read(actor, "measure", read, fields=MEASURE_SENSITIVE, via=via)
    return views


def _has_override(measure: Measure) -> bool:
    # Checks the column without decrypting it.
    return measure.__dict__.get("provider_override_reason") is not None


def present_measure(actor: Any, measure: Measure, *, via: str) -> MeasureView:
    return present_measures(actor, [measure], via=via)[0]


@dataclass
class HistoryEntry:
    at: datetime.datetime
    from_status: str
    to_status: str
    by: str
    note: str | None


def present_history(
    actor: Any, measure: Measure, rows: Sequence[MeasureStatusChange], *, via: str
) -> list[HistoryEntry]:
    details = sees_measure_details(actor) and not measure.data_key.is_shredded
    entries, noted = [], False
    for row in rows:
        note = None
        if details:
            try:
                note = row.note
            except CryptoError:
                note = None
            noted = noted or note is not None
        entries.append(HistoryEntry(row.at, row.from_status, row.to_status, row.by_label, note))
    if noted:
        audit_read(actor, "measure", [measure], fields=["history.note"], via=via)
    return entries


# The liaison's view ------------------------------------------------------------------------


def liaison_values(disclosure: Disclosure) -> dict[str, Any]:
    """The values of the disclosure's whitelisted fields, and of nothing else. Names outside
    the (configured) whitelist are skipped even if stored, so a bad row cannot widen it."""
    allowed = disclosable_fields()
    names = [name for name in disclosure.fields if name in allowed]
    measure, defender = disclosure.measure, disclosure.defender
    details: dict[str, Any] = {}
    if measure is not None and any(name in DETAIL_KEYS for name in names):
        details = measure.details or {}
    values: dict[str, Any] = {}
    for name in names:
        if name == "defender_code":
            values[name] = defender.code
        elif name == "subdivision":
            values[name] = defender.subdivision or defender.country
        elif name == "measure_kind":
            values[name] = measure.kind if measure is not None else None
        elif name in DETAIL_KEYS:
            values[name] = details.get(name) or None
        elif name == "locality":
            values[name] = defender.locality
    return values


@dataclass
class LiaisonDisclosureView:
    code: str
    status: str
    from_entity: str
    created_at: datetime.datetime
    responded_at: datetime.datetime | None
    measure_code: str | None
    measure_status: str | None
    fields: dict[str, Any]
    may_respond: bool
    may_report: bool


def present_liaison_disclosures(
    actor: Any, disclosures: Sequence[Disclosure], *, via: str, with_values: bool = True
) -> list[LiaisonDisclosureView]:
    from amparo.measures.policies import may_report_implementation, may_respond_disclosure

    views, read = [], []
    for disclosure in disclosures:
        values: dict[str, Any] = {}
        if with_values:
            try:
                values = liaison_values(disclosure)
            except CryptoError as error:
                logger.warning(
                    "Cannot decrypt disclosure %s: %s", disclosure.code, type(error).__name__
                )
            else:
                read.append(disclosure)
        measure = disclosure.measure
        views.append(
            LiaisonDisclosureView(
                code=disclosure.code,
                status=disclosure.status,
                from_entity=disclosure.from_entity.name,
                created_at=disclosure.created_at,
                responded_at=disclosure.responded_at,
                measure_code=measure.code if measure else None,
                measure_status=measure.status if measure else None,
                fields=values,
                may_respond=may_respond_disclosure(actor, disclosure),
                may_report=may_report_implementation(actor, disclosure),
            )
        )
    for disclosure in read:
        audit_read(actor, "disclosure", [disclosure], fields=list(disclosure.fields), via=via)
    return views


# Relocation, interim request, feedback, safety plan -----------------------------------------


def is_relocation(measure: Measure) -> bool:
    return measure.kind in RELOCATION_KINDS or Relocation.objects.filter(measure=measure).exists()


def _readable(actor: Any, measure: Measure) -> bool:
    return sees_measure_details(actor) and not measure.data_key.is_shredded


@dataclass
class RelocationView:
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    family_members: list[str]
    host: str | None = None
    visa_plan: str | None = None
    return_plan: str | None = None


def relocation_of(actor: Any, measure: Measure, *, via: str) -> RelocationView | None:
    relocation = Relocation.objects.filter(measure=measure).select_related("data_key").first()
    if relocation is None:
        return None
    view = RelocationView(
        relocation.starts_on,
        relocation.ends_on,
        sorted(relocation.family_members.values_list("external_id", flat=True)),
    )
    if _readable(actor, measure):
        try:
            view.host, view.visa_plan, view.return_plan = (
                relocation.host,
                relocation.visa_plan,
                relocation.return_plan,
            )
        except CryptoError:
            view.host = view.visa_plan = view.return_plan = None
        else:
            audit_read(
                actor, "measure", [measure], fields=["relocation.host", "relocation.plans"], via=via
            )
    return view


def relocation_initial(actor: Any, measure: Measure) -> dict[str, Any]:
    view = relocation_of(actor, measure, via="edit")
    if view is None:
        return {}
    relocation = Relocation.objects.get(measure=measure)
    return {
        "host": view.host or "",
        "starts_on": view.starts_on,
        "ends_on": view.ends_on,
        "family_members": list(relocation.family_members.all()),
        "visa_plan": view.visa_plan or "",
        "return_plan": view.return_plan or "",
    }


@dataclass
class InterimView:
    body: str
    body_label: str
    requested_on: datetime.date
    granted: bool | None
    granted_on: datetime.date | None
    state_compliance: str
    state_compliance_label: str
    reference: str
    notes: str | None = None


def interim_of(actor: Any, measure: Measure, *, via: str) -> InterimView | None:
    interim = (
        InterimMeasureRequest.objects.filter(measure=measure).select_related("data_key").first()
    )
    if interim is None:
        return None
    view = InterimView(
        interim.body,
        interim.get_body_display(),
        interim.requested_on,
        interim.granted,
        interim.granted_on,
        interim.state_compliance,
        interim.get_state_compliance_display(),
        interim.reference,
    )
    if _readable(actor, measure) and interim.__dict__.get("notes") is not None:
        try:
            view.notes = interim.notes
        except CryptoError:
            view.notes = None
        else:
            audit_read(actor, "measure", [measure], fields=["interim.notes"], via=via)
    return view


def interim_initial(actor: Any, measure: Measure) -> dict[str, Any]:
    view = interim_of(actor, measure, via="edit")
    if view is None:
        return {}
    return {
        "body": view.body,
        "reference": view.reference,
        "requested_on": view.requested_on,
        "granted": {True: "yes", False: "no"}.get(view.granted, ""),  # type: ignore[arg-type]
        "granted_on": view.granted_on,
        "state_compliance": view.state_compliance,
        "notes": view.notes or "",
    }


@dataclass
class FeedbackView:
    given_on: datetime.date
    source: str
    works: str
    trusts_provider: str
    comment: str | None


def feedback_of(actor: Any, measure: Measure, *, via: str) -> list[FeedbackView]:
    rows = list(MeasureFeedback.objects.filter(measure=measure).select_related("data_key"))
    readable, views = _readable(actor, measure), []
    for row in rows:
        comment = None
        if readable:
            try:
                comment = row.comment
            except CryptoError:
                comment = None
        views.append(
            FeedbackView(row.given_on, row.source, row.works, row.trusts_provider, comment)
        )
    if readable and any(view.comment for view in views):
        audit_read(actor, "measure", [measure], fields=["feedback.comment"], via=via)
    return views


def safety_plan_text(actor: Any, plan: SafetyPlan | None, *, via: str) -> str | None:
    """The plan's text for those who may read it (the selector checked who); audited."""
    if plan is None or plan.data_key.is_shredded:
        return None
    try:
        text = plan.text
    except CryptoError:
        return None
    audit_read(actor, "defender", [plan.defender], fields=["safety_plan"], via=via)
    return text
