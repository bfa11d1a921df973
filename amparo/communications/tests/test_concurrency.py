"""References under concurrency: two approvers sending at once get 1 and 2, never the same
number and never a gap (PostgreSQL: SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from amparo.communications.models import Communication
from amparo.communications.services import communication_approve_send, communication_submit
from amparo.communications.tests.conftest import draft


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_sends_get_distinct_numbers(
    audit_transactional_db, comms_officer, coordinator, other_comms_officer, letters
):
    letters_to_send = [draft(comms_officer, defenders=[letters.rosa]) for _ in range(4)]
    for communication in letters_to_send:
        communication_submit(actor=comms_officer, communication=communication)
    barrier = threading.Barrier(len(letters_to_send))
    errors: list[BaseException] = []

    def approve(communication: Communication, approver) -> None:
        try:
            barrier.wait()
            communication_approve_send(
                actor=approver, communication=communication, sent_on=datetime.date(2026, 5, 4)
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    approvers = [coordinator, other_comms_officer]
    threads = [
        threading.Thread(target=approve, args=(c, approvers[i % 2]))
        for i, c in enumerate(letters_to_send)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Communication.objects.values_list("ref_number", flat=True)) == [1, 2, 3, 4]
    assert sorted(Communication.objects.values_list("reference", flat=True)) == [
        "UA COL 1/2026",
        "UA COL 2/2026",
        "UA COL 3/2026",
        "UA COL 4/2026",
    ]
