"""Moves on a whole case: 中止 suspend and 恢复 resume it, 终止 terminate it. Part of the one write
path (engine.actions): one transaction, the case row locked, the move logged, nothing half-done.

中止 (行政许可法 art. 45: periods excluded from the limit, e.g. pending a court decision, a hearing,
a test): the case clock and the clocks of its open tasks stand, its tasks cannot be completed or
sent back, messages for it are refused (the sender tries again) and its timers wait. 恢复: each
clock goes on with the time it had left: the task deadlines move by the working days (or office
hours) the suspension took, counted as the case clock counts them (workdays.clock), and the
timers by the time it lasted.

终止: the applicant withdraws the application (撤回申请), or the case ends for a stated reason.
Every open task and timer is cancelled; the case ends as terminated (or withdrawn), with no
licence.

不予受理: at acceptance (the case's first step, before any step of it was done), the clerk holding
the task refuses the application with its reason; the case ends with the result not accepted, and
the decision's text (不予受理决定书) is recorded in the site's language for the applicant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from SpiffWorkflow.util.task import TaskState

from processes.results import Result
from workdays.calendar_store import get_calendar
from workdays.clock import Light, Limit, deadline, light_at, used_working_days, yellow_moment
from worklists.models import WorkItem

from . import clocks, rewind
from .actions import check_open, item_step
from .casework import read_workflow, task_in
from .decisions import NOT_ACCEPTED, required_text
from .errors import CaseNotRunning, TaskConflict
from .models import Case, Event, WaitingTimer
from .stepping import Step, case_numbered


def _running(number: str, acting_user) -> Step:
    step = Step.lock(case_numbered(number), acting_user)
    if step is None:
        raise CaseNotRunning(_("There is no case %(case)s.") % {"case": number})
    if step.case.status != Case.Status.RUNNING:
        raise CaseNotRunning.of(step.case)
    return step


# 中止 / 恢复 --------------------------------------------------------------------------------------


def do_suspend_case(number: str, *, acting_user, reason: str) -> Case:
    reason = required_text(reason, "reason", _("A suspension needs its reason."))
    with transaction.atomic():
        step = _running(number, acting_user)
        if step.case.suspended_at is not None:
            raise TaskConflict(_("case %(case)s is already suspended") % {"case": number})
        step.case.suspended_at = step.now
        # The open tasks' clocks stand: paused, not late (workdays.lateness); a task already late stays red.
        WorkItem.objects.filter(
            case=step.case, state=WorkItem.State.OPEN, light__in=[Light.GREEN, Light.YELLOW]
        ).update(light=Light.PAUSED)
        step.log(Event.Kind.CASE_SUSPENDED, data={"reason": reason})
        step.save()  # the case clock stops there (engine.stepping)
    return step.case


def do_resume_case(number: str, *, acting_user, note: str = "") -> Case:
    with transaction.atomic():
        step = _running(number, acting_user)
        since = step.case.suspended_at
        if since is None:
            raise TaskConflict(_("case %(case)s is not suspended") % {"case": number})
        calendar = get_calendar()
        lost_days = used_working_days(since, step.now, calendar)
        lost_hours = calendar.working_hours_between(since, step.now)
        for item in WorkItem.objects.filter(case=step.case, state=WorkItem.State.OPEN):
            _move_task_clock(step, item, lost_days, lost_hours, calendar)
        # Timers wait: each is due as much later as the suspension lasted (the row rules, engine.actions).
        for timer in WaitingTimer.objects.filter(case=step.case, fired_at=None, cancelled_at=None):
            timer.due_at += step.now - since
            timer.save(update_fields=["due_at"])
        step.case.suspended_at = None
        step.log(
            Event.Kind.CASE_RESUMED,
            data={"suspended_since": since.isoformat(), "working_days": lost_days, "note": (note or "").strip()[:2000]},
        )
        step.save()  # the case clock resumes with the days it had left (engine.clocks)
    return step.case


def _move_task_clock(step: Step, item: WorkItem, lost_days: int, lost_hours: float, calendar) -> None:
    """A paused task's deadlines, later by what the suspension took: office hours for a task
    limited in hours (即办件), whole working days otherwise. A task already late when the case was
    suspended had no time left to keep: it stays as it was."""
    if item.light != Light.PAUSED:
        return
    if item.due_at is not None:
        if item.limit_working_hours is not None:
            item.due_at = calendar.add_working_hours(item.due_at, lost_hours)
            if item.statutory_due_at is not None:
                item.statutory_due_at = calendar.add_working_hours(item.statutory_due_at, lost_hours)
        elif lost_days:
            item.due_at = deadline(item.due_at, Limit(working_days=lost_days), calendar).due_at
            if item.statutory_due_at is not None:
                item.statutory_due_at = deadline(item.statutory_due_at, Limit(working_days=lost_days), calendar).due_at
        item.yellow_at = yellow_moment(step.now, item.due_at, calendar)
    item.light = light_at(step.now, item.due_at, item.yellow_at)
    item.save(update_fields=["due_at", "statutory_due_at", "yellow_at", "light"])


# 终止 ----------------------------------------------------------------------------------------------


def do_terminate_case(number: str, *, acting_user, reason: str, applicant_withdrew: bool = False) -> Case:
    """终止, or 撤回申请 when ``applicant_withdrew``: the case ends now, with every open task and
    timer cancelled and no licence; the reason is required either way."""
    reason = required_text(reason, "reason", _("A termination needs its reason."))
    with transaction.atomic():
        step = _running(number, acting_user)
        step.log(Event.Kind.CASE_TERMINATED, data={"reason": reason, "applicant_withdrew": bool(applicant_withdrew)})
        step.workflow.cancel()
        step.terminated_with = Result.WITHDRAWN if applicant_withdrew else Result.TERMINATED
        step.save()
    return step.case


# 不予受理 --------------------------------------------------------------------------------------------


def at_acceptance(workflow, task) -> bool:
    """Whether ``task`` is where the case is accepted: no step of the case was done before it."""
    return not any(a.task_spec.manual and a.state == TaskState.COMPLETED for a in rewind.ancestors(workflow, task))


def can_refuse_application(item: WorkItem, read: tuple | None = None) -> bool:
    """For the page: is the task open at acceptance? (The action decides under the lock.)
    ``read``: the case's (version, workflow) when the caller has read it already."""
    if item.state != WorkItem.State.OPEN:
        return False
    _version, workflow = read or read_workflow(item)
    task = task_in(workflow, item.task_id)
    return task is not None and task.state == TaskState.READY and at_acceptance(workflow, task)


def do_refuse_application(work_item_id: int, *, acting_user, reason: str) -> Case:
    """不予受理 from the open task at acceptance, by the clerk holding it, with the reason."""
    reason = required_text(reason, "reason", _("A refusal to accept needs its reason."))
    with transaction.atomic():
        item, step = item_step(work_item_id, acting_user)
        check_open(item)
        step.refuse_if_suspended()
        if item.assignee_id != getattr(acting_user, "pk", None):
            raise TaskConflict(_("claim the task first: only the clerk holding it refuses the application"))
        task = step.workflow.get_task_from_id(item.task_id)
        if not at_acceptance(step.workflow, task):
            raise TaskConflict(
                _("case %(case)s was accepted already; terminate it instead") % {"case": step.case.number}
            )
        with translation.override(settings.LANGUAGE_CODE):
            notice = _("Your application (case %(case)s) is not accepted. Reason: %(reason)s") % {
                "case": step.case.number,
                "reason": reason,
            }
        item.state, item.completed_at, item.outcome = WorkItem.State.COMPLETED, step.now, NOT_ACCEPTED
        item.completed_by = acting_user
        clocks.close_task_clock(step, item, step.now, ["state", "completed_at", "outcome", "completed_by_id"])
        step.closed_item, step.closed_otherwise = item, True
        step.log(
            Event.Kind.CASE_NOT_ACCEPTED,
            activity=item.task_spec,
            activity_name=item.name,
            department=item.department_id,
            task_id=item.task_id,
            work_item=item.pk,
            outcome=NOT_ACCEPTED,
            data={"reason": reason, "notice": notice},
        )
        step.workflow.cancel()
        step.terminated_with = Result.NOT_ACCEPTED
        step.save()
    return step.case
