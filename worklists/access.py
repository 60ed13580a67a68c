"""The one access gate: every page and API route asks here who may see or do what.

- Anonymous visitors: nothing (pages send them to log in; the API answers 401/403).
- Front-desk clerks: take in applications; work the front desk's queue; read every case, as
  applicants ask about them at the window.
- Department clerks: their department's queue and tasks; the cases their department has work in.
- Department heads: as clerks, and reassign their department's tasks.
- Supervisors (电子监察): read everything, change nothing.
- Process designers: processes only (the workbench: drafts, the modeler, deploying versions), and the
  reengineering reports (figures over many cases); no case data.
- Administrators: everything.

Functions named ``access_<noun>_by_<key>`` return the object or raise (Http404 when it does not
exist, PermissionDenied with a message saying why when it exists but is not yours, in the
reader's language: pages and the API show it as it is); functions
named ``can_<verb>`` answer yes or no.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from engine.models import Case
from processes.models import ProcessDefinition, ProcessVersion
from processes.names import in_language

from .models import Copy, Department, StaffMember, WorkItem
from .people import WORKING_ROLES, assignable

R = StaffMember.Role
# Who sees a resident ID number in full: the window that checks identity, and the registrar.
FULL_IDENTITY_DEPARTMENTS = ("front_desk", "market")


def staff_of(user) -> StaffMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except StaffMember.DoesNotExist:
        return None


def role_of(user) -> str | None:
    if getattr(user, "is_superuser", False):
        return R.ADMIN
    member = staff_of(user)
    return member.role if member else None


def department_of(user) -> str | None:
    member = staff_of(user)
    return member.department_id if member else None


def name_of(department: Department) -> str:
    """A department's name in the reader's language, for the gate's messages."""
    return in_language(department.name, department.name_en)


def reads_everything(user) -> bool:
    return role_of(user) in (R.SUPERVISOR, R.ADMIN)


# --- deadlines -------------------------------------------------------------------------------


def can_watch_deadlines(user) -> bool:
    """The supervisor dashboard: supervisors, administrators, and department heads (their own
    department's rows only; see departments_visible_to)."""
    return role_of(user) in (R.SUPERVISOR, R.ADMIN, R.HEAD)


def departments_visible_to(user) -> list[str] | None:
    """Department codes whose queues and rows a user may see; None means all of them."""
    if reads_everything(user):
        return None
    department = department_of(user)
    return [department] if department else []


def access_deadlines(user) -> None:
    if not can_watch_deadlines(user):
        raise PermissionDenied(_("Only supervisors, administrators and department heads may watch deadlines."))


# --- reengineering reports -------------------------------------------------------------------


def can_read_reports(user) -> bool:
    """Reports and the KPI tree: figures over many cases, no case data. Supervisors judge them,
    designers decide the next version on them, administrators keep the KPI tree."""
    return role_of(user) in (R.SUPERVISOR, R.DESIGNER, R.ADMIN)


def access_reports(user) -> None:
    if not can_read_reports(user):
        raise PermissionDenied(
            _("Only supervisors, process designers and administrators may read the reengineering reports.")
        )


# --- intake and queues -----------------------------------------------------------------------


def can_take_in(user) -> bool:
    return role_of(user) in (R.FRONT_DESK, R.ADMIN)


def access_intake(user) -> None:
    if not can_take_in(user):
        raise PermissionDenied(_("Only the front desk takes in applications."))


def access_queue_by_department(user, code: str) -> Department:
    try:
        department = Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise Http404(_("There is no department %(code)s.") % {"code": code}) from None
    visible = departments_visible_to(user)
    if visible is not None and code not in visible:
        raise PermissionDenied(
            _("This is the queue of %(department)s, not of your department.") % {"department": name_of(department)}
        )
    return department


# --- tasks -----------------------------------------------------------------------------------


def _task_refusal(user, item: WorkItem) -> str | None:
    """Why ``user`` may not act on ``item``, or None if they may."""
    role = role_of(user)
    if role == R.ADMIN:
        return None
    if role not in WORKING_ROLES:
        return _("Your role may read but not act.")
    if department_of(user) != item.department_id:
        return _("This task belongs to %(department)s, not to your department.") % {
            "department": name_of(item.department)
        }
    return None


def can_act_on_task(user, item: WorkItem) -> bool:
    """May ``user`` claim, complete or release ``item``? (For showing the buttons.)"""
    return _task_refusal(user, item) is None


def can_see_task(user, item: WorkItem) -> bool:
    """Its department; who it is delegated to (委派); the head of a department it is offered to (转办)."""
    if reads_everything(user) or department_of(user) == item.department_id:
        return True
    if item.delegate_id and item.delegate_id == getattr(user, "pk", None):
        return True
    return bool(item.transfer_to_id) and role_of(user) == R.HEAD and department_of(user) == item.transfer_to_id


def can_decide_transfer(user, item: WorkItem) -> bool:
    role = role_of(user)
    return bool(item.transfer_to_id) and (
        role == R.ADMIN or (role == R.HEAD and department_of(user) == item.transfer_to_id)
    )


def access_transfer_decision(user, item: WorkItem) -> None:
    """Heads decide what is offered to their department. With nothing offered (decided a moment
    ago: a double click), the write path says so (409), not the gate."""
    offered_elsewhere = item.transfer_to_id and not can_decide_transfer(user, item)
    if role_of(user) not in (R.HEAD, R.ADMIN) or offered_elsewhere:
        raise PermissionDenied(_("Only the head of the department the task is offered to may accept or refuse it."))


def access_task_by_id(user, work_item_id, *, act: bool = False) -> WorkItem:
    """The work item, if ``user`` may see it (``act``: and claim, complete or release it)."""
    try:
        item = WorkItem.objects.select_related("case", "department", "assignee", "version").get(pk=work_item_id)
    except (WorkItem.DoesNotExist, ValueError):
        raise Http404(_("There is no task %(id)s.") % {"id": work_item_id}) from None
    if act:
        refusal = _task_refusal(user, item)
        if refusal:
            raise PermissionDenied(refusal)
    elif not can_see_task(user, item):
        raise PermissionDenied(_("This task belongs to %(department)s.") % {"department": name_of(item.department)})
    return item


def can_reassign(user, item: WorkItem) -> bool:
    role = role_of(user)
    return role == R.ADMIN or (role == R.HEAD and department_of(user) == item.department_id)


def access_reassign(user, item: WorkItem, assignee=None) -> None:
    """The head of the task's department may hand it to a working member of that department."""
    if not can_reassign(user, item):
        raise PermissionDenied(_("Only the department head may reassign."))
    if assignee is not None and not assignable(item.department_id).filter(pk=assignee.pk).exists():
        raise PermissionDenied(
            _("%(user)s does not work in %(department)s.") % {"user": assignee, "department": name_of(item.department)}
        )


def _may_urge(user, item: WorkItem) -> bool:
    role = role_of(user)
    return role in (R.SUPERVISOR, R.ADMIN) or (role == R.HEAD and department_of(user) == item.department_id)


def can_urge(user, item: WorkItem) -> bool:
    """催办: supervisors (电子监察) and administrators any open task, a department head their own
    department's. Urging changes no decision; it counts and notifies (sla.urging)."""
    return item.state == WorkItem.State.OPEN and _may_urge(user, item)


def access_urge(user, item: WorkItem) -> None:
    """Whether the task is still open is the write path's to say (409)."""
    if not _may_urge(user, item):
        raise PermissionDenied(_("Only supervisors, administrators and the department's head may urge a task."))


# --- messages from other systems ------------------------------------------------------------

# A message (the bank opened the account, the applicant rated the service) moves a case on behalf
# of another system: an administrator, or a user holding this permission (an API client user of
# that system, ``manage.py api_token bank --create --deliver-messages``). Supervisors never do.
DELIVER_MESSAGE_PERMISSION = "engine.deliver_message"


def can_deliver_messages(user) -> bool:
    role = role_of(user)
    if role == R.ADMIN:
        return True
    return role != R.SUPERVISOR and user.has_perm(DELIVER_MESSAGE_PERMISSION)


def access_message_delivery(user) -> None:
    if not can_deliver_messages(user):
        raise PermissionDenied(
            _("Only administrators and systems holding the '%(permission)s' permission may deliver messages.")
            % {"permission": DELIVER_MESSAGE_PERMISSION}
        )


# --- cases -----------------------------------------------------------------------------------


def can_see_case(user, case) -> bool:
    """Staff whose department has work in the case, and anyone it was copied to (抄送)."""
    role = role_of(user)
    if role in (R.SUPERVISOR, R.ADMIN, R.FRONT_DESK):
        return True
    if role in (R.CLERK, R.HEAD):
        return (
            WorkItem.objects.filter(case=case, department_id=department_of(user)).exists()
            or Copy.objects.filter(case=case, recipient=user).exists()
            or WorkItem.objects.filter(case=case, delegate=user, state=WorkItem.State.OPEN).exists()
        )
    return False


def cases_visible_to(user):
    """The cases a user may open, as one queryset (the list form of can_see_case)."""
    role = role_of(user)
    if role in (R.SUPERVISOR, R.ADMIN, R.FRONT_DESK):
        return Case.objects.all()
    if role in (R.CLERK, R.HEAD):
        return Case.objects.filter(
            Exists(WorkItem.objects.filter(case=OuterRef("pk"), department_id=department_of(user)))
            | Exists(Copy.objects.filter(case=OuterRef("pk"), recipient=user))
        )
    raise PermissionDenied(_("Your role does not see case data."))


def access_case_by_number(user, number: str):
    try:
        case = Case.objects.select_related("version__definition", "service_item").get(number=number)
    except Case.DoesNotExist:
        raise Http404(_("There is no case %(number)s.") % {"number": number}) from None
    if not can_see_case(user, case):
        raise PermissionDenied(_("Your department has no work in case %(number)s.") % {"number": number})
    return case


# --- moves on a whole case: 中止, 恢复, 终止 (engine.case_moves) ---------------------------------


def can_move_case(user, case) -> bool:
    """Suspend, resume or terminate a case: the head of a department with work in it (the
    department deciding waits for a court, a hearing, a test), the front desk (where the applicant
    withdraws the application), administrators. Clerks and supervisors do not."""
    role = role_of(user)
    if role in (R.ADMIN, R.FRONT_DESK):
        return True
    return role == R.HEAD and WorkItem.objects.filter(case=case, department_id=department_of(user)).exists()


def access_case_move(user, number: str):
    case = access_case_by_number(user, number)
    if not can_move_case(user, case):
        raise PermissionDenied(
            _(
                "Only the front desk, the head of a department with work in the case and administrators may suspend, "
                "resume or terminate it."
            )  # fmt: skip
        )
    return case


# --- 延期 (sla.extensions) ----------------------------------------------------------------------


def can_request_extension(user, case) -> bool:
    """A clerk or head of a department with open work in the case asks."""
    return (
        role_of(user) in (R.CLERK, R.HEAD)
        and WorkItem.objects.filter(case=case, department_id=department_of(user), state=WorkItem.State.OPEN).exists()
    )


def access_extension_request(user, case) -> str:
    """The asking department's code."""
    if not can_request_extension(user, case):
        raise PermissionDenied(
            _("Only a clerk or head of a department with open work in the case may ask for an extension.")
        )
    return department_of(user)


def can_decide_extension(user, extension) -> bool:
    """The head of the department the request names decides; administrators may too."""
    role = role_of(user)
    return role == R.ADMIN or (role == R.HEAD and department_of(user) == extension.approver_department)


def access_extension_decision(user, extension) -> None:
    if not can_decide_extension(user, extension):
        raise PermissionDenied(_("Only the head of the deciding department may decide this extension."))


# --- 抄送 -----------------------------------------------------------------------------------------


def can_copy(user, case) -> bool:
    """Whoever works the case or watches it copies it for information: staff who may see it."""
    return role_of(user) in (R.FRONT_DESK, R.CLERK, R.HEAD, R.SUPERVISOR, R.ADMIN) and can_see_case(user, case)


def access_copy(user, case) -> None:
    if not can_copy(user, case):
        raise PermissionDenied(_("Only staff who may see the case may copy it."))


def application_for(user, case) -> dict:
    """The application fields (entered once at the window) that the user's department needs."""
    application = dict(case.application or {})
    if reads_everything(user) or role_of(user) == R.FRONT_DESK or case.service_item is None:
        return application
    allowed = (case.service_item.department_fields or {}).get(department_of(user))
    if allowed is None:
        return application
    return {k: v for k, v in application.items() if k in allowed}


def sees_full_identity(user) -> bool:
    return role_of(user) == R.ADMIN or department_of(user) in FULL_IDENTITY_DEPARTMENTS


def mask_id_number(value: str) -> str:
    """110105194912311234 -> 110105********1234: the region and the last four, not the birth date."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def identity_for(user, case) -> str:
    return case.applicant_id_number if sees_full_identity(user) else mask_id_number(case.applicant_id_number)


# --- process design --------------------------------------------------------------------------

# The designer's workbench (designer/): drafts, validation, the modeler and deploying new
# versions. No case data is shown there. Administrators may do everything, as everywhere.


def can_design(user) -> bool:
    return role_of(user) in (R.DESIGNER, R.ADMIN)


def access_design(user) -> None:
    if not can_design(user):
        raise PermissionDenied(_("Only process designers may edit processes."))


def can_deploy(user) -> bool:
    """Deploying changes what every new case runs, migrating what running cases run: the process
    designer's job alone. Administrators see the workbench but do not change processes."""
    return role_of(user) == R.DESIGNER


def access_deploy(user) -> None:
    if not can_deploy(user):
        raise PermissionDenied(_("Only process designers may deploy a new version."))


def access_version_by_id(user, version_id):
    """A deployed version's file, for designing the next one."""
    access_design(user)
    try:
        return ProcessVersion.objects.select_related("definition").get(pk=version_id)
    except (ProcessVersion.DoesNotExist, ValueError):
        raise Http404(_("There is no version %(id)s.") % {"id": version_id}) from None


def access_process_by_key(user, key: str):
    """A process with its versions: the versions list, the diff between two versions."""
    access_design(user)
    try:
        return ProcessDefinition.objects.get(key=key)
    except ProcessDefinition.DoesNotExist:
        raise Http404(_("There is no process %(key)s.") % {"key": key}) from None


def access_migration(user) -> None:
    """Moving running cases to another version (and back) changes what they run: designers only,
    like deploying. The dry run is asked the same way: it lists cases."""
    if not can_deploy(user):
        raise PermissionDenied(_("Only process designers may migrate running cases."))
