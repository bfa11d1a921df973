from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "amparo.risk"
    label = "risk"
    verbose_name = "Risk assessment"

    def ready(self) -> None:
        from amparo.registry.timeline import register_timeline_provider
        from amparo.risk.timeline import risk_entries

        register_timeline_provider(risk_entries)
