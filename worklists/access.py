"""The one access gate: every page and API route asks here who may see or do what.

Supervisors (电子监察) read everything and change nothing; department staff see their own
department; administrators see everything. Functions named ``access_<noun>`` raise
PermissionDenied; ``can_<verb>`` answer yes or no.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import StaffMember

R = StaffMember.Role


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


def can_watch_deadlines(user) -> bool:
    """The supervisor dashboard: supervisors, administrators, and department heads (their own
    department's rows only; see departments_visible_to)."""
    return role_of(user) in (R.SUPERVISOR, R.ADMIN, R.HEAD)


def departments_visible_to(user) -> list[str] | None:
    """Department codes a user may see; None means all of them."""
    role = role_of(user)
    if role in (R.SUPERVISOR, R.ADMIN):
        return None
    member = staff_of(user)
    return [member.department_id] if member and member.department_id else []


def access_deadlines(user) -> None:
    if not can_watch_deadlines(user):
        raise PermissionDenied("只有电子监察、管理员和部门负责人可以查看时限监控。 Only supervisors, administrators and department heads may watch deadlines.")
