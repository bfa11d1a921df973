from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "amparo.measures"
    label = "measures"
    verbose_name = "Protective measures"

    def ready(self) -> None:
        from amparo.core.templatetags.amparo_ui import register_vocabulary
        from amparo.measures.models import MeasureKind, MeasureStatus

        register_vocabulary("measure", MeasureKind)
        register_vocabulary("measure_status", MeasureStatus)

        from amparo.measures.timeline import measure_entries
        from amparo.registry.timeline import register_timeline_provider

        register_timeline_provider(measure_entries)
