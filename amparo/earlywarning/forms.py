"""Forms of the alert pages: the inbox filter and the three actions."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.earlywarning.config import LEVELS, EngineConfig
from amparo.earlywarning.lifecycle import NOTE_MAX_LENGTH, DismissReason
from amparo.earlywarning.models import Alert, AlertKind, AlertLevel
from amparo.measures.models import Measure


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class AlertFilterForm(forms.Form):
    level = forms.ChoiceField(choices=_blank(AlertLevel.choices), required=False)
    kind = forms.ChoiceField(choices=_blank(AlertKind.choices), required=False)
    status = forms.ChoiceField(choices=_blank(Alert.Status.choices), required=False)
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))

    def to_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "level": data["level"],
            "kind": data["kind"],
            "status": data["status"],
            "overdue_only": data["overdue"],
        }


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    """Measures by code, defender code and kind: no name, no detail."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.defender.code} · {obj.get_kind_display()}"


class ActForm(forms.Form):
    measures = MeasureChoiceField(
        queryset=Measure.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measures"]
        assert isinstance(field, MeasureChoiceField)
        field.queryset = measures


class DismissForm(forms.Form):
    reason_code = forms.ChoiceField(choices=DismissReason.choices, label=_("Reason"))


class ConfigForm(forms.Form):
    """The engine's numeric settings as plain fields (no JSON to type); lists and maps other
    than the SLA hours are shown read-only."""

    def __init__(self, *args: Any, current: EngineConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.defaults = EngineConfig()
        for name in scalar_settings():
            default = getattr(self.defaults, name)
            field_class = forms.FloatField if isinstance(default, float) else forms.IntegerField
            self.fields[name] = field_class(
                min_value=0, initial=getattr(current, name), label=name.replace("_", " ")
            )
        for level in LEVELS:
            self.fields[f"sla_hours_{level}"] = forms.IntegerField(
                min_value=1,
                initial=current.sla_hours.get(level),
                label=_("SLA hours (%(level)s)") % {"level": level},
            )
        self.fields["note"] = forms.CharField(required=False, max_length=300, label=_("Note"))

    def to_values(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """The overrides to save: the previous ones, with each field set or (when back at its
        default) removed."""
        values = dict(overrides)
        data = self.cleaned_data
        for name in scalar_settings():
            if data[name] == getattr(self.defaults, name):
                values.pop(name, None)
            else:
                values[name] = data[name]
        sla = {level: data[f"sla_hours_{level}"] for level in LEVELS}
        if sla == self.defaults.sla_hours:
            values.pop("sla_hours", None)
        else:
            values["sla_hours"] = sla
        return values


def scalar_settings() -> list[str]:
    defaults = EngineConfig()
    return [
        f.name
        for f in dataclasses.fields(EngineConfig)
        if f.name != "version"
        and isinstance(getattr(defaults, f.name), int | float)
        and not isinstance(getattr(defaults, f.name), bool)
    ]
