"""The review pages: list, side-by-side comparison, decisions, merge, undo and confirm."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.registry.models import DefenderMerge, DuplicateDecision
from amparo.registry.services import DefenderData, defender_register
from amparo.tests.helpers import assert_no_inline_script, logged_in

pytestmark = pytest.mark.django_db


def _register(actor, name, **fields):
    data = DefenderData(name=name, country="CO", categories=["community_leader"], **fields)
    return defender_register(actor=actor, data=data)


@pytest.fixture
def twins(coordinator):
    a = _register(coordinator, "Rosa Elena Tascón", subdivision="CO-CAU")
    b = _register(coordinator, "Rosa Helena Tascon", subdivision="CO-CAU")
    return a, b


def test_the_list_shows_codes_scores_and_reasons_but_no_names(coordinator, twins):
    response = logged_in(coordinator).get(reverse("registry:duplicate_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_no_inline_script(html)
    assert twins[0].code in html and twins[1].code in html
    assert "Similar name (0.98)" in html and "Same subdivision (CO-CAU)" in html
    assert "Rosa" not in html and "Tasc" not in html
    assert reverse("registry:duplicate_list") in html  # the navigation link
    assert not AuditEvent.objects.filter(action="defender.read").exists()


@pytest.mark.parametrize("persona", ["officer", "analyst"])
def test_other_roles_may_not_open_the_review(request, persona, twins):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("registry:duplicate_list")).status_code == 403
    url = reverse("registry:duplicate_decide", args=[twins[0].code, twins[1].code])
    assert client.post(url, {"action": "not_duplicate"}).status_code == 403
    assert not DuplicateDecision.objects.exists()


def test_the_comparison_shows_both_records_and_audits_the_reads(coordinator, twins):
    a, b = twins
    url = reverse("registry:duplicate_compare", args=[b.code, a.code])

    response = logged_in(coordinator).get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert_no_inline_script(html)
    assert "Rosa Elena Tascón" in html and "Rosa Helena Tascon" in html
    assert "Score 59 of 100." in html
    reads = AuditEvent.objects.filter(action="defender.read", detail__via="duplicates")
    assert sorted(reads.values_list("object_id", flat=True)) == sorted([str(a.pk), str(b.pk)])


def test_a_hidden_record_is_not_found(coordinator, world, twins):
    client = logged_in(coordinator)
    for hidden in (world.restricted_defender, world.foreign_defender):
        url = reverse("registry:duplicate_compare", args=[twins[0].code, hidden.code])
        assert client.get(url).status_code == 404
        decide = reverse("registry:duplicate_decide", args=[twins[0].code, hidden.code])
        assert (
            client.post(decide, {"action": "merge", "survivor": twins[0].code}).status_code == 404
        )
    assert not DefenderMerge.objects.exists() and not DuplicateDecision.objects.exists()


def test_not_a_duplicate_from_the_page(coordinator, twins):
    a, b = twins
    url = reverse("registry:duplicate_decide", args=[a.code, b.code])

    response = logged_in(coordinator).post(url, {"action": "not_duplicate"})

    assert response.status_code == 302
    assert DuplicateDecision.objects.get().decision == "not_duplicate"
    html = logged_in(coordinator).get(reverse("registry:duplicate_list")).content.decode()
    assert a.code not in html


def test_merge_then_undo_then_merge_and_confirm_from_the_pages(coordinator, twins):
    a, b = twins
    client = logged_in(coordinator)
    decide = reverse("registry:duplicate_decide", args=[a.code, b.code])

    response = client.post(decide, {"action": "merge", "survivor": b.code})

    merge = DefenderMerge.objects.get()
    assert (merge.survivor, merge.absorbed) == (b, a)
    assert response["Location"] == reverse("registry:merge_detail", args=[merge.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert_no_inline_script(page.content.decode())
    # The absorbed record's code leads to the survivor.
    detail = client.get(reverse("registry:defender_detail", args=[a.code]))
    assert detail["Location"] == reverse("registry:defender_detail", args=[b.code])

    client.post(response["Location"], {"action": "undo"})
    merge.refresh_from_db()
    assert merge.status == DefenderMerge.Status.UNDONE
    assert client.get(reverse("registry:defender_detail", args=[a.code])).status_code == 200

    client.post(decide, {"action": "merge", "survivor": b.code})
    second = DefenderMerge.objects.get(status=DefenderMerge.Status.PENDING)
    client.post(reverse("registry:merge_detail", args=[second.pk]), {"action": "confirm"})
    second.refresh_from_db()
    assert second.status == DefenderMerge.Status.CONFIRMED
    detail = client.get(reverse("registry:defender_detail", args=[a.code]))
    assert detail["Location"] == reverse("registry:defender_detail", args=[b.code])


def test_an_officer_may_not_undo_a_merge(coordinator, officer, twins):
    from amparo.registry.merge import defender_merge
    from amparo.registry.services import case_set_team

    a, b = twins
    for d in twins:
        case_set_team(actor=coordinator, case=d.case, members=[officer])
    merge = defender_merge(actor=coordinator, survivor=a, absorbed=b)

    response = logged_in(officer).post(
        reverse("registry:merge_detail", args=[merge.pk]), {"action": "undo"}
    )

    assert response.status_code == 403
    merge.refresh_from_db()
    assert merge.status == DefenderMerge.Status.PENDING
