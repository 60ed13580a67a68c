"""The embedded default's timer loop: the same sweep Celery beat runs, in a thread of the web process."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from engine.actions import do_fire_due_timers

from .escalation import do_sweep_escalations
from .sweeps import do_sweep_lights

log = logging.getLogger(__name__)


def start_timer_loop(interval_seconds: float, light_every: int = 6) -> threading.Event:
    """Sweep timers every ``interval_seconds`` and lights every ``light_every`` rounds."""
    stop = threading.Event()

    def loop():
        rounds = 0
        while not stop.wait(interval_seconds):
            rounds += 1
            try:
                fired = do_fire_due_timers()
                if fired:
                    log.warning("fired %d due timer(s)", fired)
                if rounds % light_every == 0:
                    do_sweep_lights()
                    do_sweep_escalations()
            except Exception:  # the loop must outlive one bad sweep; the rows are still there
                log.exception("sweep failed")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="binglian-timers", daemon=True).start()
    return stop
