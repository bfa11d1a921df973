"""The figures of A/HRC/13/22 ¶6 and ¶47: 266 communications to 75 States, 90 of them
answered (34 per cent), 86 about women defenders; and response rates on real UPR data."""

import csv
import datetime
import json
from collections import defaultdict
from pathlib import Path

import pytest

from amparo.core.places import country_code
from amparo.reports.figures import annual_report, rate_percent
from amparo.reports.services import annual_html, report_produce
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .builders import communication, states, visit

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2009, 1, 1), D(2009, 12, 31)


@pytest.fixture
def un_2009(entity, other_entity):
    """266 sent communications to 75 States: 90 with at least one reply (ten with two), 86
    about women defenders; and what must not count: a draft, a withdrawn letter, a letter of
    2008, a reply received after the period, and another entity's letter."""
    pairs = states(75)
    for i in range(266):
        replies = ()
        if i < 90:
            replies = (D(2009, 12, 1),) if i >= 10 else (D(2009, 6, 1), D(2009, 9, 1))
        elif i == 90:
            replies = (D(2010, 1, 15),)  # after the period: not counted
        communication(
            entity,
            pairs[i % 75][0],
            D(2009, 1, 1) + datetime.timedelta(days=i),
            kind=("UA", "AL", "JUA", "JAL")[i % 4],
            women=i >= 180,
            replies=replies,
        )
    communication(entity, "CO", D(2009, 5, 1), status="draft")
    communication(entity, "CO", D(2009, 5, 1), status="withdrawn")
    communication(entity, "CO", D(2008, 12, 31), replies=(D(2009, 2, 1),))
    communication(other_entity, "MX", D(2009, 5, 1), replies=(D(2009, 6, 1),))
    visit(entity, "RU", [2005, 2008, 2009])
    visit(entity, "CN", [2006, 2009], status="pending")
    visit(entity, "IN", [2009], status="accepted")
    return pairs


def test_the_json_says_266_75_90_34_86(coordinator, un_2009):
    report = annual_report(actor=coordinator, start=START, end=END)
    c = report["communications"]
    assert (c["sent"], c["states"], c["replied"], c["response_rate_percent"]) == (266, 75, 90, 34)
    assert c["women_defenders"] == 86
    assert c["by_kind"] == {"AL": 67, "UA": 67, "JAL": 66, "JUA": 66}
    assert sum(row["sent"] for row in c["by_state"]) == 266
    first = c["by_state"][0]
    assert (first["sent"], first["replied"]) == (4, 2)  # states 0..40 get 4 letters
    assert report["period"] == {"from": "2009-01-01", "to": "2009-12-31"}
    assert [row["state"] for row in report["visits"]["pending_requests"]] == ["RU", "CN"]
    assert report["visits"]["pending_requests"][0]["years_requested"] == [2005, 2008, 2009]
    assert [row["state"] for row in report["visits"]["accepted_not_yet_conducted"]] == ["IN"]


def test_the_system_actor_reports_over_every_entity(system, un_2009):
    c = annual_report(actor=system, start=START, end=END)["communications"]
    assert (c["sent"], c["replied"]) == (267, 91)
    assert c["states"] == 76  # MX is not among the first 75 codes (AD … ET …)


def test_rounding_is_half_up_as_the_un_writes_it():
    assert rate_percent(90, 266) == 34
    assert rate_percent(1, 8) == 13  # 12.5 → 13, not banker's 12
    assert rate_percent(5, 8) == 63  # 62.5 → 63
    assert rate_percent(0, 0) is None


def test_the_page_says_it_in_words(coordinator, un_2009):
    response = logged_in(coordinator).get("/reports/annual/?from=2009-01-01&to=2009-12-31")
    html = response.content.decode()
    assert response.status_code == 200
    assert "266 communications were sent to 75 States" in html
    assert "a response rate of 34 per cent" in html
    assert "86 communications concerned women defenders" in html
    assert "Russian Federation" in html
    assert_no_inline_script(html)


def test_the_pdf_is_produced_from_the_same_words(system, coordinator, un_2009):
    report = annual_report(actor=coordinator, start=START, end=END)
    html = annual_html(report)
    assert "266 communications" in html
    assert "75 States" in html
    assert "34 per cent" in html
    assert '<p class="numbered"><span class="number">2.</span>' in html
    pdf = report_produce(actor=coordinator, start=START, end=END, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    data = json.loads(report_produce(actor=coordinator, start=START, end=END, fmt="json"))
    assert data["communications"]["response_rate_percent"] == 34


# Real data: UPR Info recommendations about defenders, as letters to States ------------------

UPR = Path("/work/shared/data/upr-info-recommendations")
UPR_ALIASES = {
    "Macedonia FYR": "MK",
    "Antigua & Barbuda": "AG",
    "Bosnia & Herzegovina": "BA",
    "DPR Korea": "KP",
}


def _upr_rows():
    rows = []
    for path in sorted(UPR.glob("*.csv")):
        with path.open(encoding="mac_roman", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return [
        row
        for row in rows
        if "Human rights defenders" in [issue.strip() for issue in row["Issue"].split(",")]
    ]


@pytest.mark.skipif(not UPR.is_dir(), reason="UPR Info data not present on this machine")
def test_response_rates_on_upr_recommendations_about_defenders(coordinator, entity):
    """Each of the 621 recommendations about defenders is a letter to the State under review;
    an "Accepted" response is a reply, a "Noted" one is not. Recommendations that mention
    women's rights are letters about women defenders. The rates are computed independently
    here, with integer arithmetic rounding half up."""
    rows = _upr_rows()
    assert len(rows) == 621
    expected = defaultdict(lambda: [0, 0])
    women = 0
    for row in rows:
        state = UPR_ALIASES.get(row["To"]) or country_code(row["To"])
        assert state, row["To"]
        accepted = row["Response"] == "Accepted"
        is_women = "Women's rights" in row["Issue"]
        women += is_women
        expected[state][0] += 1
        expected[state][1] += accepted
        sent_on = D(2010, 1, 1) + datetime.timedelta(days=30 * int(row["Session"]))
        communication(
            entity,
            state,
            sent_on,
            kind="OL",
            women=is_women,
            replies=(sent_on + datetime.timedelta(days=90),) if accepted else (),
        )
    report = annual_report(actor=coordinator, start=D(2010, 1, 1), end=D(2012, 12, 31))
    c = report["communications"]
    sent = sum(n for n, _r in expected.values())
    replied = sum(r for _n, r in expected.values())
    assert (c["sent"], c["replied"], c["states"]) == (621, 428, 97)
    assert (sent, replied) == (621, 428)
    assert c["response_rate_percent"] == (200 * replied + sent) // (2 * sent) == 69
    assert c["women_defenders"] == women
    by_state = {row["state"]: row for row in c["by_state"]}
    for state, (n, r) in expected.items():
        assert (by_state[state]["sent"], by_state[state]["replied"]) == (n, r)
        assert by_state[state]["response_rate_percent"] == (200 * r + n) // (2 * n)
