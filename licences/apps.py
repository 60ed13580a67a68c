from django.apps import AppConfig


class LicencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "licences"
    verbose_name = "电子证照 e-licences"
