"""The form renderer writes select boxes in Python: the markup must be Django's, byte for byte."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from amparo.core.form_renderer import AmparoFormRenderer
from amparo.incidents.forms import IncidentFilterForm
from amparo.registry.forms import DefenderFilterForm


class Probe(forms.Form):
    plain = forms.ChoiceField(
        required=False,
        choices=[
            ("", "---"),
            ('x&y"', 'A "quoted" <b>label</b>'),
            ("Group <1>", [("1", "one"), ("2", "two")]),
        ],
    )
    many = forms.MultipleChoiceField(
        choices=[("1", "one"), ("2", "two")],
        widget=forms.SelectMultiple(attrs={"data-note": 'say "hi"', "disabled": True}),
    )
    tristate = forms.NullBooleanField()
    number = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int)


def _selects(form: forms.Form):
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select):
            attrs = bound.build_widget_attrs({"id": bound.auto_id})
            yield (
                bound.name,
                widget.template_name,
                widget.get_context(bound.html_name, bound.value(), attrs),
            )


FORMS = [
    lambda: Probe(),
    lambda: Probe({"plain": 'x&y"', "many": ["2"], "tristate": "true", "number": "2"}),
    lambda: DefenderFilterForm({"country": "CO", "category": "land_environment"}),
    lambda: IncidentFilterForm({"country": "CO", "violation": "nonsense"}),
]


@pytest.mark.parametrize("make", FORMS)
def test_selects_are_written_as_django_writes_them(make):
    ours, django = AmparoFormRenderer(), DjangoTemplates()
    selects = list(_selects(make()))
    assert selects
    for name, template, context in selects:
        assert ours.render(template, context) == django.render(template, context), name


def test_the_selected_option_is_marked_and_labels_are_escaped():
    html = str(Probe({"plain": 'x&y"'}, renderer=AmparoFormRenderer())["plain"])
    assert '<option value="x&amp;y&quot;" selected>A &quot;quoted&quot; &lt;b&gt;' in html
    assert '<optgroup label="Group &lt;1&gt;">' in html


def test_other_widgets_are_left_to_django():
    ours, django = AmparoFormRenderer(), DjangoTemplates()
    field = forms.CharField()
    context = field.widget.get_context("q", "<x>", {"id": "id_q"})
    template = field.widget.template_name
    assert ours.render(template, context) == django.render(template, context)


def test_options_written_once_are_the_same_the_next_time_and_safe_labels_are_not_escaped():
    from django.utils.safestring import mark_safe

    class Twice(forms.Form):
        raw = forms.ChoiceField(choices=[("a", "<i>A</i>"), ("b", "B & b")])
        safe = forms.ChoiceField(choices=[("a", mark_safe("<i>A</i>")), ("b", "B & b")])

    ours, django = AmparoFormRenderer(), DjangoTemplates()
    for _ in range(2):  # rendered twice: the same markup each time
        for name, template, context in _selects(Twice()):
            assert ours.render(template, context) == django.render(template, context), name
    rendered = {name: ours.render(t, c) for name, t, c in _selects(Twice())}
    assert '<option value="a">&lt;i&gt;A&lt;/i&gt;</option>' in rendered["raw"]
    assert '<option value="a"><i>A</i></option>' in rendered["safe"]
