"""Effects: what a task does to the world when it completes, named by a BPMN property.

A process says ``issues=business_licence`` or ``concludes=true`` on a task; the app that owns the
effect registers its property here (the licences app: ``issues``, ``revokes``), with how its
value is read and what lint checks, and registers with the engine what the step does
(engine.effects.register). The engine knows only ``concludes`` (办结), which is its own; a new
effect is a registration in the app that owns it, never an edit of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def words(value: str) -> list[str]:
    """A comma-separated list: ``business_licence, company_seal``."""
    return [word.strip() for word in (value or "").split(",") if word.strip()]


def flag(value: str) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class EffectProperty:
    name: str
    parse: Callable[[str], object] = words
    # The problems of a parsed value, as lint says them (e.g. an unknown licence kind).
    check: Callable[[object], list[str]] | None = None


CONCLUDES = "concludes"
_properties: dict[str, EffectProperty] = {CONCLUDES: EffectProperty(CONCLUDES, parse=flag)}


def register_property(prop: EffectProperty) -> None:
    _properties[prop.name] = prop


def properties() -> dict[str, EffectProperty]:
    """The effect properties known, in registration order (``concludes`` first)."""
    return dict(_properties)


def describe(props: dict[str, str], line: int | None) -> dict | None:
    """A task's effects from its extension properties, or None when it has none."""
    known = properties()
    if not any(name in props for name in known):
        return None
    # Every known property, the missing ones at their empty value: one shape for every task.
    return {**{name: prop.parse(props.get(name, "")) for name, prop in known.items()}, "line": line}


def problems(effect: dict) -> list[tuple[str, str]]:
    """(property, problem) for each problem of a task's effects."""
    found = []
    for name, prop in properties().items():
        if name in effect and prop.check is not None:
            found += [(name, message) for message in prop.check(effect[name])]
    return found
