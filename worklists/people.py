"""Creating staff: the demo, the driver and the tests build people through here."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Department, StaffMember

DEPARTMENT_NAMES = {  # data: the departments as they are named
    "front_desk": ("综合窗口", "Front desk"),
    "market": ("市场监管局", "Market regulation"),
    "police": ("公安局", "Public security"),
    "tax": ("税务局", "Taxation"),
    "hrss": ("人社局", "Human resources and social security"),
    "housing_fund": ("公积金中心", "Housing fund"),
    "bank": ("银行", "Bank"),
    "housing": ("住房城乡建设局", "Housing and construction"),
    "fire": ("消防救援支队", "Fire safety"),
    "civil_defense": ("人防办", "Civil air defence"),
    "planning": ("自然资源和规划局", "Natural resources and planning"),
}


def ensure_department(code: str) -> Department:
    zh, en = DEPARTMENT_NAMES.get(code, (code, code))
    department, created = Department.objects.get_or_create(code=code, defaults={"name": zh, "name_en": en})
    if not created and department.name == department.code and code in DEPARTMENT_NAMES:
        department.name, department.name_en = zh, en  # a lane created it before we knew its name
        department.save(update_fields=["name", "name_en"])
    return department


@transaction.atomic
def do_create_staff(
    username: str,
    *,
    role: str,
    department: str | None = None,
    password: str | None = None,
    superuser: bool = False,
    first_name: str = "",
):
    """Create or update a staff user; returns the user."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
    user.is_staff = superuser or role in (StaffMember.Role.ADMIN, StaffMember.Role.DESIGNER)
    user.is_superuser = superuser
    if password:
        user.set_password(password)
    user.save()
    StaffMember.objects.update_or_create(
        user=user, defaults={"role": role, "department": ensure_department(department) if department else None}
    )
    return user


# Who works a department's tasks (and may be given one): its front-desk clerks, clerks and head.
WORKING_ROLES = (StaffMember.Role.FRONT_DESK, StaffMember.Role.CLERK, StaffMember.Role.HEAD)


def assignable(department_code: str):
    """The people a task of the department may be given: its working staff whose accounts are
    active. The one answer for the reassign form, the API and the write path."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__department_id=department_code, staff__role__in=WORKING_ROLES)
        .order_by("username")
    )


def clerk_for(department_code: str):
    """Any clerk of a department (front-desk clerks for the front desk); the driver acts as them."""
    roles = (
        [StaffMember.Role.FRONT_DESK]
        if department_code == "front_desk"
        else [StaffMember.Role.CLERK, StaffMember.Role.HEAD]
    )
    member = (
        StaffMember.objects.filter(department_id=department_code, role__in=roles)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return member.user if member else None
