"""Activity names in an export: one per user task of the BPMN, as the designer named it.

A process mining tool knows an activity by its name alone, so two user tasks that share a name
(the correction step of each department is "补正材料 Corrected material") would merge into one.
Such names get the task id appended, and the decision is taken over all versions of a process,
so that a task keeps its activity name from one version to the next and versions compare.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import translation

from engine.models import Event
from processes.models import ProcessVersion

# The files name events in both languages, as the process-mining tools show them to anyone
# (the words are the pages' own, engine.models.Event.Kind, in Chinese and in English).
with translation.override("zh-hans"):
    _CHINESE = {kind: str(label) for kind, label in Event.Kind.choices}
with translation.override("en"):
    KIND_LABELS = {kind: f"{_CHINESE[kind]} {label}" for kind, label in Event.Kind.choices}


def task_labels(versions) -> dict[str, str]:
    """task id -> activity name, over the user tasks of ``versions`` (all of one process)."""
    names: dict[str, str] = {}
    for version in versions:
        for task_id, meta in version.elements.get("user_tasks", {}).items():
            names.setdefault(task_id, (meta.get("name") or "").strip() or task_id)
    ids_by_name = defaultdict(set)
    for task_id, name in names.items():
        ids_by_name[name].add(task_id)
    return {task_id: name if len(ids_by_name[name]) == 1 else f"{name} ({task_id})" for task_id, name in names.items()}


class Catalogue:
    """What the export needs to know of every deployed version: a few rows, read once (and again
    if a version deployed while the export runs turns up)."""

    def __init__(self):
        self._load()

    def _load(self) -> None:
        versions = list(
            ProcessVersion.objects.select_related("definition").only("id", "number", "elements", "definition__key")
        )
        by_process = defaultdict(list)
        for version in versions:
            by_process[version.definition.key].append(version)
        labels = {key: task_labels(group) for key, group in by_process.items()}
        self._process = {v.pk: v.definition.key for v in versions}
        self._number = {v.pk: v.number for v in versions}
        self._user_tasks = {
            v.pk: {t: labels[v.definition.key][t] for t in v.elements.get("user_tasks", {})} for v in versions
        }
        self._element_names = {v.pk: v.elements.get("names", {}) for v in versions}

    def _know(self, version_id: int) -> None:
        if version_id not in self._process:
            self._load()

    def process(self, version_id: int) -> str:
        self._know(version_id)
        return self._process[version_id]

    def number(self, version_id: int) -> int:
        self._know(version_id)
        return self._number[version_id]

    def task_name(self, version_id: int, task_id: str) -> str:
        self._know(version_id)
        return self._user_tasks[version_id].get(task_id, task_id)

    def activity(
        self, version_id: int, kind: str, activity: str, activity_name: str, *, task_event: bool
    ) -> tuple[str, str]:
        """(activity name, user task id or "") of one event."""
        self._know(version_id)
        tasks = self._user_tasks[version_id]
        if activity in tasks:
            # A clock or deadline event of a task is not the task itself: it keeps its kind's name.
            return (tasks[activity] if task_event else KIND_LABELS.get(kind, kind)), activity
        if task_event:  # a task the version no longer describes: keep what the log says
            return activity_name or activity, activity
        # Other BPMN elements (an end event, a message, a timer) by their name in the diagram.
        name = activity_name or self._element_names[version_id].get(activity, "")
        return name or KIND_LABELS.get(kind, kind), ""
