from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The staff's pages: intake at the window (一窗受理), the worklists, the task page, the case
    list and the case page. Thin views over the write path (engine) and the gate (worklists.access)."""

    name = "desk"
    verbose_name = _("Front desk and worklists")
