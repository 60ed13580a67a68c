"""The embedded default's timer loop: the same sweep Celery beat runs, in a thread of the web process."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from .actions import do_fire_due_timers

log = logging.getLogger(__name__)


def start_timer_loop(interval_seconds: float) -> threading.Event:
    stop = threading.Event()

    def loop():
        while not stop.wait(interval_seconds):
            try:
                fired = do_fire_due_timers()
                if fired:
                    log.warning("fired %d due timer(s)", fired)
            except Exception:  # the loop must outlive one bad sweep; the rows are still there
                log.exception("timer sweep failed")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="binglian-timers", daemon=True).start()
    return stop
