from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "时限 SLA"

    def ready(self):
        from .calendar_store import connect_signals

        connect_signals()
