"""The difference between two versions of a process, as a designer reads it and as the diagram shows it.

Steps are aligned by engine.alignment (ids, mappings, renames by name or place). For each step
that lives on, what changed is said in the designer's words: the department, the limits, the
outcomes, the form, the event it waits for, its script or conditions, its flows. Departments
(lanes) added or removed are listed too. ``markers`` is what the two diagrams colour: removed
(red) and changed (yellow) on the old one, added (green) and changed on the new one; a renamed
step is marked on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.alignment import Alignment, align_versions, behaviour_texts

# Keys of a serialised task spec, in words. Keys not listed are shown as they are.
KEY_LABELS = {
    "inputs": "流入 incoming flows",
    "outputs": "流出 outgoing flows",
    "cond_task_specs": "条件 conditions",
    "default_task_spec": "默认流 default flow",
    "event_definition": "事件 event",
    "script": "脚本 script",
    "extensions": "属性 properties",
    "lane": "泳道 lane",
    "bpmn_name": "名称 name",
    "form": "表单 form",
    "typename": "类型 kind",
    "cancel_activity": "中断 interrupting",
    "documentation": "说明 documentation",
}
# User-task properties (processes.elements), in words.
TASK_FIELDS = [
    ("name", "名称 name"),
    ("department", "部门 department"),
    ("candidate_group", "候选组 candidate group"),
    ("promised_limit_working_days", "承诺时限（工作日） promised limit (working days)"),
    ("statutory_limit_working_days", "法定时限（工作日） statutory limit (working days)"),
    ("limit_working_hours", "时限（工作小时） limit (working hours)"),
    ("due_date", "到期 due date"),
    ("outcomes", "办理结果 outcomes"),
    ("special_step", "特殊环节 special step"),
    ("form_key", "表单 form key"),
]
BEHAVIOUR_LABELS = {
    "event": "事件 event",
    "script": "脚本 script",
    "conditions": "条件 conditions",
    "default": "默认流 default flow",
    "inputs": "来自 comes from",
    "outputs": "去往 goes to",
}


@dataclass
class StepChange:
    status: str  # added | removed | changed | renamed
    old_id: str | None
    new_id: str | None
    name: str
    how: str = ""  # for renames: mapped | same name | same place
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)

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
        return "是 yes" if value else "否 no"
    if isinstance(value, list):
        return ", ".join(str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _name(version, bpmn_id: str) -> str:
    return version.elements.get("names", {}).get(bpmn_id) or bpmn_id


def _task_details(before: dict, after: dict) -> list[tuple[str, str, str]]:
    details = [
        (label, _shown(before.get(k)), _shown(after.get(k)))
        for k, label in TASK_FIELDS
        if before.get(k) != after.get(k)
    ]
    before_fields = [f["id"] for f in before.get("form_fields") or []]
    after_fields = [f["id"] for f in after.get("form_fields") or []]
    if before_fields != after_fields:
        details.append(("表单字段 form fields", _shown(before_fields), _shown(after_fields)))
    before_props, after_props = before.get("properties") or {}, after.get("properties") or {}
    listed = {key for key, _ in TASK_FIELDS}
    for key in sorted(set(before_props) | set(after_props)):
        if key not in listed and before_props.get(key) != after_props.get(key):
            details.append((f"属性 property {key}", _shown(before_props.get(key)), _shown(after_props.get(key))))
    return details


def _details(diff: Alignment, old_id: str, new_id: str, behaviour: tuple[dict, dict]) -> list[tuple[str, str, str]]:
    old, new, keys = diff.old_version, diff.new_version, diff.changed.get(old_id, [])
    details = [("类型 kind", *diff.kinds[old_id])] if old_id in diff.kinds else []
    before_task, after_task = old.user_task(old_id), new.user_task(new_id)
    if before_task or after_task:
        details += _task_details(before_task, after_task)
    elif _name(old, old_id) != _name(new, new_id):
        details.append(("名称 name", _name(old, old_id), _name(new, new_id)))
    before_texts, after_texts = behaviour[0].get(old_id, {}), behaviour[1].get(new_id, {})
    for key, label in BEHAVIOUR_LABELS.items():
        if before_texts.get(key) != after_texts.get(key):
            details.append((label, before_texts.get(key) or "—", after_texts.get(key) or "—"))
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
    details += [(KEY_LABELS.get(key, key), "", "") for key in keys if key not in covered]
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
