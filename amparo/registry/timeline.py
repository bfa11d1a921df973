"""A defender's timeline: everything that concerns them, from every domain, newest first.

Domains add entries by registering a provider (in their AppConfig.ready); the registry does not
import them. A provider takes (actor, defender) and returns entries the actor may see.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amparo.registry.models import Defender


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date
    kind: str  # "registration", "incident", "relative_incident", "organisation_incident", ...
    title: str
    ref: str = ""  # the code of the record
    detail: str = ""
    url: str = ""  # where the record's page is, when the actor may open it


Provider = Callable[[Any, Defender], list[TimelineEntry]]
_providers: list[Provider] = []


def register_timeline_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def _registration(actor: Any, defender: Defender) -> list[TimelineEntry]:
    return [TimelineEntry(defender.registered_on, "registration", "Registered", defender.code)]


def defender_timeline(*, actor: Any, defender: Defender) -> list[TimelineEntry]:
    entries = _registration(actor, defender)
    for provider in _providers:
        entries.extend(provider(actor, defender))
    return sorted(entries, key=lambda e: (e.on, e.kind, e.ref), reverse=True)
