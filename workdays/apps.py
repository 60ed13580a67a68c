from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """The legal working-day calendar (行政许可法 art. 82), the clocks counted on it, and lateness:
    the time the write path keeps and every page reads."""

    name = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from .calendar_store import connect_signals

        connect_signals()
