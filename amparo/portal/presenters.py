"""What staff and reporters are shown of self-reports; decrypting is audited here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError
from amparo.core.places import place_label
from amparo.core.vocab import Violation
from amparo.portal.models import CheckIn, SelfReport
from amparo.portal.services import ReportContent


@dataclass
class FileView:
    id: Any
    filename: str
    content_type: str
    size: int
    sha256: str
    attachment_id: Any


@dataclass
class ReportView:
    report: SelfReport
    content: ReportContent | None
    place: str
    violations: list[str]
    additions: list[tuple[datetime.datetime, str]] = field(default_factory=list)
    files: list[FileView] = field(default_factory=list)
    reply: str | None = None


def _reply(report: SelfReport) -> str | None:
    try:
        return report.reply
    except CryptoError:
        return None


def present_report(actor: Any, report: SelfReport, *, via: str) -> ReportView:
    """The whole report for the staff whose queue it is in (the selector checked who)."""
    try:
        content: ReportContent | None = ReportContent.from_json(report.content)
    except CryptoError:
        content = None
    view = ReportView(
        report=report,
        content=content,
        place=place_label(content.country, content.subdivision) if content else "",
        violations=[str(Violation(code).label) for code in content.violations] if content else [],
        reply=_reply(report),
    )
    for addition in report.additions.all():
        try:
            view.additions.append((addition.added_at, addition.text or "(files only)"))
        except CryptoError:
            continue
    for report_file in report.files.all():
        try:
            name = report_file.filename or ""
        except CryptoError:
            name = ""
        view.files.append(
            FileView(
                report_file.pk,
                name,
                report_file.content_type,
                report_file.size,
                report_file.sha256,
                report_file.attachment_id,
            )
        )
    audit_read(actor, "selfreport", [report], fields=["content", "additions", "files"], via=via)
    return view


@dataclass
class ReporterStatus:
    """What a follow-up code shows: no word of what was reported, only where it stands."""

    status: str
    status_label: str
    received_at: datetime.datetime
    decided_at: datetime.datetime | None
    reply: str | None
    additions: int


def reporter_status(report: SelfReport) -> ReporterStatus:
    return ReporterStatus(
        status=report.status,
        status_label=report.get_status_display(),
        received_at=report.received_at,
        decided_at=report.decided_at,
        reply=_reply(report),
        additions=report.additions.count(),
    )


@dataclass
class CheckInView:
    check_in: CheckIn
    answer: str | None


def present_checkins(actor: Any, check_ins: list[CheckIn], *, via: str) -> list[CheckInView]:
    views, read = [], []
    for check_in in check_ins:
        try:
            answer = check_in.answer
        except CryptoError:
            answer = None
        if answer is not None:
            read.append(check_in)
        views.append(CheckInView(check_in, answer))
    audit_read(actor, "checkin", read, fields=["answer"], via=via)
    return views
