"""Writing the event log. Callers are do_* actions, inside their transaction."""

from __future__ import annotations

from django.utils import timezone

from .models import Event


def make_event(kind: str, *, case=None, version=None, actor=None, at=None, **fields) -> Event:
    return Event(
        kind=kind,
        case=case,
        version=version if version is not None else (case.version if case is not None else None),
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
        **fields,
    )


def record_event(kind: str, **kwargs) -> Event:
    event = make_event(kind, **kwargs)
    event.save()
    return event
