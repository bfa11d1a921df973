from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_entity_trained_until_entity_training_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")],
                default="",
                max_length=8,
                verbose_name="language",
            ),
        ),
    ]
