"""Aggregated, de-identified incident counts as HXL-tagged CSV, for the humanitarian system.

The Humanitarian Exchange Language (hxlstandard.org) is a row of hashtags under the header row
of an ordinary CSV file; HDX and libhxl read it. One row per country × subdivision × month ×
violation × perpetrator group, counting distinct incidents: an incident with two violations is
counted on two rows, so rows do not add up to the number of incidents (the file says so in its
header). No identity, narrative, locality or id leaves: only codes and counts. Counts below
the small-count threshold (AMPARO_REPORT_MIN_COUNT, default 3) are suppressed: the count cell is
empty and `#meta+suppressed` says why, so a reader cannot single out the one killing in a
municipality-month.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import TruncMonth

from amparo.audit.services import audit_record
from amparo.core.policy import deny
from amparo.core.vocab import STATE_PERPETRATORS, Perpetrator
from amparo.incidents.models import Incident, IncidentViolation
from amparo.incidents.policies import incident_scope
from amparo.interchange.formats import huridocs
from amparo.interchange.formats.tabular import neutralise
from amparo.interchange.policies import may_export_aggregates

HEADER = [
    "Country",
    "Subdivision",
    "Month",
    "Violation",
    "Violation (HURIDOCS)",
    "Perpetrator group",
    "Incidents",
    "Suppressed",
]
HASHTAGS = [
    "#country+code",
    "#adm1+code",
    "#date+month",
    "#event+type+code",
    "#event+type+code+huridocs",
    "#group+perpetrator+type",
    "#indicator+num+incidents",
    "#meta+suppressed",
]


def min_count() -> int:
    return int(getattr(settings, "AMPARO_REPORT_MIN_COUNT", 3))


def _group() -> Case:
    return Case(
        When(incident__perpetrator_rows__code__in=sorted(STATE_PERPETRATORS), then=Value("state")),
        When(incident__perpetrator_rows__code=Perpetrator.UNKNOWN, then=Value("unknown")),
        When(incident__perpetrator_rows__isnull=True, then=Value("unknown")),
        default=Value("non_state"),
        output_field=CharField(),
    )


def aggregate_rows(actor: Any) -> Iterator[dict[str, Any]]:
    """The counts, in SQL, over the incidents the actor sees (no row is decrypted)."""
    visible = Incident.objects.filter(incident_scope(actor)).values("pk")
    rows = (
        IncidentViolation.objects.filter(Q(incident__in=visible))
        .annotate(
            country=F("incident__country"),
            subdivision=F("incident__subdivision"),
            month=TruncMonth("incident__date"),
            group=_group(),
        )
        .values("country", "subdivision", "month", "code", "group")
        .annotate(incidents=Count("incident", distinct=True))
        .order_by("country", "subdivision", "month", "code", "group")
    )
    for item in rows.iterator(chunk_size=2000):
        yield dict(item)


def export_hxl(*, actor: Any, handle: IO[str]) -> dict[str, int]:
    """Write the HXL file; returns {"rows": n, "suppressed": m}. Audited as an export."""
    if not may_export_aggregates(actor):
        raise deny("Your role may not export incident counts.")
    threshold = min_count()
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerow(HASHTAGS)
    counts = {"rows": 0, "suppressed": 0}
    completed = False
    try:
        for item in aggregate_rows(actor):
            term = huridocs.term_for("violation", item["code"])
            suppressed = item["incidents"] < threshold
            month = item["month"]
            writer.writerow(
                [
                    item["country"],
                    item["subdivision"],
                    month.strftime("%Y-%m") if month else "",
                    neutralise(item["code"]),
                    term.code if term else "",
                    item["group"],
                    "" if suppressed else item["incidents"],
                    f"fewer than {threshold}" if suppressed else "",
                ]
            )
            counts["rows"] += 1
            counts["suppressed"] += int(suppressed)
        completed = True
    finally:
        with transaction.atomic():
            audit_record(
                actor,
                "export.run",
                object_type="export",
                detail={
                    "types": ["incident_counts"],
                    "counts": counts,
                    "pseudonymised": True,
                    "format": "hxl",
                    "completed": completed,
                },
            )
    return counts
