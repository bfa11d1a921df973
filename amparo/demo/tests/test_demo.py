"""The synthetic demo: loads through the services, once, with one account per role."""

from __future__ import annotations

import datetime
import io
import random

import pycountry
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from amparo.accounts.models import Role, User
from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_verify
from amparo.core.models import DataKey
from amparo.demo import synthetic
from amparo.demo.generator import DEMO_USERS, DemoSize, Planner, load_demo
from amparo.earlywarning.models import Event
from amparo.incidents.models import Incident
from amparo.registry.models import Case, Defender, Organisation

SMALL = DemoSize(defenders=20, incidents=100)
TODAY = datetime.date(2026, 11, 1)


@pytest.mark.django_db
def test_small_demo_loads_once_through_the_services():
    result = load_demo(size=SMALL, today=TODAY)
    assert result.loaded
    assert Defender.objects.count() == 20
    assert Incident.objects.count() == 100
    assert Organisation.objects.count() == SMALL.organisations
    assert Case.objects.filter(restricted=True).count() == result.counts.get("restricted cases", 0)
    assert Event.objects.exists()
    # Every role of DESIGN §2 has an account; the defender's speaks for a registry record.
    assert {role for _u, role, _e in DEMO_USERS} == set(Role.values)
    for username, role, _entity in DEMO_USERS:
        assert User.objects.get(username=username).role == role
    # Journey personas: the defender account is Tomás, who has not consented to sharing with the
    # State, and his case is worked by the `officer` account.
    tomas = User.objects.get(username="defender").defender
    assert tomas.name == "Tomás Quintero Ipia" and not tomas.consent_share_with_state
    assert list(tomas.case.members.values_list("user__username", flat=True)) == ["officer"]
    colleagues = Defender.objects.filter(organisations__in=tomas.organisations.all())
    assert colleagues.exclude(pk=tomas.pk).count() >= 2
    # Real encryption and a real audit trail.
    assert DataKey.objects.filter(purpose="subject").count() >= 20
    assert audit_verify().ok
    assert AuditEvent.objects.filter(action="incident.create").count() == 100
    assert Incident.objects.filter(date__gt=TODAY).count() == 0
    assert Incident.objects.filter(date__lt=TODAY - datetime.timedelta(days=3 * 366)).count() == 0
    assert all(d.name for d in Defender.objects.all())

    counts = (Defender.objects.count(), Incident.objects.count(), AuditEvent.objects.count())
    again = load_demo(size=SMALL, today=TODAY)
    assert not again.loaded
    assert (
        Defender.objects.count(),
        Incident.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_plan_is_reproducible():
    def names(seed):
        plan = Planner(random.Random(seed), TODAY, SMALL).plan()
        return [d.name for d in plan.defenders], [(i.date, i.violations) for i in plan.incidents]

    assert names(7) == names(7)
    assert names(7) != names(8)


def test_every_place_is_a_current_iso_subdivision():
    for region in synthetic.REGIONS:
        for code, _weight in region.subdivisions:
            subdivision = pycountry.subdivisions.get(code=code)
            assert subdivision is not None and subdivision.country_code == region.country, code


@pytest.mark.django_db
def test_demo_command_without_serving(tmp_path):
    out = io.StringIO()
    with override_settings(AMPARO_DEV_KEY_FILE=tmp_path / "dev-keys.json"):
        call_command(
            "demo",
            "--no-serve",
            "--defenders",
            "5",
            "--incidents",
            "20",
            stdout=out,
            stderr=io.StringIO(),
        )
        call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "Loaded in" in text and "loaded already" in text
    assert Defender.objects.count() == 5
    for username, _role, _entity in DEMO_USERS:
        assert f"  {username} " in text
    assert "amparo totp" in text


@pytest.mark.django_db
def test_demo_refuses_a_database_with_clashing_accounts(officer, tmp_path):
    with (
        override_settings(AMPARO_DEV_KEY_FILE=tmp_path / "dev-keys.json"),
        pytest.raises(CommandError, match="empty data directory"),
    ):
        call_command(
            "demo",
            "--no-serve",
            "--defenders",
            "3",
            "--incidents",
            "5",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Defender.objects.exists()


@pytest.mark.django_db
def test_demo_is_refused_in_production():
    with (
        override_settings(PRODUCTION=True),
        pytest.raises(CommandError, match="refused in production"),
    ):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not Defender.objects.exists()


@pytest.mark.django_db
def test_the_grave_incidents_have_investigation_histories():
    from amparo.core.vocab import GRAVE_VIOLATIONS
    from amparo.investigations.models import Investigation, InvestigationUpdate

    load_demo(size=SMALL, today=TODAY)
    investigations = Investigation.objects.select_related("incident")
    stages = sorted(investigations.values_list("stage", flat=True))
    # Fixed by the demo's seeds: most stall at a complaint, one conviction.
    assert stages == [
        *["complaint_filed"] * 5,
        "convicted",
        *["investigation_opened"] * 2,
    ]
    order = [
        "complaint_filed",
        "investigation_opened",
        "suspect_identified",
        "charged",
        "trial",
    ]
    for investigation in investigations:
        assert set(investigation.incident.violation_codes) & GRAVE_VIOLATIONS
        history = list(
            InvestigationUpdate.objects.filter(investigation=investigation).order_by("on", "pk")
        )
        days = [update.on for update in history]
        assert days == sorted(days)
        assert investigation.incident.date <= days[0] and days[-1] <= TODAY
        walked = [update.stage for update in history]
        assert walked[0] == "complaint_filed"
        assert [s for s in walked if s in order] == order[: len([s for s in walked if s in order])]
        assert walked[-1] == investigation.stage
    assert audit_verify().ok
