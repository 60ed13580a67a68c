from django.apps import AppConfig


class ViewflowPeerConfig(AppConfig):
    name = "bench.viewflow_peer"
    label = "viewflow_peer"
    default_auto_field = "django.db.models.BigAutoField"
