from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "amparo.communications"
    label = "communications"
    verbose_name = "Communications to States"

    def ready(self) -> None:
        from amparo.communications.models import CommunicationStatus
        from amparo.core.templatetags.amparo_ui import register_vocabulary
        from amparo.core.vocab import CommunicationKind, ReplyKind, VisitStatus

        register_vocabulary("communication", CommunicationKind)
        register_vocabulary("communication_status", CommunicationStatus)
        register_vocabulary("reply", ReplyKind)
        register_vocabulary("visit_status", VisitStatus)
