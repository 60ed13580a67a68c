from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DesignerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "designer"
    verbose_name = gettext_lazy("Process design")
