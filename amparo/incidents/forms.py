"""Forms of the incident pages: filters, the record / edit form, evidence upload."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import (
    PlaceFieldsMixin,
    choice_field,
    choices_of,
    codes_from_text,
    country_field,
    subdivision_field,
)
from amparo.core.places import country_choices
from amparo.core.vocab import (
    Category,
    Context,
    DatePrecision,
    Gender,
    Perpetrator,
    Verification,
    Violation,
)
from amparo.incidents.presenters import IncidentView
from amparo.incidents.selectors import IncidentFilters
from amparo.incidents.services import IncidentData
from amparo.registry.forms import DATE, OrganisationChoiceField
from amparo.registry.models import Organisation


class IncidentFilterForm(forms.Form):
    """Filters on codes only, so they may live in the query string."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    subdivision = forms.RegexField(
        label=_("Subdivision code"),
        regex=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": "CO-CAU"}),
    )
    violation = forms.ChoiceField(
        label=_("Violation"), required=False, choices=choices_of(Violation.choices, blank=True)
    )
    perpetrator = forms.ChoiceField(
        label=_("Perpetrator"), required=False, choices=choices_of(Perpetrator.choices, blank=True)
    )
    context = forms.ChoiceField(
        label=_("Context"), required=False, choices=choices_of(Context.choices, blank=True)
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=choices_of(Verification.choices, blank=True),
    )
    category = forms.ChoiceField(
        label=_("Victim category"), required=False, choices=choices_of(Category.choices, blank=True)
    )
    gender = forms.ChoiceField(
        label=_("Victim gender"), required=False, choices=choices_of(Gender.choices, blank=True)
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE)
    defender = forms.RegexField(
        label=_("Defender code"), regex=r"^[A-Za-z0-9-]{1,32}$", required=False, max_length=32
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = choices_of(country_choices(), blank=True)

    def to_filters(self) -> IncidentFilters:
        """The valid filters (an invalid one is ignored and shown with its error)."""
        self.is_valid()
        return IncidentFilters(
            **{name: value for name, value in self.cleaned_data.items() if value}
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IncidentForm(PlaceFieldsMixin, forms.Form):
    """The facts of an incident. Victims are chosen on the record form only: editing keeps them
    (an editor may not see every victim, and must not drop the ones they cannot see)."""

    victim_defenders = forms.CharField(
        label=_("Victim defenders (codes)"),
        required=False,
        max_length=2000,
        help_text=_("One or more codes such as HRD-2026-000123, separated by spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    victim_persons = forms.MultipleChoiceField(
        label=_("Relatives or associates who were also targeted"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = OrganisationChoiceField(
        label=_("Targeted organisations"), required=False, queryset=Organisation.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    date_precision = forms.ChoiceField(
        label=_("The date is exact to the"),
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
    )
    end_date = forms.DateField(label=_("End date (if it lasted)"), required=False, widget=DATE)
    reported_on = forms.DateField(
        label=_("Reported to us on"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty if it is the date of the incident."),
    )
    country = country_field()
    subdivision = subdivision_field()
    locality = forms.CharField(label=_("Locality"), max_length=300, required=False)
    violations = forms.MultipleChoiceField(
        label=_("Violations"), choices=Violation.choices, widget=forms.CheckboxSelectMultiple
    )
    perpetrators = forms.MultipleChoiceField(
        label=_("Alleged perpetrators"),
        choices=Perpetrator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means unknown."),
    )
    perpetrator_detail = forms.CharField(
        label=_("About the perpetrators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    state_acquiescence = forms.BooleanField(
        label=_("State acquiescence or collusion is alleged"), required=False
    )
    contexts = forms.MultipleChoiceField(
        label=_("What the victim was doing (context)"),
        choices=Context.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    narrative = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    sources = forms.CharField(
        label=_("Sources (one per line)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    verification = forms.ChoiceField(
        label=_("Verification"), choices=Verification.choices, initial=Verification.UNVERIFIED
    )
    evidence = forms.FileField(
        label=_("Evidence file (photo, document, recording)"),
        required=False,
        help_text=_("Stored encrypted; its fingerprint is kept for the chain of custody."),
    )
    imminent_danger = forms.BooleanField(
        label=_("Imminent danger: open the urgent procedure for the first victim defender"),
        required=False,
        help_text=_(
            "Measures must then be decided and in place within the urgent deadlines; the "
            "coordinators are told at once."
        ),
    )

    def __init__(
        self,
        *args: Any,
        actor: Any,
        person_choices: list[tuple[str, str]] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            for name in (
                "victim_defenders",
                "victim_persons",
                "organisations",
                "evidence",
                "imminent_danger",
            ):
                del self.fields[name]
        else:
            choice_field(self, "victim_persons").choices = person_choices or []
            cast(OrganisationChoiceField, self.fields["organisations"]).limit_to(actor)
        self.setup_place_fields(required=True)

    @property
    def victim_codes(self) -> list[str]:
        return codes_from_text(self.cleaned_data.get("victim_defenders", ""))

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload is not None and upload.size > settings.AMPARO_MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than the limit."))
        return upload

    def to_data(self, **victims: Any) -> IncidentData:
        data = self.cleaned_data
        return IncidentData(
            date=data["date"],
            date_precision=data["date_precision"],
            end_date=data["end_date"],
            reported_on=data["reported_on"],
            country=data["country"],
            subdivision=data["subdivision"],
            locality=data["locality"].strip(),
            violations=list(data["violations"]),
            perpetrators=list(data["perpetrators"]) or [Perpetrator.UNKNOWN.value],
            perpetrator_detail=data["perpetrator_detail"].strip(),
            state_acquiescence=data["state_acquiescence"],
            contexts=list(data["contexts"]),
            narrative=data["narrative"].strip(),
            sources=_lines(data["sources"]),
            verification=data["verification"],
            **victims,
        )

    @staticmethod
    def initial_from(view: IncidentView) -> dict[str, Any]:
        return {
            "date": view.date,
            "date_precision": view.date_precision,
            "end_date": view.end_date,
            "reported_on": view.reported_on,
            "country": view.country,
            "subdivision": view.subdivision,
            "locality": view.locality or "",
            "violations": view.violations,
            "perpetrators": [p for p in view.perpetrators if p != Perpetrator.UNKNOWN],
            "perpetrator_detail": view.perpetrator_detail or "",
            "state_acquiescence": view.state_acquiescence,
            "contexts": view.contexts,
            "narrative": view.narrative or "",
            "sources": "\n".join(view.sources),
            "verification": view.verification,
        }


# Service errors about victims and contexts belong to these fields of the form.
INCIDENT_ERROR_ALIASES = {"victims": "victim_defenders", "context": "contexts"}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.AMPARO_MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than the limit."))
        return upload
