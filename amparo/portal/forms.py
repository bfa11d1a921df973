"""Forms of the portal: the self-report, the follow-up code, the intake decisions, and the
defender's own space (feedback, consent, check-ins)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import Entity
from amparo.coordination.models import ConsentPurpose
from amparo.core.forms import PlaceFieldsMixin, choices_of, country_field, subdivision_field
from amparo.measures.forms import FeedbackForm
from amparo.measures.models import Rating
from amparo.portal.services import SHORT_MAX, TEXT_MAX, ReportContent, Upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 5})
OFF = {"autocomplete": "off", "spellcheck": "false"}

# Violation codes in the words of someone who is not a lawyer.
PLAIN_VIOLATIONS = [
    ("death_threat", _("Someone threatened to kill")),
    ("threat", _("Threats or intimidation")),
    ("harassment", _("Harassment, insults or smears")),
    ("surveillance", _("Being followed or watched")),
    ("physical_attack", _("A physical attack")),
    ("sexual_violence", _("Sexual violence")),
    ("arbitrary_detention", _("Arrest or detention")),
    ("abduction", _("Taken away or disappeared")),
    ("judicial_harassment", _("A court case or charges")),
    ("raid", _("A raid or break-in")),
    ("property_damage", _("Damage to a home, office or belongings")),
    ("digital_attack", _("Phone, e-mail or accounts attacked")),
    ("travel_restriction", _("Stopped from travelling")),
    ("other", _("Something else")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def uploads_of(files: list[Any]) -> list[Upload]:
    return [Upload(name=upload.name, handle=upload) for upload in files]


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Photos, documents or recordings (optional)"),
        help_text=_(
            "Up to 5 files: photos (JPEG, PNG, GIF, WebP), PDF, audio or video (MP3, OGG, MP4), "
            "plain text. They are encrypted as soon as they arrive."
        ),
    )


class SelfReportForm(PlaceFieldsMixin, forms.Form):
    what_happened = forms.CharField(label=_("What happened?"), max_length=TEXT_MAX, widget=TEXT)
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        help_text=_("If you are not sure of the day, give the closest date."),
        widget=DATE,
    )
    country = country_field(_("Where: country"))
    subdivision = subdivision_field(_("Where: region, department, state or province"))
    targeted = forms.ChoiceField(
        label=_("Who was targeted?"),
        choices=[("self", _("Me")), ("other", _("Someone else"))],
        widget=forms.RadioSelect,
        initial="self",
    )
    violations = forms.MultipleChoiceField(
        label=_("What kind of attack was it? Tick all that apply."),
        choices=PLAIN_VIOLATIONS,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.CharField(
        label=_("How can we contact you safely? (optional)"),
        help_text=_("A number, an app or a person, and when. Leave empty to stay anonymous."),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.TextInput(attrs=OFF),
    )
    person_name = forms.CharField(
        label=_("Name of the person targeted (optional)"),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.TextInput(attrs=OFF),
    )
    place_detail = forms.CharField(
        label=_("Town or place (optional)"),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.TextInput(attrs=OFF),
    )
    perpetrator = forms.CharField(
        label=_("Who did it, if you know (optional)"),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.TextInput(attrs=OFF),
    )
    more = forms.CharField(
        label=_("Anything else we should know (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=TEXT,
    )
    evidence = _files_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place_fields(required=True)
        # The public page refreshes subdivisions from the portal, not from staff pages.
        self.fields["country"].widget.attrs["hx-get"] = reverse("portal:subdivisions")

    def to_content(self) -> ReportContent:
        data = self.cleaned_data
        return ReportContent(
            what_happened=data["what_happened"].strip(),
            occurred_on=data["occurred_on"],
            country=data["country"],
            subdivision=data["subdivision"],
            targeted=data["targeted"],
            violations=list(data["violations"]),
            contact=data["contact"].strip(),
            person_name=data["person_name"].strip(),
            place_detail=data["place_detail"].strip(),
            perpetrator=data["perpetrator"].strip(),
            more=data["more"].strip(),
        )


class FollowUpForm(forms.Form):
    code = forms.CharField(
        label=_("Your follow-up code"),
        max_length=40,
        widget=forms.TextInput(attrs={**OFF, "autocapitalize": "characters"}),
    )


class AdditionForm(forms.Form):
    text = forms.CharField(
        label=_("What would you like to add?"), max_length=TEXT_MAX, required=False, widget=TEXT
    )
    evidence = _files_field()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, written for the reporter (they read it with their code)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptExistingForm(forms.Form):
    defender = forms.CharField(
        label=_("Defender code (HRD-…)"), max_length=32, widget=forms.TextInput(attrs=OFF)
    )
    reply = forms.CharField(
        label=_("Message for the reporter (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "existing")
        super().__init__(*args, **kwargs)


class DefenderFeedbackForm(FeedbackForm):
    """Feedback in the defender's own words; the date is the day they give it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["given_on"]
        self.fields["works"].label = _("Does this measure work for you?")
        self.fields["trusts_provider"] = forms.ChoiceField(
            label=_("Do you trust who provides it?"),
            choices=choices_of(Rating.choices, blank=True),
            required=False,
        )
        self.fields["comment"].label = _("Anything you want your case team to know")


class DefenderConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("For"), choices=ConsentPurpose.choices)
    entity = forms.ModelChoiceField(
        label=_("Which organisation (only for sharing with a named organisation)"),
        queryset=Entity.objects.order_by("name"),
        required=False,
    )
    granted = forms.TypedChoiceField(
        label=_("I"),
        choices=[("yes", _("give my consent")), ("no", _("withdraw or refuse my consent"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class CheckInForm(forms.Form):
    answer = forms.CharField(
        label=_("What support do you need?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
