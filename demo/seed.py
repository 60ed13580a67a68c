"""The embedded demo: reference processes, the business-registration service item, one user per role."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from licences.models import LicenceKind
from processes.actions import do_deploy_version
from processes.decisions import do_deploy_decision
from processes.models import ProcessDefinition, ServiceItem
from worklists.models import StaffMember
from worklists.people import DEPARTMENT_NAMES, do_create_staff

# Older first: the serial process becomes version 1, the parallel one version 2.
REFERENCE_FILES = ["business_registration_serial.bpmn", "business_registration.bpmn"]
# A second process of another kind: an inclusive gateway, a multi-instance step, a correction loop.
CONSTRUCTION_FILE = "construction_permit.bpmn"
# Who may take the notify-and-commit shortcut: a DMN table (dmn/), changed by deploying a new one.
ELIGIBILITY_FILE = "notify_commit_eligibility.dmn"
COMMITMENT_TEXT = (
    "本人承诺：所提交材料真实有效，住所符合使用要求，经营范围不含须经审批的许可类项目；"
    "如有不实，愿承担撤销许可、记入信用记录等法律责任。\n"
    "I commit that the materials are true, the premises may be used as registered, and the business scope holds no "
    "item that needs prior approval; if this proves untrue, the licence may be revoked and the breach recorded "
    "against the enterprise's credit."
)
DEMO_PASSWORD = "binglian-demo"
R = StaffMember.Role
DEMO_PEOPLE = [
    ("frontdesk", R.FRONT_DESK, "front_desk"),
    ("clerk_market", R.CLERK, "market"),
    ("head_market", R.HEAD, "market"),
    ("clerk_police", R.CLERK, "police"),
    ("clerk_tax", R.CLERK, "tax"),
    ("clerk_hrss", R.CLERK, "hrss"),
    ("clerk_fund", R.CLERK, "housing_fund"),
    ("supervisor", R.SUPERVISOR, None),
    ("designer", R.DESIGNER, None),
    ("admin", R.ADMIN, None),
]
# The construction permit's departments: two clerks and a head for housing (its three experts'
# reviews go to the housing queue at once), one clerk for each special review.
CONSTRUCTION_PEOPLE = [
    ("clerk_housing", R.CLERK, "housing"),
    ("clerk_housing_2", R.CLERK, "housing"),
    ("head_housing", R.HEAD, "housing"),
    ("clerk_fire", R.CLERK, "fire"),
    ("clerk_civil_defense", R.CLERK, "civil_defense"),
    ("clerk_planning", R.CLERK, "planning"),
]


# Need-to-know: the seal, insurance and housing-fund registrations need the address; tax also
# the capital and the scope; market regulation (not listed) sees everything.
DEPARTMENT_FIELDS = {
    "police": ["address"],
    "tax": ["registered_capital", "business_scope", "address"],
    "hrss": ["address"],
    "housing_fund": ["address"],
}


# The licences business registration issues, and the department that answers for each: it reviews
# a flagged licence of its kind and records the breach when one is revoked (licences.LicenceKind).
LICENCE_KINDS = [
    ("business_licence", "营业执照", "business licence", "market"),
    ("company_seal", "印章备案证明", "company seal record", "police"),
    ("invoice_eligibility", "发票领用通知", "invoice eligibility", "tax"),
]


def ensure_licence_kinds() -> None:
    """Configure the reference process's licence kinds (an administrator does this in the admin)."""
    for code, name, name_en, department in LICENCE_KINDS:
        LicenceKind.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "department": department}
        )


def deploy_reference_processes() -> list[str]:
    ensure_licence_kinds()  # the processes issue them: lint refuses a kind nobody configured
    lines = []
    for name in REFERENCE_FILES:
        path = settings.BASE_DIR / "bpmn" / name
        lines.append(f"bpmn/{name}: {do_deploy_version(path.read_bytes(), f'bpmn/{name}').describe()}")
    path = settings.BASE_DIR / "dmn" / ELIGIBILITY_FILE
    lines.append(
        f"dmn/{ELIGIBILITY_FILE}: {do_deploy_decision(path.read_bytes(), f'dmn/{ELIGIBILITY_FILE}').describe()}"
    )
    return lines


def ensure_service_items() -> ServiceItem:
    item, _ = ServiceItem.objects.get_or_create(
        code="business_registration",
        defaults={
            "name": "企业开办",
            "name_en": "Business registration",
            "process": ProcessDefinition.objects.get(key="business_registration"),
            "statutory_limit_working_days": 20,
            "promised_limit_working_days": 1,
            "notify_commit_allowed": True,
            "commitment_text": COMMITMENT_TEXT,
            "eligibility_decision": "notify_commit_eligibility",
            "post_check_window_working_days": 20,
            "materials": [
                "申请书 application form",
                "章程 articles of association",
                "住所证明 proof of address",
                "身份证明 identity documents",
            ],
            "department_fields": DEPARTMENT_FIELDS,
        },
    )
    return item


def ensure_demo_people(password: str | None = DEMO_PASSWORD) -> list[tuple[str, str]]:
    for username, role, department in DEMO_PEOPLE:
        do_create_staff(username, role=role, department=department, password=password, superuser=(role == R.ADMIN))
    return demo_people_described()


def demo_people_described() -> list[tuple[str, str]]:
    """(username, "department clerk, Market regulation") of each demo user: for the operator's
    console, in English like the rest of the commands' output and the log."""
    with translation.override("en"):
        return [
            (username, str(R(role).label) + (f", {DEPARTMENT_NAMES[department][1]}" if department else ""))
            for username, role, department in DEMO_PEOPLE + CONSTRUCTION_PEOPLE
        ]


def ensure_construction_permit(password: str | None = DEMO_PASSWORD) -> ServiceItem:
    """建筑工程施工许可: its process (bpmn/construction_permit.bpmn), service item and people."""
    path = settings.BASE_DIR / "bpmn" / CONSTRUCTION_FILE
    do_deploy_version(path.read_bytes(), f"bpmn/{CONSTRUCTION_FILE}")
    item, _ = ServiceItem.objects.get_or_create(
        code="construction_permit",
        defaults={
            "name": "建筑工程施工许可",
            "name_en": "Construction permit",
            "process": ProcessDefinition.objects.get(key="construction_permit"),
            "statutory_limit_working_days": 20,
            "promised_limit_working_days": 10,
            "extension_working_days": 15,  # 联合办理: joint handling extends by 15
            "extension_approver": "housing",  # the lead department decides for all
            "materials": [
                "申请表 application form",
                "施工图审查合格书 approved construction drawings",
                "施工合同 construction contract",
            ],
        },
    )
    for username, role, department in CONSTRUCTION_PEOPLE:
        do_create_staff(username, role=role, department=department, password=password)
    return item


def seed() -> list[str]:
    lines = deploy_reference_processes()
    ensure_service_items()
    ensure_demo_people()
    ensure_construction_permit()
    lines.append(f"bpmn/{CONSTRUCTION_FILE}: deployed, with its service item and people")
    return lines
