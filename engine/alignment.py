"""How the steps of one process version correspond to the steps of another.

Steps are matched by BPMN id first. A step whose id is gone may still live on under a new id:
an explicit mapping (``old=new``) says so; without one, a step of the new version with the same
name and the same kind is taken (a renamed id), and failing that SpiffWorkflow's ``SpecDiff``
may place it by its neighbours (the same inputs and outputs). Whatever is left is removed or
added. The version diff, the dry run and the migration all read the same alignment.

SpecDiff's own comparison is not used for "changed": it compares flows by name, so every
neighbour of a renamed step would show as changed. Here flows are compared after renaming.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.util.diff import SpecDiff

from .errors import InvalidInput
from .state import serializer_for, specs_for

# Keys of a serialised task spec that say nothing about behaviour, or that are compared elsewhere.
IGNORED_KEYS = {"name", "bpmn_id", "description", "lookahead", "typename"}
# Keys that hold the names of other task specs: compared after renaming.
NAME_KEYS = ("inputs", "outputs")


@dataclass
class Alignment:
    """Old BPMN id -> new BPMN id, and what differs. Built by ``align_versions``."""

    old_version: object
    new_version: object
    pairs: dict[str, str] = field(default_factory=dict)  # every old id that lives on
    how: dict[str, str] = field(default_factory=dict)  # old id -> "mapped" | "same name" | "same place" (renames only)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # old id -> keys that differ
    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)  # old id -> (old kind, new kind) when it changed

    @property
    def renamed(self) -> dict[str, str]:
        return {old: new for old, new in self.pairs.items() if old != new}

    def spec_name(self, old_name: str) -> str | None:
        """The new task spec name for an old one, internal specs too ("x.BoundaryEventSplit")."""
        if old_name in self.pairs:
            return self.pairs[old_name]
        head, dot, tail = old_name.partition(".")
        if dot and head in self.pairs:
            return f"{self.pairs[head]}.{tail}"
        if old_name in self.removed:
            return None
        return old_name  # internal specs (Start, End, <process>.EndJoin) keep their names


def _elements(spec) -> dict:
    return {s.bpmn_id: s for s in spec.task_specs.values() if s.bpmn_id is not None}


def _kind(spec) -> str:
    return type(spec).__name__


def _all_specs(version) -> list[tuple[str, object]]:
    """(name, spec) of the process and of each subprocess it holds."""
    spec, subprocess_specs = specs_for(version)
    return [("", spec), *sorted(subprocess_specs.items())]


def parse_mapping(pairs) -> dict[str, str]:
    """``["old=new", ...]`` (or a dict) -> {old: new}; refuses anything else."""
    if isinstance(pairs, dict):
        items = list(pairs.items())
    else:
        items = []
        for text in pairs or []:
            old, eq, new = str(text).partition("=")
            if not eq:
                raise InvalidInput(_("A mapping is written old=new, not '%(text)s'.") % {"text": text})
            items.append((old, new))
    mapping = {}
    for old, new in items:
        old, new = str(old).strip(), str(new).strip()
        if not old or not new:
            raise InvalidInput(
                _("Both sides of a mapping need a step id: '%(mapping)s'.") % {"mapping": f"{old}={new}"}
            )
        mapping[old] = new
    return mapping


def align_versions(old_version, new_version, mapping: dict[str, str] | None = None) -> Alignment:
    """Align the steps of ``old_version`` with those of ``new_version``."""
    mapping = dict(mapping or {})
    alignment = Alignment(old_version, new_version)
    new_specs = dict(_all_specs(new_version))
    old_specs = dict(_all_specs(old_version))
    _check_mapping(mapping, old_specs, new_specs)
    for name, old_spec in old_specs.items():
        new_spec = new_specs.get(name)
        if new_spec is None:
            alignment.removed += sorted(_elements(old_spec))
            continue
        _align_process(alignment, old_spec, new_spec, mapping, same_dialect=old_version.dialect == new_version.dialect)
    for name, new_spec in new_specs.items():
        if name not in old_specs:
            alignment.added += sorted(_elements(new_spec))
    _compare(alignment, old_specs, new_specs)
    return alignment


def _check_mapping(mapping, old_specs, new_specs) -> None:
    old_ids = {i for spec in old_specs.values() for i in _elements(spec)}
    new_ids = {i for spec in new_specs.values() for i in _elements(spec)}
    for old, new in mapping.items():
        if old not in old_ids:
            raise InvalidInput(_("%(step)s (mapped) is not a step of the old version.") % {"step": old})
        if new not in new_ids:
            raise InvalidInput(_("%(step)s (mapped) is not a step of the new version.") % {"step": new})


def _align_process(alignment: Alignment, old_spec, new_spec, mapping: dict, *, same_dialect: bool) -> None:
    old, new = _elements(old_spec), _elements(new_spec)
    taken = set()
    for old_id in old:
        # Several old steps may map onto one new step (two steps merged into one).
        target = mapping.get(old_id, old_id if old_id in new else None)
        if target in new:
            alignment.pairs[old_id] = target
            taken.add(target)
            if target != old_id:
                alignment.how[old_id] = "mapped"
    free = [i for i in new if i not in taken and i not in old]
    # A renamed id: the same name and kind, and only one such step in each version.
    for old_id, spec in old.items():
        if old_id in alignment.pairs:
            continue
        same = [
            i for i in free if new[i].bpmn_name and new[i].bpmn_name == spec.bpmn_name and _kind(new[i]) == _kind(spec)
        ]
        twins = [
            i
            for i in old
            if i not in alignment.pairs and old[i].bpmn_name == spec.bpmn_name and _kind(old[i]) == _kind(spec)
        ]
        if len(same) == 1 and len(twins) == 1:
            alignment.pairs[old_id], alignment.how[old_id] = same[0], "same name"
            free.remove(same[0])
    # Failing that, SpecDiff's placement by neighbours (only within one dialect: its registry
    # serialises both specs, and the two parsers' classes differ).
    if same_dialect and any(i not in alignment.pairs for i in old):
        placed = SpecDiff(serializer_for(alignment.old_version).registry, old_spec, new_spec).alignment
        for spec, candidate in placed.items():
            old_id = getattr(spec, "bpmn_id", None)
            if (
                old_id in old
                and old_id not in alignment.pairs
                and candidate is not None
                and candidate.bpmn_id in free
                and _kind(candidate) == _kind(spec)
            ):
                alignment.pairs[old_id], alignment.how[old_id] = candidate.bpmn_id, "same place"
                free.remove(candidate.bpmn_id)
    alignment.removed += sorted(i for i in old if i not in alignment.pairs)
    alignment.added += sorted(i for i in new if i not in alignment.pairs.values())


def _renamed_names(names, pairs: dict[str, str]) -> list[str]:
    out = []
    for name in names:
        head, dot, tail = name.partition(".")
        out.append(pairs.get(name) or (f"{pairs[head]}.{tail}" if dot and head in pairs else name))
    return out


def _comparable(spec, registry, pairs: dict[str, str] | None) -> dict:
    data = {k: v for k, v in registry.convert(spec).items() if k not in IGNORED_KEYS}
    for key in NAME_KEYS:
        if key in data:
            data[key] = sorted(_renamed_names(data[key], pairs) if pairs is not None else data[key])
    if "cond_task_specs" in data:
        data["cond_task_specs"] = sorted(
            (c.get("condition") or "", _renamed_names([c["task_spec"]], pairs or {})[0])
            for c in data["cond_task_specs"]
        )
    if data.get("default_task_spec"):
        data["default_task_spec"] = _renamed_names([data["default_task_spec"]], pairs or {})[0]
    return data


def _compare(alignment: Alignment, old_specs: dict, new_specs: dict) -> None:
    old_registry = serializer_for(alignment.old_version).registry
    new_registry = serializer_for(alignment.new_version).registry
    old_all = {i: s for spec in old_specs.values() for i, s in _elements(spec).items()}
    new_all = {i: s for spec in new_specs.values() for i, s in _elements(spec).items()}
    for old_id, new_id in alignment.pairs.items():
        before, after = old_all[old_id], new_all[new_id]
        if _kind(before) != _kind(after):
            alignment.kinds[old_id] = (_kind(before), _kind(after))
            alignment.changed[old_id] = ["typename"]
            continue
        a = _comparable(before, old_registry, alignment.pairs)
        b = _comparable(after, new_registry, None)
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if keys:
            alignment.changed[old_id] = keys


def behaviour_texts(version) -> dict[str, dict[str, str]]:
    """BPMN id -> what a designer reads of its behaviour: the event it waits for (a timer's
    expression, a message's name), its script, its conditions, where its flows come from and
    go to. For the version diff."""
    texts: dict[str, dict[str, str]] = {}
    for _name, spec in _all_specs(version):
        for bpmn_id, task_spec in _elements(spec).items():
            found = {}
            definition = getattr(task_spec, "event_definition", None)
            if definition is not None and type(definition).__name__ != "NoneEventDefinition":
                found["event"] = _event_text(definition)
            if getattr(task_spec, "script", None):
                found["script"] = task_spec.script
            conditions = [
                f"{target}: {condition.args[0]}"
                for condition, target in getattr(task_spec, "cond_task_specs", [])
                if condition is not None and condition.args
            ]
            if conditions:
                found["conditions"] = "; ".join(sorted(conditions))
            default = getattr(task_spec, "default_task_spec", None)
            if default:
                found["default"] = ", ".join(sorted(_visible(version, spec.task_specs[default])))
            for key in ("inputs", "outputs"):
                found[key] = ", ".join(
                    sorted(set().union(set(), *(_visible(version, s) for s in getattr(task_spec, key))))
                )
            texts[bpmn_id] = found
    return texts


def _visible(version, spec) -> set[str]:
    """The names of the diagram elements a flow to or from ``spec`` connects: the engine's own
    specs stand for nothing, except a boundary-event split, which stands for what leads to it."""
    if spec.bpmn_id:
        return {version.elements.get("names", {}).get(spec.bpmn_id, spec.bpmn_id)}
    if spec.name.endswith(".BoundaryEventSplit"):
        return set().union(*(_visible(version, s) for s in spec.inputs)) if spec.inputs else set()
    return set()


def _event_text(definition) -> str:
    inner = getattr(definition, "event_definitions", None)
    if inner:
        return " | ".join(_event_text(d) for d in inner)
    kind = type(definition).__name__.replace("EventDefinition", "")
    detail = getattr(definition, "expression", None) or getattr(definition, "name", None) or ""
    return f"{kind} {detail}".strip()
