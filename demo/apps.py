from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and synthetic load: the reference processes deployed, one person per role, and
    the driver that works cases through the write path as the departments' clerks would."""

    name = "demo"
    verbose_name = "演示 Demo"
