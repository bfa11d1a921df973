"""Writes on the trigger calendar: create and change events; policy-checked, validated, audited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from amparo.accounts.models import Entity, User
from amparo.audit.services import audit_record
from amparo.core.policy import deny
from amparo.core.validation import Errors
from amparo.core.vocab import Category, Context, codes
from amparo.earlywarning.models import Event
from amparo.earlywarning.policies import may_change_event, may_write_events
from amparo.registry.models import Defender
from amparo.registry.policies import defender_scope

# A window longer than ten years is a typo, not a season.
MAX_WINDOW_DAYS = 3650


@dataclass
class EventData:
    """What a calendar event holds, validated the same way whatever the channel."""

    kind: str
    start: datetime.date
    country: str
    title: str = ""
    end: datetime.date | None = None
    subdivision: str = ""
    categories: list[str] = field(default_factory=list)
    defenders: list[Defender] = field(default_factory=list)
    lead_days: int | None = None
    tail_days: int | None = None

    @property
    def effective_end(self) -> datetime.date:
        return self.end or self.start

    def validate(self) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(Context))
        errors.country("country", self.country)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.codes("categories", self.categories, codes(Category), at_least_one=False)
        if len(self.title) > 300:
            errors.add("title", "Keep the title under 300 characters.")
        if self.end is not None and self.end < self.start:
            errors.add("end", "The end is before the start.")
        for name in ("lead_days", "tail_days"):
            days = getattr(self, name)
            if days is not None and not 0 <= days <= MAX_WINDOW_DAYS:
                errors.add(name, f"Give a number of days between 0 and {MAX_WINDOW_DAYS}.")
        errors.raise_if_any()

    def category_list(self) -> list[str]:
        return sorted(set(self.categories))


_PLAIN = ("kind", "title", "start", "country", "subdivision", "lead_days", "tail_days")


def _check_defenders_visible(actor: Any, defenders: list[Defender]) -> None:
    """A personal event may only name defenders the actor can see."""
    wanted = {d.pk for d in defenders}
    if not wanted:
        return
    visible = set(
        Defender.objects.filter(defender_scope(actor), pk__in=wanted).values_list("pk", flat=True)
    )
    if visible != wanted:
        errors = Errors()
        errors.add("defenders", "Name only defenders you can see.")
        errors.raise_if_any()


def event_create(
    *,
    actor: Any,
    data: EventData,
    entity: Entity | None = None,
    external_id: str | None = None,
    digest: str = "",
) -> Event:
    if not may_write_events(actor):
        raise deny()
    data.validate()
    _check_defenders_visible(actor, data.defenders)
    lead_entity = entity or getattr(actor, "entity", None)
    if lead_entity is None:
        raise deny("A lead entity is needed to add an event.")
    if isinstance(actor, User) and lead_entity.pk != actor.entity_id:
        raise deny("Events belong to your own entity.")
    with transaction.atomic():
        event = Event(
            end=data.effective_end,
            categories=data.category_list(),
            lead_entity=lead_entity,
            created_by=actor if isinstance(actor, User) else None,
            digest=digest,
            **{name: getattr(data, name) for name in _PLAIN},
        )
        event.external_id = external_id or f"EVT-{event.pk.hex[:12]}"
        event.save(force_insert=True)
        event.defenders.set(data.defenders)
        audit_record(
            actor,
            "event.create",
            object_type="event",
            object_id=event.pk,
            fields=[*_PLAIN, "end", "categories", "defenders"],
            detail={"kind": event.kind},
        )
        from amparo.earlywarning.pipeline import scan_after_event

        scan_after_event(event)
    return event


def event_update(
    *, actor: Any, event: Event, data: EventData, digest: str | None = None
) -> list[str]:
    """Apply changes; returns the names of the fields that changed (empty: nothing written)."""
    if not may_change_event(actor, event):
        raise deny()
    data.validate()
    _check_defenders_visible(actor, data.defenders)
    changed = [name for name in _PLAIN if getattr(event, name) != getattr(data, name)]
    if event.end != data.effective_end:
        changed.append("end")
    if sorted(event.categories) != data.category_list():
        changed.append("categories")
    if {d.pk for d in event.defenders.all()} != {d.pk for d in data.defenders}:
        changed.append("defenders")
    if not changed:
        return []
    with transaction.atomic():
        for name in _PLAIN:
            setattr(event, name, getattr(data, name))
        event.end, event.categories = data.effective_end, data.category_list()
        if digest is not None:
            event.digest = digest
        event.save()
        if "defenders" in changed:
            event.defenders.set(data.defenders)
        audit_record(actor, "event.update", object_type="event", object_id=event.pk, fields=changed)
    return changed
