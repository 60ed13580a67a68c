from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo and synthetic load: the reference processes deployed, one person per role, and
    the driver that works cases through the write path as the departments' clerks would."""

    name = "demo"
    verbose_name = _("Demo")
