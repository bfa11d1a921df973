from django.apps import AppConfig


class EarlywarningConfig(AppConfig):
    name = "amparo.earlywarning"
    label = "earlywarning"
    verbose_name = "Early warning"
