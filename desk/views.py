"""The pages clerks live in: intake (一窗受理), the worklist, the task page, material downloads.

Thin views: parse → access (worklists.access, the one gate) → action (engine.actions, the one
write path) → render or redirect. What the engine refuses (TaskConflict for a stale form or a
double submit, InvalidInput, StepFailed) is shown as a message on the page; the action's
transaction has rolled back, so nothing is half-saved.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engine.actions import do_claim_task, do_complete_task, do_reassign_task, do_unclaim_task
from engine.case_moves import can_refuse_application, do_refuse_application
from engine.casework import can_withdraw, do_send_back_task, do_withdraw_task, read_workflow, send_back_choices
from engine.decisions import CORRECTION, REJECT, outcome_label
from engine.errors import EngineError, InvalidInput, TaskConflict
from engine.handover import do_decide_transfer, do_delegate_task, do_return_delegation, do_transfer_task
from engine.models import Event
from engine.opinions import (
    DEFAULT_WORKING_DAYS,
    do_ask_opinion,
    do_give_opinion,
    do_withdraw_opinion_request,
    opinions_of,
)
from processes.models import ServiceItem
from processes.names import in_language
from sla.urging import do_urge_task
from worklists import access
from worklists.intake import IntakeForm, do_take_in_application, new_intake_key
from worklists.materials import human_size, private_storage
from worklists.models import Department, Material, StaffMember, WorkItem
from worklists.people import assignable

from . import badges
from .cases import decisions_of
from .forms import (
    DecisionForm,
    ReassignForm,
    SendBackForm,
    WithdrawForm,
    data_of,
    refusal,
    seen_token,
    show_refusal,
    task_form,
)
from .lists import LIGHTS, LivePage, Worklist

PAGE_SIZE = 25

# 一窗受理 ----------------------------------------------------------------------------------------


@login_required
def intake(request):
    access.access_intake(request.user)
    items = list(ServiceItem.objects.filter(active=True).order_by("code"))
    code = (
        request.POST.get("service_item")
        or request.GET.get("service_item")
        or (items[0].code if len(items) == 1 else None)
    )
    item = next((i for i in items if i.code == code), None)
    if code and item is None:
        raise Http404(_("No such service item: %(code)s") % {"code": code})
    form, status = None, 200
    if item is not None and request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, service_item=item)
        if form.is_valid():
            try:
                case, created = do_take_in_application(form, acting_user=request.user)
            except EngineError as error:
                messages.error(request, _("Not taken in: %(error)s") % {"error": error})
                status = 409
            else:
                if created:
                    badges.forget(department_code=access.department_of(request.user), users=[request.user])
                    messages.success(request, _("Taken in: case %(number)s.") % {"number": case.number})
                else:  # the same form again (a double click, a resent request): the first case
                    messages.info(
                        request,
                        _("This application was already taken in as case %(number)s; no second case was made.")
                        % {"number": case.number},
                    )
                return redirect("case_detail", case.number)
        else:
            status = 400
    elif item is not None:
        form = IntakeForm(initial={"intake_key": new_intake_key()}, service_item=item)
    context = {"items": items, "item": item, "form": form, "max_size": human_size(settings.MATERIAL_MAX_BYTES)}
    return render(request, "desk/intake.html", context, status=status)


# 工作台: queue, inbox, all open, archive ---------------------------------------------------------


@login_required
def worklist(request):
    wl = Worklist(request)
    if wl.department is None:  # a supervisor without a department of their own: choose one
        return render(request, "desk/departments.html", {"wl": wl})
    rows = wl.rows()
    page = LivePage(rows, request.GET.get("page"), PAGE_SIZE, count=wl.count(rows))
    context = {"wl": wl, "page": page, "lights": LIGHTS, "rows": [_row(item) for item in page.object_list]}
    return render(request, "desk/worklist.html", context)


def _row(item: WorkItem) -> dict:
    return {"item": item, "outcome": outcome_label(item.outcome) if item.outcome else None}


# 任务 ----------------------------------------------------------------------------------------------


def task_context(request, item: WorkItem, *, decision=None, data_form=None, reassign=None, send_back=None) -> dict:
    user, case = request.user, item.case
    meta = item.version.user_task(item.task_spec)
    outcomes = meta.get("outcomes") or []
    materials_listed = list(case.service_item.materials) if case.service_item else []
    may_act = item.state == WorkItem.State.OPEN and access.can_act_on_task(user, item)
    mine = item.assignee_id == user.pk
    may_reassign = item.state == WorkItem.State.OPEN and access.can_reassign(user, item)
    context = {
        "item": item,
        "case": case,
        "identity": access.identity_for(user, case),
        "application": access.application_for(user, case),
        "materials": list(case.materials.order_by("uploaded_at", "kind")),
        "decisions": [d for d in decisions_of(case) if d["item"].pk != item.pk],
        "outcomes": [(o, outcome_label(o)) for o in outcomes],
        "may_act": may_act,
        "may_claim": may_act and item.assignee_id is None,
        "may_work": may_act and mine,
        "may_release": may_act and mine,
        "may_reassign": may_reassign,
        "seen": seen_token(item),
        "data_form": data_form or task_form(item),
        "decision": decision
        or DecisionForm(outcomes=outcomes, materials=materials_listed, initial={"seen": seen_token(item)}),
        "reassign": reassign or (ReassignForm(department_code=item.department_id) if may_reassign else None),
        "has_reject": REJECT in outcomes,
        "has_correction": CORRECTION in outcomes,
        "sent_back_here": sent_back_to(item),
    }
    # The holder's moves that ask the workflow where the task stands share one read of it.
    read = read_workflow(item) if may_act and mine and item.state == WorkItem.State.OPEN else None
    if read is not None and send_back is None:
        choices = send_back_choices(item, read)
        send_back = SendBackForm(choices=choices) if choices else None
    context["send_back"] = send_back
    context["may_urge"] = access.can_urge(user, item)
    handing = may_act and mine and not item.delegate_id and item.state == WorkItem.State.OPEN
    context["may_hand_over"] = handing
    if handing:
        context["colleagues"] = [u for u in assignable(item.department_id) if u.pk != user.pk]
        context["other_departments"] = Department.objects.exclude(code__in=[item.department_id, "bank"]).order_by(
            "code"
        )
        context["delegates"] = (
            StaffMember.objects.filter(user__is_active=True, department__isnull=False)
            .exclude(user=user)
            .select_related("user", "department")
            .order_by("department_id", "user__username")
        )
    context["may_return_delegation"] = (
        item.state == WorkItem.State.OPEN
        and item.delegate_id
        and user.pk
        in (
            item.delegate_id,
            item.assignee_id,
        )
    )
    context["may_decide_transfer"] = item.state == WorkItem.State.OPEN and access.can_decide_transfer(user, item)
    # 加签: the opinions this task asked for; on an opinion request, the question and the answer form.
    context["opinions"] = opinions_of(item) if not item.asked_for_id else []
    context["may_ask_opinion"] = handing and not item.asked_for_id
    context["opinion_days"] = DEFAULT_WORKING_DAYS
    if item.asked_for_id:
        context["asked"] = (
            Event.objects.filter(work_item=item.asked_for_id, kind=Event.Kind.OPINION_ASKED, data__opinion=item.pk)
            .select_related("actor")
            .first()
        )
        context["may_give_opinion"] = may_act and item.assignee_id in (None, user.pk)
        context["given"] = Event.objects.filter(work_item=item.pk, kind=Event.Kind.OPINION_GIVEN).first()
    context["may_refuse"] = read is not None and not case.suspended_at and can_refuse_application(item, read)
    context["may_withdraw"] = item.state == WorkItem.State.COMPLETED and can_withdraw(item, user)
    context["withdraw"] = WithdrawForm() if context["may_withdraw"] else None
    return context


def sent_back_to(item: WorkItem):
    """The send-back that opened this item, if one did: who, why, from which step."""
    if item.state != WorkItem.State.OPEN:
        return None
    event = (
        Event.objects.filter(case_id=item.case_id, kind=Event.Kind.TASK_SENT_BACK, data__to=item.task_spec)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    # Written by the step that opened the item, so at (or a moment before) its opening.
    if event is None or abs((event.at - item.opened_at).total_seconds()) > 5:
        return None
    return event


@login_required
def task_detail(request, pk):
    item = access.access_task_by_id(request.user, pk)
    return render(request, "desk/task.html", task_context(request, item))


def _refuse_stale(request, item, seen: str | None) -> bool:
    """True (and a message) when the task is closed, or the page the clerk posted from showed it
    otherwise (claimed, released or reassigned since)."""
    if item.state != WorkItem.State.OPEN:  # a double submit, or someone finished it meanwhile
        messages.error(request, _closed_message(item))
        return True
    if seen and seen != seen_token(item):
        if item.assignee_id:
            message = _(
                "The task changed after you opened the page; %(holder)s holds it now: here is how it stands now."
            )
            messages.error(request, message % {"holder": item.assignee})
        else:
            messages.error(request, _("The task changed after you opened the page: here is how it stands now."))
        return True
    return False


def _closed_message(item) -> str:
    who = item.completed_by.username if item.completed_by_id else ""
    when = timezone.localtime(item.completed_at).strftime("%Y-%m-%d %H:%M") if item.completed_at else ""
    if item.state == WorkItem.State.CANCELLED or not (who and when):
        return _("This task is no longer open: %(state)s. Nothing was changed.") % {"state": item.get_state_display()}
    return _("This task is no longer open: %(state)s by %(who)s at %(when)s. Nothing was changed.") % {
        "state": item.get_state_display(),
        "who": who,
        "when": when,
    }


def _back_to_task(item) -> str:
    return reverse("desk:task", args=[item.pk])


def _engine_refused(request, error: EngineError) -> None:
    if isinstance(error, TaskConflict):
        messages.error(request, _("Not done: %(error)s. Nothing was changed.") % {"error": error})
    else:
        messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})


@login_required
@require_POST
def task_claim(request, pk):
    item = access.access_task_by_id(request.user, pk, act=True)
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    try:
        do_claim_task(item.pk, acting_user=request.user)
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    messages.success(request, _("Claimed: %(task)s (%(case)s).") % {"task": item.name, "case": item.case.number})
    return redirect(_back_to_task(item))


@login_required
@require_POST
def task_release(request, pk):
    item = access.access_task_by_id(request.user, pk, act=True)
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    try:
        do_unclaim_task(item.pk, acting_user=request.user)
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    messages.success(
        request, _("Released to the queue: %(task)s (%(case)s).") % {"task": item.name, "case": item.case.number}
    )
    return redirect(reverse("desk:worklist"))


@login_required
@require_POST
def task_reassign(request, pk):
    item = access.access_task_by_id(request.user, pk)
    access.access_reassign(request.user, item)
    form = ReassignForm(request.POST, department_code=item.department_id)
    if not form.is_valid():
        context = task_context(request, item, reassign=form)
        return render(request, "desk/task.html", context, status=400)
    access.access_reassign(request.user, item, form.cleaned_data["assignee"])
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    previous = item.assignee
    try:
        do_reassign_task(item.pk, acting_user=request.user, assignee=form.cleaned_data["assignee"])
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[u for u in (previous, form.cleaned_data["assignee"]) if u])
    who = form.cleaned_data["assignee"]
    messages.success(request, _("Reassigned to %(who)s.") % {"who": who})
    return redirect(_back_to_task(item))


@login_required
@require_POST
def task_complete(request, pk):
    item = access.access_task_by_id(request.user, pk, act=True)
    meta = item.version.user_task(item.task_spec)
    materials_listed = list(item.case.service_item.materials) if item.case.service_item else []
    decision = DecisionForm(request.POST, outcomes=meta.get("outcomes") or [], materials=materials_listed)
    data_form = task_form(item, request.POST)
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    if item.assignee_id != request.user.pk:
        messages.error(
            request,
            _("Claim the task first.")
            if item.assignee_id is None
            else _("%(who)s holds this task.") % {"who": item.assignee},
        )
        return redirect(_back_to_task(item))
    # Everything is checked before anything is done: a wrong field leaves the task as it was.
    if refusal(item, decision, data_form):
        context = task_context(request, item, decision=decision, data_form=data_form)
        return render(request, "desk/task.html", context, status=400)
    outcome = decision.cleaned_data["outcome"]
    try:
        do_complete_task(item.pk, acting_user=request.user, outcome=outcome, data=data_of(decision, data_form))
    except TaskConflict as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    except EngineError as error:
        if isinstance(error, InvalidInput) and error.errors:
            show_refusal(error.errors, decision, data_form)  # the write path's rules, on the fields they name
        else:
            messages.error(request, _("Could not be done: %(error)s Nothing was changed.") % {"error": error})
        context = task_context(request, item, decision=decision, data_form=data_form)
        return render(request, "desk/task.html", context, status=400 if isinstance(error, InvalidInput) else 409)
    badges.forget(department_code=item.department_id, users=[request.user])
    done = {"task": item.name, "case": item.case.number, "outcome": outcome_label(outcome)}
    messages.success(request, _("Completed %(task)s (%(case)s): %(outcome)s.") % done)
    if access.role_of(request.user) in access.WORKING_ROLES:
        return redirect(reverse("desk:worklist") + "?tab=inbox")
    return redirect("case_detail", item.case.number)  # an administrator has no inbox


@login_required
@require_POST
def task_send_back(request, pk):
    """退回: the write path checks the holder, the reason and the step under the case's lock."""
    item = access.access_task_by_id(request.user, pk, act=True)
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    form = SendBackForm(request.POST, choices=send_back_choices(item))
    if not form.is_valid():
        context = task_context(request, item, send_back=form)
        return render(request, "desk/task.html", context, status=400)
    try:
        do_send_back_task(
            item.pk, acting_user=request.user, reason=form.cleaned_data["reason"], to_step=form.cleaned_data["to_step"]
        )
    except InvalidInput as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        context = task_context(request, item, send_back=form)
        return render(request, "desk/task.html", context, status=400)
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    to = dict(form.fields["to_step"].choices)[form.cleaned_data["to_step"]]
    messages.success(request, _("Case %(case)s sent back to %(step)s.") % {"case": item.case.number, "step": to})
    return redirect(reverse("desk:worklist") + "?tab=inbox")


@login_required
@require_POST
def task_withdraw(request, pk):
    """撤回: a completed task back into the clerk's inbox, if nothing happened after it."""
    item = access.access_task_by_id(request.user, pk, act=True)
    form = WithdrawForm(request.POST)
    form.is_valid()  # an optional note, at most its length: whatever it holds, it is kept or cut
    try:
        reopened = do_withdraw_task(item.pk, acting_user=request.user, reason=form.cleaned_data.get("reason", ""))
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    messages.success(request, _("Taken back: %(task)s (%(case)s) is in your inbox again.") % {
        "task": in_language(item.name), "case": item.case.number})  # fmt: skip
    return redirect(_back_to_task(reopened))


@login_required
@require_POST
def task_urge(request, pk):
    """催办: counted on the task, logged, and the holder and the department's heads told."""
    item = access.access_task_by_id(request.user, pk)
    access.access_urge(request.user, item)
    try:
        urged = do_urge_task(item.pk, acting_user=request.user, note=request.POST.get("note", ""))
    except EngineError as error:
        _engine_refused(request, error)
    else:
        messages.success(request, _("Urged (%(urges)s×): the holder and the department head are told.") % {
            "urges": urged.urges})  # fmt: skip
    return redirect(_back_to_task(item))


@login_required
@require_POST
def task_refuse(request, pk):
    """不予受理: at acceptance, with the reason; the case ends, not accepted."""
    item = access.access_task_by_id(request.user, pk, act=True)
    if _refuse_stale(request, item, request.POST.get("seen")):
        return redirect(_back_to_task(item))
    try:
        do_refuse_application(item.pk, acting_user=request.user, reason=request.POST.get("reason", ""))
    except InvalidInput as error:
        context = task_context(request, item)
        context["refuse_error"] = error.errors.get("reason") or str(error)
        return render(request, "desk/task.html", context, status=400)
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    messages.success(
        request, _("Case %(case)s is not accepted; the decision is recorded.") % {"case": item.case.number}
    )
    return redirect("case_detail", item.case.number)


def _hand_over(request, pk, move, done: str, *, act: bool = True, stay: bool = False):
    """One of the hand-over moves (engine.handover, engine.opinions) from the task page; refusals
    as messages. Then the task moved (``stay``: the task the move started from)."""
    item = access.access_task_by_id(request.user, pk, act=act)
    try:
        moved = move(item)
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    badges.forget(department_code=item.department_id, users=[request.user])
    messages.success(request, done)
    return redirect(_back_to_task(item if stay else moved))


@login_required
@require_POST
def task_ask_opinion(request, pk):
    """加签: ask a department or a person for an opinion before deciding."""
    person = _user_or_none(request.POST.get("person"))
    try:
        days = int(request.POST.get("working_days") or DEFAULT_WORKING_DAYS)
    except ValueError:
        days = 0

    def move(item):
        return do_ask_opinion(
            item.pk,
            acting_user=request.user,
            question=request.POST.get("question", ""),
            department="" if person else request.POST.get("department", ""),
            person=person,
            working_days=days,
        )

    return _hand_over(
        request, pk, move, _("Opinion asked: the task waits for it before it can be completed."), stay=True
    )


@login_required
@require_POST
def task_give_opinion(request, pk):
    return _hand_over(
        request,
        pk,
        lambda item: do_give_opinion(item.pk, acting_user=request.user, opinion=request.POST.get("opinion", "")),
        _("Opinion given: the clerk who asked sees it on the task."),
    )


@login_required
@require_POST
def task_withdraw_opinion(request, pk):
    item = access.access_task_by_id(request.user, pk)
    asked_for = item.asked_for_id
    try:
        do_withdraw_opinion_request(item.pk, acting_user=request.user)
    except EngineError as error:
        _engine_refused(request, error)
    else:
        messages.success(request, _("Opinion request withdrawn."))
    return redirect(reverse("desk:task", args=[asked_for or item.pk]))


def _user_or_none(pk):
    try:
        return get_user_model().objects.get(pk=int(pk), is_active=True)
    except (ValueError, TypeError, get_user_model().DoesNotExist):
        return None


@login_required
@require_POST
def task_transfer(request, pk):
    """转办: to a colleague, or offered to another department with the reason."""
    to_user = _user_or_none(request.POST.get("to_user"))
    to_department = request.POST.get("to_department", "")

    def move(item):
        if to_user is None and not to_department and request.POST.get("to_user"):
            raise InvalidInput(_("No such colleague."))
        return do_transfer_task(
            item.pk,
            acting_user=request.user,
            to_user=to_user,
            to_department=to_department,
            reason=request.POST.get("reason", ""),
        )

    done = (
        _("Handed to %(who)s.") % {"who": to_user}
        if to_user
        else _("Offered to the other department; its head decides.")
    )
    return _hand_over(request, pk, move, done)


@login_required
@require_POST
def task_transfer_decide(request, pk):
    item = access.access_task_by_id(request.user, pk)
    access.access_transfer_decision(request.user, item)
    accept = request.POST.get("decision") == "accept"
    return _hand_over(
        request,
        pk,
        lambda item: do_decide_transfer(
            item.pk, acting_user=request.user, accept=accept, note=request.POST.get("note", "")
        ),
        _("Transfer accepted: the task is in your department's queue.") if accept else _("Transfer refused."),
        act=False,
    )


@login_required
@require_POST
def task_delegate(request, pk):
    """委派: someone else does the work; it comes back to you."""
    to_user = _user_or_none(request.POST.get("to_user"))

    def move(item):
        if to_user is None:
            raise InvalidInput(_("Choose whom to delegate to."))
        return do_delegate_task(item.pk, acting_user=request.user, to_user=to_user, note=request.POST.get("note", ""))

    return _hand_over(request, pk, move, _("Delegated to %(who)s.") % {"who": to_user})


@login_required
@require_POST
def task_delegation_return(request, pk):
    """The delegate returns the work (and goes back to their list: the task is no longer theirs
    to see); the holder recalls it."""
    item = access.access_task_by_id(request.user, pk)
    try:
        do_return_delegation(item.pk, acting_user=request.user, note=request.POST.get("note", ""))
    except EngineError as error:
        _engine_refused(request, error)
        return redirect(_back_to_task(item))
    messages.success(request, _("The task is back with the clerk holding it."))
    if item.delegate_id == request.user.pk:
        return redirect(reverse("desk:worklist") + "?tab=delegated")
    return redirect(_back_to_task(item))


# 材料 ----------------------------------------------------------------------------------------------


@login_required
def material_download(request, pk):
    """Stream one material from private storage, to those who may see its case only."""
    try:
        material = Material.objects.select_related("case").get(pk=pk)
    except Material.DoesNotExist:
        raise Http404(_("There is no material %(pk)s.") % {"pk": pk}) from None
    access.access_case_by_number(request.user, material.case.number)
    try:
        handle = private_storage().open(material.storage_name, "rb")
    except OSError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=material.original_name, content_type=material.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
