"""The interface language: the switcher, the stored preference, the browser's choice."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.tests.test_views import LOGIN, VERIFY, code_for
from amparo.audit.models import AuditEvent
from amparo.tests.helpers import PASSWORD, assert_no_inline_script, logged_in

SET_LANGUAGE = "/i18n/setlang/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_tag(client: Client, path: str = LOGIN, **headers: str) -> str:
    content = client.get(path, headers=headers).content.decode()
    match = re.search(r"<html [^>]*>", content)
    assert match is not None
    return match.group(0)


@pytest.mark.django_db
def test_the_browser_language_applies_without_a_choice():
    assert html_tag(Client(), accept_language="fr-FR,fr;q=0.9") == '<html lang="fr" dir="ltr">'
    assert html_tag(Client(), accept_language="ar") == '<html lang="ar" dir="rtl">'
    assert html_tag(Client(), accept_language="de") == '<html lang="en" dir="ltr">'


@pytest.mark.django_db
def test_an_anonymous_visitor_switches_with_a_plain_form():
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN).content.decode()
    assert_no_inline_script(page)
    form = re.search(
        r'<form class="languages" method="post" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert form is not None and form.group(1) == SET_LANGUAGE
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    assert token is not None
    assert 'value="ar" lang="ar" dir="rtl"' in form.group(2)

    response = client.post(
        SET_LANGUAGE, {"language": "ar", "next": LOGIN, "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert response.cookies[COOKIE].value == "ar"
    assert response.cookies[COOKIE]["httponly"]
    # The choice wins over the browser's.
    assert html_tag(client, accept_language="fr") == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
def test_the_switch_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SET_LANGUAGE, {"language": "ar", "next": LOGIN})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


@pytest.mark.django_db
def test_a_signed_in_users_choice_is_stored_and_audited(officer):
    client = logged_in(officer)
    response = client.post(SET_LANGUAGE, {"language": "es", "next": "/"})
    assert response.cookies[COOKIE].value == "es"
    officer.refresh_from_db()
    assert officer.language == "es"
    event = AuditEvent.objects.get(action="user.language")
    assert event.actor_id == officer.pk
    # The same choice again writes nothing.
    client.post(SET_LANGUAGE, {"language": "es", "next": "/"})
    assert AuditEvent.objects.filter(action="user.language").count() == 1


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(officer):
    client = logged_in(officer)
    response = client.post(SET_LANGUAGE, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    officer.refresh_from_db()
    assert officer.language == ""
    assert not AuditEvent.objects.filter(action="user.language").exists()


@pytest.mark.django_db
def test_the_stored_preference_applies_at_sign_in(officer):
    officer.language = "ar"
    officer.save(update_fields=["language"])
    client = Client(headers={"accept-language": "fr"})
    client.cookies[COOKIE] = "es"  # someone else chose Spanish in this browser before
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    response = client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ar"
    assert html_tag(client, "/") == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
def test_without_a_preference_sign_in_keeps_the_browsers_language(officer):
    client = Client(headers={"accept-language": "fr"})
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    response = client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    assert COOKIE not in response.cookies
    assert html_tag(client, "/") == '<html lang="fr" dir="ltr">'


@pytest.mark.django_db
def test_errors_and_help_are_tied_to_their_fields(officer):
    page = Client().post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert re.search(r'<ul class="errorlist" id="id_username_error">', page)
    username = re.search(r'<input [^>]*name="username"[^>]*>', page)
    assert username is not None
    assert 'aria-invalid="true"' in username.group(0)
    assert 'aria-describedby="id_username_error"' in username.group(0)


def test_a_group_of_choices_is_described_by_its_help_and_errors():
    from django import forms
    from django.template.loader import render_to_string

    class Choices(forms.Form):
        colours = forms.MultipleChoiceField(
            choices=[("red", "Red"), ("blue", "Blue")],
            widget=forms.CheckboxSelectMultiple,
            help_text="Pick at least one.",
        )

    form = Choices(data={})
    assert not form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["colours"]})
    assert '<fieldset aria-describedby="id_colours_helptext id_colours_error">' in html
    assert 'id="id_colours_helptext"' in html and 'id="id_colours_error"' in html
