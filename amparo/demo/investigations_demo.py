"""The demo's investigations: what the authorities did about the grave incidents.

Each grave incident (DESIGN §5) of the demo gets a history that a protection programme would
follow: most complaints stall, a few reach a suspect or a trial, very few end in a conviction,
so the annual report's impunity section (journey 7) and the investigation pages have real
figures. Written through the investigations service, as the system actor, one update per stage
with its day, never after the demo's today.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from amparo.core.vocab import GRAVE_VIOLATIONS, InvestigationStage
from amparo.incidents.models import Incident
from amparo.investigations.services import InvestigationChange, investigation_record

if TYPE_CHECKING:
    from amparo.demo.generator import Writer

Stage = InvestigationStage
SEED = 2010  # apart from the writer's generator, so the rest of the demo does not move

# Where each history stops, with its weight: about one grave incident in three never reaches
# the authorities, and about one in twenty ends in a conviction.
ENDINGS: tuple[tuple[str | None, int], ...] = (
    (None, 30),
    (Stage.COMPLAINT_FILED, 22),
    (Stage.INVESTIGATION_OPENED, 18),
    (Stage.SUSPECT_IDENTIFIED, 7),
    (Stage.CHARGED, 5),
    (Stage.TRIAL, 4),
    (Stage.CONVICTED, 5),
    (Stage.ACQUITTED, 3),
    (Stage.CLOSED_WITHOUT_RESULT, 6),
)
# The road to each ending, in procedural order.
PATH = (
    Stage.COMPLAINT_FILED,
    Stage.INVESTIGATION_OPENED,
    Stage.SUSPECT_IDENTIFIED,
    Stage.CHARGED,
    Stage.TRIAL,
)
AUTHORITY = {
    "CO": "Fiscalía General de la Nación",
    "MX": "Fiscalía General de la República",
    "GT": "Ministerio Público",
    "HN": "Ministerio Público",
    "BR": "Ministério Público Federal",
    "PH": "Department of Justice",
}


def _path_to(ending: str) -> list[str]:
    if ending == Stage.CLOSED_WITHOUT_RESULT:
        return [Stage.COMPLAINT_FILED, Stage.INVESTIGATION_OPENED, ending]
    if ending in (Stage.CONVICTED, Stage.ACQUITTED):
        return [*PATH, ending]
    return list(PATH[: PATH.index(ending) + 1])


def _history(
    rng: random.Random, incident: Incident, today: datetime.date
) -> list[tuple[str, datetime.date]]:
    """The stages reached by today, each some weeks to months after the one before."""
    ending = rng.choices([e for e, _w in ENDINGS], weights=[w for _e, w in ENDINGS])[0]
    if ending is None:
        return []
    steps: list[tuple[str, datetime.date]] = []
    on = incident.date
    for stage in _path_to(ending):
        on += datetime.timedelta(days=rng.randint(3, 30) if not steps else rng.randint(30, 240))
        if on > today:
            break
        steps.append((stage, on))
    return steps


def load_investigations_demo(writer: Writer) -> None:
    rng = random.Random(SEED)
    grave = (
        Incident.objects.filter(violation_rows__code__in=GRAVE_VIOLATIONS, case__isnull=False)
        .distinct()
        .order_by("date", "code")
    )
    for incident in grave:
        for stage, on in _history(rng, incident, writer.today):
            change = InvestigationChange(
                stage=stage, on=on, authority=AUTHORITY.get(incident.country, "Public prosecutor")
            )
            investigation_record(actor=writer.actor, incident=incident, change=change)
            writer.counts["investigation updates"] += 1
