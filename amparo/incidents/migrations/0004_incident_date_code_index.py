"""The incident lists' order (-date, -code) from an index: (date) becomes (date, code)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_report_cover_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="incident",
            name="incidents_i_date_2c1006_idx",
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["date", "code"], name="incidents_i_date_2b2aea_idx"),
        ),
    ]
