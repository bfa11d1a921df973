from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "amparo.measures"
    label = "measures"
    verbose_name = "Protective measures"
