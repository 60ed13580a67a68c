from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The staff's pages: intake at the window (一窗受理), the worklists, the task page, the case
    list and the case page. Thin views over the write path (engine) and the gate (worklists.access)."""

    name = "desk"
    verbose_name = "窗口与工作台 Desk"
