"""Template helpers of the incident pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# How much of the date is shown, by its recorded precision (a day otherwise).
SHOWN = {"year": "Y", "month": "Y-m"}


@register.simple_tag
def incident_date(incident: Any) -> SafeString:
    """The incident's date as precisely as it is known, and its end date if any: one `<time>`
    each. A tag, not an included template: the list writes it on each of its fifty rows."""
    html = format_html(
        '<time datetime="{}">{}</time>',
        date_filter(incident.date, "Y-m-d"),
        date_filter(incident.date, SHOWN.get(incident.date_precision, "Y-m-d")),
    )
    if incident.end_date:
        end = date_filter(incident.end_date, "Y-m-d")
        html += format_html(' – <time datetime="{}">{}</time>', end, end)
    return html
