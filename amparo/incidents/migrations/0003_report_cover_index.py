from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_attachment_shared_copy"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["date", "reported_on", "country", "id"],
                name="incidents_i_date_7d8b90_idx",
            ),
        ),
    ]
