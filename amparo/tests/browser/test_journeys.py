"""The journeys that matter most, walked in a real browser (docs/accessibility.md).

A defender reports from a phone without an account; a case officer accepts the report into a
new case, assesses the risk and requests a measure; the early-warning alert that the incident
raised is acted on; the defender sees with her code that the report was accepted.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from amparo.tests.browser.conftest import PHONE, sign_in
from amparo.tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

WHAT_HAPPENED = "A note pinned to my door said I would be killed if I keep writing about the mine."


def _report_as_an_anonymous_defender(page: Any, base: str) -> str:
    page.goto(f"{base}/portal/report/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_label("What happened?").fill(WHAT_HAPPENED)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    page.get_by_label("When did it happen?").fill(yesterday.isoformat())
    page.get_by_label("Where: country").select_option("CO")
    # Without scripts the region list fills only after a first submission; it is optional.
    page.get_by_label("Someone threatened to kill").check()
    page.get_by_role("button", name=re.compile("Send")).click()
    code = page.locator(".followup").first.inner_text().strip()
    assert code
    return code


def test_a_self_report_becomes_a_case_with_an_assessment_a_measure_and_an_alert_acted_on(
    site, new_page, officer, entity
):
    phone = new_page(viewport=PHONE, javascript=False)  # a cheap phone: nothing needs scripts
    code = _report_as_an_anonymous_defender(phone, site)

    desk = new_page()
    sign_in(desk, site, officer, PASSWORD)
    desk.get_by_role("link", name="Self-reports").click()
    desk.locator("table a.code").first.click()
    desk.get_by_text("Accept and register a new defender").click()
    register = desk.locator("form[action$='/register/']")
    register.get_by_label("Full name").fill("Tomás Quintero Ipia")
    register.get_by_label("Land and environment").check()
    register.get_by_label("Country").select_option("CO")
    register.get_by_label("Subdivision (department, state, province)").select_option("CO-CAU")
    register.get_by_label("The defender consents to being registered").check()
    register.get_by_role("button", name="Register, accept and record the incident").click()
    desk.get_by_role("link", name=re.compile(r"^INC-")).click()
    desk.locator("main a[href^='/defenders/HRD-']").first.click()
    defender_url = desk.url
    assert desk.get_by_role("link", name=re.compile(r"^ALR-")).is_visible()
    desk.get_by_role("link", name="New assessment").click()
    fill_by_name(desk, ASSESSMENT)
    desk.get_by_role("button", name="Submit for approval").click()
    assert "/risk/assessments/" in desk.url
    desk.goto(defender_url)
    desk.get_by_role("link", name="Request a measure").click()
    desk.get_by_label("Measure", exact=True).select_option("communication_equipment")
    desk.get_by_label("Area where protection is needed").fill("Vereda La Esperanza")
    desk.get_by_role("button", name="Request").click()
    measure = desk.locator("h1 .code, h1").first.inner_text()
    assert "MSR" in measure or "/measures/" in desk.url, desk.url

    # The alert the death threat raised: open it from the inbox, acknowledge, act on it.
    desk.get_by_role("link", name="Alerts", exact=True).click()
    desk.get_by_role("link", name=re.compile(r"^ALR-")).first.click()
    desk.get_by_role("button", name="Acknowledge").click()
    desk.locator("form[action$='/act/'] input[type='checkbox']").first.check()
    desk.get_by_role("button", name="Mark as acted on").click()
    facts = desk.locator("dl.facts")
    assert "Acted on" in facts.inner_text()
    assert desk.locator("main a[href^='/measures/MSR-']").count() == 1

    # With her code, the defender sees that her report was accepted.
    phone.goto(f"{site}/portal/status/")
    phone.get_by_label("Your follow-up code").fill(code)
    phone.get_by_role("button", name="Show my report").click()
    assert "Accepted" in phone.locator("main dl").inner_text()


ASSESSMENT = {
    "threat": "3",
    "vulnerability": "3",
    "capacity": "1",
    "horizon": "short",
    "participation": "consulted",
    "participation_note": "By phone, at night",
    "rationale": "A written death threat after a publication",
    "threat0_facts": "A note pinned to the door",
    "threat0_pattern": "The first one",
    "threat0_objective": "Stop the reporting",
    "threat0_author": "Unknown",
    "threat0_feasibility": "Armed groups active in the area",
}


def fill_by_name(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"main [name='{name}']").first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.get_attribute("type") == "radio":
            page.locator(f"main [name='{name}'][value='{value}']").check()
        else:
            field.fill(value)
