"""Celery tasks of the SLA module; beat runs them, each safe to run twice or on two workers."""

from celery import shared_task

from .sweeps import do_sweep_lights


@shared_task(acks_late=True, time_limit=120)
def sweep_lights() -> str:
    return str(do_sweep_lights())
