"""The demo's risk data: assessments in every state (draft, submitted, approved, rejected, a
downgrade through a documented re-evaluation) and procedures open, decided, in place, overdue
and escalated, all written through the risk services."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from amparo.registry.models import Defender
from amparo.risk.procedures import (
    procedure_mark_decided,
    procedure_mark_in_place,
    procedure_open,
    procedures_escalate_overdue,
)
from amparo.risk.services import (
    AssessmentData,
    ChecklistItem,
    ThreatAnalysis,
    assessment_approve,
    assessment_create,
    assessment_import,
    assessment_reject,
    assessment_submit,
)

if TYPE_CHECKING:
    from amparo.demo.generator import Writer

HOUR = datetime.timedelta(hours=1)
# (threat, vulnerability, capacity) per level, for the imported history of other defenders.
SCORES = {"low": (1, 1, 2), "medium": (2, 2, 1), "high": (3, 3, 1), "extreme": (4, 4, 1)}
HISTORY = 40


def _data(
    today: datetime.date, days_ago: int, scores: tuple[int, int, int], **extra: object
) -> AssessmentData:
    threat, vulnerability, capacity = scores
    values: dict[str, object] = {
        "threat": threat,
        "vulnerability": vulnerability,
        "capacity": capacity,
        "assessed_on": today - datetime.timedelta(days=days_ago),
        "participation": "participated",
        "participation_note": "Interview with the defender at a safe location.",
        "threats": [
            ThreatAnalysis(
                facts="A pamphlet naming the defender was left at the community hall.",
                pattern="Third written threat since the land restitution hearing.",
                objective="Make the defender abandon the restitution claim.",
                author="An armed group active in the area, by its signature and symbols.",
                feasibility="The group killed two social leaders nearby this year.",
            )
        ],
        "vulnerabilities": [
            ChecklistItem("location", 4, "Lives on a rural road with one access."),
            ChecklistItem("routines", 3, "Travels to the same market every week."),
        ],
        "capacities": [ChecklistItem("networks", 2, "Community guard and a regional network.")],
        "gender_factors": ["threats_to_children"],
        "rationale": "Threats are recent, specific and from an actor able to carry them out.",
    }
    values.update(extra)
    return AssessmentData(**values)  # type: ignore[arg-type]


def load_risk_demo(writer: Writer) -> None:
    system, today, now = writer.actor, writer.today, timezone.now()
    officer, coordinator = writer.users["officer"], writer.users["coordinator"]
    journey = [
        d
        for d, plan in zip(writer.defenders, writer.plan.defenders, strict=True)
        if plan.on_officer_team and not d.case.restricted and not d.is_shredded
    ]
    counts = writer.counts

    def approved(
        defender: Defender, days_ago: int, scores: tuple[int, int, int], **extra: object
    ) -> None:
        assessment = assessment_create(
            actor=officer,
            defender=defender,
            data=_data(today, days_ago, scores, **extra),
            submit=True,
        )
        assessment_approve(actor=coordinator, assessment=assessment)
        counts["assessments"] += 1

    if len(journey) >= 6:
        # A downgrade after a documented re-evaluation: high, then medium.
        approved(journey[0], 200, SCORES["high"])
        approved(
            journey[0],
            20,
            SCORES["medium"],
            is_reevaluation=True,
            reevaluation_reason="The armed group withdrew from the vereda in September.",
        )
        # Extreme, under an urgent procedure that is overdue and escalated.
        approved(
            journey[1],
            5,
            SCORES["extreme"],
            colombian_criteria=[
                "specific",
                "concrete",
                "present",
                "important",
                "serious",
                "clear",
                "exceptional",
                "disproportionate",
                "grave",
                "imminent",
            ],
        )
        procedure_open(
            actor=officer,
            defender=journey[1],
            kind="urgent",
            reason="Armed men asked for her at her home last night.",
            now=now - 20 * HOUR,
        )
        # Submitted, waiting for the coordinator.
        assessment_create(
            actor=officer, defender=journey[2], data=_data(today, 2, SCORES["high"]), submit=True
        )
        # A draft still being written.
        assessment_create(
            actor=officer, defender=journey[3], data=_data(today, 1, SCORES["medium"])
        )
        # Rejected: the evidence was too thin.
        rejected = assessment_create(
            actor=officer, defender=journey[4], data=_data(today, 15, SCORES["extreme"])
        )
        assessment_submit(actor=officer, assessment=rejected)
        assessment_reject(
            actor=coordinator,
            assessment=rejected,
            reason="The threat's author is not established: complete step 4 and resubmit.",
        )
        # An urgent procedure decided and in place in time, and an ordinary one under way.
        urgent = procedure_open(
            actor=officer,
            defender=journey[5],
            kind="urgent",
            reason="Shots fired at the house.",
            now=now - 30 * HOUR,
        )
        procedure_mark_decided(actor=coordinator, procedure=urgent, now=now - 28 * HOUR)
        procedure_mark_in_place(actor=coordinator, procedure=urgent, now=now - 20 * HOUR)
        procedure_open(
            actor=officer,
            defender=journey[5],
            kind="ordinary",
            reason="Risk study after the attack.",
            now=now - 24 * HOUR,
        )
        counts["assessments"] += 3
        counts["procedures"] += 3
    # A past approved assessment for other defenders, as if imported from the previous system.
    others = [
        d
        for d in writer.defenders
        if d not in journey and not d.is_shredded and d.status != "deceased"
    ][:HISTORY]
    levels = list(SCORES)
    for index, defender in enumerate(others):
        level = levels[writer.rng.randrange(len(levels))]
        assessment_import(
            actor=system,
            defender=defender,
            data=_data(today, 10 + index * 7, SCORES[level], rationale="Imported assessment."),
            external_id=f"demo-ra-{index:03d}",
        )
        counts["assessments"] += 1
    counts["escalations"] += len(procedures_escalate_overdue(now=now, actor=system))
