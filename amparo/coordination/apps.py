from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "amparo.coordination"
    label = "coordination"
    verbose_name = "Consultation and coordination"
