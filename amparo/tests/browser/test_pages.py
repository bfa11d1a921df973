"""The main pages in a browser: right-to-left Arabic, reflow at 360 px, visible focus, page
weight, the not-found answer, and the screenshots of docs/screens.md.

Screenshots go to a temporary folder; `make screenshots` (AMPARO_SCREENSHOTS=1) writes them to
docs/screenshots/ instead. Every name on them is invented here.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from amparo.tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, sign_in
from amparo.tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

# Invented people (no one from shared data): the personas of the journeys and two more.
NAMES = ["Tomás Quintero Ipia", "Lucía Cárdenas Rojas", "Rosa Elvira Campo", "Jairo Mestizo Dagua"]
PAGE_BUDGET_BYTES = 200_000  # uncompressed, everything a page loads
PAGE_BUDGET_REQUESTS = 3  # the page, the stylesheet, htmx


@dataclass
class Casebook:
    defender_code: str
    incident_code: str


@pytest.fixture
def casebook(site, coordinator, officer) -> Casebook:
    from amparo.incidents.services import IncidentData, incident_record
    from amparo.registry.services import DefenderData, case_set_team, defender_register

    defenders = []
    for index, name in enumerate(NAMES):
        defender = defender_register(
            actor=coordinator,
            data=DefenderData(
                name=name,
                country="CO",
                subdivision="CO-CAU" if index < 3 else "CO-ANT",
                categories=["land_environment"] if index < 3 else ["trade_unionist"],
                consent_register=True,
            ),
        )
        case_set_team(actor=coordinator, case=defender.case, members=[officer])
        defenders.append(defender)
    incident = incident_record(
        actor=officer,
        case=defenders[0].case,
        data=IncidentData(
            date=datetime.date.today() - datetime.timedelta(days=2),
            country="CO",
            subdivision="CO-CAU",
            violations=["death_threat"],
            victim_defenders=[defenders[0]],
            contexts=[],
            narrative="A note pinned to the door after the report on the mine.",
        ),
    )
    return Casebook(defender_code=defenders[0].code, incident_code=incident.code)


def _shots_dir(tmp_path: Path) -> Path:
    folder = SCREENSHOTS if os.environ.get("AMPARO_SCREENSHOTS") else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save_screenshot(page: Any, path: Path) -> None:
    """A viewport screenshot as a 64-colour PNG: a few tens of kilobytes."""
    image = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _weigh(page: Any, url: str) -> dict[str, Any]:
    """Load a page and count what it fetched: requests, bytes as served and gzipped."""
    responses: list[Any] = []

    def keep(response: Any) -> None:
        responses.append(response)

    page.on("response", keep)
    page.goto(url)
    page.wait_for_load_state("load")
    page.remove_listener("response", keep)
    bodies = [(response.url, response.body()) for response in responses]
    return {
        "requests": len(bodies),
        "bytes": sum(len(body) for _url, body in bodies),
        "gzip_bytes": sum(len(gzip.compress(body)) for _url, body in bodies),
        "urls": [u.split("/", 3)[-1] for u, _body in bodies],
    }


def _assert_reflows(page: Any, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow}px wide at {width}px"


def _main_pages(base: str, casebook: Casebook) -> dict[str, str]:
    return {
        "defenders": f"{base}/defenders/",
        "defender": f"{base}/defenders/{casebook.defender_code}/",
        "incident-form": f"{base}/incidents/new/",
        "alerts": f"{base}/alerts/",
    }


def test_main_pages_are_light_reflow_at_360px_and_are_photographed(
    site, casebook, new_page, officer, tmp_path
):
    shots = _shots_dir(tmp_path)
    # One real sign-in (a TOTP code is accepted once), its session reused in each context.
    first = new_page()
    sign_in(first, site, officer, PASSWORD)
    session = [c for c in first.context.cookies() if c["name"] == "sessionid"]
    weights: dict[str, Any] = {}
    for language, locale in (("en", "en-GB"), ("ar", "ar")):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            anonymous = new_page(viewport=viewport, locale=locale)
            login = _weigh(anonymous, f"{site}/accounts/login/")
            _assert_reflows(anonymous, viewport["width"])
            _save_screenshot(anonymous, shots / f"login-{language}-{size}.png")
            anonymous.goto(f"{site}/portal/report/")
            _assert_reflows(anonymous, viewport["width"])
            _save_screenshot(anonymous, shots / f"portal-report-{language}-{size}.png")

            page = new_page(viewport=viewport, locale=locale)
            page.context.add_cookies(session)
            measured = {"login": login}
            for name, url in _main_pages(site, casebook).items():
                measured[name] = _weigh(page, url)
                assert page.locator("html").get_attribute("lang") == language
                _assert_reflows(page, viewport["width"])
                _save_screenshot(page, shots / f"{name}-{language}-{size}.png")
            if (language, size) == ("en", "desktop"):
                weights = measured
    for name, weight in weights.items():
        assert weight["requests"] <= PAGE_BUDGET_REQUESTS, (name, weight["urls"])
        assert weight["bytes"] <= PAGE_BUDGET_BYTES, (name, weight["bytes"])
    (shots / "page-weight.json").write_text(json.dumps(weights, indent=2) + "\n")


def _sign_in_ar(page: Any, base: str, user: Any) -> None:
    # The login form's labels are translated; sign in by field name.
    from amparo.tests.browser.conftest import totp_code

    page.goto(f"{base}/accounts/login/")
    page.locator("input[name='username']").fill(user.username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    page.locator("input[name='otp_token']").fill(totp_code(user))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_arabic_lays_out_right_to_left(site, casebook, new_page, officer):
    page = new_page(locale="en-GB")
    page.goto(f"{site}/accounts/login/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    # The switcher is a plain form: one button per language.
    page.locator("form.languages button[value='ar']").click()
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    width = DESKTOP["width"]
    brand = page.locator("a.brand").bounding_box()
    languages = page.locator("form.languages").bounding_box()
    assert brand is not None and languages is not None
    # The brand starts the header on the right; the switcher ends it on the left.
    assert brand["x"] + brand["width"] > width - 40, brand
    assert languages["x"] < width / 2, languages
    label = page.locator("label[for='id_username']").bounding_box()
    field = page.locator("#id_username").bounding_box()
    assert label is not None and field is not None
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) < 2

    # Signed in, the browser's choice still holds; codes keep their order inside Arabic.
    _sign_in_ar(page, site, officer)
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(f"{site}/defenders/")
    code = page.locator("main .code", has_text=casebook.defender_code).first
    assert code.evaluate("e => getComputedStyle(e).unicodeBidi") == "plaintext"
    assert code.inner_text() == casebook.defender_code
    # Back to English with the same switcher.
    page.locator("form.languages button[value='en']").click()
    assert page.locator("html").get_attribute("dir") == "ltr"
    officer.refresh_from_db()
    assert officer.language == "en"


def test_focus_is_visible_and_the_skip_link_comes_first(site, new_page):
    page = new_page()
    page.goto(f"{site}/portal/report/")  # the sign-in page focuses its first field itself
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.className, s.outlineStyle, s.outlineWidth, e.getBoundingClientRect().x]; })()"
    )
    assert focused[:3] == ["skip", "solid", "3px"]
    assert focused[3] >= 0  # the skip link comes into view when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_someone_without_rights_gets_the_not_found_page(site, casebook, new_page, other_officer):
    page = new_page()
    # An officer of the same entity who is not on the case: the record does not exist for her.
    sign_in(page, site, other_officer, PASSWORD)
    response = page.goto(f"{site}/defenders/{casebook.defender_code}/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    # Nothing of the record: only the address she typed comes back (the switcher's next).
    assert casebook.defender_code not in page.locator("main").inner_text()
    assert NAMES[0] not in page.content()
