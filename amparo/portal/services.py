"""Writes of the portal: self-reports (submit, add to, accept, reject), their files, and what a
defender does in their own space (feedback on a measure, a check-in answer).

Policy-checked, validated, audited in one transaction. Audit events carry codes and field
names, never what the reporter typed, nor their address.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, Role, User
from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.coordination.services import task_open
from amparo.core import crypto
from amparo.core.codes import next_code
from amparo.core.keystore import data_key_create, data_key_shred, index_key
from amparo.core.policy import deny, role_of
from amparo.core.sealedfiles import seal_to_file, unseal_file
from amparo.core.uploads import upload_check
from amparo.core.validation import Errors
from amparo.core.vocab import Violation, codes
from amparo.earlywarning.models import Event
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, attachment_add, incident_record
from amparo.measures.models import Measure, MeasureFeedback
from amparo.measures.services import FeedbackData, _feedback_save
from amparo.portal.models import CheckIn, ReportAddition, ReportFile, SelfReport
from amparo.portal.policies import may_decide_report, own_defender
from amparo.registry.models import Defender
from amparo.registry.policies import may_work_case
from amparo.registry.services import DefenderData, defender_register

REPORT_PREFIX = "RPT"
TEXT_MAX = 5000
SHORT_MAX = 300
MAX_FILES = 5
# The follow-up code: 16 characters in 4 groups from an alphabet without look-alikes (no 0/O,
# 1/I/L, U/V): 30^16, about 78 bits, so guessing is hopeless within the rate limits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4
REVIEW_HOURS = 48
DAY = datetime.timedelta(days=1)
TARGETS = ("self", "other")

# What the portal says it accepts; amparo.core.uploads decides, by content.
ALLOWED_FILE_TYPES = (
    "JPEG",
    "PNG",
    "GIF",
    "WebP",
    "TIFF",
    "PDF",
    "MP4/M4A/MOV",
    "WebM",
    "OGG",
    "MP3",
    "WAV",
    "Word/Excel/PowerPoint (docx, xlsx, pptx)",
    "OpenDocument (odt, ods, odp)",
    "plain text",
)


@dataclass
class ReportContent:
    """What a reporter tells: the minimum first, then optional details."""

    what_happened: str
    occurred_on: datetime.date
    country: str
    violations: list[str]
    targeted: str = "self"
    subdivision: str = ""
    contact: str = ""
    person_name: str = ""
    place_detail: str = ""
    perpetrator: str = ""
    more: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.required_text("what_happened", self.what_happened)
        errors.country("country", self.country)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.codes("violations", self.violations, codes(Violation), at_least_one=True)
        errors.code("targeted", self.targeted, TARGETS)
        errors.not_future("occurred_on", self.occurred_on)
        for name in ("what_happened", "more"):
            if len(getattr(self, name)) > TEXT_MAX:
                errors.add(name, f"Keep this under {TEXT_MAX} characters.")
        for name in ("contact", "person_name", "place_detail", "perpetrator"):
            if len(getattr(self, name)) > SHORT_MAX:
                errors.add(name, f"Keep this under {SHORT_MAX} characters.")
        errors.raise_if_any()

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["occurred_on"] = self.occurred_on.isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ReportContent:
        values = dict(values)
        values["occurred_on"] = datetime.date.fromisoformat(values["occurred_on"])
        return cls(**values)


@dataclass
class Upload:
    """A file as received: its name, and a handle to read it from."""

    name: str
    handle: IO[bytes]


@dataclass
class CheckedFile:
    name: str
    content_type: str
    content: bytes = field(repr=False)


# Follow-up codes ----------------------------------------------------------------------------


def followup_code_new() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def followup_digest(code: str) -> str:
    """Keyed hash of the code as typed (case, spaces and dashes ignored)."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return crypto.keyed_digest(index_key("portal.followup"), normalised.encode())


# Files ----------------------------------------------------------------------------------------


def files_check(uploads: list[Upload]) -> list[CheckedFile]:
    """Read and check the files: how many, and each by amparo.core.uploads (size, type by
    content, archives, images); every problem is reported, no file is kept if one fails."""
    errors = Errors()
    if len(uploads) > MAX_FILES:
        errors.add("files", f"Send at most {MAX_FILES} files.")
        errors.raise_if_any()
    checked = []
    for upload in uploads:
        name = os.path.basename(upload.name or "").strip()[:255] or "file"
        try:
            accepted = upload_check(upload.handle, name, field="files")
        except ValidationError as error:
            for message in error.message_dict["files"]:
                errors.add("files", message)
            continue
        checked.append(CheckedFile(name, accepted.content_type, accepted.content))
    errors.raise_if_any()
    return checked


def _file_aad(report_file: ReportFile) -> bytes:
    return f"amparo|report-file|{report_file.pk}|{report_file.data_key_id}".encode()


def report_file_path(report_file: ReportFile) -> Path:
    return Path(settings.AMPARO_ATTACHMENTS_DIR) / f"report-{report_file.pk}.bin"


def _file_store(report: SelfReport, checked: CheckedFile) -> tuple[ReportFile, Path]:
    """Seal the file under the report's key and write it; the caller saves the row."""
    report_file = ReportFile(
        report=report,
        data_key=report.data_key,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
    )
    report_file.filename = checked.name
    path = report_file_path(report_file)
    seal_to_file(path, report.data_key, checked.content, _file_aad(report_file))
    return report_file, path


def report_file_read(report_file: ReportFile) -> bytes:
    """The file's content, while the report waits (once accepted the file is on the incident,
    and this copy is gone)."""
    return unseal_file(report_file_path(report_file), report_file.data_key, _file_aad(report_file))


def report_file_open(*, actor: Any, report_file: ReportFile) -> bytes:
    """Decrypt a waiting report's file for the staff deciding it (the caller fetched the report
    through the selector); audited."""
    content = report_file_read(report_file)
    audit_record(
        actor,
        "selfreport.file_read",
        object_type="selfreport",
        object_id=report_file.report_id,
        fields=["filename", "content"],
        detail={"code": report_file.report.code, "sha256": report_file.sha256},
    )
    return content


def _save_files(actor: Any, report: SelfReport, files: list[CheckedFile]) -> None:
    """Write the files, then their rows and audit events; no file outlives a failed save."""
    stored = [_file_store(report, checked) for checked in files]
    try:
        with transaction.atomic():
            for report_file, _path in stored:
                report_file.save(force_insert=True)
                audit_record(
                    actor,
                    "selfreport.file",
                    object_type="selfreport",
                    object_id=report.pk,
                    fields=["filename", "content"],
                    detail={
                        "code": report.code,
                        "sha256": report_file.sha256,
                        "size": report_file.size,
                    },
                )
    except Exception:
        for _report_file, path in stored:
            path.unlink(missing_ok=True)
        raise


# Self-reports ---------------------------------------------------------------------------------


def intake_entity() -> Entity | None:
    """The entity that receives reports made without an account (AMPARO_INTAKE_ENTITY)."""
    slug = settings.AMPARO_INTAKE_ENTITY
    return Entity.objects.filter(slug=slug).first() if slug else None


def _route(actor: Any) -> tuple[Entity, Defender | None]:
    defender = own_defender(actor)
    if defender is not None:
        return defender.case.lead_entity, defender
    entity = intake_entity()
    if entity is None:
        raise deny("Self-reports are not received here (no intake entity is configured).")
    return entity, None


def _review_task(actor: Any, report: SelfReport, title: str, now: datetime.datetime) -> None:
    task_open(
        actor=actor,
        kind=Task.Kind.OTHER,
        title=title,
        entity=report.entity,
        case=report.case,
        due_at=now + datetime.timedelta(hours=REVIEW_HOURS),
        subject_type="selfreport",
        subject_id=str(report.pk),
    )


def report_submit(
    *,
    actor: Any,
    content: ReportContent,
    uploads: list[Upload] | None = None,
    now: datetime.datetime | None = None,
) -> tuple[SelfReport, str]:
    """Receive a report; returns it and the follow-up code, which is shown once and kept only
    as a keyed hash."""
    content.validate()
    files = files_check(uploads or [])
    entity, defender = _route(actor)
    now = now or timezone.now()
    followup = followup_code_new()
    with transaction.atomic():
        report = SelfReport(
            code=next_code(REPORT_PREFIX),
            followup_digest=followup_digest(followup),
            data_key=data_key_create(),
            entity=entity,
            case=defender.case if defender else None,
            defender=defender,
            submitted_by=actor if isinstance(actor, User) else None,
            received_at=now,
        )
        report.content = content.as_json()
        report.save(force_insert=True)
        audit_record(
            actor,
            "selfreport.create",
            object_type="selfreport",
            object_id=report.pk,
            fields=["content"],
            detail={"code": report.code, "files": len(files), "entity": entity.slug},
        )
        _review_task(actor, report, f"Review self-report {report.code}", now)
        _save_files(actor, report, files)
    return report, followup


def report_find(code: str) -> SelfReport | None:
    """The report a follow-up code opens, or None: a wrong code and an unknown one are alike."""
    if not code.strip():
        return None
    return SelfReport.objects.filter(followup_digest=followup_digest(code)).first()


def report_add(
    *,
    actor: Any,
    report: SelfReport,
    text: str,
    uploads: list[Upload] | None = None,
    now: datetime.datetime | None = None,
) -> ReportAddition:
    """The reporter adds information (the caller checked their code or that it is theirs)."""
    text = text.strip()
    errors = Errors()
    if len(text) > TEXT_MAX:
        errors.add("text", f"Keep this under {TEXT_MAX} characters.")
    if not text and not uploads:
        errors.add("text", "Write something or attach a file.")
    errors.raise_if_any()
    files = files_check(uploads or [])
    now = now or timezone.now()
    with transaction.atomic():
        addition = ReportAddition(report=report, data_key=report.data_key, added_at=now)
        addition.text = text or None
        addition.save(force_insert=True)
        audit_record(
            actor,
            "selfreport.add",
            object_type="selfreport",
            object_id=report.pk,
            fields=["text"] if text else [],
            detail={"code": report.code, "files": len(files)},
        )
        _review_task(actor, report, f"New information on self-report {report.code}", now)
        _save_files(actor, report, files)
    return addition


def _decide(actor: Any, report: SelfReport) -> SelfReport:
    """Lock the report; one decision only, by those who may."""
    locked = SelfReport.objects.select_for_update().get(pk=report.pk)
    if not may_decide_report(actor, locked):
        raise deny("This report was already decided, or you may not decide it.")
    return locked


def _incident_data(report: SelfReport, defender: Defender) -> IncidentData:
    content = ReportContent.from_json(report.content)
    narrative = "\n\n".join(
        part
        for part in (
            content.what_happened,
            f"Perpetrator (as reported): {content.perpetrator}" if content.perpetrator else "",
            content.more,
        )
        if part
    )
    return IncidentData(
        date=content.occurred_on,
        country=content.country,
        subdivision=content.subdivision,
        locality=content.place_detail,
        violations=content.violations,
        victim_defenders=[defender],
        reported_on=max(content.occurred_on, timezone.localdate(report.received_at)),
        narrative=narrative,
        sources=[f"Self-report {report.code}"],
    )


def _reseal_under(report: SelfReport, defender: Defender) -> None:
    """Move an accepted report under the defender's key, so that shredding the defender erases
    it too; the report's own key is destroyed and the file copies (now on the incident) go."""
    old_key = report.data_key
    content = report.content
    report.data_key = defender.data_key
    report.content = content
    for addition in report.additions.all():
        text = addition.text
        addition.data_key = defender.data_key
        addition.text = text
        addition.save(update_fields=["data_key", "text"])
    for report_file in report.files.all():
        name = report_file.filename
        path = report_file_path(report_file)
        report_file.data_key = defender.data_key
        report_file.filename = name
        report_file.save(update_fields=["data_key", "filename"])
        transaction.on_commit(functools.partial(path.unlink, missing_ok=True))
    report.save(update_fields=["data_key", "content"])
    data_key_shred(old_key)


def _finish(
    actor: Any, report: SelfReport, status: str, reply: str, incident: Incident | None
) -> None:
    report.status = status
    report.decided_at = timezone.now()
    report.decided_by = actor if isinstance(actor, User) else None
    report.reply = reply or None
    report.incident = incident
    if incident is not None:
        report.case = incident.case
    report.save(update_fields=["status", "decided_at", "decided_by", "reply", "incident", "case"])
    Task.objects.filter(
        subject_type="selfreport", subject_id=str(report.pk), status=Task.Status.OPEN
    ).update(status=Task.Status.DONE, done_at=report.decided_at, done_by=report.decided_by)


def report_accept(
    *,
    actor: Any,
    report: SelfReport,
    defender: Defender | None = None,
    new_defender: DefenderData | None = None,
    reply: str = "",
) -> Incident:
    """Accept into a case: the existing defender's, or a new defender's (registered here); the
    incident is recorded through the incidents service and the files move onto it."""
    if (defender is None) == (new_defender is None):
        raise ValueError("Accept into an existing defender's case or register a new one.")
    if len(reply) > TEXT_MAX:
        errors = Errors()
        errors.add("reply", f"Keep this under {TEXT_MAX} characters.")
        errors.raise_if_any()
    with transaction.atomic():
        report = _decide(actor, report)
        if defender is not None and not may_work_case(actor, defender.case):
            raise deny("You do not work this defender's case.")
        if new_defender is not None:
            defender = defender_register(actor=actor, data=new_defender, entity=report.entity)
        assert defender is not None
        incident = incident_record(actor=actor, data=_incident_data(report, defender))
        for report_file in report.files.filter(attachment__isnull=True):
            report_file.attachment = attachment_add(
                actor=actor,
                incident=incident,
                upload=io.BytesIO(report_file_read(report_file)),
                filename=report_file.filename or "file",
                content_type=report_file.content_type,
            )
            report_file.save(update_fields=["attachment"])
        _reseal_under(report, defender)
        _finish(actor, report, SelfReport.Status.ACCEPTED, reply.strip(), incident)
        audit_record(
            actor,
            "selfreport.accept",
            object_type="selfreport",
            object_id=report.pk,
            fields=["status", "reply"] if reply.strip() else ["status"],
            detail={
                "code": report.code,
                "incident": incident.code,
                "defender": defender.code,
                "new_defender": new_defender is not None,
            },
        )
    return incident


def report_reject(*, actor: Any, report: SelfReport, reason: str) -> None:
    """Reject with a reason written for the reporter, who sees it with their code."""
    reason = reason.strip()
    errors = Errors()
    errors.required_text("reason", reason)
    if len(reason) > TEXT_MAX:
        errors.add("reason", f"Keep this under {TEXT_MAX} characters.")
    errors.raise_if_any()
    with transaction.atomic():
        report = _decide(actor, report)
        _finish(actor, report, SelfReport.Status.REJECTED, reason, None)
        audit_record(
            actor,
            "selfreport.reject",
            object_type="selfreport",
            object_id=report.pk,
            fields=["status", "reply"],
            detail={"code": report.code},
        )


# Erasure ------------------------------------------------------------------------------------


def reports_erase(*, actor: Any, defender: Defender) -> int:
    """Part of erasing a defender (amparo.registry.services.defender_shred calls it inside its
    transaction, whose `defender.shred` event counts what went): the self-reports they sent
    from their own space, and those accepted into their case, that are still sealed under a
    report's own key lose that key too, with their additions and files. A report still waiting
    is closed (nobody can decide what can no longer be read), its files leave the disk and its
    follow-up code opens nothing any more. Returns how many reports were erased."""
    from amparo.portal.selectors import reports_sealed_apart

    found = reports_sealed_apart(defender)
    for report, own in found:
        if report.status == SelfReport.Status.RECEIVED:
            _finish(actor, report, SelfReport.Status.REJECTED, "", None)
        for report_file in report.files.all():
            path = report_file_path(report_file)
            transaction.on_commit(functools.partial(path.unlink, missing_ok=True))
        # A digest of a code nobody holds: the reporter's code is now like a wrong one.
        report.followup_digest = followup_digest(followup_code_new())
        report.save(update_fields=["followup_digest"])
        for data_key in own:
            data_key_shred(data_key)
    return len(found)


# The defender's own space -----------------------------------------------------------------


def defender_feedback(*, actor: Any, measure: Measure, data: FeedbackData) -> MeasureFeedback:
    """A defender's own feedback on one of their measures (the case team records it for them
    with amparo.measures.services.feedback_record)."""
    defender = own_defender(actor)
    if defender is None or measure.defender_id != defender.pk:
        raise deny()
    data.given_on = None
    return _feedback_save(actor, measure, data, MeasureFeedback.Source.DEFENDER, "measure.feedback")


def checkin_answer(
    *, actor: Any, event: Event, answer: str, now: datetime.datetime | None = None
) -> CheckIn:
    """The defender says what support they need before a window that concerns them; a task
    for their case team follows (the answer itself stays sealed under the defender's key)."""
    from amparo.portal.selectors import checkins_due

    defender = own_defender(actor)
    if defender is None or role_of(actor) != Role.DEFENDER:
        raise deny()
    now = now or timezone.now()
    due = {row.event.pk: row for row in checkins_due(defender, timezone.localdate(now))}
    if event.pk not in due:
        raise deny("This check-in is not open for you.")
    answer = answer.strip()
    errors = Errors()
    if due[event.pk].answer is not None:
        errors.add("answer", "You already answered this check-in.")
    errors.required_text("answer", answer)
    if len(answer) > TEXT_MAX:
        errors.add("answer", f"Keep this under {TEXT_MAX} characters.")
    errors.raise_if_any()
    with transaction.atomic():
        check_in = CheckIn(
            defender=defender,
            event=event,
            data_key=defender.data_key,
            answered_at=now,
            answered_by=actor if isinstance(actor, User) else None,
        )
        check_in.answer = answer
        check_in.save(force_insert=True)
        window_opens = datetime.datetime.combine(
            event.start - datetime.timedelta(days=event.effective_lead_days),
            datetime.time(9),
            tzinfo=datetime.UTC,
        )
        check_in.task = task_open(
            actor=actor,
            kind=Task.Kind.OTHER,
            title=f"Check-in answer from {defender.code} before {event.external_id}",
            entity=defender.case.lead_entity,
            case=defender.case,
            due_at=max(now + datetime.timedelta(hours=4), min(window_opens, now + 2 * DAY)),
            subject_type="checkin",
            subject_id=str(check_in.pk),
        )
        check_in.save(update_fields=["task"])
        audit_record(
            actor,
            "checkin.answer",
            object_type="checkin",
            object_id=check_in.pk,
            fields=["answer"],
            detail={"defender": defender.code, "event": event.external_id},
        )
    return check_in
