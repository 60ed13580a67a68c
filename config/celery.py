"""The Celery app. Workers carry timer firing and sweeps; the rows in the database stay the truth."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("binglian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
