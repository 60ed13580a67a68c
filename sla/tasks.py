"""Celery tasks of the SLA module; beat runs them, each safe to run twice or on two workers."""

from celery import shared_task

from .escalation import do_sweep_escalations
from .sweeps import do_sweep_lights


@shared_task(acks_late=True, time_limit=120)
def sweep_lights() -> str:
    return str(do_sweep_lights())


@shared_task(acks_late=True, time_limit=120)
def sweep_escalations() -> str:
    """Reach the escalation levels now due (督办); claims rows with SKIP LOCKED, so two workers share."""
    return str(do_sweep_escalations())
