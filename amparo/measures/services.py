"""Writes on protective measures, their history, relocations, interim requests, feedback,
safety plans and disclosures. Policy-checked, validated, audited, one transaction each.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, User
from amparo.audit.services import audit_record
from amparo.coordination.models import ConsentPurpose, Task
from amparo.coordination.selectors import consent_allows
from amparo.coordination.services import task_open, tasks_close_for
from amparo.core.codes import next_code
from amparo.core.policy import deny, not_found
from amparo.core.validation import Errors
from amparo.core.vocab import codes
from amparo.measures.disclosure import disclosable_fields
from amparo.measures.models import (
    Disclosure,
    InterimMeasureRequest,
    Measure,
    MeasureFeedback,
    MeasureKind,
    MeasureStatus,
    MeasureStatusChange,
    Rating,
    Relocation,
    SafetyPlan,
)
from amparo.measures.policies import (
    may_disclose,
    may_edit_safety_plan,
    may_report_implementation,
    may_request_measure,
    may_respond_disclosure,
    may_transition,
    may_work_measure,
)
from amparo.registry.models import Defender, Organisation, Person
from amparo.risk.procedures import procedure_mark_decided, procedure_mark_in_place
from amparo.risk.selectors import review_policy_for

MEASURE_PREFIX = "MSR"
DISCLOSURE_PREFIX = "DSC"
S = MeasureStatus

# The lifecycle of DESIGN §5. Rejected, refused and ended are final: a refused measure is
# replaced by a new one (measure_replace), which keeps both in the figures.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.UNDER_ASSESSMENT, S.APPROVED, S.REJECTED, S.REFUSED_BY_DEFENDER}),
    S.UNDER_ASSESSMENT: frozenset({S.APPROVED, S.REJECTED, S.REFUSED_BY_DEFENDER}),
    S.APPROVED: frozenset({S.IN_PLACE, S.REFUSED_BY_DEFENDER, S.ENDED}),
    S.IN_PLACE: frozenset({S.UNDER_REVIEW, S.REFUSED_BY_DEFENDER, S.ENDED}),
    S.UNDER_REVIEW: frozenset({S.IN_PLACE, S.REFUSED_BY_DEFENDER, S.ENDED}),
    S.REJECTED: frozenset(),
    S.REFUSED_BY_DEFENDER: frozenset(),
    S.ENDED: frozenset(),
}
DEFAULT_REVIEW_DAYS = {"extreme": 30, "high": 90, "medium": 180, "low": 365}
DECISION_DAYS = 14  # a measure's decision task is due after this when no procedure sets it


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def provider_trained(provider: Entity, on: datetime.date | None = None) -> bool:
    """Certified and not expired: the condition for outsourcing protection (¶113 f)."""
    on = on or timezone.localdate()
    return provider.training_status == "certified" and (
        provider.trained_until is None or provider.trained_until >= on
    )


@dataclass
class MeasureData:
    kind: str
    requested_on: datetime.date | None = None
    beneficiary_person: Person | None = None
    beneficiary_organisation: Organisation | None = None
    provider: Entity | None = None
    provider_override_reason: str = ""
    procedure: Any = None
    cost: Decimal | None = None
    currency: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def validate(self, defender: Defender | None = None) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(MeasureKind))
        errors.not_future("requested_on", self.requested_on)
        if self.beneficiary_person is not None and self.beneficiary_organisation is not None:
            errors.add("beneficiary", "Name one beneficiary: a relative or an organisation.")
        if (
            defender is not None
            and self.beneficiary_person is not None
            and self.beneficiary_person.defender_id != defender.pk
        ):
            errors.add("beneficiary", "This person is not related to the defender.")
        if self.cost is not None and self.cost < 0:
            errors.add("cost", "A cost cannot be negative.")
        if self.cost is not None and not (
            len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper()
        ):
            errors.add("currency", "Give the ISO 4217 currency code of the cost (COP, USD, …).")
        if not isinstance(self.details, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.details.items()
        ):
            errors.add("details", "Details are pairs of text keys and text values.")
        if (
            self.procedure is not None
            and defender is not None
            and self.procedure.defender_id != defender.pk
        ):
            errors.add("procedure", "This procedure is not the defender's.")
        self._check_provider(errors)
        errors.raise_if_any()

    def _check_provider(self, errors: Errors) -> None:
        if self.provider is None:
            return
        if not provider_trained(self.provider) and not self.provider_override_reason.strip():
            errors.add(
                "provider",
                "This provider is not trained and certified: record the reason for assigning "
                "it anyway.",
            )


def _history(
    measure: Measure, actor: Any, before: str, after: str, at: datetime.datetime, note: str
) -> None:
    row = MeasureStatusChange(
        measure=measure,
        from_status=before,
        to_status=after,
        at=at,
        by=_user(actor),
        by_label=getattr(actor, "audit_label", "") or "anonymous",
        data_key=measure.data_key,
    )
    row.note = note or None
    row.save(force_insert=True)


def _decision_due(measure: Measure, now: datetime.datetime) -> datetime.datetime:
    procedure = measure.procedure
    if procedure is not None and procedure.decide_by is not None:
        return procedure.decide_by
    return now + datetime.timedelta(days=DECISION_DAYS)


def _implementation_due(measure: Measure, now: datetime.datetime) -> datetime.datetime:
    procedure = measure.procedure
    if procedure is not None and procedure.in_place_by is not None:
        return max(procedure.in_place_by, now)
    return now + datetime.timedelta(days=DECISION_DAYS)


def review_interval_days(measure: Measure) -> int:
    """Days until a measure in place is reviewed: the lead entity's interval for the
    defender's risk level (medium when not assessed yet)."""
    level = measure.defender.risk_level or "medium"
    return int(getattr(review_policy_for(measure.lead_entity), f"{level}_days"))


def measure_request(
    *,
    actor: Any,
    defender: Defender,
    data: MeasureData,
    note: str = "",
    external_id: str | None = None,
    digest: str = "",
    now: datetime.datetime | None = None,
) -> Measure:
    if not may_request_measure(actor, defender):
        raise deny()
    data.validate(defender)
    now = _now(now)
    with transaction.atomic():
        code = next_code(MEASURE_PREFIX)
        measure = Measure(
            code=code,
            external_id=external_id or code,
            case=defender.case,
            defender=defender,
            beneficiary_kind=(
                Measure.Beneficiary.PERSON
                if data.beneficiary_person
                else Measure.Beneficiary.ORGANISATION
                if data.beneficiary_organisation
                else Measure.Beneficiary.DEFENDER
            ),
            beneficiary_person=data.beneficiary_person,
            beneficiary_organisation=data.beneficiary_organisation,
            data_key=defender.data_key,
            kind=data.kind,
            status=S.REQUESTED,
            procedure=data.procedure,
            lead_entity=defender.case.lead_entity,
            provider=data.provider,
            requested_on=data.requested_on or timezone.localdate(now),
            requested_at=now,
            cost=data.cost,
            currency=data.currency if data.cost is not None else "",
            created_by=_user(actor),
            digest=digest,
        )
        measure.details = {k: v for k, v in data.details.items() if v} or None
        if data.provider is not None and not provider_trained(data.provider):
            measure.provider_override_reason = data.provider_override_reason.strip()
        measure.save(force_insert=True)
        _history(measure, actor, "", S.REQUESTED, now, note)
        audit_record(
            actor,
            "measure.create",
            object_type="measure",
            object_id=measure.pk,
            fields=_written_fields(measure),
            detail={
                "code": measure.code,
                "kind": measure.kind,
                "provider_override": measure.provider_override_reason is not None,
            },
        )
        task_open(
            actor=actor,
            kind=Task.Kind.MEASURE_DECISION,
            title=f"Decide on measure {measure.code}",
            entity=measure.lead_entity,
            case=measure.case,
            due_at=_decision_due(measure, now),
            subject_type="measure",
            subject_id=str(measure.pk),
        )
    return measure


def _written_fields(measure: Measure) -> list[str]:
    names = ["kind", "status", "beneficiary", "requested_on"]
    for name in ("provider", "procedure", "cost"):
        if getattr(measure, f"{name}_id" if name != "cost" else name) is not None:
            names.append(name)
    if measure.provider_override_reason is not None:
        names.append("provider_override_reason")
    if measure.details:
        names.append("details")
    return names


def measure_assign_provider(
    *, actor: Any, measure: Measure, provider: Entity | None, override_reason: str = ""
) -> None:
    """Set or change the provider; an untrained one needs a recorded reason."""
    if not may_work_measure(actor, measure):
        raise deny()
    if provider is not None and not provider_trained(provider) and not override_reason.strip():
        raise ValidationError(
            {
                "provider": "This provider is not trained and certified: record the reason for "
                "assigning it anyway."
            }
        )
    with transaction.atomic():
        measure.provider = provider
        override = provider is not None and not provider_trained(provider)
        measure.provider_override_reason = override_reason.strip() if override else None
        measure.save(update_fields=["provider", "provider_override_reason"])
        audit_record(
            actor,
            "measure.provider",
            object_type="measure",
            object_id=measure.pk,
            fields=["provider", *(["provider_override_reason"] if override else [])],
            detail={"provider": provider.slug if provider else None, "override": override},
        )


def allowed_transitions(measure: Measure) -> frozenset[str]:
    return TRANSITIONS.get(measure.status, frozenset())


def measure_transition(
    *,
    actor: Any,
    measure: Measure,
    to_status: str,
    note: str = "",
    reason: str = "",
    now: datetime.datetime | None = None,
    _authorised: bool = False,
) -> Measure:
    """Move a measure along its lifecycle. A refusal by the defender needs their reason."""
    if not _authorised and not may_transition(actor, measure, to_status):
        raise deny()
    if to_status not in codes(MeasureStatus):
        raise ValidationError({"status": f"Unknown code {to_status!r}."})
    if to_status not in allowed_transitions(measure):
        raise ValidationError(
            {"status": f"A measure that is {measure.status} cannot become {to_status}."}
        )
    if to_status == S.REFUSED_BY_DEFENDER and not reason.strip():
        raise ValidationError({"reason": "Record why the defender refused the measure."})
    now = _now(now)
    before = measure.status
    with transaction.atomic():
        changed = ["status"]
        measure.status = to_status
        if to_status in {S.APPROVED, S.REJECTED} and measure.decided_at is None:
            measure.decided_at = now
            changed.append("decided_at")
        if to_status == S.IN_PLACE:
            if measure.implemented_at is None:
                measure.implemented_at = now
                changed.append("implemented_at")
            measure.review_due_on = timezone.localdate(now) + datetime.timedelta(
                days=review_interval_days(measure)
            )
            changed.append("review_due_on")
        if to_status in {S.ENDED, S.REFUSED_BY_DEFENDER}:
            measure.ended_at = now
            changed.append("ended_at")
        if to_status == S.REFUSED_BY_DEFENDER:
            measure.refusal_reason = reason.strip()
            changed.append("refusal_reason")
        measure.save(update_fields=changed)
        _history(measure, actor, before, to_status, now, note)
        audit_record(
            actor,
            "measure.transition",
            object_type="measure",
            object_id=measure.pk,
            fields=changed + (["note"] if note else []),
            detail={"code": measure.code, "from": before, "to": to_status},
        )
        _after_transition(actor, measure, to_status, now)
    return measure


def _after_transition(actor: Any, measure: Measure, to_status: str, now: datetime.datetime) -> None:
    subject_id = str(measure.pk)
    if to_status in {S.APPROVED, S.REJECTED, S.REFUSED_BY_DEFENDER}:
        _close_tasks(actor, subject_id, Task.Kind.MEASURE_DECISION)
    if to_status == S.APPROVED:
        task_open(
            actor=actor,
            kind=Task.Kind.MEASURE_IMPLEMENTATION,
            title=f"Put measure {measure.code} in place",
            entity=measure.lead_entity,
            case=measure.case,
            due_at=_implementation_due(measure, now),
            subject_type="measure",
            subject_id=subject_id,
        )
    if to_status in {S.IN_PLACE, S.ENDED, S.REFUSED_BY_DEFENDER}:
        _close_tasks(actor, subject_id, Task.Kind.MEASURE_IMPLEMENTATION)
        _close_tasks(actor, subject_id, Task.Kind.MEASURE_REVIEW)
    procedure = measure.procedure
    if procedure is not None and procedure.kind == "urgent":
        if to_status == S.APPROVED:
            procedure_mark_decided(actor=actor, procedure=procedure, now=now)
        elif to_status == S.IN_PLACE:
            procedure_mark_in_place(actor=actor, procedure=procedure, now=now)


def _close_tasks(actor: Any, subject_id: str, kind: str) -> None:
    tasks_close_for(actor=actor, subject_type="measure", subject_id=subject_id, kind=kind)


def measure_replace(
    *,
    actor: Any,
    measure: Measure,
    data: MeasureData,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Measure:
    """Offer another measure in place of one refused, rejected or ended (journey 6)."""
    if not may_work_measure(actor, measure):
        raise deny()
    if measure.status not in {S.REFUSED_BY_DEFENDER, S.REJECTED, S.ENDED}:
        raise ValidationError(
            {"status": "Only a refused, rejected or ended measure can be replaced."}
        )
    if measure.replaced_by_id is not None:
        raise ValidationError({"replaced_by": "This measure was already replaced."})
    if data.procedure is None:
        data.procedure = measure.procedure
    with transaction.atomic():
        replacement = measure_request(
            actor=actor, defender=measure.defender, data=data, note=note, now=now
        )
        measure.replaced_by = replacement
        measure.save(update_fields=["replaced_by"])
        audit_record(
            actor,
            "measure.replace",
            object_type="measure",
            object_id=measure.pk,
            fields=["replaced_by"],
            detail={"code": measure.code, "replaced_by": replacement.code},
        )
    return replacement


@dataclass
class FeedbackData:
    works: str
    trusts_provider: str = ""
    comment: str = ""
    given_on: datetime.date | None = None

    def validate(self) -> None:
        errors = Errors()
        errors.code("works", self.works, codes(Rating))
        if self.trusts_provider:
            errors.code("trusts_provider", self.trusts_provider, codes(Rating))
        errors.not_future("given_on", self.given_on)
        errors.raise_if_any()


def _feedback_save(
    actor: Any, measure: Measure, data: FeedbackData, source: str, action: str
) -> MeasureFeedback:
    data.validate()
    with transaction.atomic():
        feedback = MeasureFeedback(
            measure=measure,
            data_key=measure.data_key,
            source=source,
            works=data.works,
            trusts_provider=data.trusts_provider,
            given_on=data.given_on or timezone.localdate(),
            recorded_by=_user(actor),
        )
        feedback.comment = data.comment.strip() or None
        feedback.save(force_insert=True)
        audit_record(
            actor,
            action,
            object_type="measure",
            object_id=measure.pk,
            fields=["works", "trusts_provider", *(["comment"] if data.comment.strip() else [])],
            detail={"code": measure.code, "source": source},
        )
    return feedback


def feedback_record(*, actor: Any, measure: Measure, data: FeedbackData) -> MeasureFeedback:
    """The defender's feedback, recorded by the case team (the defender portal comes later)."""
    if not may_work_measure(actor, measure):
        raise deny()
    return _feedback_save(actor, measure, data, MeasureFeedback.Source.DEFENDER, "measure.feedback")


@dataclass
class RelocationData:
    host: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    family_members: list[Person] = field(default_factory=list)
    visa_plan: str = ""
    return_plan: str = ""

    def validate(self, measure: Measure) -> None:
        errors = Errors()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.add("ends_on", "The end is before the start.")
        if any(person.defender_id != measure.defender_id for person in self.family_members):
            errors.add("family_members", "Only the defender's relatives can be included.")
        errors.raise_if_any()


def relocation_save(*, actor: Any, measure: Measure, data: RelocationData) -> Relocation:
    if not may_work_measure(actor, measure):
        raise deny()
    data.validate(measure)
    with transaction.atomic():
        relocation = Relocation.objects.filter(measure=measure).first() or Relocation(
            measure=measure, data_key=measure.data_key
        )
        relocation.host = data.host.strip() or None
        relocation.starts_on, relocation.ends_on = data.starts_on, data.ends_on
        relocation.visa_plan = data.visa_plan.strip() or None
        relocation.return_plan = data.return_plan.strip() or None
        relocation.save()
        relocation.family_members.set(data.family_members)
        audit_record(
            actor,
            "measure.relocation",
            object_type="measure",
            object_id=measure.pk,
            fields=["host", "starts_on", "ends_on", "family_members", "visa_plan", "return_plan"],
            detail={"code": measure.code},
        )
    return relocation


@dataclass
class InterimData:
    body: str
    requested_on: datetime.date
    granted: bool | None = None
    granted_on: datetime.date | None = None
    state_compliance: str = InterimMeasureRequest.Compliance.UNKNOWN
    reference: str = ""
    notes: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.code("body", self.body, codes(InterimMeasureRequest.Body))
        errors.code(
            "state_compliance", self.state_compliance, codes(InterimMeasureRequest.Compliance)
        )
        errors.not_future("requested_on", self.requested_on)
        if self.granted_on is not None:
            if self.granted is not True:
                errors.add("granted_on", "Only a granted request has a date of grant.")
            elif self.granted_on < self.requested_on:
                errors.add("granted_on", "Granted before it was requested.")
        errors.raise_if_any()


def interim_request_save(
    *, actor: Any, measure: Measure, data: InterimData
) -> InterimMeasureRequest:
    if not may_work_measure(actor, measure):
        raise deny()
    if measure.kind != MeasureKind.INTERIM_MEASURES_REQUEST:
        raise ValidationError({"kind": "Only an interim measures request has these details."})
    data.validate()
    with transaction.atomic():
        interim = InterimMeasureRequest.objects.filter(
            measure=measure
        ).first() or InterimMeasureRequest(measure=measure, data_key=measure.data_key)
        interim.body, interim.requested_on = data.body, data.requested_on
        interim.granted, interim.granted_on = data.granted, data.granted_on
        interim.state_compliance, interim.reference = data.state_compliance, data.reference.strip()
        interim.notes = data.notes.strip() or None
        interim.save()
        audit_record(
            actor,
            "measure.interim",
            object_type="measure",
            object_id=measure.pk,
            fields=["body", "requested_on", "granted", "granted_on", "state_compliance", "notes"],
            detail={"code": measure.code, "body": data.body},
        )
    return interim


def safety_plan_save(
    *, actor: Any, defender: Defender, text: str, now: datetime.datetime | None = None
) -> SafetyPlan:
    if not may_edit_safety_plan(actor, defender):
        raise deny()
    if not text.strip():
        raise ValidationError({"text": "This field is required."})
    with transaction.atomic():
        plan = SafetyPlan.objects.select_for_update().filter(defender=defender).first()
        if plan is None:
            plan = SafetyPlan(defender=defender, data_key=defender.data_key, version=0)
        plan.text = text.strip()
        plan.version += 1
        plan.updated_at = _now(now)
        plan.updated_by = _user(actor)
        plan.save()
        audit_record(
            actor,
            "safety_plan.save",
            object_type="defender",
            object_id=defender.pk,
            fields=["safety_plan"],
            detail={"code": defender.code, "version": plan.version},
        )
    return plan


# Disclosures -------------------------------------------------------------------------------


def disclosure_consented(defender: Defender, entity: Entity) -> bool:
    """Has the defender consented to sharing with this entity (by name, or as a State body
    covered by their consent to share with the State)? The consent records decide."""
    return consent_allows(defender, ConsentPurpose.SHARE_WITH_ENTITY, entity=entity)


@dataclass
class DisclosureData:
    to_entity: Entity
    fields: list[str]
    measure: Measure | None = None
    override_reason: str = ""


def disclosure_create(
    *,
    actor: Any,
    defender: Defender,
    data: DisclosureData,
    now: datetime.datetime | None = None,
) -> Disclosure:
    case = defender.case
    if defender.is_shredded or not may_disclose(actor, case):
        raise deny()
    errors = Errors()
    allowed = disclosable_fields()
    wanted = list(dict.fromkeys(data.fields))
    errors.codes("fields", wanted, allowed, at_least_one=True)
    if data.to_entity.pk == case.lead_entity_id:
        errors.add("to_entity", "The lead entity already holds the case.")
    if data.measure is not None and data.measure.defender_id != defender.pk:
        errors.add("measure", "This measure is not the defender's.")
    consented = disclosure_consented(defender, data.to_entity)
    if not consented and not data.override_reason.strip():
        errors.add(
            "override_reason",
            "The defender has not consented to sharing with this entity: record the reason "
            "for disclosing anyway.",
        )
    errors.raise_if_any()
    now = _now(now)
    with transaction.atomic():
        disclosure = Disclosure(
            code=next_code(DISCLOSURE_PREFIX),
            case=case,
            defender=defender,
            measure=data.measure,
            from_entity=case.lead_entity,
            to_entity=data.to_entity,
            fields=sorted(wanted),
            basis=Disclosure.Basis.CONSENT if consented else Disclosure.Basis.OVERRIDE,
            data_key=defender.data_key,
            created_by=_user(actor),
            created_at=now,
        )
        if not consented:
            disclosure.override_reason = data.override_reason.strip()
        disclosure.save(force_insert=True)
        audit_record(
            actor,
            "disclosure.create",
            object_type="disclosure",
            object_id=disclosure.pk,
            fields=["fields", *(["override_reason"] if not consented else [])],
            detail={
                "code": disclosure.code,
                "to_entity": data.to_entity.slug,
                "fields": sorted(wanted),
                "basis": disclosure.basis,
                "measure": data.measure.code if data.measure else None,
            },
        )
        task_open(
            actor=actor,
            kind=Task.Kind.DISCLOSURE,
            title=f"Answer disclosure {disclosure.code}",
            entity=data.to_entity,
            due_at=now + datetime.timedelta(days=2),
            subject_type="disclosure",
            subject_id=str(disclosure.pk),
        )
    return disclosure


def disclosure_respond(
    *,
    actor: Any,
    disclosure: Disclosure,
    accept: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Disclosure:
    """The receiving entity's liaison accepts or rejects (with a reason) a pending disclosure."""
    if not may_respond_disclosure(actor, disclosure):
        raise deny()
    if not accept and not reason.strip():
        raise ValidationError({"reason": "Say why the disclosure is rejected."})
    with transaction.atomic():
        disclosure.status = Disclosure.Status.ACCEPTED if accept else Disclosure.Status.REJECTED
        disclosure.response_reason = reason.strip() or None
        disclosure.responded_by = _user(actor)
        disclosure.responded_at = _now(now)
        disclosure.save(update_fields=["status", "response_reason", "responded_by", "responded_at"])
        audit_record(
            actor,
            "disclosure.accept" if accept else "disclosure.reject",
            object_type="disclosure",
            object_id=disclosure.pk,
            fields=["status", *(["response_reason"] if reason.strip() else [])],
            detail={"code": disclosure.code},
        )
        tasks_close_for(actor=actor, subject_type="disclosure", subject_id=str(disclosure.pk))
    return disclosure


def disclosure_revoke(
    *, actor: Any, disclosure: Disclosure, now: datetime.datetime | None = None
) -> Disclosure:
    """The lead entity withdraws what it shared: the liaison no longer sees it."""
    if not may_disclose(actor, disclosure.case):
        raise deny()
    if disclosure.status == Disclosure.Status.REVOKED:
        return disclosure
    with transaction.atomic():
        disclosure.status = Disclosure.Status.REVOKED
        disclosure.revoked_at = _now(now)
        disclosure.save(update_fields=["status", "revoked_at"])
        audit_record(
            actor,
            "disclosure.revoke",
            object_type="disclosure",
            object_id=disclosure.pk,
            fields=["status"],
            detail={"code": disclosure.code},
        )
        tasks_close_for(actor=actor, subject_type="disclosure", subject_id=str(disclosure.pk))
    return disclosure


def _disclosed_measure(actor: Any, disclosure: Disclosure) -> Measure:
    if not may_report_implementation(actor, disclosure):
        raise deny()
    measure = disclosure.measure
    if measure is None:
        raise not_found()
    return measure


def liaison_report_in_place(
    *, actor: Any, disclosure: Disclosure, note: str = "", now: datetime.datetime | None = None
) -> Measure:
    """The provider's liaison reports the disclosed measure in place (or back in place)."""
    measure = _disclosed_measure(actor, disclosure)
    if measure.status not in {S.APPROVED, S.UNDER_REVIEW}:
        raise ValidationError({"status": "Only an approved measure can be reported in place."})
    return measure_transition(
        actor=actor, measure=measure, to_status=S.IN_PLACE, note=note, now=now, _authorised=True
    )


def liaison_report_feedback(
    *, actor: Any, disclosure: Disclosure, data: FeedbackData
) -> MeasureFeedback:
    """The provider's liaison reports how the implementation goes (no trust rating: that is
    the defender's to give)."""
    measure = _disclosed_measure(actor, disclosure)
    data.trusts_provider = ""
    return _feedback_save(
        actor, measure, data, MeasureFeedback.Source.PROVIDER, "measure.implementation_report"
    )
