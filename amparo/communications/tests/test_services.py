"""Drafting, four eyes, references, consent (journey 5), replies and reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.communications.models import Communication, CommunicationStatus, Reply
from amparo.communications.services import (
    ReplyData,
    communication_approve_send,
    communication_return,
    communication_submit,
    communication_withdraw,
    format_reference,
    parse_reference,
    replies_remind,
    reply_record,
)
from amparo.communications.tests.conftest import (
    ROSA_LOCALITY,
    ROSA_NAME,
    ROSA_NARRATIVE,
    ROSA_PHONE,
    TOMAS_LOCALITY,
    TOMAS_NAME,
    TOMAS_NARRATIVE,
    TOMAS_PHONE,
    consent_to_state,
    draft,
    send,
)
from amparo.coordination.models import Task

pytestmark = pytest.mark.django_db
S = CommunicationStatus


def _actions(communication: Communication) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="communication", object_id=str(communication.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


class TestDrafting:
    def test_letter_uses_consented_facts_and_lists_what_it_discloses(self, comms_officer, letters):
        communication = draft(
            comms_officer, defenders=[letters.rosa], incidents=[letters.surveillance]
        )
        body = communication.body
        assert ROSA_NAME in body
        assert ROSA_LOCALITY in body
        assert ROSA_NARRATIVE in body
        assert "Cauca, Colombia" in body
        assert "On 2 April 2026, in Barrio RosaTown, Cauca, Colombia" in body
        assert "surveillance" in body
        assert ROSA_PHONE not in body
        assert communication.disclosed == [
            {
                "record": letters.rosa.code,
                "fields": ["name", "gender", "categories", "subdivision"],
            },
            {
                "record": letters.surveillance.code,
                "fields": [
                    "date",
                    "country",
                    "violations",
                    "perpetrators",
                    "subdivision",
                    "locality",
                    "narrative",
                ],
            },
        ]
        assert communication.concerns_women_defenders is True
        assert communication.status == S.DRAFT
        assert communication.reference == ""
        assert communication.drafted_by == comms_officer

    def test_without_consent_identifying_details_are_left_out(self, comms_officer, letters):
        communication = draft(comms_officer, defenders=[letters.tomas], incidents=[letters.threat])
        body = communication.body
        for value in (TOMAS_NAME, TOMAS_LOCALITY, TOMAS_NARRATIVE, TOMAS_PHONE, "Cauca"):
            assert value not in body
        assert "a human rights defender whose identity is withheld" in body
        assert "On 12 March 2026, in Colombia, the following acts" in body
        assert "death threat" in body
        assert communication.disclosed == [
            {
                "record": letters.threat.code,
                "fields": ["date", "country", "violations", "perpetrators"],
            }
        ]
        assert communication.concerns_women_defenders is False

    def test_drafter_marks_letter_about_women_defenders(self, comms_officer, letters):
        communication = draft(
            comms_officer, incidents=[letters.threat], concerns_women_defenders=True
        )
        assert communication.concerns_women_defenders is True

    def test_draft_is_audited_without_values(self, comms_officer, letters):
        communication = draft(comms_officer, defenders=[letters.tomas], incidents=[letters.threat])
        event = AuditEvent.objects.get(action="communication.draft")
        assert event.object_id == str(communication.pk)
        assert event.detail["withheld"] == [letters.tomas.code]
        assert event.detail["defenders"] == [letters.tomas.code]
        assert TOMAS_NAME not in str(event.detail)

    @pytest.mark.parametrize("persona", ["officer", "analyst", "liaison", "auditor", "admin_user"])
    def test_other_roles_may_not_draft(self, request, persona, letters):
        actor = request.getfixturevalue(persona)
        with pytest.raises(PermissionDenied):
            draft(actor, incidents=[letters.threat])
        assert Communication.objects.count() == 0
        assert not AuditEvent.objects.filter(action__startswith="communication.").exists()

    def test_joint_letter_needs_two_mandates(self, comms_officer, letters):
        with pytest.raises(ValidationError) as error:
            draft(comms_officer, incidents=[letters.threat], kind="JUA")
        assert error.value.message_dict == {
            "mandates": ["A joint communication names at least two mandates."]
        }
        assert Communication.objects.count() == 0


class TestFourEyes:
    def test_drafter_submits_and_a_second_person_sends(
        self, comms_officer, other_comms_officer, letters
    ):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=comms_officer, communication=communication)
        assert communication.status == S.AWAITING_APPROVAL
        communication_approve_send(
            actor=other_comms_officer,
            communication=communication,
            sent_on=datetime.date(2026, 5, 4),
        )
        communication.refresh_from_db()
        assert communication.status == S.SENT
        assert communication.reference == "UA COL 1/2026"
        assert (communication.ref_number, communication.ref_year) == (1, 2026)
        assert communication.approved_by == other_comms_officer
        assert communication.sent_on == datetime.date(2026, 5, 4)
        assert communication.follow_up_on == datetime.date(2026, 7, 3)
        assert _actions(communication) == [
            "communication.draft",
            "communication.submit",
            "communication.send",
        ]

    def test_coordinator_may_approve(self, comms_officer, coordinator, letters):
        communication = send(
            comms_officer, coordinator, draft(comms_officer, defenders=[letters.rosa])
        )
        assert communication.approved_by == coordinator

    def test_drafter_is_refused_as_approver_and_nothing_changes(self, comms_officer, letters):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=comms_officer, communication=communication)
        before = _actions(communication)
        with pytest.raises(PermissionDenied) as error:
            communication_approve_send(actor=comms_officer, communication=communication)
        assert str(error.value) == "The drafter or the submitter of a letter may not approve it."
        stored = Communication.objects.get(pk=communication.pk)
        assert stored.status == S.AWAITING_APPROVAL
        assert (stored.reference, stored.ref_number, stored.sent_on) == ("", None, None)
        assert _actions(communication) == before

    def test_submitter_is_refused_as_approver(
        self, comms_officer, other_comms_officer, coordinator, letters
    ):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=other_comms_officer, communication=communication)
        with pytest.raises(PermissionDenied):
            communication_approve_send(actor=other_comms_officer, communication=communication)
        communication_approve_send(actor=coordinator, communication=communication)
        assert communication.status == S.SENT

    @pytest.mark.parametrize("persona", ["officer", "analyst", "foreign_coordinator", "system"])
    def test_others_may_not_approve(self, request, persona, comms_officer, letters):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=comms_officer, communication=communication)
        with pytest.raises(PermissionDenied):
            communication_approve_send(
                actor=request.getfixturevalue(persona), communication=communication
            )
        assert Communication.objects.get(pk=communication.pk).status == S.AWAITING_APPROVAL
        assert not AuditEvent.objects.filter(action="communication.send").exists()

    def test_a_draft_cannot_be_sent_before_submission(
        self, comms_officer, other_comms_officer, letters
    ):
        communication = draft(comms_officer, defenders=[letters.rosa])
        with pytest.raises(PermissionDenied):
            communication_approve_send(actor=other_comms_officer, communication=communication)
        assert Communication.objects.get(pk=communication.pk).status == S.DRAFT

    def test_return_and_withdraw(self, comms_officer, other_comms_officer, letters):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=comms_officer, communication=communication)
        communication_return(actor=other_comms_officer, communication=communication)
        assert (communication.status, communication.submitted_by) == (S.DRAFT, None)
        communication_withdraw(actor=comms_officer, communication=communication)
        assert communication.status == S.WITHDRAWN
        with pytest.raises(PermissionDenied):
            communication_submit(actor=comms_officer, communication=communication)
        assert _actions(communication) == [
            "communication.draft",
            "communication.submit",
            "communication.return",
            "communication.withdraw",
        ]

    def test_a_sent_letter_cannot_be_withdrawn(self, comms_officer, coordinator, letters):
        communication = send(
            comms_officer, coordinator, draft(comms_officer, defenders=[letters.rosa])
        )
        with pytest.raises(PermissionDenied):
            communication_withdraw(actor=comms_officer, communication=communication)
        assert Communication.objects.get(pk=communication.pk).status == S.SENT


class TestReferences:
    """Numbers run per State and year across every kind, as in UN practice: UA COL 1/2026,
    UA COL 2/2026, then an allegation letter to the same State is AL COL 3/2026, never
    AL COL 1/2026."""

    def test_numbering_per_state_and_year_across_kinds(self, comms_officer, coordinator, letters):
        day = datetime.date(2026, 5, 4)

        def sent(kind, state="CO", on=day):
            return send(
                comms_officer,
                coordinator,
                draft(comms_officer, defenders=[letters.rosa], kind=kind, state=state),
                sent_on=on,
            ).reference

        assert sent("UA") == "UA COL 1/2026"
        assert sent("UA") == "UA COL 2/2026"
        assert sent("AL") == "AL COL 3/2026"
        assert sent("UA", state="MX") == "UA MEX 1/2026"
        assert sent("AL", on=datetime.date(2025, 12, 30)) == "AL COL 1/2025"
        references = sorted(Communication.objects.values_list("reference", flat=True))
        assert "AL COL 1/2026" not in references

    def test_joint_forms_are_written_with_their_j(self, comms_officer, coordinator, letters):
        communication = send(
            comms_officer,
            coordinator,
            draft(
                comms_officer,
                defenders=[letters.rosa],
                kind="JUA",
                mandates=["SR on human rights defenders", "SR on freedom of expression"],
            ),
            sent_on=datetime.date(2026, 5, 4),
        )
        assert communication.reference == "JUA COL 1/2026"

    def test_numbers_follow_an_imported_reference(self, comms_officer, coordinator, letters):
        first = draft(comms_officer, defenders=[letters.rosa])
        Communication.objects.filter(pk=first.pk).update(
            status=S.SENT, reference="UA COL 7/2026", ref_number=7, ref_year=2026
        )
        second = send(
            comms_officer,
            coordinator,
            draft(comms_officer, defenders=[letters.rosa]),
            sent_on=datetime.date(2026, 6, 1),
        )
        assert second.reference == "UA COL 8/2026"

    def test_format_and_parse(self):
        assert format_reference("UA", "CO", 3, 2009) == "UA COL 3/2009"
        assert parse_reference("JAL COL 12/2026") == ("JAL", "COL", 12, 2026)
        assert parse_reference("UA COL 03/2009") is None
        assert parse_reference("XX COL 3/2009") is None


class TestJourneyFive:
    def test_sending_is_refused_until_consent_then_sent(
        self, system, comms_officer, coordinator, letters
    ):
        from amparo.accounts.services import user_create

        tomas_account, _device = user_create(
            actor=system,
            username="tomas",
            role="defender",
            defender=letters.tomas,
            password="correct horse battery staple",
            validate=False,
        )
        communication = draft(comms_officer, defenders=[letters.tomas], incidents=[letters.threat])
        communication_submit(actor=comms_officer, communication=communication)
        with pytest.raises(ValidationError) as error:
            communication_approve_send(actor=coordinator, communication=communication)
        assert error.value.message_dict == {
            "defenders": [
                f"No consent to share with State authorities: {letters.tomas.code}. Record "
                "their consent or unlink them before sending."
            ]
        }
        stored = Communication.objects.get(pk=communication.pk)
        assert (stored.status, stored.reference) == (S.AWAITING_APPROVAL, "")
        assert not AuditEvent.objects.filter(action="communication.send").exists()
        # Tomás consents through the portal.
        consent_to_state(tomas_account, letters.tomas)
        communication_approve_send(
            actor=coordinator, communication=communication, sent_on=datetime.date(2026, 5, 4)
        )
        assert communication.reference == "UA COL 1/2026"

    def test_unlinking_the_defender_lets_the_letter_go(self, comms_officer, coordinator, letters):
        from amparo.communications.services import CommunicationData, communication_update

        communication = draft(comms_officer, defenders=[letters.tomas, letters.rosa])
        changed = communication_update(
            actor=comms_officer,
            communication=communication,
            data=CommunicationData(
                kind="UA", state="CO", mandates=["SR HRDs"], defenders=[letters.rosa]
            ),
        )
        assert changed == ["body", "defenders", "mandates"]
        send(comms_officer, coordinator, communication, sent_on=datetime.date(2026, 5, 4))
        assert communication.status == S.SENT

    def test_withdrawn_consent_stops_a_letter_already_drafted(
        self, comms_officer, coordinator, letters
    ):
        communication = draft(comms_officer, defenders=[letters.rosa])
        communication_submit(actor=comms_officer, communication=communication)
        consent_to_state(coordinator, letters.rosa, granted=False)
        with pytest.raises(ValidationError):
            communication_approve_send(actor=coordinator, communication=communication)
        assert Communication.objects.get(pk=communication.pk).status == S.AWAITING_APPROVAL


class TestRepliesAndReminders:
    def _sent(self, comms_officer, coordinator, letters, on):
        return send(
            comms_officer, coordinator, draft(comms_officer, defenders=[letters.rosa]), sent_on=on
        )

    def test_reminder_appears_sixty_days_after_sending_without_reply(
        self, comms_officer, coordinator, system, letters
    ):
        communication = self._sent(comms_officer, coordinator, letters, datetime.date(2026, 5, 4))
        day_59 = timezone.make_aware(datetime.datetime(2026, 7, 2, 9, 0))
        assert replies_remind(actor=system, now=day_59) == []
        assert not Task.objects.exists()
        day_60 = timezone.make_aware(datetime.datetime(2026, 7, 3, 9, 0))
        assert replies_remind(actor=system, now=day_60) == [communication]
        task = Task.objects.get()
        assert task.title == "Follow up communication UA COL 1/2026: no reply yet"
        assert (task.owner, task.entity, task.status) == (
            comms_officer,
            communication.lead_entity,
            Task.Status.OPEN,
        )
        assert (task.subject_type, task.subject_id) == ("communication", str(communication.pk))
        # Idempotent: the next run opens nothing more.
        assert replies_remind(actor=system, now=day_60 + datetime.timedelta(days=1)) == []
        assert Task.objects.count() == 1
        # The reply arrives: the reminder is done.
        reply_record(
            actor=comms_officer,
            communication=communication,
            data=ReplyData(received_on=datetime.date(2026, 7, 10), kind="substantive"),
        )
        task.refresh_from_db()
        assert task.status == Task.Status.DONE

    def test_the_follow_up_period_is_a_setting(self, settings, comms_officer, coordinator, letters):
        settings.AMPARO_REPLY_FOLLOW_UP_DAYS = 30
        communication = self._sent(comms_officer, coordinator, letters, datetime.date(2026, 5, 4))
        assert communication.follow_up_on == datetime.date(2026, 6, 3)

    def test_reply_is_recorded_encrypted_and_audited(self, comms_officer, coordinator, letters):
        communication = self._sent(comms_officer, coordinator, letters, datetime.date(2026, 5, 4))
        reply = reply_record(
            actor=comms_officer,
            communication=communication,
            data=ReplyData(
                received_on=datetime.date(2026, 6, 1), kind="partial", summary="REPLY-CANARY"
            ),
        )
        stored = Reply.objects.get(pk=reply.pk)
        assert stored.summary == "REPLY-CANARY"
        assert b"REPLY-CANARY" not in bytes(Reply.objects.values_list("summary", flat=True)[0])
        event = AuditEvent.objects.get(action="reply.create")
        assert event.detail == {"communication": "UA COL 1/2026", "kind": "partial"}

    def test_reply_refused_before_sending_and_for_other_roles(
        self, comms_officer, officer, coordinator, letters
    ):
        communication = draft(comms_officer, defenders=[letters.rosa])
        data = ReplyData(received_on=datetime.date(2026, 6, 1), kind="substantive")
        with pytest.raises(PermissionDenied):
            reply_record(actor=comms_officer, communication=communication, data=data)
        send(comms_officer, coordinator, communication, sent_on=datetime.date(2026, 5, 4))
        with pytest.raises(PermissionDenied):
            reply_record(actor=officer, communication=communication, data=data)
        assert not Reply.objects.exists()

    def test_reply_before_sending_day_is_invalid(self, comms_officer, coordinator, letters):
        communication = self._sent(comms_officer, coordinator, letters, datetime.date(2026, 5, 4))
        with pytest.raises(ValidationError) as error:
            reply_record(
                actor=comms_officer,
                communication=communication,
                data=ReplyData(received_on=datetime.date(2026, 5, 1), kind="substantive"),
            )
        assert error.value.message_dict == {
            "received_on": ["Received before the communication was sent."]
        }
        assert not Reply.objects.exists()

    def test_reply_document_is_hashed_and_encrypted(
        self, settings, tmp_path, comms_officer, coordinator, letters
    ):
        import hashlib
        import io

        from amparo.communications.services import (
            document_path,
            reply_document_add,
            reply_document_read,
        )

        settings.AMPARO_ATTACHMENTS_DIR = tmp_path
        communication = self._sent(comms_officer, coordinator, letters, datetime.date(2026, 5, 4))
        reply = reply_record(
            actor=comms_officer,
            communication=communication,
            data=ReplyData(received_on=datetime.date(2026, 6, 1), kind="substantive"),
        )
        content = b"%PDF-1.4 the State's reply DOC-CANARY"
        document = reply_document_add(
            actor=comms_officer,
            reply=reply,
            upload=io.BytesIO(content),
            filename="reply.pdf",
            content_type="application/pdf",
        )
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size == len(content)
        assert b"DOC-CANARY" not in document_path(document).read_bytes()
        assert reply_document_read(actor=coordinator, document=document) == content
        assert AuditEvent.objects.filter(action="reply_document.read").count() == 1


class TestPublication:
    def test_confidential_until_published(self, comms_officer, coordinator, officer, letters):
        from amparo.communications.presenters import present_communication
        from amparo.communications.services import communication_publish

        communication = send(
            comms_officer,
            coordinator,
            draft(comms_officer, defenders=[letters.rosa]),
            sent_on=datetime.date(2026, 5, 4),
        )
        assert present_communication(comms_officer, communication, via="test").confidential
        with pytest.raises(PermissionDenied):
            communication_publish(
                actor=officer, communication=communication, published_on=datetime.date(2026, 7, 1)
            )
        assert Communication.objects.get(pk=communication.pk).published_on is None
        with pytest.raises(ValidationError):
            communication_publish(
                actor=comms_officer,
                communication=communication,
                published_on=datetime.date(2026, 5, 1),
            )
        communication_publish(
            actor=comms_officer, communication=communication, published_on=datetime.date(2026, 7, 1)
        )
        stored = Communication.objects.get(pk=communication.pk)
        assert stored.published_on == datetime.date(2026, 7, 1)
        assert not present_communication(comms_officer, stored, via="test").confidential
        assert AuditEvent.objects.filter(action="communication.publish").count() == 1
