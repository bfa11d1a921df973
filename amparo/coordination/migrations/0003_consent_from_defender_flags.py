"""Consent given before consent records existed: one record per consent flag already set."""

from django.db import migrations


def forwards(apps, schema_editor):
    Defender = apps.get_model("registry", "Defender")
    ConsentRecord = apps.get_model("coordination", "ConsentRecord")
    rows = []
    flagged = Defender.objects.filter(consent_register=True) | Defender.objects.filter(
        consent_share_with_state=True
    )
    for defender in flagged.iterator(chunk_size=500):
        for purpose, flag in (
            ("register", defender.consent_register),
            ("share_with_state", defender.consent_share_with_state),
        ):
            if flag:
                rows.append(
                    ConsentRecord(
                        defender_id=defender.pk,
                        data_key_id=defender.data_key_id,
                        purpose=purpose,
                        granted=True,
                        source="officer_on_behalf",
                        recorded_at=defender.created_at,
                        recorded_by_id=defender.created_by_id,
                    )
                )
    ConsentRecord.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0002_consent_records"),
        ("registry", "0002_defender_next_review_on_defender_risk_assessed_on_and_more"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
