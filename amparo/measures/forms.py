"""Forms of the measures pages. They validate input and build the services' data objects;
the services validate again and decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import Entity
from amparo.core.forms import choices_of
from amparo.measures.disclosure import DEFAULT_FIELDS, disclosable_fields
from amparo.measures.models import (
    InterimMeasureRequest,
    MeasureKind,
    MeasureStatus,
    Rating,
)
from amparo.measures.selectors import MeasureFilters
from amparo.measures.services import (
    DisclosureData,
    FeedbackData,
    InterimData,
    MeasureData,
    RelocationData,
)
from amparo.registry.models import Defender, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class RelativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.external_id} ({obj.get_relation_display()})"


class RelativesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.external_id} ({obj.get_relation_display()})"


class EntityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        training = dict(Entity._meta.get_field("training_status").choices or [])
        label = f"{obj.name} ({obj.get_kind_display()}"
        label += f", {training.get(obj.training_status, obj.training_status)}"
        if obj.trained_until:
            label += f" {_('until')} {obj.trained_until:%Y-%m-%d}"
        return label + ")"


class MeasureFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=choices_of(MeasureKind.choices, blank=True)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=choices_of(MeasureStatus.choices, blank=True)
    )
    provider = forms.SlugField(label=_("Provider (entity slug)"), required=False, max_length=64)

    def to_filters(self) -> MeasureFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        return MeasureFilters(**data)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    beneficiary_person = RelativeChoiceField(
        label=_("Beneficiary, when not the defender: a relative or associate"),
        required=False,
        queryset=Person.objects.none(),
    )
    provider = EntityChoiceField(
        label=_("Provider"), required=False, queryset=Entity.objects.order_by("name")
    )
    provider_override_reason = forms.CharField(
        label=_("Reason for assigning a provider that is not trained and certified"),
        required=False,
        max_length=2000,
        widget=TEXT,
    )
    area = forms.CharField(label=_("Area where protection is needed"), required=False)
    schedule_needs = forms.CharField(label=_("Schedule needs"), required=False, max_length=300)
    contact_channel = forms.CharField(
        label=_("Contact channel for the provider"), required=False, max_length=300
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=TEXT)
    cost = forms.DecimalField(
        label=_("Cost"), required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2
    )
    currency = forms.RegexField(
        label=_("Currency (ISO 4217)"), regex=r"^[A-Z]{3}$", required=False, max_length=3
    )

    def __init__(self, *args: Any, defender: Defender, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = cast(RelativeChoiceField, self.fields["beneficiary_person"])
        people.queryset = Person.objects.filter(defender=defender).order_by("external_id")

    def to_data(self) -> MeasureData:
        data = self.cleaned_data
        details = {
            key: data[key].strip()
            for key in ("area", "schedule_needs", "contact_channel", "notes")
            if data.get(key, "").strip()
        }
        return MeasureData(
            kind=data["kind"],
            beneficiary_person=data["beneficiary_person"],
            provider=data["provider"],
            provider_override_reason=data["provider_override_reason"],
            cost=data["cost"],
            currency=data["currency"] or "",
            details=details,
        )


# Service errors about the beneficiary belong to the relative field.
MEASURE_ERROR_ALIASES = {"beneficiary": "beneficiary_person", "details": "notes"}


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=MeasureStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=TEXT)
    reason = forms.CharField(
        label=_("The defender's reason for refusing"),
        required=False,
        max_length=4000,
        widget=TEXT,
    )


class FeedbackForm(forms.Form):
    works = forms.ChoiceField(
        label=_("Does the measure work?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    trusts_provider = forms.ChoiceField(
        label=_("Does the defender trust the provider?"),
        choices=choices_of(Rating.choices, blank=True),
        required=False,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000, widget=TEXT)
    given_on = forms.DateField(label=_("Given on"), required=False, widget=DATE)

    def to_data(self) -> FeedbackData:
        data = self.cleaned_data
        return FeedbackData(
            works=data["works"],
            trusts_provider=data.get("trusts_provider") or "",
            comment=data.get("comment") or "",
            given_on=data.get("given_on"),
        )


class ImplementationFeedbackForm(FeedbackForm):
    """What a provider's liaison reports: no trust rating (that is the defender's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["trusts_provider"]
        self.fields["works"].label = _("Is the measure working as planned?")


class RelocationForm(forms.Form):
    host = forms.CharField(label=_("Host (who and where)"), required=False, max_length=1000)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DATE)
    family_members = RelativesField(
        label=_("Family members included"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    visa_plan = forms.CharField(label=_("Visa plan"), required=False, max_length=4000, widget=TEXT)
    return_plan = forms.CharField(
        label=_("Return plan"), required=False, max_length=4000, widget=TEXT
    )

    def __init__(self, *args: Any, defender: Defender, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = cast(RelativesField, self.fields["family_members"])
        members.queryset = Person.objects.filter(defender=defender).order_by("external_id")

    def to_data(self) -> RelocationData:
        data = self.cleaned_data
        return RelocationData(
            host=data["host"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            family_members=list(data["family_members"]),
            visa_plan=data["visa_plan"],
            return_plan=data["return_plan"],
        )


GRANTED_CHOICES = [("", _("Not decided yet")), ("yes", _("Granted")), ("no", _("Not granted"))]


class InterimForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=InterimMeasureRequest.Body.choices)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=64)
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    granted = forms.ChoiceField(label=_("Decision"), choices=GRANTED_CHOICES, required=False)
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=DATE)
    state_compliance = forms.ChoiceField(
        label=_("The State's compliance"),
        choices=InterimMeasureRequest.Compliance.choices,
        initial=InterimMeasureRequest.Compliance.UNKNOWN,
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=TEXT)

    def to_data(self) -> InterimData:
        data = self.cleaned_data
        granted = {"yes": True, "no": False}.get(data.get("granted") or "")
        return InterimData(
            body=data["body"],
            requested_on=data["requested_on"],
            granted=granted,
            granted_on=data["granted_on"],
            state_compliance=data["state_compliance"],
            reference=data["reference"],
            notes=data["notes"],
        )


class ReplaceForm(MeasureForm):
    note = forms.CharField(label=_("Why this replacement"), required=False, widget=TEXT)


class SafetyPlanForm(forms.Form):
    text = forms.CharField(
        label=_("Safety plan"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14})
    )


class DisclosureForm(forms.Form):
    to_entity = forms.ModelChoiceField(
        label=_("Disclose to"), queryset=Entity.objects.order_by("name")
    )
    disclosed = forms.MultipleChoiceField(
        label=_("Fields to disclose (nothing else is ever shown)"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_FIELDS),
    )
    override_reason = forms.CharField(
        label=_("Reason for disclosing without the defender's consent"),
        required=False,
        max_length=2000,
        widget=TEXT,
        help_text=_("Needed only when the defender has not consented to sharing with it."),
    )

    def __init__(self, *args: Any, lead_entity_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["disclosed"]).choices = [
            (name, f"{name}: {description}") for name, description in disclosable_fields().items()
        ]
        entities = cast(forms.ModelChoiceField, self.fields["to_entity"])
        entities.queryset = Entity.objects.exclude(pk=lead_entity_id).order_by("name")

    def to_data(self, measure: Any) -> DisclosureData:
        data = self.cleaned_data
        return DisclosureData(
            to_entity=data["to_entity"],
            fields=list(data["disclosed"]),
            measure=measure,
            override_reason=data["override_reason"],
        )


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason (required to reject)"), required=False, max_length=2000, widget=TEXT
    )


class ReportForm(forms.Form):
    note = forms.CharField(
        label=_("Implementation note"), required=False, max_length=4000, widget=TEXT
    )
