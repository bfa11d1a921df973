"""The period of the annual report page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.registry.forms import DATE


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last calendar year that has ended."""
    year = (today or timezone.localdate()).year - 1
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The query string says from= and to=, as the command's options do.
        if data is not None:
            data = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned
