"""The difference between two versions of a process, as a designer reads it and as the diagram shows it.

Steps are aligned by engine.alignment (ids, mappings, renames by name or place). For each step
that lives on, what changed is said in the designer's words: the department, the limits, the
outcomes, the form, the event it waits for, its script or conditions, its flows. Departments
(lanes) added or removed are listed too. ``markers`` is what the two diagrams colour: removed
(red) and changed (yellow) on the old one, added (green) and changed on the new one; a renamed
step is marked on both. The words are in the reader's language (the page's, or the API's
Accept-Language); the names of steps are as the designers wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from engine.alignment import Alignment, align_versions, behaviour_texts
from processes.names import in_language

# Keys of a serialised task spec, in words. Keys not listed are shown as they are.
KEY_LABELS = {
    "inputs": gettext_lazy("Incoming flows"),
    "outputs": gettext_lazy("Outgoing flows"),
    "cond_task_specs": gettext_lazy("Conditions"),
    "default_task_spec": gettext_lazy("Default flow"),
    "event_definition": gettext_lazy("Event"),
    "script": gettext_lazy("Script"),
    "extensions": gettext_lazy("Properties"),
    "lane": gettext_lazy("Lane"),
    "bpmn_name": gettext_lazy("Name"),
    "form": gettext_lazy("Form"),
    "typename": gettext_lazy("Kind"),
    "cancel_activity": gettext_lazy("Interrupting"),
    "documentation": gettext_lazy("Documentation"),
}
# User-task properties (processes.elements), in words.
TASK_FIELDS = [
    ("name", gettext_lazy("Name")),
    ("department", gettext_lazy("Department")),
    ("candidate_group", gettext_lazy("Candidate group")),
    ("promised_limit_working_days", gettext_lazy("Promised limit (working days)")),
    ("statutory_limit_working_days", gettext_lazy("Statutory limit (working days)")),
    ("limit_working_hours", gettext_lazy("Limit (working hours)")),
    ("due_date", gettext_lazy("Due date")),
    ("outcomes", gettext_lazy("Outcomes")),
    ("special_step", gettext_lazy("Special step")),
    ("form_key", gettext_lazy("Form key")),
]
BEHAVIOUR_LABELS = {
    "event": gettext_lazy("Event"),
    "script": gettext_lazy("Script"),
    "conditions": gettext_lazy("Conditions"),
    "default": gettext_lazy("Default flow"),
    "inputs": gettext_lazy("Comes from"),
    "outputs": gettext_lazy("Goes to"),
}


class Names(str):
    """Names of steps as the designers wrote them (often in both languages), comma-separated."""


def _in_language(names: str) -> str:
    separator = ", " if (get_language() or "").startswith("en") else "、"
    return separator.join(in_language(name) for name in names.split(", "))


@dataclass
class StepChange:
    status: str  # added | removed | changed | renamed
    old_id: str | None
    new_id: str | None
    name: str
    how: str = ""  # for renames: mapped | same name | same place
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)

    @property
    def details_shown(self) -> list[tuple[str, str, str]]:
        """The details as the page shows them: names of steps in the reader's language, unless that
        hides what changed (a name changed in one language only is shown as written)."""
        shown = []
        for what, before, after in self.details:
            if isinstance(before, Names) and isinstance(after, Names) and _in_language(before) != _in_language(after):
                before, after = _in_language(before), _in_language(after)
            shown.append((what, before, after))
        return shown

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "old_id": self.old_id,
            "new_id": self.new_id,
            "name": self.name,
            "how": self.how,
            "details": [{"what": what, "before": before, "after": after} for what, before, after in self.details],
        }


@dataclass
class VersionDiff:
    old: object
    new: object
    alignment: Alignment
    steps: list[StepChange]
    departments: list[tuple[str, str]]  # (status, department)

    def of(self, status: str) -> list[StepChange]:
        return [s for s in self.steps if s.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {status: len(self.of(status)) for status in ("added", "removed", "renamed", "changed")}

    @property
    def markers(self) -> dict[str, dict[str, str]]:
        old, new = {}, {}
        for step in self.steps:
            if step.old_id:
                old[step.old_id] = step.status
            if step.new_id:
                new[step.new_id] = step.status
        return {"old": old, "new": new}

    def as_dict(self) -> dict:
        return {
            "process": self.old.definition.key,
            "from": self.old.number,
            "to": self.new.number,
            "counts": self.counts,
            "steps": [s.as_dict() for s in self.steps],
            "departments": [{"status": status, "department": code} for status, code in self.departments],
            "markers": self.markers,
        }


def _shown(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


# The behaviour texts (engine.alignment.behaviour_texts) that list the names of steps.
NAME_LISTS = {"inputs", "outputs", "default"}


def _names_if(names: bool, before: str, after: str) -> tuple[str, str]:
    return (Names(before), Names(after)) if names else (before, after)


def _name(version, bpmn_id: str) -> str:
    return version.elements.get("names", {}).get(bpmn_id) or bpmn_id


def _task_details(before: dict, after: dict) -> list[tuple[str, str, str]]:
    details = [
        (str(label), *_names_if(k == "name", _shown(before.get(k)), _shown(after.get(k))))
        for k, label in TASK_FIELDS
        if before.get(k) != after.get(k)
    ]
    before_fields = [f["id"] for f in before.get("form_fields") or []]
    after_fields = [f["id"] for f in after.get("form_fields") or []]
    if before_fields != after_fields:
        details.append((_("Form fields"), _shown(before_fields), _shown(after_fields)))
    before_props, after_props = before.get("properties") or {}, after.get("properties") or {}
    listed = {key for key, _label in TASK_FIELDS}
    for key in sorted(set(before_props) | set(after_props)):
        if key not in listed and before_props.get(key) != after_props.get(key):
            what = _("Property %(key)s") % {"key": key}
            details.append((what, _shown(before_props.get(key)), _shown(after_props.get(key))))
    return details


def _details(diff: Alignment, old_id: str, new_id: str, behaviour: tuple[dict, dict]) -> list[tuple[str, str, str]]:
    old, new, keys = diff.old_version, diff.new_version, diff.changed.get(old_id, [])
    details = [(_("Kind"), *diff.kinds[old_id])] if old_id in diff.kinds else []
    before_task, after_task = old.user_task(old_id), new.user_task(new_id)
    if before_task or after_task:
        details += _task_details(before_task, after_task)
    elif _name(old, old_id) != _name(new, new_id):
        details.append((_("Name"), Names(_name(old, old_id)), Names(_name(new, new_id))))
    before_texts, after_texts = behaviour[0].get(old_id, {}), behaviour[1].get(new_id, {})
    for key, label in BEHAVIOUR_LABELS.items():
        if before_texts.get(key) != after_texts.get(key):
            before, after = before_texts.get(key) or "—", after_texts.get(key) or "—"
            details.append((str(label), *_names_if(key in NAME_LISTS, before, after)))
    # Said above in the designer's words; the other keys are named as changed.
    covered = {
        "bpmn_name",
        "event_definition",
        "script",
        "typename",
        "inputs",
        "outputs",
        "cond_task_specs",
        "default_task_spec",
    }
    if before_task or after_task:
        covered |= {"extensions", "form", "lane"}
    details += [(str(KEY_LABELS.get(key, key)), "", "") for key in keys if key not in covered]
    return details


def version_diff(old, new, mapping: dict | None = None) -> VersionDiff:
    alignment = align_versions(old, new, mapping)
    behaviour = (behaviour_texts(old), behaviour_texts(new))
    steps = []
    for old_id, new_id in sorted(alignment.pairs.items()):
        if old_id != new_id:
            details = _details(alignment, old_id, new_id, behaviour)
            steps.append(
                StepChange("renamed", old_id, new_id, _name(new, new_id), alignment.how.get(old_id, ""), details)
            )
        elif old_id in alignment.changed:
            details = _details(alignment, old_id, new_id, behaviour)
            steps.append(StepChange("changed", old_id, new_id, _name(new, new_id), details=details))
    steps += [StepChange("removed", i, None, _name(old, i)) for i in alignment.removed]
    steps += [StepChange("added", None, i, _name(new, i)) for i in alignment.added]
    order = {"removed": 0, "added": 1, "renamed": 2, "changed": 3}
    steps.sort(key=lambda s: (order[s.status], s.old_id or s.new_id))
    before, after = set(old.elements.get("departments", {})), set(new.elements.get("departments", {}))
    departments = [("removed", c) for c in sorted(before - after)] + [("added", c) for c in sorted(after - before)]
    return VersionDiff(old, new, alignment, steps, departments)
