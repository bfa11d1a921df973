"""The engine configuration: defaults, versions merged over them, who may change it, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.earlywarning.config import EngineConfig, config_current, config_save
from amparo.earlywarning.models import AlertConfig


@pytest.mark.django_db
def test_defaults_when_no_version_exists():
    config = config_current()
    assert config == EngineConfig()
    assert (config.version, config.notice_days, config.window("election")) == (0, 14, (180, 60))
    assert config.sla_hours == {"urgent": 24, "warning": 72, "watch": 168}
    assert config.calendar_level("election") == "watch"
    assert config.calendar_level("demonstration") == "warning"


@pytest.mark.django_db
def test_each_save_is_a_new_audited_version_merged_over_defaults(coordinator):
    config_save(actor=coordinator, values={"notice_days": 21}, note="longer notice")
    row = config_save(
        actor=coordinator,
        values={"windows": {"election": [120, 30]}, "network_half_life_days": 45},
        note="",
    )
    assert row.version == 2
    assert list(AlertConfig.objects.values_list("version", flat=True)) == [2, 1]
    config = config_current()
    # The latest version is in force, whole: notice_days is back to its default.
    assert (config.version, config.notice_days, config.network_half_life_days) == (2, 14, 45)
    assert config.window("election") == (120, 30)
    assert config.window("demonstration") == (7, 7)
    audits = AuditEvent.objects.filter(action="alert_config.update").order_by("seq")
    assert [(a.object_id, a.fields) for a in audits] == [
        ("1", ["notice_days"]),
        ("2", ["network_half_life_days", "windows"]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "analyst", "liaison", "auditor"])
def test_only_coordinators_and_admins_change_it(persona, request):
    with pytest.raises(PermissionDenied):
        config_save(actor=request.getfixturevalue(persona), values={"notice_days": 3}, note="")
    assert not AlertConfig.objects.exists()
    assert not AuditEvent.objects.filter(action="alert_config.update").exists()


@pytest.mark.django_db
def test_admin_may_change_it(admin_user):
    assert config_save(actor=admin_user, values={}, note="reset").version == 1


@pytest.mark.django_db
def test_validation_names_every_bad_setting(coordinator):
    with pytest.raises(ValidationError) as caught:
        config_save(
            actor=coordinator,
            values={
                "notice_days": "soon",
                "bogus": 1,
                "network_threshold": -1.0,
                "sla_hours": {"urgent": 0},
                "calendar_level_by_kind": {"election": "panic"},
                "windows": {"election": [1]},
                "regional": {"nonsense": 1},
            },
            note="",
        )
    assert set(caught.value.message_dict) == {
        "notice_days",
        "bogus",
        "network_threshold",
    }
    with pytest.raises(ValidationError) as caught:
        config_save(
            actor=coordinator,
            values={
                "sla_hours": {"urgent": 0},
                "calendar_level_by_kind": {"election": "panic"},
                "windows": {"election": [1]},
                "regional": {"nonsense": 1},
            },
            note="",
        )
    assert set(caught.value.message_dict) == {
        "sla_hours",
        "calendar_level_by_kind",
        "windows",
        "regional",
    }
    assert not AlertConfig.objects.exists()
