"""How alerts are shown: codes, counts and statistics only, never names, for every role."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.earlywarning.models import Alert, AlertKind, AlertLevel
from amparo.earlywarning.selectors import LIVE


def sla_text(alert: Alert, now: datetime.datetime | None = None) -> str:
    """'due in X h' or 'overdue by X h' while the alert is live; empty once it is closed."""
    if alert.status not in LIVE:
        return ""
    seconds = (alert.sla_due_at - (now or timezone.now())).total_seconds()
    hours = int(abs(seconds) // 3600)
    if seconds >= 0:
        return _("due in %(hours)d h") % {"hours": hours}
    return _("overdue by %(hours)d h") % {"hours": hours}


def is_overdue(alert: Alert, now: datetime.datetime | None = None) -> bool:
    return alert.status in LIVE and alert.sla_due_at < (now or timezone.now())


def alert_row(alert: Alert, now: datetime.datetime | None = None) -> dict[str, Any]:
    return {
        "code": alert.code,
        "kind": alert.kind,
        "kind_label": AlertKind(alert.kind).label,
        "level": alert.level,
        "level_label": AlertLevel(alert.level).label,
        "status": alert.status,
        "status_label": alert.get_status_display(),
        "raised_on": alert.raised_on,
        "expires_on": alert.expires_on,
        "sla_due_at": alert.sla_due_at,
        "sla": sla_text(alert, now),
        "overdue": is_overdue(alert, now),
        "place": alert.subdivision or alert.country,
    }
