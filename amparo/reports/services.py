"""Producing the annual report and its companion in a format: checked, audited, rendered.

Producing a report is an export of figures: one `report.produce` audit event says who made
which report, for which period and in which format (never a figure).
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from amparo.audit.services import audit_record
from amparo.core.places import country_name
from amparo.core.policy import deny
from amparo.core.vocab import ReplyKind
from amparo.reports.document import build_document
from amparo.reports.figures import Period, annual_report, published_communications
from amparo.reports.policies import may_produce_report

FORMATS = ("html", "pdf", "json")
MAX_PERIOD_DAYS = 366 * 5


def check_period(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError({"to": "The end of the period is before its start."})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"to": "A report covers five years at most."})


def _audit(actor: Any, kind: str, start: datetime.date, end: datetime.date, fmt: str) -> None:
    with transaction.atomic():
        audit_record(
            actor,
            "report.produce",
            object_type="report",
            detail={"report": kind, "from": str(start), "to": str(end), "format": fmt},
        )


def html_to_pdf(html: str) -> bytes:
    from amparo.core.pdf import html_to_pdf as render

    # WeasyPrint and fontTools log every layout step and glyph subset at INFO.
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return render(html)


def annual_html(report: dict[str, Any]) -> str:
    return render_to_string("reports/annual_print.html", build_document(report))


def report_produce(*, actor: Any, start: datetime.date, end: datetime.date, fmt: str) -> bytes:
    """The annual report for the period in the format (html, pdf or json), as bytes."""
    if not may_produce_report(actor):
        raise deny()
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Choose one of {', '.join(FORMATS)}."})
    check_period(start, end)
    report = annual_report(actor=actor, start=start, end=end)
    if fmt == "json":
        content = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        html = annual_html(report)
        content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    _audit(actor, "annual", start, end, fmt)
    return content


def companion_rows(actor: Any, period: Period) -> list[dict[str, Any]]:
    rows = published_communications(actor, period)
    for row in rows:
        row["state_name"] = country_name(row["state"])
        row["reply_label"] = str(ReplyKind(row["reply_kind"]).label) if row["reply_kind"] else ""
    return rows


def companion_produce(*, actor: Any, start: datetime.date, end: datetime.date, fmt: str) -> bytes:
    """The companion list of public communications and their replies (html, pdf or json)."""
    if not may_produce_report(actor):
        raise deny()
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Choose one of {', '.join(FORMATS)}."})
    check_period(start, end)
    period = Period(start, end)
    rows = companion_rows(actor, period)
    if fmt == "json":
        payload = {"period": period.as_dict(), "communications": rows}
        content = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        html = render_to_string(
            "reports/companion_print.html", {"period": period.as_dict(), "communications": rows}
        )
        content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    _audit(actor, "companion", start, end, fmt)
    return content
