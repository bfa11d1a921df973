"""Form helpers shared by every domain's pages: service errors onto forms, place fields."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amparo.core.places import country_choices, is_country, subdivision_choices

BLANK = [("", "—")]
_CODE_TEXT = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def add_service_errors(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError (keyed by domain field) on the form that fed it."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def choices_of(choices: Any, *, blank: bool = False) -> list[tuple[str, str]]:
    items = [(code, label) for code, label in choices]
    return [*BLANK, *items] if blank else items


class PlaceFieldsMixin:
    """A country select and a subdivision select whose options follow the country.

    Without JavaScript the subdivision options are those of the country the form was last
    rendered with (a mismatch is reported as an error and the options are refreshed); with
    HTMX a change of country refreshes them at once."""

    country_field = "country"
    subdivision_field = "subdivision"

    def setup_place_fields(self, *, required: bool) -> None:
        form: Any = self
        country = choice_field(form, self.country_field)
        country.choices = choices_of(country_choices(), blank=True)
        country.required = required
        bound_country = form[self.country_field].value() or ""
        subdivision = choice_field(form, self.subdivision_field)
        options = subdivision_choices(bound_country) if is_country(str(bound_country)) else []
        subdivision.choices = [("", _("— any / not known —")), *options]
        country.widget.attrs.update(
            {
                "hx-get": reverse("registry:subdivisions"),
                "hx-target": f"#{form[self.subdivision_field].auto_id}",
                "hx-trigger": "change",
                "hx-include": "this",
                "hx-swap": "innerHTML",
            }
        )


def country_field(label: Any = None) -> forms.ChoiceField:
    return forms.ChoiceField(label=label or _("Country"), choices=[])


def subdivision_field(label: Any = None) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label or _("Subdivision (department, state, province)"), choices=[], required=False
    )


def codes_from_text(text: str) -> list[str]:
    """Record codes typed one per line or separated by spaces or commas."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def is_code_text(value: str) -> bool:
    return bool(_CODE_TEXT.match(value))
