"""Alert pages: the persona matrix, what covered defenders each user is shown, pseudonymised
pages for analysts, and the actions through the pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Alert, AlertConfig, AlertKind, Event
from amparo.earlywarning.tests.test_lifecycle import build_alerts, make_alert
from amparo.tests.helpers import assert_no_inline_script, logged_in


@pytest.fixture
def alerts(world, coordinator, foreign_coordinator, entity, other_entity):
    return build_alerts(world, coordinator, foreign_coordinator, entity, other_entity)


PAGES = ["/alerts/", "/alerts/calendar/", "/alerts/regional/", "/alerts/config/"]
# Which alerts each persona sees; None: the pages are not for this role at all (403).
VISIBLE = {
    # An alert about a restricted case exists only for its team (ALR-RESTR covers only the
    # restricted defender).
    "coordinator": {"ALR-TEAM"},
    "officer": {"ALR-TEAM", "ALR-RESTR"},
    "other_officer": set(),
    "foreign_coordinator": {"ALR-FOREIGN"},
    "analyst": {"ALR-TEAM"},
    "liaison": None,
    "auditor": None,
    "admin_user": None,
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_persona_matrix(request, persona, alerts):
    client = logged_in(request.getfixturevalue(persona))
    visible = VISIBLE[persona]
    for url in PAGES:
        assert client.get(url).status_code == (403 if visible is None else 200), url
    for code in ("ALR-TEAM", "ALR-RESTR", "ALR-FOREIGN"):
        response = client.get(f"/alerts/{code}/")
        expected = 403 if visible is None else 200 if code in visible else 404
        assert response.status_code == expected, code
    if visible is not None:
        html = client.get("/alerts/").content.decode()
        for code in ("ALR-TEAM", "ALR-RESTR", "ALR-FOREIGN"):
            assert (code in html) == (code in visible), code


def test_anonymous_goes_to_login(client, alerts):
    response = client.get("/alerts/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_restricted_defender_never_shown_to_a_non_team_coordinator(coordinator, world, alerts):
    client = logged_in(coordinator)
    hidden = world.restricted_defender.code
    team = client.get("/alerts/ALR-TEAM/").content.decode()
    assert world.team_defender.code in team
    assert hidden not in team
    # No count of what is hidden either.
    assert not re.search(r"\d+ (other|hidden|more) defender", team, re.IGNORECASE)
    # An alert that covers only the restricted defender does not exist for this coordinator.
    assert client.get("/alerts/ALR-RESTR/").status_code == 404
    assert "ALR-RESTR" not in client.get("/alerts/").content.decode()


def test_team_officer_sees_the_restricted_defender(officer, world, alerts):
    html = logged_in(officer).get("/alerts/ALR-TEAM/").content.decode()
    assert world.restricted_defender.code in html
    assert world.team_defender.code in html


def test_analyst_sees_codes_only(analyst, world, alerts):
    client = logged_in(analyst)
    for url in [*PAGES, "/alerts/ALR-TEAM/", "/alerts/ALR-RESTR/"]:
        html = client.get(url).content.decode()
        for name in world.names.values():
            assert name not in html, (url, name)
        assert world.restricted_defender.code not in html
    html = client.get("/alerts/ALR-TEAM/").content.decode()
    assert world.team_defender.code in html
    assert "/defenders/" not in html.split("<main", 1)[-1]
    assert "Acknowledge" not in html


def test_inbox_orders_by_level_then_sla_and_shows_countdown(officer, alerts):
    html = logged_in(officer).get("/alerts/").content.decode()
    assert html.index("ALR-TEAM") < html.index("ALR-RESTR")  # urgent first
    assert "overdue by 4 h" in html or "overdue by 5 h" in html
    assert "due in 23 h" in html or "due in 24 h" in html
    assert_no_inline_script(html)


def test_inbox_filters(officer, alerts):
    client = logged_in(officer)
    html = client.get("/alerts/?level=urgent").content.decode()
    assert "ALR-TEAM" in html and "ALR-RESTR" not in html
    html = client.get("/alerts/?overdue=on").content.decode()
    assert "ALR-RESTR" in html and "ALR-TEAM" not in html


def test_detail_page_shows_evidence_and_actions(coordinator, alerts):
    html = logged_in(coordinator).get("/alerts/ALR-TEAM/").content.decode()
    assert "Recent incidents point to an escalating risk." in html
    # Evidence in a shape no sentence reads is not dumped as raw data.
    assert "window_days" not in html and "No evidence to show." in html
    assert "Protective accompaniment" in html
    assert "Acknowledge" in html and "Dismiss" in html
    assert alerts.measure.code in html
    assert "<title>" in html and "Alert ALR-TEAM" in html
    assert_no_inline_script(html)


def test_acknowledge_act_and_dismiss_through_the_pages(coordinator, officer, alerts):
    client = logged_in(coordinator)
    response = client.post("/alerts/ALR-TEAM/acknowledge/")
    assert response.status_code == 302
    response = client.post("/alerts/ALR-TEAM/act/", {"measures": [alerts.measure.pk]})
    assert response.status_code == 302
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.ACTED
    assert list(alerts.team.measures.all()) == [alerts.measure]
    response = logged_in(officer).post("/alerts/ALR-RESTR/dismiss/", {"reason_code": "duplicate"})
    assert response.status_code == 302
    alerts.restricted.refresh_from_db()
    assert alerts.restricted.dismissed_reason == "duplicate"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("analyst", 403), ("other_officer", 404), ("foreign_coordinator", 404), ("liaison", 403)],
)
def test_denied_page_actions_write_nothing(request, persona, expected, alerts):
    client = logged_in(request.getfixturevalue(persona))
    count = AuditEvent.objects.count()
    for action, data in (
        ("acknowledge", {}),
        ("dismiss", {"reason_code": "other"}),
        ("act", {"measures": [alerts.measure.pk]}),
    ):
        assert client.post(f"/alerts/ALR-TEAM/{action}/", data).status_code == expected
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.OPEN
    assert AuditEvent.objects.count() == count


def test_calendar_shows_windows_grouped_by_month(coordinator, entity):
    start = timezone.localdate() + datetime.timedelta(days=40)
    Event.objects.create(
        external_id="EV-ELECTION",
        kind="demonstration",
        title="March",
        start=start,
        end=start + datetime.timedelta(days=1),
        country="CO",
        lead_entity=entity,
    )
    html = logged_in(coordinator).get("/alerts/calendar/").content.decode()
    assert "EV-ELECTION" in html
    window_start = start - datetime.timedelta(days=7)
    window_end = start + datetime.timedelta(days=8)
    assert f"{window_start:%Y-%m-%d} – {window_end:%Y-%m-%d}" in html


def test_regional_page_lists_regional_alerts(coordinator, entity, alerts):
    make_alert(
        "ALR-REGION",
        entity,
        [],
        kind=AlertKind.REGIONAL,
        subdivision="CO-ANT",
        categories=["journalist"],
        dedupe_key="regional:CO-ANT:journalist:grave:2026-W10",
        evidence=REGIONAL_EVIDENCE,
    )
    html = logged_in(coordinator).get("/alerts/regional/").content.decode()
    assert "ALR-REGION" in html and "ALR-TEAM" not in html
    row = html[html.index('<tr id="place-CO-ANT">') :].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == [
        "Antioquia CO-ANT",
        "Journalist",
        "Grave attacks",
        "ALR-REGION",
        "Warning",
        "2026-W10",
        "5",
        "1.2",
        "EARS C2 4.12 / 3.0",
    ]


REGIONAL_EVIDENCE = {
    "rule": "regional",
    "method": "C2",
    "statistic": 4.1234,
    "threshold": 3.0,
    "observed": 5,
    "expected": 1.2,
    "week": "2026-W10",
    "also_alarmed": [],
}


def test_regional_map_has_one_tile_per_subdivision_with_status_marks(
    coordinator, foreign_coordinator, entity, other_entity, alerts
):
    import pycountry

    make_alert(
        "ALR-REGION",
        entity,
        [],
        level="warning",
        kind=AlertKind.REGIONAL,
        subdivision="CO-ANT",
        dedupe_key="regional:CO-ANT:*:grave:2026-W10",
        evidence=REGIONAL_EVIDENCE,
    )
    # Another entity's alert: neither in the table nor on the map for this coordinator.
    make_alert(
        "ALR-ELSEWHERE",
        other_entity,
        [],
        level="urgent",
        kind=AlertKind.REGIONAL,
        subdivision="CO-CAU",
        dedupe_key="regional:CO-CAU:*:grave:2026-W10",
        evidence=REGIONAL_EVIDENCE,
    )
    html = logged_in(coordinator).get("/alerts/regional/").content.decode()
    assert_no_inline_script(html)
    assert "the grid shows no geography" in html
    colombia = len(pycountry.subdivisions.get(country_code="CO"))
    assert html.count('<g class="tile') == colombia == 33
    assert (
        '<a href="#place-CO-ANT"><g class="tile tile-warning" transform="translate(52 0)">'
        "<title>Antioquia (CO-ANT): Warning</title>"
    ) in html
    assert '<text x="24" y="34" class="mark">!</text>' in html
    assert '<g class="tile" transform="translate(' in html
    assert "<title>Cauca (CO-CAU)</title>" in html
    assert "ALR-ELSEWHERE" not in html and 'class="tile tile-urgent"' not in html
    assert html.count('id="place-CO-ANT"') == 1
    # The other entity's staff see their own country (their defenders are in Mexico) and alert.
    foreign = logged_in(foreign_coordinator).get("/alerts/regional/").content.decode()
    assert "ALR-ELSEWHERE" in foreign and "ALR-REGION" not in foreign
    assert "<title>Cauca (CO-CAU): Urgent</title>" in foreign
    assert "<title>Antioquia (CO-ANT)</title>" in foreign
    assert foreign.count('<g class="tile') == colombia + len(
        pycountry.subdivisions.get(country_code="MX")
    )


def test_regional_page_without_countries_shows_no_map(other_officer):
    html = logged_in(other_officer).get("/alerts/regional/").content.decode()
    assert '<g class="tile' not in html
    assert "No regional alert is open." in html


def test_config_page_shows_versions(coordinator):
    AlertConfig.objects.create(version=1, values={"escalation_days": 30}, note="initial")
    AlertConfig.objects.create(version=2, values={"escalation_days": 45}, note="tuned")
    html = logged_in(coordinator).get("/alerts/config/").content.decode()
    assert "escalation_days" in html and "45" in html and "tuned" in html and "initial" in html


def test_defender_page_has_an_alerts_section(coordinator, world, alerts):
    html = logged_in(coordinator).get(f"/defenders/{world.team_defender.code}/").content.decode()
    assert "ALR-TEAM" in html
    assert "ALR-FOREIGN" not in html


def test_nav_link_for_staff_only(coordinator, liaison):
    assert 'href="/alerts/"' in logged_in(coordinator).get("/").content.decode()
    assert 'href="/alerts/"' not in logged_in(liaison).get("/").content.decode()


def test_coordinator_saves_a_new_configuration_version(coordinator):
    from amparo.earlywarning.config import config_current
    from amparo.earlywarning.forms import ConfigForm

    client = logged_in(coordinator)
    form = ConfigForm(current=config_current())
    data = {name: field.initial for name, field in form.fields.items() if name != "note"}
    data.update({"escalation_days": 45, "sla_hours_urgent": 12, "note": "tighter"})
    response = client.post("/alerts/config/", data)
    assert response.status_code == 302
    row = AlertConfig.objects.get()
    assert row.values == {
        "escalation_days": 45,
        "sla_hours": {"watch": 168, "warning": 72, "urgent": 12},
    }
    assert row.note == "tighter"
    assert AuditEvent.objects.filter(action="alert_config.update").count() == 1
    assert config_current().escalation_days == 45


@pytest.mark.parametrize("persona", ["officer", "analyst"])
def test_only_coordinators_edit_the_configuration(request, persona):
    client = logged_in(request.getfixturevalue(persona))
    assert "Save a new version" not in client.get("/alerts/config/").content.decode()
    assert client.post("/alerts/config/", {"escalation_days": 1}).status_code == 403
    assert not AlertConfig.objects.exists()


def test_invalid_configuration_is_not_saved(coordinator):
    response = logged_in(coordinator).post("/alerts/config/", {"escalation_days": -1})
    assert response.status_code == 200
    assert not AlertConfig.objects.exists()


def test_calendar_includes_events_by_their_window(coordinator, foreign_coordinator, entity):
    from amparo.earlywarning.selectors import events_calendar

    today = datetime.date(2026, 6, 1)

    def event(external_id, kind, start, **extra):
        Event.objects.create(
            external_id=external_id,
            kind=kind,
            start=start,
            end=start,
            country="CO",
            lead_entity=entity,
            **extra,
        )

    event("EV-ELECTION", "election", today + datetime.timedelta(days=150))  # lead 180
    event("EV-DEMO-FAR", "demonstration", today + datetime.timedelta(days=150))  # lead 7
    event("EV-CUSTOM", "demonstration", today + datetime.timedelta(days=40), lead_days=60)
    event("EV-PAST", "publication", today - datetime.timedelta(days=20))  # tail 30
    period = {"start": today, "end": today + datetime.timedelta(days=30)}
    found = {e.event.external_id: e for e in events_calendar(actor=coordinator, **period)}
    assert set(found) == {"EV-ELECTION", "EV-CUSTOM", "EV-PAST"}
    assert found["EV-CUSTOM"].window_start == today - datetime.timedelta(days=20)
    assert events_calendar(actor=foreign_coordinator, **period) == []
