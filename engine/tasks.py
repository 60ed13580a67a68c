"""Celery tasks. They take ids or nothing, re-read state, and call the write path; safe to repeat.

Beat runs ``sweep_due_timers``; it reads the due rows and hands them to the workers in chunks.
Nothing lives only in Redis: a chunk lost with a killed worker or a restarted broker is found
again by the next sweep, because its timers are still pending in the database.
"""

from celery import shared_task

from .actions import do_fire_timers, due_timer_ids

CHUNK = 50
SWEEP_LIMIT = 20_000


@shared_task(acks_late=True, time_limit=60)
def sweep_due_timers() -> int:
    ids = due_timer_ids(limit=SWEEP_LIMIT)
    for start in range(0, len(ids), CHUNK):
        fire_timers.delay(ids[start : start + CHUNK])
    return len(ids)


@shared_task(acks_late=True, time_limit=300)
def fire_timers(timer_ids: list[int]) -> int:
    """Fire a chunk of timers; each in its own transaction, a busy case skipped for later."""
    return do_fire_timers(timer_ids)
