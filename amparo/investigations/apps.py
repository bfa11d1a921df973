from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "amparo.investigations"
    label = "investigations"
    verbose_name = "Investigations"

    def ready(self) -> None:
        from amparo.core.templatetags.amparo_ui import register_vocabulary
        from amparo.core.vocab import InvestigationStage

        register_vocabulary("investigation_stage", InvestigationStage)
