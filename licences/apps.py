from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "licences"
    verbose_name = _("E-licences")

    def ready(self):
        # The process's `issues` and `revokes` properties are the licences' to read and to act on.
        from .effects import register

        register()
