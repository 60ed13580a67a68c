"""Loaded workflows kept between steps of the same case, in this process.

Deserialising a case's state is the largest cost of a step after the database (≈ 4 ms for a
business-registration case). A process that just stepped a case usually steps it again soon
(the driver, a clerk working through a case, a sweep), so it keeps the workflow object.

It is only ever used when it is certainly the state in the database: an entry is keyed by the
case's step count, which every step increments under the case lock. It is taken out of the
cache while a step uses it, and put back only after that step's transaction has committed, so
a step that fails and rolls back leaves nothing stale behind. Another process that steps the
case raises the count, and this process's entry is then simply not used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.db import transaction


class WorkflowCache:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[int, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, steps: int):
        """The workflow of ``case_id`` as of ``steps`` steps, removed from the cache; or None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is not None and entry[0] == steps:
            return entry[1]
        return None

    def put_on_commit(self, case_id: int, steps: int, workflow) -> None:
        if self.size <= 0:
            return
        transaction.on_commit(lambda: self._put(case_id, steps, workflow))

    def _put(self, case_id: int, steps: int, workflow) -> None:
        with self._lock:
            self._entries[case_id] = (steps, workflow)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


workflows = WorkflowCache(getattr(settings, "ENGINE_WORKFLOW_CACHE_SIZE", 256))
