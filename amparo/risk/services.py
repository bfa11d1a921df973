"""Writes on risk assessments: draft, submit, approve (four eyes), reject, re-evaluate.

Every function takes the actor, checks the policy, validates, writes in one transaction and
records the audit event inside it. The defender's derived risk fields (level, assessed on, next
review) are written here and nowhere else. Times come from `clock.now()` unless `now` is given, so
tests can fix them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from amparo.accounts.models import Entity, Role, User
from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.coordination.services import task_open, tasks_close_for
from amparo.core.codes import next_code
from amparo.core.policy import deny, role_of
from amparo.core.validation import Errors
from amparo.core.vocab import codes
from amparo.registry.models import Defender, Person
from amparo.risk import clock
from amparo.risk.models import (
    Capacity,
    ColombianCriterion,
    GenderFactor,
    Horizon,
    Participation,
    Procedure,
    RelativeRisk,
    ReviewPolicy,
    RiskAssessment,
    RiskLevel,
    Vulnerability,
)
from amparo.risk.policies import (
    may_assess,
    may_change_assessment,
    may_decide_assessment,
)
from amparo.risk.procedures import procedure_close as procedure_close
from amparo.risk.procedures import procedure_mark_decided as procedure_mark_decided
from amparo.risk.procedures import procedure_mark_in_place as procedure_mark_in_place
from amparo.risk.procedures import procedure_mark_studied
from amparo.risk.procedures import procedure_open as procedure_open
from amparo.risk.procedures import procedures_escalate_overdue as procedures_escalate_overdue
from amparo.risk.scoring import LevelResult, compute_level, level_rank, score_errors
from amparo.risk.selectors import review_policy_for

ASSESSMENT_PREFIX = "RA"
THREAT_STEPS = ("facts", "pattern", "objective", "author", "feasibility")
ITEM_SCORE_RANGE = (0, 4)
# Audited field names of an assessment (never their values).
_SENSITIVE = (
    "instrument",
    "rationale",
    "participation_note",
    "level_justification",
    "reevaluation_reason",
)
_PLAIN = (
    "assessed_on",
    "threat",
    "vulnerability",
    "capacity",
    "colombian_criteria",
    "level",
    "horizon",
    "gender_factors",
    "participation",
    "is_reevaluation",
)


# Data ----------------------------------------------------------------------------------------


@dataclass
class ThreatAnalysis:
    """One threat through the five steps (PI–FLD): facts, pattern, objective, author, and the
    conclusion on whether it can be carried out."""

    facts: str = ""
    pattern: str = ""
    objective: str = ""
    author: str = ""
    feasibility: str = ""

    def as_dict(self) -> dict[str, str]:
        return {step: getattr(self, step).strip() for step in THREAT_STEPS}


@dataclass
class ChecklistItem:
    code: str
    score: int
    evidence: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "score": self.score, "evidence": self.evidence.strip()}


@dataclass
class RelativeLevel:
    person: Person
    level: str
    note: str = ""


NO_SCORES_RULE = "No scores recorded (imported record): level as given by the source"


@dataclass
class AssessmentData:
    # None only for an imported record that gives the level without the scores.
    threat: int | None
    vulnerability: int | None
    capacity: int | None
    assessed_on: datetime.date | None = None
    horizon: str = Horizon.SHORT
    colombian_criteria: list[str] = field(default_factory=list)
    gender_factors: list[str] = field(default_factory=list)
    participation: str = Participation.NONE
    participation_note: str = ""
    threats: list[ThreatAnalysis] = field(default_factory=list)
    vulnerabilities: list[ChecklistItem] = field(default_factory=list)
    capacities: list[ChecklistItem] = field(default_factory=list)
    rationale: str = ""
    level: str = ""  # the final level; empty: the computed one
    level_justification: str = ""
    is_reevaluation: bool = False
    reevaluation_reason: str = ""
    relatives: list[RelativeLevel] = field(default_factory=list)

    @property
    def has_scores(self) -> bool:
        return None not in (self.threat, self.vulnerability, self.capacity)

    def result(self) -> LevelResult:
        if self.threat is None or self.vulnerability is None or self.capacity is None:
            return LevelResult(self.level, 0.0, self.level, None, NO_SCORES_RULE)
        return compute_level(
            self.threat, self.vulnerability, self.capacity, self.colombian_criteria
        )

    def final_level(self) -> str:
        return self.level or self.result().level

    def instrument(self) -> dict[str, Any]:
        return {
            "threats": [t.as_dict() for t in self.threats if any(t.as_dict().values())],
            "vulnerabilities": [item.as_dict() for item in self.vulnerabilities],
            "capacities": [item.as_dict() for item in self.capacities],
        }

    def validate(self, defender: Defender | None = None, *, complete: bool = False) -> None:
        """complete: the checks of a version put forward for approval (the five steps).
        Without a defender (an import line checked on its own) relatives are not checked."""
        errors = Errors()
        if self.has_scores:
            scores = score_errors(self.threat, self.vulnerability, self.capacity)  # type: ignore[arg-type]
            for name, message in scores.items():
                errors.add(name, message)
        elif complete or not self.level:
            for name in ("threat", "vulnerability", "capacity"):
                if getattr(self, name) is None:
                    errors.add(name, "This field is required.")
        errors.codes(
            "colombian_criteria",
            self.colombian_criteria,
            codes(ColombianCriterion),
            at_least_one=False,
        )
        errors.codes("gender_factors", self.gender_factors, codes(GenderFactor), at_least_one=False)
        errors.code("horizon", self.horizon, codes(Horizon))
        errors.code("participation", self.participation, codes(Participation))
        errors.not_future("assessed_on", self.assessed_on)
        if self.level:
            errors.code("level", self.level, codes(RiskLevel))
        self._validate_checklist(errors, "vulnerabilities", self.vulnerabilities, Vulnerability)
        self._validate_checklist(errors, "capacities", self.capacities, Capacity)
        for person_level in self.relatives:
            if defender is not None and person_level.person.defender_id != defender.pk:
                errors.add("relatives", "A relative must be one of this defender's.")
            errors.code("relatives", person_level.level, codes(RiskLevel))
        if len({r.person.pk for r in self.relatives}) != len(self.relatives):
            errors.add("relatives", "Each relative is assessed once.")
        if errors.by_field:
            errors.raise_if_any()
        if (
            self.level
            and self.level != self.result().level
            and not self.level_justification.strip()
        ):
            errors.add(
                "level_justification",
                "A level other than the computed one needs a justification.",
            )
        if self.is_reevaluation and not self.reevaluation_reason.strip():
            errors.add("reevaluation_reason", "Say what the re-evaluation found.")
        if complete:
            self._validate_threats(errors)
        errors.raise_if_any()

    def _validate_threats(self, errors: Errors) -> None:
        analysed = [t for t in self.threats if any(t.as_dict().values())]
        if (self.threat or 0) > 0 and not analysed:
            errors.add("threats", "Analyse at least one threat through the five steps.")
        for threat in analysed:
            missing = [step for step, text in threat.as_dict().items() if not text]
            if missing:
                errors.add("threats", f"A threat lacks the step(s): {', '.join(missing)}.")
                break

    @staticmethod
    def _validate_checklist(
        errors: Errors, name: str, items: list[ChecklistItem], vocabulary: Any
    ) -> None:
        allowed = codes(vocabulary)
        seen: set[str] = set()
        low, high = ITEM_SCORE_RANGE
        for item in items:
            if item.code not in allowed:
                errors.add(name, f"Unknown code {item.code!r}.")
            elif item.code in seen:
                errors.add(name, f"{item.code!r} is listed twice.")
            seen.add(item.code)
            if isinstance(item.score, bool) or not isinstance(item.score, int):
                errors.add(name, f"The score of {item.code!r} is not a whole number.")
            elif not low <= item.score <= high:
                errors.add(name, f"The score of {item.code!r} is not from {low} to {high}.")


# Review policy ------------------------------------------------------------------------------


REVIEW_POLICY_FIELDS = (
    "extreme_days",
    "high_days",
    "medium_days",
    "low_days",
    "urgent_decide_hours",
    "urgent_in_place_hours",
    "ordinary_study_days",
    "reevaluation_days",
)


def review_policy_set(*, actor: Any, entity: Entity, **values: int) -> ReviewPolicy:
    """Configure an entity's review intervals and procedure deadlines (its coordinators or an
    administrator)."""
    role = role_of(actor)
    allowed = role in {"system", Role.ADMIN} or (
        role == Role.COORDINATOR and actor.entity_id == entity.pk
    )
    if not allowed:
        raise deny()
    errors = Errors()
    for name, value in values.items():
        if name not in REVIEW_POLICY_FIELDS:
            errors.add(name, "Unknown setting.")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.add(name, "Give a whole number of at least 1.")
    errors.raise_if_any()
    with transaction.atomic():
        policy, _created = ReviewPolicy.objects.get_or_create(entity=entity)
        changed = [name for name, value in values.items() if getattr(policy, name) != value]
        for name in changed:
            setattr(policy, name, values[name])
        if changed:
            policy.save(update_fields=changed)
            audit_record(
                actor,
                "review_policy.update",
                object_type="entity",
                object_id=entity.pk,
                fields=changed,
                detail={name: values[name] for name in changed},
            )
    return policy


def review_interval_days(entity: Entity, level: str) -> int:
    return int(getattr(review_policy_for(entity), f"{level}_days"))


# Assessments --------------------------------------------------------------------------------


def _apply(assessment: RiskAssessment, data: AssessmentData, today: datetime.date) -> None:
    result = data.result()
    assessment.assessed_on = data.assessed_on or today
    assessment.threat = data.threat
    assessment.vulnerability = data.vulnerability
    assessment.capacity = data.capacity
    assessment.colombian_criteria = sorted(set(data.colombian_criteria))
    assessment.computed_level = result.level
    assessment.level_rule = result.rule
    assessment.level = data.level or result.level
    assessment.horizon = data.horizon
    assessment.gender_factors = sorted(set(data.gender_factors))
    assessment.participation = data.participation
    assessment.is_reevaluation = data.is_reevaluation
    assessment.instrument = data.instrument()
    assessment.rationale = data.rationale.strip() or None
    assessment.participation_note = data.participation_note.strip() or None
    justified = assessment.level != result.level
    assessment.level_justification = (
        (data.level_justification.strip() or None) if justified else None
    )
    assessment.reevaluation_reason = (
        data.reevaluation_reason.strip() or None if data.is_reevaluation else None
    )


def _set_relatives(assessment: RiskAssessment, data: AssessmentData, *, new: bool) -> None:
    if not new:
        assessment.relative_risks.all().delete()
    for person_level in data.relatives:
        row = RelativeRisk(
            assessment=assessment,
            person=person_level.person,
            data_key=assessment.data_key,
            level=person_level.level,
        )
        row.note = person_level.note.strip() or None
        row.save(force_insert=True)


def _check_downgrade(assessment: RiskAssessment, defender: Defender) -> None:
    """No downgrade without a documented re-evaluation (Consejo de Estado, §1.2)."""
    # From the database: the caller's instance may predate the latest approval.
    current = Defender.objects.values_list("risk_level", flat=True).get(pk=defender.pk)
    if not current or level_rank(assessment.level) >= level_rank(current):
        return
    if assessment.is_reevaluation and (assessment.reevaluation_reason or "").strip():
        return
    errors = Errors()
    errors.add(
        "reevaluation_reason",
        f"Lowering the level from {current} to {assessment.level} needs a documented "
        "re-evaluation: mark it as a re-evaluation and say what changed.",
    )
    errors.raise_if_any()


def assessment_create(
    *,
    actor: Any,
    defender: Defender,
    data: AssessmentData,
    procedure: Procedure | None = None,
    submit: bool = False,
    now: datetime.datetime | None = None,
    external_id: str | None = None,
) -> RiskAssessment:
    """A new version, as a draft (or submitted at once with submit=True)."""
    if not may_assess(actor, defender):
        raise deny()
    now = now or clock.now()
    data.validate(defender, complete=submit)
    if procedure is not None and procedure.defender_id != defender.pk:
        errors = Errors()
        errors.add("procedure", "The procedure is not this defender's.")
        errors.raise_if_any()
    with transaction.atomic():
        Defender.objects.select_for_update().filter(pk=defender.pk).first()
        last = RiskAssessment.objects.filter(defender=defender).aggregate(Max("version"))
        code = next_code(ASSESSMENT_PREFIX)
        user = actor if isinstance(actor, User) else None
        assessment = RiskAssessment(
            code=code,
            external_id=external_id or code,
            defender=defender,
            case=defender.case,
            data_key=defender.data_key,
            version=(last["version__max"] or 0) + 1,
            procedure=procedure,
            assessed_by=user,
            created_at=now,
            created_by=user,
        )
        _apply(assessment, data, timezone.localdate(now))
        if submit:
            _check_downgrade(assessment, defender)
        assessment.save(force_insert=True)
        _set_relatives(assessment, data, new=True)
        audit_record(
            actor,
            "assessment.create",
            object_type="assessment",
            object_id=assessment.pk,
            fields=[*_PLAIN, *_SENSITIVE, "relatives"],
            detail={
                "code": code,
                "defender": defender.code,
                "version": assessment.version,
                "level": assessment.level,
            },
        )
        if submit:
            _submit(actor, assessment, now)
    return assessment


def assessment_update(
    *,
    actor: Any,
    assessment: RiskAssessment,
    data: AssessmentData,
    now: datetime.datetime | None = None,
) -> None:
    """Change a draft; a submitted version is immutable."""
    if not may_change_assessment(actor, assessment):
        raise deny("Only a draft can be changed, by the case team or a coordinator.")
    now = now or clock.now()
    data.validate(assessment.defender)
    with transaction.atomic():
        _apply(assessment, data, timezone.localdate(now))
        assessment.save()
        _set_relatives(assessment, data, new=False)
        audit_record(
            actor,
            "assessment.update",
            object_type="assessment",
            object_id=assessment.pk,
            fields=[*_PLAIN, *_SENSITIVE, "relatives"],
            detail={"code": assessment.code, "level": assessment.level},
        )


def assessment_data_of(assessment: RiskAssessment) -> AssessmentData:
    """The draft's content as data (to re-validate on submission, or to prefill a form)."""
    instrument = assessment.instrument or {}
    return AssessmentData(
        threat=assessment.threat,
        vulnerability=assessment.vulnerability,
        capacity=assessment.capacity,
        assessed_on=assessment.assessed_on,
        horizon=assessment.horizon,
        colombian_criteria=list(assessment.colombian_criteria),
        gender_factors=list(assessment.gender_factors),
        participation=assessment.participation,
        participation_note=assessment.participation_note or "",
        threats=[ThreatAnalysis(**t) for t in instrument.get("threats", [])],
        vulnerabilities=[ChecklistItem(**i) for i in instrument.get("vulnerabilities", [])],
        capacities=[ChecklistItem(**i) for i in instrument.get("capacities", [])],
        rationale=assessment.rationale or "",
        level=assessment.level if assessment.level != assessment.computed_level else "",
        level_justification=assessment.level_justification or "",
        is_reevaluation=assessment.is_reevaluation,
        reevaluation_reason=assessment.reevaluation_reason or "",
        relatives=[
            RelativeLevel(row.person, row.level, row.note or "")
            for row in assessment.relative_risks.select_related("person")
        ],
    )


def _submit(actor: Any, assessment: RiskAssessment, now: datetime.datetime) -> None:
    assessment.status = RiskAssessment.Status.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = actor if isinstance(actor, User) else None
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor,
        "assessment.submit",
        object_type="assessment",
        object_id=assessment.pk,
        detail={"code": assessment.code, "level": assessment.level},
    )
    task_open(
        actor=actor,
        kind=Task.Kind.OTHER,
        title=f"Approve or reject risk assessment {assessment.code}",
        entity=assessment.case.lead_entity,
        case=assessment.case,
        subject_type="assessment",
        subject_id=str(assessment.pk),
        due_at=now + datetime.timedelta(days=2),
    )


def assessment_submit(
    *, actor: Any, assessment: RiskAssessment, now: datetime.datetime | None = None
) -> None:
    """Put a draft forward for approval: from here on it is immutable."""
    if not may_change_assessment(actor, assessment):
        raise deny("Only a draft can be submitted, by the case team or a coordinator.")
    now = now or clock.now()
    assessment_data_of(assessment).validate(assessment.defender, complete=True)
    _check_downgrade(assessment, assessment.defender)
    with transaction.atomic():
        _submit(actor, assessment, now)


def _current_approved(defender: Defender) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(defender=defender, status=RiskAssessment.Status.APPROVED)
        .order_by("-decided_at", "-version")
        .first()
    )


def _make_current(actor: Any, assessment: RiskAssessment, now: datetime.datetime) -> datetime.date:
    """The assessment becomes the defender's current level; the review is scheduled."""
    defender = assessment.defender
    days = review_interval_days(assessment.case.lead_entity, assessment.level)
    next_review = assessment.assessed_on + datetime.timedelta(days=days)
    defender.risk_level = assessment.level
    defender.risk_assessed_on = assessment.assessed_on
    defender.next_review_on = next_review
    defender.save(update_fields=["risk_level", "risk_assessed_on", "next_review_on"])
    for kind in (Task.Kind.REEVALUATION, Task.Kind.REVIEW):
        tasks_close_for(actor=actor, subject_type="defender", subject_id=defender.pk, kind=kind)
    task_open(
        actor=actor,
        kind=Task.Kind.REVIEW,
        title=f"Scheduled risk review of {defender.code} ({assessment.level})",
        entity=assessment.case.lead_entity,
        case=assessment.case,
        subject_type="defender",
        subject_id=str(defender.pk),
        due_at=clock.day_start(next_review),
    )
    return next_review


def assessment_approve(
    *, actor: Any, assessment: RiskAssessment, now: datetime.datetime | None = None
) -> None:
    """A coordinator of the lead entity, not the assessor, approves: it becomes the current
    level, the review is scheduled, the re-evaluation and review tasks are done."""
    if not may_decide_assessment(actor, assessment):
        raise deny(
            "Only a coordinator of the lead entity who did not write it can approve a submitted "
            "assessment."
        )
    now = now or clock.now()
    with transaction.atomic():
        defender = Defender.objects.select_for_update().get(pk=assessment.defender_id)
        assessment.defender = defender
        _check_downgrade(assessment, defender)
        previous = _current_approved(defender)
        previous_level = defender.risk_level
        assessment.status = RiskAssessment.Status.APPROVED
        assessment.decided_at = now
        assessment.decided_by = actor if isinstance(actor, User) else None
        assessment.supersedes = previous
        assessment.next_review_on = _make_current(actor, assessment, now)
        assessment.save(
            update_fields=["status", "decided_at", "decided_by", "supersedes", "next_review_on"]
        )
        tasks_close_for(actor=actor, subject_type="assessment", subject_id=assessment.pk)
        audit_record(
            actor,
            "assessment.approve",
            object_type="assessment",
            object_id=assessment.pk,
            detail={
                "code": assessment.code,
                "defender": defender.code,
                "level": assessment.level,
                "previous_level": previous_level,
                "downgrade": level_rank(assessment.level) < level_rank(previous_level),
                "next_review_on": assessment.next_review_on.isoformat(),
            },
        )
        procedure = assessment.procedure
        if procedure is not None and procedure.kind == Procedure.Kind.ORDINARY:
            procedure_mark_studied(actor=actor, procedure=procedure, now=now)


def assessment_reject(
    *,
    actor: Any,
    assessment: RiskAssessment,
    reason: str,
    now: datetime.datetime | None = None,
) -> None:
    if not may_decide_assessment(actor, assessment):
        raise deny(
            "Only a coordinator of the lead entity who did not write it can reject a submitted "
            "assessment."
        )
    errors = Errors()
    errors.required_text("reason", reason)
    errors.raise_if_any()
    now = now or clock.now()
    with transaction.atomic():
        assessment.status = RiskAssessment.Status.REJECTED
        assessment.decided_at = now
        assessment.decided_by = actor if isinstance(actor, User) else None
        assessment.decision_note = reason.strip()
        assessment.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        tasks_close_for(actor=actor, subject_type="assessment", subject_id=assessment.pk)
        audit_record(
            actor,
            "assessment.reject",
            object_type="assessment",
            object_id=assessment.pk,
            fields=["decision_note"],
            detail={"code": assessment.code},
        )


def assessment_import(
    *,
    actor: Any,
    defender: Defender,
    data: AssessmentData,
    external_id: str,
    digest: str = "",
    now: datetime.datetime | None = None,
) -> RiskAssessment:
    """A past, already decided assessment from another system (interchange `assessment`):
    recorded as approved, without four eyes, so only the lead entity's coordinators (or the
    operator) may import one. It becomes current when it is the most recently assessed."""
    from amparo.registry.policies import may_manage_case

    if defender.is_shredded or not may_manage_case(actor, defender.case):
        raise deny()
    now = now or clock.now()
    data.validate(defender)
    with transaction.atomic():
        assessment = assessment_create(
            actor=actor, defender=defender, data=data, now=now, external_id=external_id
        )
        assessment.status = RiskAssessment.Status.APPROVED
        assessment.decided_at = now
        assessment.digest = digest
        latest = (
            defender.risk_assessed_on is None or assessment.assessed_on >= defender.risk_assessed_on
        )
        if latest:
            assessment.supersedes = _current_approved(defender)
            assessment.next_review_on = _make_current(actor, assessment, now)
        assessment.save(
            update_fields=["status", "decided_at", "digest", "supersedes", "next_review_on"]
        )
        audit_record(
            actor,
            "assessment.import",
            object_type="assessment",
            object_id=assessment.pk,
            detail={"code": assessment.code, "level": assessment.level, "current": latest},
        )
    return assessment


def assessment_import_update(
    *, actor: Any, assessment: RiskAssessment, data: AssessmentData, digest: str
) -> list[str]:
    """Re-import of a changed `assessment` record: the plain fields and notes are corrected in
    place (the record is a copy of another system's), audited by field name."""
    from amparo.registry.policies import may_manage_case

    if assessment.defender.is_shredded or not may_manage_case(actor, assessment.case):
        raise deny()
    data.validate(assessment.defender)
    result = data.result()
    wanted = {
        "assessed_on": data.assessed_on or assessment.assessed_on,
        "threat": data.threat,
        "vulnerability": data.vulnerability,
        "capacity": data.capacity,
        "level": data.level or result.level,
        "horizon": data.horizon,
    }
    changed = [name for name, value in wanted.items() if getattr(assessment, name) != value]
    if (assessment.rationale or "") != data.rationale.strip():
        changed.append("rationale")
    with transaction.atomic():
        for name in changed:
            if name == "rationale":
                assessment.rationale = data.rationale.strip() or None
            else:
                setattr(assessment, name, wanted[name])
        assessment.computed_level, assessment.level_rule = result.level, result.rule
        assessment.digest = digest
        assessment.save()
        if changed:
            audit_record(
                actor,
                "assessment.update",
                object_type="assessment",
                object_id=assessment.pk,
                fields=changed,
            )
            current = _current_approved(assessment.defender)
            if current is not None and current.pk == assessment.pk:
                _make_current(actor, assessment, clock.now())
    return changed


# Re-evaluation on new facts ------------------------------------------------------------------


def defenders_affected_by(incident: Any) -> list[Defender]:
    """The victim defenders, the defenders of victim relatives, the members of targeted
    organisations: each once, erased and deceased ones left out."""
    ids: set[Any] = set(incident.victim_defenders.values_list("pk", flat=True))
    ids |= set(incident.victim_persons.values_list("defender_id", flat=True))
    ids |= set(
        Defender.objects.filter(organisations__in=incident.organisations.all()).values_list(
            "pk", flat=True
        )
    )
    return list(
        Defender.objects.filter(pk__in=ids, shredded_at__isnull=True)
        .exclude(status="deceased")
        .select_related("case", "case__lead_entity")
        .order_by("code")
    )


SUPERVENING_DAYS = 90


def reevaluation_open_for_incident(
    *, actor: Any, incident: Any, now: datetime.datetime | None = None
) -> list[Task]:
    """A new incident is a supervening fact: open one re-evaluation task per affected defender
    (an open one is reused, so a defender never has two). Called by incident_record inside its
    transaction.

    Only facts that reached the programme recently count: an incident reported more than
    SUPERVENING_DAYS ago (a historical import, a late transcription of an old file) opens
    nothing, or importing years of records would bury the real re-evaluations."""
    now = now or clock.now()
    if incident.reported_on < now.date() - datetime.timedelta(days=SUPERVENING_DAYS):
        return []
    tasks = []
    for defender in defenders_affected_by(incident):
        entity = defender.case.lead_entity
        days = review_policy_for(entity).reevaluation_days
        # The incident's code is named only to the entity that recorded it.
        same_entity = entity.pk == incident.lead_entity_id
        title = f"Re-evaluate the risk of {defender.code}: new incident" + (
            f" {incident.code}" if same_entity else ""
        )
        tasks.append(
            task_open(
                actor=actor,
                kind=Task.Kind.REEVALUATION,
                title=title,
                entity=entity,
                case=defender.case,
                subject_type="defender",
                subject_id=str(defender.pk),
                due_at=now + datetime.timedelta(days=days),
            )
        )
    return tasks
