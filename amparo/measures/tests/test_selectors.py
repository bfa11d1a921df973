"""Figures on measures computed exactly on fixtures with fixed times: timeliness against the
urgent procedure's deadlines, late measures, overdue reviews, unprotected defenders, refusals,
feedback and cost."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from amparo.measures.selectors import (
    cost_by,
    feedback_summary,
    late_measures,
    measure_list,
    measure_timeliness,
    median_days_to_protection,
    refusal_counts,
    refusals_by_kind,
    reviews_overdue,
    timeliness_summary,
    unprotected_defenders,
)
from amparo.measures.services import (
    FeedbackData,
    MeasureData,
    feedback_record,
    measure_request,
    measure_transition,
)
from amparo.registry.models import Defender
from amparo.risk.procedures import procedure_open

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


def h(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def request(actor, defender, kind="police_protection", at=T0, **extra):
    return measure_request(
        actor=actor, defender=defender, data=MeasureData(kind=kind, **extra), now=at
    )


def move(actor, measure, *steps):
    for status, at in steps:
        measure_transition(actor=actor, measure=measure, to_status=status, reason="r", now=at)
    measure.refresh_from_db()
    return measure


@pytest.fixture
def timeline(coordinator, lucia):
    """An urgent procedure opened at T0 (decide within 3 h, in place within 12 h) and four
    measures: A on time, B late twice, C never decided, D without procedure."""
    procedure = procedure_open(
        actor=coordinator, defender=lucia, kind="urgent", reason="death threat", now=T0
    )
    a = request(coordinator, lucia, "panic_button", T0, procedure=procedure)
    move(coordinator, a, ("approved", h(2)), ("in_place", h(10)))
    b = request(coordinator, lucia, "relocation_internal", h(1), procedure=procedure)
    move(coordinator, b, ("approved", h(5)))
    c = request(coordinator, lucia, "bodyguard", T0, procedure=procedure)
    d = request(coordinator, lucia, "digital_security", T0)
    move(coordinator, d, ("approved", h(24)), ("in_place", h(96)))
    return procedure, a, b, c, d


def test_timeliness_of_each_measure(coordinator, timeline):
    _procedure, a, b, c, d = timeline
    figures = measure_timeliness(a, now=h(13))
    assert figures["decision_hours"] == 2.0
    assert figures["implementation_hours"] == 8.0
    assert figures["protection_hours"] == 10.0
    assert (figures["decision_late"], figures["in_place_late"]) == (False, False)
    assert figures["decide_by"] == h(3) and figures["in_place_by"] == h(12)

    figures = measure_timeliness(b, now=h(13))
    assert figures["decision_hours"] == 4.0 and figures["implementation_hours"] is None
    assert (figures["decision_late"], figures["in_place_late"]) == (True, True)
    assert measure_timeliness(b, now=h(11))["in_place_late"] is False

    figures = measure_timeliness(c, now=h(2))
    assert (figures["decision_late"], figures["in_place_late"]) == (False, False)
    figures = measure_timeliness(c, now=h(4))
    assert (figures["decision_late"], figures["in_place_late"]) == (True, False)

    figures = measure_timeliness(d, now=h(200))
    assert figures["decision_hours"] == 24.0 and figures["implementation_hours"] == 72.0
    assert (figures["decision_late"], figures["in_place_late"]) == (None, None)


def test_the_urgent_procedure_is_marked_decided_and_in_place(timeline):
    procedure, *_ = timeline
    procedure.refresh_from_db()
    assert procedure.decided_at == h(2) and procedure.in_place_at == h(10)
    assert procedure.status == "in_place"


def test_late_measures(coordinator, timeline):
    _procedure, _a, b, c, _d = timeline
    assert [m.code for m in late_measures(actor=coordinator, now=h(2))] == []
    assert [m.code for m in late_measures(actor=coordinator, now=h(4))] == [c.code]
    assert {m.code for m in late_measures(actor=coordinator, now=h(13))} == {b.code, c.code}
    move(coordinator, b, ("in_place", h(20)))
    assert [m.code for m in late_measures(actor=coordinator, now=h(21))] == [c.code]


def test_timeliness_summary_and_median(coordinator, timeline):
    _procedure, _a, b, _c, _d = timeline
    move(coordinator, b, ("in_place", h(20)))
    assert timeliness_summary(actor=coordinator, now=h(21)) == {
        "decided_on_time": 1,
        "decided_late": 1,
        "in_place_on_time": 1,
        "in_place_late": 1,
        "pending_late": 1,
    }
    # Request → in place: A 10 h, B 19 h, D 96 h; the median is 19 h.
    assert median_days_to_protection(actor=coordinator) == round(19 / 24, 2)
    assert median_days_to_protection(actor=coordinator, kind="digital_security") == 4.0
    assert median_days_to_protection(actor=coordinator, kind="bodyguard") is None


def test_figures_follow_visibility(timeline, foreign_coordinator, other_officer, liaison):
    for actor in (foreign_coordinator, other_officer, liaison):
        assert list(late_measures(actor=actor, now=h(13))) == []
        assert median_days_to_protection(actor=actor) is None
        assert timeliness_summary(actor=actor, now=h(13))["pending_late"] == 0


def test_reviews_overdue(coordinator, lucia, timeline):
    _procedure, a, b, _c, _d = timeline
    # Not assessed: the medium interval, 180 days after going in place.
    assert a.review_due_on == datetime.date(2026, 3, 2) + datetime.timedelta(days=180)
    assert list(reviews_overdue(actor=coordinator, today=a.review_due_on)) == []
    later = a.review_due_on + datetime.timedelta(days=1)
    assert [m.code for m in reviews_overdue(actor=coordinator, today=later)] == [a.code]
    Defender.objects.filter(pk=lucia.pk).update(risk_level="extreme")
    move(coordinator, b, ("in_place", h(20)))
    assert b.review_due_on == datetime.date(2026, 3, 3) + datetime.timedelta(days=30)


def test_unprotected_defenders(coordinator, analyst, lucia, world):
    Defender.objects.filter(pk__in=[lucia.pk, world.team_defender.pk]).update(risk_level="high")
    Defender.objects.filter(pk=world.unassigned_defender.pk).update(risk_level="medium")
    Defender.objects.filter(pk=world.foreign_defender.pk).update(risk_level="extreme")
    codes = {d.code for d in unprotected_defenders(actor=coordinator)}
    assert codes == {lucia.code, world.team_defender.code}
    measure = request(coordinator, lucia, "panic_button")
    move(coordinator, measure, ("approved", h(1)))
    assert lucia.code in {d.code for d in unprotected_defenders(actor=coordinator)}
    move(coordinator, measure, ("in_place", h(2)), ("under_review", h(3)))
    assert {d.code for d in unprotected_defenders(actor=analyst)} == {world.team_defender.code}


def test_refusal_counts_per_kind_and_provider(coordinator, lucia, police, trained_ngo):
    reason = "override for the test"
    police_kw = {"provider": police, "provider_override_reason": reason}
    refused = request(coordinator, lucia, **police_kw)
    move(coordinator, refused, ("approved", h(1)), ("refused_by_defender", h(2)))
    kept = request(coordinator, lucia, **police_kw)
    move(coordinator, kept, ("approved", h(1)), ("in_place", h(2)))
    rejected = request(coordinator, lucia, **police_kw)
    move(coordinator, rejected, ("rejected", h(1)))
    early = request(coordinator, lucia, **police_kw)
    move(coordinator, early, ("refused_by_defender", h(1)))
    request(coordinator, lucia, **police_kw)  # still requested: not offered
    plain = request(coordinator, lucia)
    move(coordinator, plain, ("approved", h(1)))
    accompaniment = request(coordinator, lucia, "protective_accompaniment", provider=trained_ngo)
    move(coordinator, accompaniment, ("approved", h(1)), ("in_place", h(2)))
    assert refusal_counts(actor=coordinator) == [
        {"kind": "police_protection", "provider": "", "offered": 1, "refused": 0, "rate": 0.0},
        {
            "kind": "police_protection",
            "provider": "police-co",
            "offered": 3,
            "refused": 2,
            "rate": 0.6667,
        },
        {
            "kind": "protective_accompaniment",
            "provider": "accompaniment-ngo",
            "offered": 1,
            "refused": 0,
            "rate": 0.0,
        },
    ]
    assert refusals_by_kind(actor=coordinator)["police_protection"] == {
        "offered": 4,
        "refused": 2,
        "rate": 0.5,
    }


def test_feedback_summary(coordinator, lucia, police):
    measure = request(coordinator, lucia, provider=police, provider_override_reason="x")
    for works, trusts in (("yes", "no"), ("partly", "no"), ("no", "")):
        feedback_record(
            actor=coordinator,
            measure=measure,
            data=FeedbackData(works=works, trusts_provider=trusts),
        )
    assert feedback_summary(actor=coordinator) == [
        {
            "kind": "police_protection",
            "provider": "police-co",
            "responses": 3,
            "works": {"yes": 1, "partly": 1, "no": 1},
            "trusts_provider": {"yes": 0, "partly": 0, "no": 2, "": 1},
        }
    ]


def test_cost_by_kind_entity_and_month(coordinator, lucia, entity):
    request(coordinator, lucia, "panic_button", T0, cost=Decimal("100.50"), currency="USD")
    request(coordinator, lucia, "panic_button", h(24 * 31), cost=Decimal("99.50"), currency="USD")
    request(coordinator, lucia, "panic_button", T0, cost=Decimal("400000"), currency="COP")
    request(coordinator, lucia, "bodyguard", T0)
    assert cost_by(actor=coordinator, by="kind") == [
        {"key": "panic_button", "currency": "COP", "total": Decimal("400000.00"), "measures": 1},
        {"key": "panic_button", "currency": "USD", "total": Decimal("200.00"), "measures": 2},
    ]
    months = cost_by(actor=coordinator, by="month")
    assert [(row["key"], row["currency"], row["total"]) for row in months] == [
        ("2026-03", "COP", Decimal("400000.00")),
        ("2026-03", "USD", Decimal("100.50")),
        ("2026-04", "USD", Decimal("99.50")),
    ]
    assert {row["key"] for row in cost_by(actor=coordinator, by="entity")} == {entity.slug}


def test_measure_list_filters(coordinator, lucia, police):
    request(coordinator, lucia, provider=police, provider_override_reason="x")
    request(coordinator, lucia, "bodyguard")
    from amparo.measures.selectors import MeasureFilters

    assert measure_list(actor=coordinator, filters=MeasureFilters(kind="bodyguard")).count() == 1
    assert (
        measure_list(actor=coordinator, filters=MeasureFilters(provider="police-co")).count() == 1
    )
    assert measure_list(actor=coordinator, filters=MeasureFilters(status="approved")).count() == 0
