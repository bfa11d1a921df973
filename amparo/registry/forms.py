"""Forms of the registry pages. They validate input and build the services' data objects;
the services validate again and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import User
from amparo.core.forms import (
    PlaceFieldsMixin,
    choice_field,
    choices_of,
    country_field,
    subdivision_field,
)
from amparo.core.places import country_choices
from amparo.core.vocab import (
    Category,
    DefenderStatus,
    Gender,
    OrganisationKind,
    Relation,
    Violation,
)
from amparo.registry.models import Organisation
from amparo.registry.presenters import DefenderView, organisation_label
from amparo.registry.selectors import DefenderFilters, organisation_list, team_candidates
from amparo.registry.services import DefenderData, OrganisationData, PersonData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DefenderSearchForm(forms.Form):
    """Exact search by code, name, phone or e-mail. Always POSTed: names never enter a URL."""

    q = forms.CharField(
        label=_("Code, exact name, phone or e-mail"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, codes_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if codes_only:  # pseudonymised roles find records by code only
            self.fields["q"].label = _("Defender code")


class DefenderFilterForm(forms.Form):
    """Filters on codes only, so they may live in the query string."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    subdivision = forms.RegexField(
        label=_("Subdivision code"),
        regex=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": "CO-CAU"}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=choices_of(Category.choices, blank=True)
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=choices_of(Gender.choices, blank=True)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=choices_of(DefenderStatus.choices, blank=True)
    )
    violation = forms.ChoiceField(
        label=_("Suffered violation"),
        required=False,
        choices=choices_of(Violation.choices, blank=True),
    )
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
    registered_to = forms.DateField(label=_("Registered until"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = choices_of(country_choices(), blank=True)

    def to_filters(self) -> DefenderFilters:
        """The valid filters (an invalid one is ignored and shown with its error)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        return DefenderFilters(**data)


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def limit_to(self, actor: Any) -> None:
        """Offer the organisations this actor sees, labelled as this actor may see them."""
        self.actor = actor
        self.queryset = organisation_list(actor=actor)

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{organisation_label(self.actor, obj)} ({obj.get_kind_display()}, {obj.country})"


class DefenderForm(PlaceFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=300)
    alias = forms.CharField(label=_("Alias or other names"), max_length=300, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    country = country_field()
    subdivision = subdivision_field()
    locality = forms.CharField(
        label=_("Locality (town, village, community)"), max_length=300, required=False
    )
    organisations = OrganisationChoiceField(
        label=_("Organisations"), required=False, queryset=Organisation.objects.none()
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    signal = forms.CharField(
        label=_("Signal"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=DefenderStatus.choices, initial=DefenderStatus.ACTIVE
    )
    consent_register = forms.BooleanField(
        label=_("The defender consents to being registered"), required=False
    )
    consent_share_with_state = forms.BooleanField(
        label=_("The defender consents to sharing their case with State authorities"),
        required=False,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(OrganisationChoiceField, self.fields["organisations"]).limit_to(actor)
        self.setup_place_fields(required=True)

    def to_data(self, *, registered_on: Any = None) -> DefenderData:
        data = self.cleaned_data
        contacts = {
            key: data[key].strip()
            for key in ("phone", "email", "signal")
            if data.get(key, "").strip()
        }
        return DefenderData(
            name=data["name"].strip(),
            alias=data["alias"].strip(),
            gender=data["gender"],
            birth_year=data["birth_year"],
            categories=list(data["categories"]),
            country=data["country"],
            subdivision=data["subdivision"],
            locality=data["locality"].strip(),
            contacts=contacts,
            organisations=list(data["organisations"]),
            status=data["status"],
            registered_on=registered_on,
            consent_register=data["consent_register"],
            consent_share_with_state=data["consent_share_with_state"],
        )

    @staticmethod
    def initial_from(view: DefenderView, organisations: list[Organisation]) -> dict[str, Any]:
        contacts = view.contacts or {}
        return {
            "name": view.name or "",
            "alias": view.alias or "",
            "gender": view.gender,
            "birth_year": view.birth_year,
            "categories": view.categories,
            "country": view.country,
            "subdivision": view.subdivision,
            "locality": view.locality or "",
            "organisations": organisations,
            "phone": contacts.get("phone", ""),
            "email": contacts.get("email", ""),
            "signal": contacts.get("signal", ""),
            "status": view.status,
            "consent_register": view.consent_register,
            "consent_share_with_state": view.consent_share_with_state,
        }


class DefenderRegisterForm(DefenderForm):
    register_anyway = forms.BooleanField(
        label=_("I checked the possible duplicates: register this defender anyway"), required=False
    )


# Service errors about contacts belong to the contact fields.
DEFENDER_ERROR_ALIASES = {"contacts": "phone"}


class PersonForm(PlaceFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    country = country_field()
    subdivision = subdivision_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "relative")
        super().__init__(*args, **kwargs)
        self.setup_place_fields(required=False)

    def to_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            name=data["name"].strip(),
            relation=data["relation"],
            country=data["country"],
            subdivision=data["subdivision"],
        )


class TeamMemberField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.username} ({obj.get_role_display()})"


class TeamForm(forms.Form):
    members = TeamMemberField(
        label=_("Case team"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(TeamMemberField, self.fields["members"]).queryset = team_candidates(case)


class RestrictedForm(forms.Form):
    restricted = forms.BooleanField(
        label=_("Restricted: only the named team knows this case exists"), required=False
    )


class OrganisationForm(PlaceFieldsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        help_text=_("Names of communities and informal groups are encrypted."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    country = country_field()
    subdivision = subdivision_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place_fields(required=True)

    def to_data(self) -> OrganisationData:
        data = self.cleaned_data
        return OrganisationData(
            name=data["name"].strip(),
            kind=data["kind"],
            country=data["country"],
            subdivision=data["subdivision"],
        )


class ShredForm(forms.Form):
    """Erasure cannot be undone: the user types the defender's code to confirm."""

    confirm = forms.CharField(
        label=_("Type the defender's code to confirm"), max_length=32, strip=True
    )

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value != self.code:
            raise forms.ValidationError(_("This is not the defender's code."))
        return value
