from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "amparo.interchange"
    label = "interchange"
    verbose_name = "Interchange"
