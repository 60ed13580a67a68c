from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "engine"
    verbose_name = "办件 Cases"
