"""Celery tasks. They take ids or nothing, re-read state, and call the write path; safe to repeat."""

from celery import shared_task

from .actions import do_fire_due_timers, do_fire_timer


@shared_task(acks_late=True, time_limit=120)
def fire_due_timers() -> int:
    """Beat runs this every TIMER_SWEEP_SECONDS. Several workers at once fire each timer once:
    do_fire_timer locks the case and re-checks the row before it acts."""
    return do_fire_due_timers()


@shared_task(acks_late=True, time_limit=60)
def fire_timer(timer_id: int) -> bool:
    return do_fire_timer(timer_id)
