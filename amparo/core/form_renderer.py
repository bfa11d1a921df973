"""The form renderer: Django's, except that select boxes are written in Python.

Django renders a select by including one template per option, and that template includes
another for the option's attributes: the country filter alone (some 250 options) cost tens of
milliseconds of template rendering on every list page, more than the rest of the page. The
markup written here is the one Django's templates write (django/forms/widgets/select.html,
select_option.html and attrs.html), escaped the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """attrs.html: False leaves the attribute out, True writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option(option: Mapping[str, Any]) -> str:
    """One option, escaped on every render. Options are not cached across requests (an earlier
    version kept 4,096 escaped options per worker to save ~1.5 ms per country select): some
    selects list decrypted names (an incident's victim relatives, organisations), and a
    process-wide cache would keep them in the worker's memory after the request."""
    value, label, attrs = option["value"], option["label"], option["attrs"]
    # The trailing newline is the one that ends Django's option template.
    return (
        f'<option value="{conditional_escape(str(value))}"{_attrs(attrs)}>'
        f"{conditional_escape(label)}</option>\n"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    """The select's markup, or None when an option has a template of its own."""
    groups: Iterable[tuple[Any, list[Mapping[str, Any]], int]] = widget["optgroups"]
    lines = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in groups:
        if group_name:
            lines.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            lines.append(f"\n  {_option(option)}")
        if group_name:
            lines.append("\n  </optgroup>")
    lines.append("\n</select>")
    return "".join(lines)


class AmparoFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT_TEMPLATE:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
