"""The demo's communications to States: letters sent and answered, one overdue for a reply
(with its follow-up task), journey 5's urgent appeal about Tomás awaiting approval (refused
until he consents), and country visit requests. Written through the communications services:
drafted by the `comms` account, approved by the `coordinator` (four eyes)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from amparo.communications.drafting import shares_with_state
from amparo.communications.services import (
    CommunicationData,
    ReplyData,
    VisitData,
    communication_approve_send,
    communication_draft,
    communication_submit,
    replies_remind,
    reply_record,
    visit_save,
)
from amparo.incidents.models import Incident

if TYPE_CHECKING:
    from amparo.communications.models import Communication
    from amparo.demo.generator import Writer
    from amparo.registry.models import Defender

MANDATE_HRD = "Special Rapporteur on the situation of human rights defenders"
MANDATE_FOE = "Special Rapporteur on freedom of opinion and expression"
MANDATE_ASSEMBLY = "Special Rapporteur on freedom of peaceful assembly and of association"


def _incidents(defenders: list[Defender], limit: int = 2) -> list[Incident]:
    """The latest incidents against these defenders and no one else (a letter speaks only of
    the defenders it names)."""
    named = {d.pk for d in defenders}
    found = (
        Incident.objects.filter(victim_defenders__in=defenders)
        .distinct()
        .prefetch_related("victim_defenders")
        .order_by("-date", "code")
    )
    return [i for i in found if {v.pk for v in i.victim_defenders.all()} <= named][:limit]


def load_communications_demo(writer: Writer) -> None:
    drafter, approver = writer.users.get("comms"), writer.users.get("coordinator")
    journey = [
        d
        for d, plan in zip(writer.defenders, writer.plan.defenders, strict=True)
        if plan.on_officer_team
    ]
    if drafter is None or approver is None or len(journey) < 4:
        return  # a demo too small for the journeys
    today = writer.today

    def sent(
        kind: str, state: str, defenders: list[Defender], mandates: list[str], days_ago: int
    ) -> Communication:
        defenders = [d for d in defenders if shares_with_state(d)]
        communication = communication_draft(
            actor=drafter,
            data=CommunicationData(
                kind=kind,
                state=state,
                mandates=mandates,
                defenders=defenders,
                incidents=_incidents(defenders),
                summary="Threats and surveillance after public work on land rights.",
            ),
        )
        communication_submit(actor=drafter, communication=communication)
        communication_approve_send(
            actor=approver,
            communication=communication,
            sent_on=today - datetime.timedelta(days=days_ago),
        )
        writer.counts["communications"] += 1
        return communication

    def replied(communication: Communication, kind: str, days_ago: int) -> None:
        reply_record(
            actor=drafter,
            communication=communication,
            data=ReplyData(
                received_on=today - datetime.timedelta(days=days_ago),
                kind=kind,
                summary="The Government reports that protection measures were reviewed.",
            ),
        )
        writer.counts["replies"] += 1

    tomas, _yolanda, edwin, lucia = journey[:4]
    union = journey[4:6]
    replied(sent("UA", "CO", [edwin], [MANDATE_HRD], 420), "substantive", 380)
    replied(sent("AL", "CO", [lucia], [MANDATE_HRD], 200), "acknowledgement", 185)
    partial = sent("JAL", "CO", [edwin], [MANDATE_HRD, MANDATE_FOE], 140)
    replied(partial, "partial", 90)
    # Overdue: sent 75 days ago, no reply yet; `amparo communications remind` opens its task.
    if union:
        sent("JUA", "CO", list(union), [MANDATE_HRD, MANDATE_ASSEMBLY], 75)
    else:
        sent("UA", "CO", [lucia], [MANDATE_HRD], 75)
    replies_remind(
        actor=writer.actor,
        now=timezone.make_aware(datetime.datetime.combine(today, datetime.time(9))),
    )
    # Journey 5: the urgent appeal about Tomás, who has not consented to sharing with the
    # State: awaiting approval, refused until he consents (through the portal) or is unlinked.
    appeal = communication_draft(
        actor=drafter,
        data=CommunicationData(
            kind="UA",
            state="CO",
            mandates=[MANDATE_HRD],
            defenders=[tomas],
            incidents=_incidents([tomas]),
            summary="Death threat after his report on illegal mining was published.",
        ),
    )
    communication_submit(actor=drafter, communication=appeal)
    writer.counts["communications"] += 1

    for state, status, years, extra in (
        ("CO", "pending", [2005, 2008, 2009], {}),
        ("MX", "requested", [2019, 2022], {}),
        (
            "GT",
            "conducted",
            [2016],
            {
                "accepted_on": datetime.date(2017, 3, 1),
                "starts_on": datetime.date(2018, 1, 22),
                "ends_on": datetime.date(2018, 2, 2),
            },
        ),
    ):
        visit_save(
            actor=drafter,
            data=VisitData(
                state=state,
                status=status,
                years_requested=years,
                first_requested_on=datetime.date(years[0], 2, 15),
                **extra,  # type: ignore[arg-type]
            ),
        )
        writer.counts["country visit requests"] += 1
