"""What the engine does, inside the step, when a task with effects completes (processes.elements).

``issues``: sign the case's licences of those kinds (电子证照), once each.
``concludes``: the result is out (办结): the case clock stops for good, with its final light.
``revokes``: revoke those licences, record the breach against the enterprise's credit, and flag
the case's other results for their departments to review (告知承诺不实).

They run in the step's transaction, after the engine steps: if anything fails, the step, the
licences and the records all roll back together, and the task runs again on the next try.
"""

from __future__ import annotations

from django.db.models import Q
from SpiffWorkflow.util.task import TaskState

from processes.results import Result, result_of

from . import workflow_tasks as wt
from .models import Event

REVOCATION_REASON = "告知承诺不实，整改期满未整改。 The commitment was found untrue and the rectification period ended unrectified."


def effect_specs(version) -> dict:
    return (version.elements or {}).get("effects") or {}


def completed_effect_tasks(workflow, specs: dict) -> dict:
    """Task id -> task, for the completed tasks that carry effects."""
    if not specs:
        return {}
    return {t.id: t for t in wt.all_tasks(workflow) if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id in specs}


def apply_effects(step) -> None:
    specs = effect_specs(step.version)
    if not specs:
        return
    done = completed_effect_tasks(step.workflow, specs)
    new = [task for task_id, task in done.items() if task_id not in step.effects_done_before]
    for task in sorted(new, key=lambda t: t.last_state_change):
        effect = specs[task.task_spec.bpmn_id]
        if effect.get("issues"):
            _issue(step, effect["issues"], task)
        if effect.get("revokes"):
            _revoke(step, effect["revokes"], task)
        if effect.get("concludes"):
            conclude(step, result=_concluding_result(step, task))


def _issue(step, kinds: list[str], task) -> None:
    from licences.actions import do_issue_licence  # licences builds on the engine, not the reverse

    case = step.case
    existing = set(case.licences.values_list("kind", flat=True))
    missing = [kind for kind in kinds if kind not in existing]
    if missing and not (case.enterprise_name and case.enterprise_uscc):
        # Nothing to sign a licence for: the case goes on, and a person is told what is missing.
        step.log(Event.Kind.RESULT_FLAGGED, activity=task.task_spec.bpmn_id, activity_name=task.task_spec.bpmn_name or "",
                 data={"kinds": missing, "reason": "没有企业名称或统一社会信用代码，证照未签发。 No enterprise name or credit code: "
                                                   "the licences were not issued."})  # fmt: skip
        return
    for kind in missing:
        do_issue_licence(case, kind=kind, log=step.log)


def _concluding_result(step, task) -> str:
    """The result a concluding task gives: its ``result`` property or its words; where neither
    says, a grant if the case holds licences by now."""
    result = result_of(step.version.elements, task.task_spec.bpmn_id)
    if result == Result.DONE and step.case.licences.exists():
        return Result.GRANTED
    return result


def conclude(step, *, result: str) -> None:
    """办结: the result is out. The case clock stops for good: late if past its due moment, and
    the light is final from here (red if it was ever late)."""
    from . import clocks

    case = step.case
    if case.concluded_at is not None:
        return
    if case.clock_running_since is not None:  # a stopped clock was read when it stopped
        clocks.case_past_due(step, step.now, clock_stops=True)
    case.concluded_at = step.now
    case.result = result
    case.light = clocks.final_case_light(case, step.now)
    case.clock_running_since = None
    step.log(Event.Kind.CASE_CONCLUDED, data={"light": case.light, "result": result,
                                              "late_working_hours": case.late_working_hours})  # fmt: skip


def _revoke(step, kinds: list[str], task) -> None:
    from licences.actions import ISSUING_DEPARTMENT, do_flag_licence, do_revoke_licence
    from licences.models import CreditRecord, Licence

    case = step.case
    findings = str(task.data.get("findings") or "").strip()
    reason = REVOCATION_REASON + (f" 核查情况 Findings: {findings}" if findings else "")
    revoked = []
    for licence in case.licences.filter(kind__in=kinds, status=Licence.Status.VALID).order_by("id"):
        revoked.append(do_revoke_licence(licence, reason=reason, log=step.log))
    record = CreditRecord.objects.create(
        enterprise_uscc=case.enterprise_uscc, enterprise_name=case.enterprise_name,
        kind=CreditRecord.Kind.FALSE_COMMITMENT, case=case, licence=revoked[0] if revoked else None,
        # The department that answers for the revoked licence records the breach.
        department=ISSUING_DEPARTMENT.get(kinds[0], ""), summary=reason, recorded_at=step.now,
    )  # fmt: skip
    step.log(Event.Kind.CREDIT_RECORDED, activity=task.task_spec.bpmn_id, department=record.department,
             data={"credit_record": record.pk, "enterprise_uscc": case.enterprise_uscc,
                   "licences": [licence.number for licence in revoked]})  # fmt: skip
    flag = f"同一办件的{'、'.join(licence.get_kind_display().split(' ')[0] for licence in revoked) or '证照'}因承诺不实被撤销，请复核本证照。 " \
           f"Another result of case {case.number} was revoked for a false commitment: review this one."  # fmt: skip
    others = case.licences.filter(status=Licence.Status.VALID).exclude(Q(kind__in=kinds) | Q(flagged_at__isnull=False))
    for licence in others.order_by("id"):
        do_flag_licence(licence, reason=flag, at=step.now)
        step.log(Event.Kind.RESULT_FLAGGED, department=ISSUING_DEPARTMENT.get(licence.kind, ""),
                 data={"licence": licence.number, "kind": licence.kind, "reason": flag})  # fmt: skip
