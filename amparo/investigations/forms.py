"""The form that records an update of an incident's investigation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.core.vocab import InvestigationStage
from amparo.investigations.presenters import InvestigationView
from amparo.investigations.services import MAX_AUTHORITY, InvestigationChange
from amparo.registry.forms import DATE

COMPENSATION = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class InvestigationUpdateForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=InvestigationStage.choices)
    on = forms.DateField(label=_("On (the day of this stage)"), widget=DATE)
    authority = forms.CharField(
        label=_("Authority in charge"), required=False, max_length=MAX_AUTHORITY
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label=_("Outcome (sentence, reasons for closure)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to keep the outcome already recorded."),
    )
    compensation_awarded = forms.ChoiceField(
        label=_("Compensation awarded"), choices=COMPENSATION, required=False
    )
    compensation_amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    compensation_currency = forms.CharField(
        label=_("Currency (ISO 4217)"), required=False, max_length=3
    )

    @staticmethod
    def initial_from(view: InvestigationView | None) -> dict[str, Any]:
        initial: dict[str, Any] = {"on": timezone.localdate()}
        if view is not None:
            awarded = view.compensation_awarded
            initial.update(
                stage=view.stage,
                authority=view.authority,
                compensation_awarded="" if awarded is None else ("yes" if awarded else "no"),
                compensation_amount=view.compensation_amount,
                compensation_currency=view.compensation_currency,
            )
        return initial

    def to_change(self) -> InvestigationChange:
        data = self.cleaned_data
        awarded = {"yes": True, "no": False}.get(data["compensation_awarded"] or "")
        return InvestigationChange(
            stage=data["stage"],
            on=data["on"],
            authority=data["authority"].strip(),
            note=data["note"].strip(),
            outcome=data["outcome"].strip() or None,
            compensation_awarded=awarded,
            compensation_amount=data["compensation_amount"],
            compensation_currency=data["compensation_currency"].strip().upper(),
        )
