from django.apps import AppConfig


class LicencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "licences"
    verbose_name = "电子证照 e-licences"

    def ready(self):
        # The process's `issues` and `revokes` properties are the licences' to read and to act on.
        from .effects import register

        register()
