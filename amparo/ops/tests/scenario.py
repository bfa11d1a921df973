"""A small data set written through the services, shared by the drills."""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from amparo.incidents.services import IncidentData, attachment_add, incident_record
from amparo.registry.services import DefenderData, PersonData, defender_register, person_create


def register(actor: Any, name: str, **extra: Any) -> Any:
    data = DefenderData(name=name, country="CO", categories=["land_environment"], **extra)
    return defender_register(actor=actor, data=data)


def incident_with_attachment(actor: Any, defender: Any, text: str, content: bytes) -> Any:
    incident = incident_record(
        actor=actor,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[defender],
            locality=f"{text} locality",
            perpetrator_detail=f"{text} perpetrator",
            narrative=f"{text} narrative",
            sources=[f"{text} source"],
        ),
    )
    attachment_add(
        actor=actor,
        incident=incident,
        upload=io.BytesIO(content),
        filename=f"{text}.txt",
        content_type="text/plain",
    )
    return incident


def seed(actor: Any, defenders: int = 6) -> list[Any]:
    seeded = []
    for n in range(defenders):
        defender = register(actor, f"Seed Defender {n}", contacts={"phone": f"+57 310 {n:07d}"})
        kin = PersonData(name=f"Kin {n}", relation="sibling")
        person_create(actor=actor, defender=defender, data=kin)
        incident_with_attachment(actor, defender, f"seed {n}", f"evidence {n}".encode())
        seeded.append(defender)
    return seeded


@contextmanager
def writes_going_on(actor: Any) -> Iterator[list[str]]:
    """Register defenders in a second thread (its own connection) until the block ends."""
    written: list[str] = []
    stop = threading.Event()

    def write() -> None:
        try:
            while not stop.is_set():
                written.append(register(actor, f"Concurrent {len(written)}").code)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while not written and thread.is_alive():
            stop.wait(0.01)
        yield written
    finally:
        stop.set()
        thread.join()
