"""Forms of the coordination pages: recording consent, filtering tasks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import Entity
from amparo.coordination.models import ConsentPurpose, ConsentSource


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    entity = forms.ModelChoiceField(
        label=_("Named entity (only for sharing with a named entity)"),
        queryset=Entity.objects.order_by("name"),
        required=False,
    )
    granted = forms.TypedChoiceField(
        label=_("The defender"),
        choices=[("yes", _("gives consent")), ("no", _("withdraws or refuses consent"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_("How the defender said so"),
        choices=[c for c in ConsentSource.choices if c[0] != ConsentSource.PORTAL],
    )
    note = forms.CharField(
        label=_("Note (encrypted)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)


class TaskFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[("all", _("All tasks I can see")), ("mine", _("Assigned to me"))],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("Open")), ("done", _("Done")), ("cancelled", _("Cancelled"))],
        required=False,
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "mine": data.get("scope") == "mine",
            "overdue_only": bool(data.get("overdue")),
            "status": data.get("status") or "open",
        }
