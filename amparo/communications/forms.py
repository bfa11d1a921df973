"""Forms of the communications pages. They validate input and build the services' data
objects (linked records are named by code and resolved within what the drafter may link); the
services validate again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.communications.models import Communication, CommunicationStatus
from amparo.communications.selectors import (
    CommunicationFilters,
    defenders_linkable,
    incidents_linkable,
)
from amparo.communications.services import CommunicationData, ReplyData, VisitData
from amparo.core.forms import choice_field, choices_of, codes_from_text
from amparo.core.places import country_choices
from amparo.core.vocab import CommunicationKind, ReplyKind, VisitStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _countries(*, blank: bool) -> list[tuple[str, str]]:
    return choices_of(country_choices(), blank=blank)


class CommunicationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[])
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=choices_of(CommunicationKind.choices, blank=True)
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=choices_of(CommunicationStatus.choices, blank=True),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "state").choices = _countries(blank=True)

    def to_filters(self) -> CommunicationFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        return CommunicationFilters(**data)


class CommunicationForm(forms.Form):
    """The draft: kind, State, mandates, the records it is about, a summary; and, when editing,
    the letter's text."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CommunicationKind.choices)
    state = forms.ChoiceField(label=_("Addressed State"), choices=[])
    mandates = forms.CharField(
        label=_("Mandates joining (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    defenders = forms.CharField(
        label=_("Defenders concerned (codes, e.g. HRD-2026-000123)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    incidents = forms.CharField(
        label=_("Incidents (codes, e.g. INC-2026-000045)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label=_("Summary (confidential)"), required=False, max_length=4000, widget=TEXT
    )
    concerns_women_defenders = forms.BooleanField(
        label=_("About women defenders (set by itself when a linked defender is a woman)"),
        required=False,
    )

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        choice_field(self, "state").choices = _countries(blank=True)
        if editing:
            self.fields["body"] = forms.CharField(
                label=_("Letter"),
                required=False,
                max_length=60000,
                widget=forms.Textarea(attrs={"rows": 18}),
            )
            self.fields["regenerate"] = forms.BooleanField(
                label=_("Compose the letter again from the linked records"), required=False
            )

    def _codes(self, name: str, resolve: Any, what: str) -> list[Any]:
        codes = list(dict.fromkeys(codes_from_text(self.cleaned_data.get(name, ""))))
        found, unknown = resolve(self.actor, codes)
        if unknown:
            # The same answer for a code that does not exist and one the drafter may not link.
            raise forms.ValidationError(
                _("Unknown %(what)s code: %(codes)s.") % {"what": what, "codes": ", ".join(unknown)}
            )
        return list(found)

    def clean_defenders(self) -> list[Any]:
        return self._codes("defenders", defenders_linkable, "defender")

    def clean_incidents(self) -> list[Any]:
        return self._codes("incidents", incidents_linkable, "incident")

    def clean_mandates(self) -> list[str]:
        text = self.cleaned_data.get("mandates", "")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def to_data(self) -> CommunicationData:
        data = self.cleaned_data
        return CommunicationData(
            kind=data["kind"],
            state=data["state"],
            mandates=data["mandates"],
            defenders=data["defenders"],
            incidents=data["incidents"],
            summary=data["summary"],
            concerns_women_defenders=data["concerns_women_defenders"],
        )

    @staticmethod
    def initial_from(communication: Communication, summary: str | None, body: str | None) -> dict:
        return {
            "kind": communication.kind,
            "state": communication.state,
            "mandates": "\n".join(communication.mandates or []),
            "defenders": "\n".join(
                communication.defenders.order_by("code").values_list("code", flat=True)
            ),
            "incidents": "\n".join(
                communication.incidents.order_by("code").values_list("code", flat=True)
            ),
            "summary": summary or "",
            "concerns_women_defenders": communication.concerns_women_defenders,
            "body": body or "",
        }


class ApproveForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Sent on"), required=False, widget=DATE, help_text=_("Today when left empty.")
    )


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=DATE)


class ReplyForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind of reply"), choices=ReplyKind.choices)
    summary = forms.CharField(
        label=_("Summary (confidential)"), required=False, max_length=8000, widget=TEXT
    )
    document = forms.FileField(label=_("The reply as received (optional)"), required=False)

    def to_data(self) -> ReplyData:
        data = self.cleaned_data
        return ReplyData(
            received_on=data["received_on"], kind=data["kind"], summary=data["summary"]
        )


class YearsField(forms.CharField):
    """Years typed as "2005, 2008 2009"."""

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value)
        try:
            years = sorted({int(part) for part in codes_from_text(text or "")})
        except ValueError:
            raise forms.ValidationError(_("Give years as numbers, e.g. 2005, 2008.")) from None
        return years


class VisitForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=[])
    status = forms.ChoiceField(label=_("Status"), choices=VisitStatus.choices)
    years_requested = YearsField(label=_("Years requested (e.g. 2005, 2008, 2009)"), max_length=300)
    first_requested_on = forms.DateField(label=_("First requested on"), widget=DATE)
    accepted_on = forms.DateField(label=_("Accepted on"), required=False, widget=DATE)
    starts_on = forms.DateField(label=_("Visit starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Visit ends on"), required=False, widget=DATE)
    declined_on = forms.DateField(label=_("Declined on"), required=False, widget=DATE)
    notes = forms.CharField(
        label=_("Notes (public record of the request)"),
        required=False,
        max_length=4000,
        widget=TEXT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "state").choices = _countries(blank=True)

    def to_data(self) -> VisitData:
        data = self.cleaned_data
        return VisitData(**{name: data[name] for name in self.fields})

    @staticmethod
    def initial_from(visit: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(visit, name)
            for name in (
                "state",
                "status",
                "first_requested_on",
                "accepted_on",
                "starts_on",
                "ends_on",
                "declined_on",
                "notes",
            )
        }
        values["years_requested"] = ", ".join(str(y) for y in visit.years_requested)
        return values
