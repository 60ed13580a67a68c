"""The start page, the case list and the case page. Every view asks worklists.access first.

The start page sends each role where its work is: the front desk to intake, department clerks
and heads to their worklist, designers to their workbench; supervisors and administrators
get the case list.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engine.case_moves import do_resume_case, do_suspend_case, do_terminate_case
from engine.casework import do_copy_case
from engine.decisions import DECISION_FIELDS, outcome_label
from engine.errors import EngineError, InvalidInput
from engine.models import Case, Event, WaitingTimer
from processes.names import in_language
from sla.extension_models import Extension
from sla.extensions import do_decide_extension, do_request_extension
from worklists import access
from worklists.models import Copy, Department, StaffMember, WorkItem

from . import badges

R = access.R
CASE_NUMBER = re.compile(r"[A-Z0-9_-]{1,32}")
# What a rejection or a correction request said, shown beside the decision.
NOTE_KEYS = DECISION_FIELDS


@login_required
def home(request):
    role = access.role_of(request.user)
    if role == R.FRONT_DESK:
        return redirect("desk:intake")
    if role in (R.CLERK, R.HEAD):
        return redirect("desk:worklist")
    if role == R.DESIGNER:
        return redirect("designer:index")
    return case_list(request)


@login_required
def case_list(request):
    cases = access.cases_visible_to(request.user)
    number = (request.GET.get("number") or "").strip().upper()
    if CASE_NUMBER.fullmatch(number):
        return redirect("case_detail", number)
    if number:
        messages.error(request, _("Not a case number: %(number)s") % {"number": number[:40]})
    status = request.GET.get("status")
    if status not in Case.Status.values:
        status = None
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("id")))
    listed = cases.filter(status=status) if status else cases
    page = Paginator(listed.select_related("version__definition", "service_item").order_by("-id"), 25).get_page(
        request.GET.get("page")
    )
    statuses = [(value, label, counts.get(value, 0)) for value, label in Case.Status.choices]
    return render(request, "desk/case_list.html", {"page": page, "statuses": statuses, "status": status})


def decisions_of(case: Case) -> list[dict]:
    """Each department's latest word on each of its tasks in the case (a task worked twice, after
    a correction: the last word counts), with what it entered: the task's form fields by their
    BPMN labels, a rejection's reason, a correction's list of what is missing and its notice.
    All read from rows (work items and the completion's event-log row), never workflow state."""
    done = case.work_items.filter(state=WorkItem.State.COMPLETED).select_related("department", "completed_by")
    latest: dict[tuple, WorkItem] = {}
    for item in done.order_by("completed_at", "id"):
        latest.pop((item.department_id, item.task_spec), None)
        latest[(item.department_id, item.task_spec)] = item
    entered = dict(
        Event.objects.filter(
            case=case, kind=Event.Kind.TASK_COMPLETED, work_item__in=[i.pk for i in latest.values()]
        ).values_list("work_item", "data")
    )
    decisions = []
    for item in latest.values():
        form = (entered.get(item.pk) or {}).get("form") or {}
        fields = case.version.user_task(item.task_spec).get("form_fields") or []
        answers = [
            (in_language(f.get("label") or f["id"]), shown(f, form[f["id"]]))
            for f in fields
            if form.get(f["id"]) not in (None, "")
        ]
        notes = {key: form[key] for key in NOTE_KEYS.get(item.outcome, ()) if form.get(key)}
        decisions.append({"item": item, "outcome": outcome_label(item.outcome), "answers": answers, **notes})
    return decisions


def shown(field: dict, value) -> str:
    """A form value as the clerk chose it: yes / no, an enum's name rather than its id."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    names = {v.get("id"): v.get("name") for v in field.get("values") or []}
    return in_language(str(names.get(value) or value))


def diagram_state(case: Case, items: list[WorkItem], events: list[Event]) -> dict:
    """What the case page's BPMN diagram marks: where the case is now, and what is behind it."""
    current = sorted({item.task_spec for item in items if item.state == WorkItem.State.OPEN})
    waiting = sorted(
        set(
            WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None).values_list("task_spec", flat=True)
        )
    )
    done = {item.task_spec for item in items if item.state == WorkItem.State.COMPLETED}
    for event in events:
        if event.kind in (Event.Kind.TIMER_FIRED, Event.Kind.CASE_ENDED) and event.activity:
            done.add(event.activity)
        elif event.kind == Event.Kind.MESSAGE_RECEIVED and event.data.get("waiting_task"):
            done.add(event.data["waiting_task"])
    done -= set(current)
    return {"xml": case.version.bpmn_xml, "current": current, "waiting": waiting, "done": sorted(done)}


@login_required
def case_detail(request, number, move_errors=None):
    case = access.access_case_by_number(request.user, number)
    # Opening a case copied to me (抄送) reads it.
    if Copy.objects.filter(case=case, recipient=request.user, read_at=None).update(read_at=timezone.now()):
        badges.forget(users=[request.user])
    events = list(case.events.select_related("actor").order_by("id"))
    items = list(
        WorkItem.objects.filter(case=case).select_related("department", "assignee", "completed_by").order_by("id")
    )
    departments = {d.code: d for d in Department.objects.all()}
    for event in events:
        event.department_obj = departments.get(event.department)
        event.outcome_label = outcome_label(event.outcome) if event.outcome else None
    for item in items:
        item.visible = access.can_see_task(request.user, item)
        item.outcome_label = outcome_label(item.outcome) if item.outcome else None
    context = {
        "case": case,
        "identity": access.identity_for(request.user, case),
        "application": access.application_for(request.user, case),
        "events": events,
        "items": items,
        "open_items": [item for item in items if item.state == WorkItem.State.OPEN],
        "decisions": decisions_of(case),
        "materials": list(case.materials.order_by("uploaded_at", "kind")),
        "licences": list(case.licences.order_by("id")),
        "diagram": diagram_state(case, items, events),
        "end_name": case.version.elements.get("names", {}).get(case.end_activity, case.end_activity),
        "may_move": case.status == Case.Status.RUNNING and access.can_move_case(request.user, case),
        "suspension": _last(events, Event.Kind.CASE_SUSPENDED) if case.suspended_at else None,
        "termination": _last(events, Event.Kind.CASE_TERMINATED),
        "move_errors": move_errors or {},
        "extensions": [
            {
                "row": e,
                "may_decide": e.state == Extension.State.REQUESTED and access.can_decide_extension(request.user, e),
            }
            for e in case.extensions.select_related("requested_by", "decided_by").order_by("id")
        ],
        "may_copy": access.can_copy(request.user, case),
        "copy_departments": Department.objects.exclude(code="bank").order_by("code")
        if access.can_copy(request.user, case)
        else [],
        "copy_people": (
            StaffMember.objects.filter(user__is_active=True, department__isnull=False)
            .exclude(user=request.user)
            .select_related("user", "department")
            .order_by("department_id", "user__username")
            if access.can_copy(request.user, case)
            else []
        ),
        "copies": list(case.copies.select_related("recipient", "copied_by").order_by("id")),
        "may_ask_extension": case.status == Case.Status.RUNNING
        and case.concluded_at is None
        and not case.extensions.filter(state=Extension.State.REQUESTED).exists()
        and access.can_request_extension(request.user, case),
    }
    return render(request, "desk/case_detail.html", context, status=400 if move_errors else 200)


def _last(events: list[Event], kind: str) -> Event | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


# 中止 / 恢复 / 终止: the same rules as the API's (engine.case_moves), asked of the same gate.


def _case_move(request, number: str, move, done: str):
    case = access.access_case_move(request.user, number)
    try:
        move(case)
    except InvalidInput as error:
        return case_detail(request, number, move_errors={"form": request.POST.get("form", ""), **error.errors})
    except EngineError as error:
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
    else:
        messages.success(request, done % {"case": case.number})
    return redirect("case_detail", case.number)


@login_required
@require_POST
def case_suspend(request, number):
    return _case_move(
        request,
        number,
        lambda case: do_suspend_case(case.number, acting_user=request.user, reason=request.POST.get("reason", "")),
        _("Case %(case)s is suspended: its clocks stand until it resumes."),
    )


@login_required
@require_POST
def case_resume(request, number):
    return _case_move(
        request,
        number,
        lambda case: do_resume_case(case.number, acting_user=request.user, note=request.POST.get("note", "")),
        _("Case %(case)s resumed: each clock goes on with the time it had left."),
    )


@login_required
@require_POST
def case_terminate(request, number):
    return _case_move(
        request,
        number,
        lambda case: do_terminate_case(
            case.number,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            applicant_withdrew=request.POST.get("applicant_withdrew") == "on",
        ),
        _("Case %(case)s is terminated: every open task was cancelled."),
    )


# 延期: asked by a department with open work in the case, decided by the head the item names.


@login_required
@require_POST
def case_extension_request(request, number):
    case = access.access_case_by_number(request.user, number)
    department = access.access_extension_request(request.user, case)
    try:
        do_request_extension(
            case.number, acting_user=request.user, reason=request.POST.get("reason", ""), department=department
        )
    except InvalidInput as error:
        if error.errors:
            return case_detail(request, number, move_errors={"form": "extension", **error.errors})
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
    except EngineError as error:
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
    else:
        messages.success(request, _("Extension asked for case %(case)s: the deciding head is told.") % {"case": number})
    return redirect("case_detail", case.number)


@login_required
@require_POST
def extension_decide(request, pk):
    try:
        extension = Extension.objects.select_related("case").get(pk=pk)
    except Extension.DoesNotExist:
        raise Http404(_("There is no extension %(id)s.") % {"id": pk}) from None
    access.access_case_by_number(request.user, extension.case.number)
    access.access_extension_decision(request.user, extension)
    approve = request.POST.get("decision") == "approve"
    try:
        do_decide_extension(extension.pk, acting_user=request.user, approve=approve, note=request.POST.get("note", ""))
    except EngineError as error:
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
    else:
        done = _("Extension approved: the case's limits moved.") if approve else _("Extension refused.")
        messages.success(request, done)
    return redirect("case_detail", extension.case.number)


# 抄送: copied for information; the copies page lists what was copied to me.


@login_required
@require_POST
def case_copy(request, number):
    case = access.access_case_by_number(request.user, number)
    access.access_copy(request.user, case)
    # A tampered form may send anything: only ids are asked for, and an unknown one is nobody.
    ids = [value for value in request.POST.getlist("people") if value.isdigit()]
    people = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    departments = [
        code for code in request.POST.getlist("departments") if Department.objects.filter(code=code).exists()
    ]
    try:
        copies = do_copy_case(
            case.number,
            acting_user=request.user,
            people=people,
            departments=departments,
            note=request.POST.get("note", ""),
        )
    except InvalidInput as error:
        return case_detail(request, number, move_errors={"form": "copy", **error.errors})
    except EngineError as error:
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
    else:
        badges.forget(users=[c.recipient for c in copies])
        messages.success(request, _("Copied to %(n)s people.") % {"n": len(copies)})
    return redirect("case_detail", case.number)


@login_required
def copies(request):
    """What was copied to me, unread first, newest first."""
    rows = Copy.objects.filter(recipient=request.user).select_related("case", "copied_by", "case__service_item")
    rows = rows.order_by(F("read_at").asc(nulls_first=True), "-copied_at", "-id")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    unread = Copy.objects.filter(recipient=request.user, read_at=None).count()
    return render(request, "desk/copies.html", {"page": page, "unread": unread})


@login_required
@require_POST
def copies_read(request):
    Copy.objects.filter(recipient=request.user, read_at=None).update(read_at=timezone.now())
    badges.forget(users=[request.user])
    return redirect("copies")
