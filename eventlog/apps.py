from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eventlog"
    verbose_name = _("Event-log export")
