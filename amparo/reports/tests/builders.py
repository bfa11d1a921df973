"""Builders of communications, replies and visits for the report tests.

They write rows directly: the figures are what is tested here, and the communications services
(drafting, four eyes, sending) are tested in their own app."""

from __future__ import annotations

import datetime
import itertools

import pycountry

from amparo.communications.models import Communication, CountryVisit, Reply
from amparo.core.keystore import data_key_create

_numbers = itertools.count(1)


def states(n: int) -> list[tuple[str, str]]:
    """n (alpha-2, alpha-3) pairs of real countries, in a fixed order."""
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    return [(c.alpha_2, c.alpha_3) for c in countries[:n]]


def communication(
    entity,
    state: str,
    sent_on: datetime.date,
    *,
    kind: str = "UA",
    women: bool = False,
    status: str = "sent",
    replies: tuple[datetime.date, ...] = (),
    reply_kind: str = "substantive",
    published_on: datetime.date | None = None,
    summary: str | None = None,
) -> Communication:
    number = next(_numbers)
    c = Communication(
        external_id=f"c-{number}",
        kind=kind,
        state=state,
        status=status,
        reference=f"{kind} {state} {number}/{sent_on.year}" if status == "sent" else "",
        ref_number=number if status == "sent" else None,
        ref_year=sent_on.year if status == "sent" else None,
        lead_entity=entity,
        data_key=data_key_create(),
        concerns_women_defenders=women,
        sent_on=sent_on if status == "sent" else None,
        published_on=published_on,
    )
    c.summary = summary
    c.save(force_insert=True)
    for index, day in enumerate(replies):
        reply = Reply(
            external_id=f"r-{number}-{index}",
            communication=c,
            received_on=day,
            kind=reply_kind,
            data_key=c.data_key,
        )
        reply.save(force_insert=True)
    return c


def visit(entity, state: str, years: list[int], status: str = "requested") -> CountryVisit:
    return CountryVisit.objects.create(
        state=state,
        status=status,
        years_requested=years,
        first_requested_on=datetime.date(min(years), 3, 1),
        lead_entity=entity,
    )
