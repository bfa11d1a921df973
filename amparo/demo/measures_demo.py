"""The demo's protective measures: every status, journey 6 (Lucía refuses police protection,
accompaniment by a trained NGO replaces it, after a disclosure the police liaison accepted), a
relocation, an interim measures request, feedback and safety plans, all through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from amparo.accounts.models import Entity
from amparo.accounts.services import entity_create, entity_update
from amparo.measures.disclosure import DEFAULT_FIELDS
from amparo.measures.models import Measure
from amparo.measures.services import (
    DisclosureData,
    FeedbackData,
    InterimData,
    MeasureData,
    RelocationData,
    disclosure_create,
    disclosure_respond,
    feedback_record,
    interim_request_save,
    measure_replace,
    measure_request,
    measure_transition,
    relocation_save,
    safety_plan_save,
)
from amparo.registry.models import Defender

if TYPE_CHECKING:
    from amparo.demo.generator import Writer

LUCIA = "Lucía Cárdenas Rojas"
PROVIDER_SLUG = "demo-accompaniment-co"
# (kind, the steps after the request, cost in COP) for defenders of the desk: every status.
LIFECYCLES: tuple[tuple[str, tuple[str, ...], int | None], ...] = (
    ("panic_button", (), 350_000),
    ("communication_equipment", ("under_assessment",), 900_000),
    ("security_infrastructure", ("approved",), 12_000_000),
    ("armoured_vehicle", ("under_assessment", "rejected"), None),
    ("digital_security", ("approved", "in_place"), 1_500_000),
    ("bodyguard", ("approved", "in_place", "under_review"), 9_000_000),
    ("psychosocial_support", ("approved", "in_place", "ended"), 2_400_000),
    ("police_protection", ("approved", "refused_by_defender"), None),
    ("legal_assistance", ("approved", "in_place"), 3_000_000),
    ("police_protection", ("approved", "in_place"), None),
)
SAFETY_PLAN = (
    "1. Vary routes and times between home and the office.\n"
    "2. Check in with the desk's hotline every evening by 21:00.\n"
    "3. If followed: go to the nearest safe point agreed with the accompaniment team.\n"
    "4. Emergency contacts are kept on the panic button, not in the phone's address book."
)


def _provider(writer: Writer) -> Entity:
    """A trained NGO providing protective accompaniment; the police unit is still in training."""
    actor, today = writer.actor, timezone.localdate()
    provider = entity_create(
        actor=actor,
        slug=PROVIDER_SLUG,
        name="Demo accompaniment NGO (trained provider)",
        kind=Entity.Kind.PROVIDER,
        country="CO",
    )
    entity_update(
        actor=actor,
        entity=provider,
        name=provider.name,
        kind=provider.kind,
        country=provider.country,
        training_status="certified",
        trained_until=today + datetime.timedelta(days=365),
    )
    police = writer.entities["demo-police-co"]
    entity_update(
        actor=actor,
        entity=police,
        name=police.name,
        kind=police.kind,
        country=police.country,
        training_status="in_progress",
    )
    writer.entities[PROVIDER_SLUG] = provider
    return provider


def _lucia(writer: Writer) -> Defender | None:
    for defender, plan in zip(writer.defenders, writer.plan.defenders, strict=True):
        if plan.name == LUCIA:
            return defender
    return None


def _journey_6(writer: Writer, lucia: Defender, provider: Entity) -> None:
    officer, coordinator = writer.users["officer"], writer.users["coordinator"]
    police, liaison = writer.entities["demo-police-co"], writer.users["liaison"]
    now = timezone.now()

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    measure = measure_request(
        actor=officer,
        defender=lucia,
        data=MeasureData(
            kind="police_protection",
            provider=police,
            provider_override_reason=(
                "The State's protection unit: its training is in progress; no other unit "
                "covers the area."
            ),
            details={
                "area": "Comuna 18, Cali (home and office)",
                "schedule_needs": "Weekdays 06:00-20:00; escorts to hearings",
                "contact_channel": "Desk hotline, case code only",
                "notes": "Lucía fears the local station: officers are named in her complaint.",
            },
        ),
        now=ago(20),
    )
    measure_transition(
        actor=coordinator, measure=measure, to_status="approved", note="Urgent", now=ago(19.9)
    )
    disclosure = disclosure_create(
        actor=coordinator,
        defender=lucia,
        data=DisclosureData(
            to_entity=police,
            fields=list(DEFAULT_FIELDS),
            measure=measure,
            override_reason="Imminent danger: protection must start today.",
        ),
        now=ago(19.8),
    )
    disclosure_respond(actor=liaison, disclosure=disclosure, accept=True, now=ago(19.7))
    measure_transition(
        actor=officer,
        measure=measure,
        to_status="refused_by_defender",
        reason="The local police are among the suspects of the threats.",
        now=ago(19),
    )
    accompaniment = measure_replace(
        actor=officer,
        measure=measure,
        data=MeasureData(
            kind="protective_accompaniment",
            provider=provider,
            cost=Decimal("6500000"),
            currency="COP",
            details={"area": "Comuna 18, Cali", "schedule_needs": "Weekdays 06:00-20:00"},
        ),
        note="Lucía accepts accompaniment by an NGO she trusts.",
        now=ago(18.9),
    )
    measure_transition(
        actor=coordinator, measure=accompaniment, to_status="approved", now=ago(18.5)
    )
    measure_transition(actor=officer, measure=accompaniment, to_status="in_place", now=ago(17))
    feedback_record(
        actor=officer,
        measure=accompaniment,
        data=FeedbackData(
            works="yes",
            trusts_provider="yes",
            comment="She feels safe going to the hearings.",
            given_on=timezone.localdate() - datetime.timedelta(days=3),
        ),
    )
    safety_plan_save(actor=officer, defender=lucia, text=SAFETY_PLAN)
    writer.counts["measures"] += 2
    writer.counts["disclosures"] += 1


def _lifecycles(writer: Writer, defenders: list[Defender], provider: Entity) -> list[Measure]:
    actor, now = writer.actor, timezone.now()
    police = writer.entities["demo-police-co"]
    made = []
    for index, (kind, steps, cost) in enumerate(LIFECYCLES):
        if index >= len(defenders):
            break
        start = now - datetime.timedelta(days=30 + 9 * index)
        uses_police = kind == "police_protection"
        measure = measure_request(
            actor=actor,
            defender=defenders[index],
            data=MeasureData(
                kind=kind,
                provider=police if uses_police else provider if kind == "bodyguard" else None,
                provider_override_reason="State protection unit" if uses_police else "",
                cost=Decimal(cost) if cost else None,
                currency="COP" if cost else "",
            ),
            now=start,
        )
        for number, step in enumerate(steps, start=1):
            measure_transition(
                actor=actor,
                measure=measure,
                to_status=step,
                reason="Distrust of the local police" if step == "refused_by_defender" else "",
                now=start + datetime.timedelta(days=2 * number),
            )
        if "in_place" in steps:
            feedback_record(
                actor=actor,
                measure=measure,
                data=FeedbackData(works="partly", trusts_provider="partly"),
            )
        made.append(measure)
    writer.counts["measures"] += len(made)
    return made


def _relocation_and_interim(writer: Writer, defenders: list[Defender]) -> None:
    if len(defenders) < 2:
        return
    actor, now = writer.actor, timezone.now()
    relocated = defenders[0]
    measure = measure_request(
        actor=actor,
        defender=relocated,
        data=MeasureData(kind="relocation_internal", cost=Decimal("8000000"), currency="COP"),
        now=now - datetime.timedelta(days=60),
    )
    measure_transition(actor=actor, measure=measure, to_status="approved")
    relocation_save(
        actor=actor,
        measure=measure,
        data=RelocationData(
            host="Shelter of a partner organisation in another department",
            starts_on=timezone.localdate() - datetime.timedelta(days=55),
            ends_on=timezone.localdate() + datetime.timedelta(days=35),
            family_members=list(relocated.persons.all()[:2]),
            visa_plan="Not needed: internal relocation.",
            return_plan="Return after the risk re-evaluation, if the level is medium or lower.",
        ),
    )
    measure_transition(actor=actor, measure=measure, to_status="in_place")
    interim = measure_request(
        actor=actor,
        defender=defenders[1],
        data=MeasureData(kind="interim_measures_request"),
        now=now - datetime.timedelta(days=120),
    )
    interim_request_save(
        actor=actor,
        measure=interim,
        data=InterimData(
            body="iachr",
            requested_on=timezone.localdate() - datetime.timedelta(days=120),
            granted=True,
            granted_on=timezone.localdate() - datetime.timedelta(days=90),
            state_compliance="partial",
            reference="MC-DEMO-1-26",
            notes="The State assigned a scheme but no vehicle.",
        ),
    )
    measure_transition(actor=actor, measure=interim, to_status="approved")
    measure_transition(actor=actor, measure=interim, to_status="in_place")
    writer.counts["measures"] += 2


def load_measures_demo(writer: Writer) -> None:
    provider = _provider(writer)
    lucia = _lucia(writer)
    if lucia is not None:
        _journey_6(writer, lucia, provider)
    desk = writer.entities["demo-desk-co"]
    others = [
        d
        for d in writer.defenders
        if d.case.lead_entity_id == desk.pk and d != lucia and not d.is_shredded
    ]
    _lifecycles(writer, others[: len(LIFECYCLES)], provider)
    _relocation_and_interim(writer, others[len(LIFECYCLES) : len(LIFECYCLES) + 2])
    for defender in others[:3]:
        safety_plan_save(actor=writer.actor, defender=defender, text=SAFETY_PLAN)
