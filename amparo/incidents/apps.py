from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "amparo.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from amparo.incidents.timeline import incident_entries
        from amparo.registry.timeline import register_timeline_provider

        register_timeline_provider(incident_entries)
