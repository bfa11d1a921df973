"""The demo's consultation and coordination data: consent histories (one with a withdrawal)
and tasks open, done and overdue, written through the coordination services."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from amparo.accounts.models import User
from amparo.coordination.models import Task
from amparo.coordination.services import consent_record, task_complete, task_open

if TYPE_CHECKING:
    from amparo.demo.generator import Writer


def load_coordination_demo(writer: Writer) -> None:
    actor, now = writer.actor, timezone.now()
    desk, network = writer.entities["demo-desk-co"], writer.entities["demo-network"]
    journey = [
        d
        for d, plan in zip(writer.defenders, writer.plan.defenders, strict=True)
        if plan.on_officer_team
    ]
    others = [d for d in writer.defenders if d not in journey and d.case.lead_entity_id == desk.pk]
    # Reminders need addresses; the demo ones go nowhere (.invalid), and development prints
    # or keeps mail in memory instead of sending it.
    for username in ("coordinator", "officer", "officer2"):
        User.objects.filter(username=username).update(email=f"{username}@demo.invalid")

    def days_ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    if len(journey) >= 2:
        # Yolanda (journeys 1 and 3): consented to the State, then withdrew in writing.
        yolanda = journey[1]
        consent_record(
            actor=actor,
            defender=yolanda,
            purpose="share_with_entity",
            granted=True,
            entity=network,
            source="defender_in_person",
            now=days_ago(120),
        )
        consent_record(
            actor=actor,
            defender=yolanda,
            purpose="share_with_state",
            granted=False,
            source="defender_in_writing",
            note="Withdrew after the local police visited her house asking about the report.",
            now=days_ago(20),
        )
        writer.counts["consent records"] += 2
    for defender in others[:3]:
        consent_record(
            actor=actor,
            defender=defender,
            purpose="share_with_entity",
            granted=True,
            entity=network,
            source="defender_in_writing",
            now=days_ago(60),
        )
        writer.counts["consent records"] += 1

    officer, coordinator = writer.users["officer"], writer.users["coordinator"]
    cases = [d.case for d in journey[:3] + others[:3]]
    if len(cases) < 4:
        return
    plans = [
        (Task.Kind.REVIEW, cases[0], officer, now - datetime.timedelta(days=2)),  # overdue
        (Task.Kind.MEASURE_DECISION, cases[1], None, now + datetime.timedelta(hours=6)),
        (Task.Kind.REEVALUATION, cases[2], officer, now + datetime.timedelta(days=3)),
        (Task.Kind.MEASURE_REVIEW, cases[3], coordinator, now - datetime.timedelta(hours=30)),
        (Task.Kind.OTHER, None, coordinator, now + datetime.timedelta(days=5)),
    ]
    opened = [
        task_open(
            actor=actor,
            kind=kind,
            title=f"{Task.Kind(kind).label}: {case.code if case else desk.slug}",
            entity=desk,
            case=case,
            owner=owner,
            due_at=due_at,
            subject_type="demo",
            subject_id=f"demo-{number}",
        )
        for number, (kind, case, owner, due_at) in enumerate(plans)
    ]
    done = task_open(
        actor=actor,
        kind=Task.Kind.RISK_STUDY,
        title=f"{Task.Kind.RISK_STUDY.label}: {cases[0].code}",
        entity=desk,
        case=cases[0],
        owner=officer,
        due_at=now - datetime.timedelta(days=10),
        subject_type="demo",
        subject_id="demo-done",
    )
    task_complete(actor=actor, task=done)
    writer.counts["tasks"] += len(opened) + 1
