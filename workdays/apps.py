from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    """The legal working-day calendar (行政许可法 art. 82), the clocks counted on it, and lateness:
    the time the write path keeps and every page reads."""

    name = "workdays"
    verbose_name = "工作日历 Working days"

    def ready(self):
        from .calendar_store import connect_signals

        connect_signals()
