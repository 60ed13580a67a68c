from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Time limits (SLA)")

    def ready(self):
        # The wording of an urge (催办) notice, said again in each reader's language (sla.texts).
        from . import extensions, urging  # noqa: F401 - each registers its notice
