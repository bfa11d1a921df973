from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "amparo.ops"
    label = "ops"
    verbose_name = "Operations: backups and verification drills"
