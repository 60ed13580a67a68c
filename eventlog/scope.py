"""What one export covers: which cases, which kinds of event, and up to which event.

An export reads the log several times (a count for the progress bar, the events, and for OCEL the
objects). ``freeze`` fixes the last event id first, so that every pass sees the same events
however many are written meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from engine.models import Case, Event

K = Event.Kind
# Each transition of a user task, as the XES lifecycle model names it. A claim is when a clerk
# starts on the task; a claim after a release resumes it (see stream.Lifecycle).
TASK_TRANSITIONS = {
    K.TASK_OPENED: "schedule",
    K.TASK_CLAIMED: "start",
    K.TASK_UNCLAIMED: "suspend",
    K.TASK_REASSIGNED: "reassign",
    K.TASK_COMPLETED: "complete",
    K.TASK_CANCELLED: "ate_abort",
    # 退回: the task ends unfinished, by its clerk's hand; 撤回: a completion taken back (its task
    # is scheduled again). XES has no word for undoing a completion; "withdraw" is the nearest.
    K.TASK_SENT_BACK: "ate_abort",
    K.TASK_WITHDRAWN: "withdraw",
}
LIFECYCLES = ("all", "complete")


@dataclass
class Scope:
    process: str | None = None
    version: int | None = None
    since: dt.date | None = None  # cases started on or after this local date, with all their events
    all_events: bool = False  # also case, message, timer, clock, deadline and licence events
    lifecycle: str = "all"  # "complete": one event per task, its completion
    last_event_id: int | None = None

    def freeze(self) -> Scope:
        self.last_event_id = Event.objects.aggregate(last=Max("id"))["last"] or 0
        return self

    def case_filter(self, prefix: str = "") -> Q:
        q = Q()
        if self.process:
            q &= Q(**{f"{prefix}version__definition__key": self.process})
        if self.version:
            q &= Q(**{f"{prefix}version__number": self.version})
        if self.since:
            midnight = dt.datetime.combine(self.since, dt.time.min, tzinfo=timezone.get_default_timezone())
            q &= Q(**{f"{prefix}started_at__gte": midnight})
        return q

    def cases(self) -> QuerySet:
        return Case.objects.filter(self.case_filter())

    def kinds(self) -> list[str]:
        task_kinds = [K.TASK_COMPLETED] if self.lifecycle == "complete" else list(TASK_TRANSITIONS)
        if not self.all_events:
            return task_kinds
        return task_kinds + [k for k in K.values if k not in TASK_TRANSITIONS and k != K.VERSION_DEPLOYED]

    def events(self) -> QuerySet:
        if self.last_event_id is None:
            raise RuntimeError("freeze the scope before reading events")
        # Events without a case (a version deployed) belong to no trace.
        return Event.objects.filter(
            self.case_filter("case__"), case__isnull=False, kind__in=self.kinds(), id__lte=self.last_event_id
        )
