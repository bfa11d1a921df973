"""The auditor's filters: what happened, to which record, by whom, when."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.registry.forms import DATE

OBJECT_TYPES = [
    ("", "—"),
    ("defender", _("Defender")),
    ("person", _("Relative or associate")),
    ("organisation", _("Organisation")),
    ("case", _("Case")),
    ("incident", _("Incident")),
    ("attachment", _("Evidence file")),
    ("user", _("User")),
    ("api_token", _("API token")),
    ("entity", _("Entity")),
]


class AuditFilterForm(forms.Form):
    subject = forms.RegexField(
        label=_("Record code or object id"),
        regex=r"^[A-Za-z0-9-]{1,64}$",
        required=False,
        max_length=64,
        help_text=_(
            "A defender, incident or case code (HRD-…, INC-…, CASE-…), or the id shown in an event."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    object_type = forms.ChoiceField(label=_("Object type"), choices=OBJECT_TYPES, required=False)
    actor = forms.RegexField(
        label=_("Username of the actor"), regex=r"^[\w.@+-]{1,150}$", required=False, max_length=150
    )
    action = forms.RegexField(
        label=_("Action (or its start, e.g. 'defender.read')"),
        regex=r"^[a-z_.]{1,64}$",
        required=False,
        max_length=64,
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DATE)

    def date_bounds(self) -> dict[str, Any]:
        """Whole days in UTC, the time zone of the log."""
        bounds: dict[str, Any] = {}
        if self.cleaned_data.get("since"):
            bounds["since"] = datetime.datetime.combine(
                self.cleaned_data["since"], datetime.time.min, tzinfo=datetime.UTC
            )
        if self.cleaned_data.get("until"):
            bounds["until"] = datetime.datetime.combine(
                self.cleaned_data["until"] + datetime.timedelta(days=1),
                datetime.time.min,
                tzinfo=datetime.UTC,
            )
        return bounds
