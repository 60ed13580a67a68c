"""Every URL of the project, times every role: the answer each gets, written out as a table.

The walker goes through config.urls recursively (included apps too). Each route must have an
entry in RULES (or fall under the admin or the API rule); a route without one fails the test with
"new route without a rule", so that whoever adds a page also says who may open it. Concrete
paths use real objects: a case with work in the tax department, a fresh case (front desk only),
an open tax task, materials of both cases, a department code.

Answers: 200, 400 (a form refused), 403 (the gate said no), 404, 405 (wrong method), "login"
(302 to the login page), or "302 <path>" (a redirect elsewhere, to the path's start).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver

from designer.actions import do_save_draft
from engine.actions import do_claim_task, do_complete_task
from worklists.intake import IntakeForm, do_take_in_application, new_intake_key
from worklists.models import Material, WorkItem

ROLES = ("anonymous", "frontdesk", "clerk_tax", "clerk_police", "head_market", "supervisor", "designer", "admin")
LOGIN = "login"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
APPLICATION = {
    "applicant_name": "王芳",
    "applicant_id_number": "11010519491231002X",
    "enterprise_name": "北京并联科技有限公司",
    "enterprise_uscc": "91350100M000100Y43",
    "registered_capital": "100",
    "business_scope": "软件开发",
    "address": "北京市朝阳区",
}


def by_role(anonymous, frontdesk, clerk_tax, clerk_police, head_market, supervisor, designer, admin) -> dict:
    return dict(
        zip(
            ROLES,
            (anonymous, frontdesk, clerk_tax, clerk_police, head_market, supervisor, designer, admin),
            strict=True,
        )
    )


def everyone(answer) -> dict:
    return dict.fromkeys(ROLES, answer)


def logged_in(answer, anonymous=LOGIN) -> dict:
    return {**everyone(answer), "anonymous": anonymous}


@dataclass(frozen=True)
class Check:
    method: str
    path: str  # with {case}, {fresh}, {task}, {material}, {fresh_material}, {department}
    expected: dict


# An action endpoint answers GET with 405 once logged in: it only takes POST.
POST_ONLY = logged_in(405)
DESIGNERS = by_role(LOGIN, 403, 403, 403, 403, 403, 200, 200)
DESIGNERS_400 = by_role(LOGIN, 403, 403, 403, 403, 403, 400, 400)
JSON_POST_ONLY = logged_in(405, anonymous=403)
JSON_400 = by_role(403, 403, 403, 403, 403, 403, 400, 400)
REPORT_READERS = by_role(LOGIN, 403, 403, 403, 403, 200, 200, 200)

RULES: dict[str, list[Check]] = {
    # The start page sends each role where its work is.
    "": [
        Check(
            "GET",
            "/",
            by_role(LOGIN, "302 /intake/", "302 /work/", "302 /work/", "302 /work/", 200, "302 /designer/", 200),
        )
    ],
    "cases/": [Check("GET", "/cases/", by_role(LOGIN, 200, 200, 200, 200, 200, 403, 200))],
    "cases/<str:number>/": [
        # tax, police and market have work in {case}; only the front desk has in {fresh}
        Check("GET", "/cases/{case}/", by_role(LOGIN, 200, 200, 200, 200, 200, 403, 200)),
        Check("GET", "/cases/{fresh}/", by_role(LOGIN, 200, 403, 403, 403, 200, 403, 200)),
        Check("GET", "/cases/BL-1999-000001/", by_role(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ],
    # 中止 / 恢复 / 终止 with an empty form: the front desk, the market head (its department has work
    # in {case}) and administrators pass the gate and are told the reason is missing (400), or,
    # resuming a case that is not suspended, sent back to the case with the message.
    "cases/<str:number>/suspend/": [
        Check("GET", "/cases/{case}/suspend/", POST_ONLY),
        Check("POST", "/cases/{case}/suspend/", by_role(LOGIN, 400, 403, 403, 400, 403, 403, 400)),
    ],
    "cases/<str:number>/resume/": [
        Check("GET", "/cases/{case}/resume/", POST_ONLY),
        Check(
            "POST",
            "/cases/{case}/resume/",
            by_role(LOGIN, "302 /cases/", 403, 403, "302 /cases/", 403, 403, "302 /cases/"),
        ),
    ],
    "cases/<str:number>/terminate/": [
        Check("GET", "/cases/{case}/terminate/", POST_ONLY),
        Check("POST", "/cases/{fresh}/terminate/", by_role(LOGIN, 400, 403, 403, 403, 403, 403, 400)),
    ],
    # 延期: asked by a clerk or head of a department with open work ({case}: tax and police have),
    # an empty reason is refused (400); deciding needs a known extension (none here: 404).
    "cases/<str:number>/extensions/": [
        Check("GET", "/cases/{case}/extensions/", POST_ONLY),
        Check("POST", "/cases/{case}/extensions/", by_role(LOGIN, 403, 400, 400, 403, 403, 403, 403)),
    ],
    "extensions/<int:pk>/decide/": [
        Check("GET", "/extensions/999999/decide/", POST_ONLY),
        Check("POST", "/extensions/999999/decide/", by_role(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ],
    # 抄送: staff who may see the case copy it; naming nobody is refused (400). Everyone reads
    # their own copies.
    "cases/<str:number>/copy/": [
        Check("GET", "/cases/{case}/copy/", POST_ONLY),
        Check("POST", "/cases/{case}/copy/", by_role(LOGIN, 400, 400, 400, 400, 400, 403, 400)),
    ],
    "copies/": [Check("GET", "/copies/", logged_in(200))],
    "copies/read/": [
        Check("GET", "/copies/read/", POST_ONLY),
        Check("POST", "/copies/read/", logged_in("302 /copies/")),
    ],
    "intake/": [
        Check("GET", "/intake/", by_role(LOGIN, 200, 403, 403, 403, 403, 403, 200)),
        Check("POST", "/intake/", by_role(LOGIN, 400, 403, 403, 403, 403, 403, 400)),  # an empty form: refused
    ],
    "work/": [
        Check("GET", "/work/", by_role(LOGIN, 200, 200, 200, 200, 200, 403, 200)),
        Check("GET", "/work/?department={department}", by_role(LOGIN, 403, 200, 403, 403, 200, 403, 200)),
        Check("GET", "/work/?department=nowhere", by_role(LOGIN, 404, 404, 404, 404, 404, 403, 404)),
        Check(
            "GET", "/work/?tab=archive", by_role(LOGIN, 200, 200, 200, 200, 404, 403, 404)
        ),  # readers do not work tasks
    ],
    "tasks/<int:pk>/": [
        Check("GET", "/tasks/{task}/", by_role(LOGIN, 403, 200, 403, 403, 200, 403, 200)),
        Check("GET", "/tasks/999999/", by_role(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ],
    # POSTs without a valid form: the gate answers first; who passes it is sent back to the task
    # with a message (claimed: 302; not claimed, so nothing to release or complete: 302 too).
    "tasks/<int:pk>/claim/": [
        Check("GET", "/tasks/{task}/claim/", POST_ONLY),
        Check("POST", "/tasks/{task}/claim/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/release/": [
        Check("GET", "/tasks/{task}/release/", POST_ONLY),
        Check("POST", "/tasks/{task}/release/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/reassign/": [
        Check("GET", "/tasks/{task}/reassign/", POST_ONLY),
        # only a head of the task's own department (or an administrator) reassigns; no clerk chosen: 400
        Check("POST", "/tasks/{task}/reassign/", by_role(LOGIN, 403, 403, 403, 403, 403, 403, 400)),
    ],
    "tasks/<int:pk>/complete/": [
        Check("GET", "/tasks/{task}/complete/", POST_ONLY),
        Check("POST", "/tasks/{task}/complete/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    # 退回 with no step chosen: the form is refused (400); 撤回 of a task still open: sent back to it.
    "tasks/<int:pk>/send-back/": [
        Check("GET", "/tasks/{task}/send-back/", POST_ONLY),
        Check("POST", "/tasks/{task}/send-back/", by_role(LOGIN, 403, 400, 403, 403, 403, 403, 400)),
    ],
    "tasks/<int:pk>/withdraw/": [
        Check("GET", "/tasks/{task}/withdraw/", POST_ONLY),
        Check("POST", "/tasks/{task}/withdraw/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    # 催办: supervisors, administrators and the task's own department head ({task} is the tax
    # department's; the market head may not): the urge is counted and the page shown again.
    "tasks/<int:pk>/urge/": [
        Check("GET", "/tasks/{task}/urge/", POST_ONLY),
        Check("POST", "/tasks/{task}/urge/", by_role(LOGIN, 403, 403, 403, 403, "302 /tasks/", 403, "302 /tasks/")),
    ],
    # 不予受理 with no reason: the task's department is told so on the page (400).
    "tasks/<int:pk>/refuse/": [
        Check("GET", "/tasks/{task}/refuse/", POST_ONLY),
        Check("POST", "/tasks/{task}/refuse/", by_role(LOGIN, 403, 400, 403, 403, 403, 403, 400)),
    ],
    # 转办 / 委派: the task's department passes the gate and is told what is wrong (no one named: the
    # page again with the message); deciding a transfer needs one offered to your department (403).
    "tasks/<int:pk>/transfer/": [
        Check("GET", "/tasks/{task}/transfer/", POST_ONLY),
        Check("POST", "/tasks/{task}/transfer/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/transfer/decide/": [
        Check("GET", "/tasks/{task}/transfer/decide/", POST_ONLY),
        Check("POST", "/tasks/{task}/transfer/decide/", by_role(LOGIN, 403, 403, 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/delegate/": [
        Check("GET", "/tasks/{task}/delegate/", POST_ONLY),
        Check("POST", "/tasks/{task}/delegate/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/delegate/return/": [
        Check("GET", "/tasks/{task}/delegate/return/", POST_ONLY),
        Check(
            "POST",
            "/tasks/{task}/delegate/return/",
            by_role(LOGIN, 403, "302 /tasks/", 403, 403, "302 /tasks/", 403, "302 /tasks/"),
        ),
    ],
    # 加签: asking needs a question (400 for the department, refused before anything); giving an
    # opinion on a task that asks none, or withdrawing one, is the write path's refusal (302 back).
    "tasks/<int:pk>/opinions/": [
        Check("GET", "/tasks/{task}/opinions/", POST_ONLY),
        Check("POST", "/tasks/{task}/opinions/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/opinion/": [
        Check("GET", "/tasks/{task}/opinion/", POST_ONLY),
        Check("POST", "/tasks/{task}/opinion/", by_role(LOGIN, 403, "302 /tasks/", 403, 403, 403, 403, "302 /tasks/")),
    ],
    "tasks/<int:pk>/opinion/withdraw/": [
        Check("GET", "/tasks/{task}/opinion/withdraw/", POST_ONLY),
        Check(
            "POST",
            "/tasks/{task}/opinion/withdraw/",
            by_role(LOGIN, 403, "302 /tasks/", 403, 403, "302 /tasks/", 403, "302 /tasks/"),
        ),
    ],
    "materials/<uuid:pk>/": [
        Check("GET", "/materials/{material}/", by_role(LOGIN, 200, 200, 200, 200, 200, 403, 200)),
        Check("GET", "/materials/{fresh_material}/", by_role(LOGIN, 200, 403, 403, 403, 200, 403, 200)),
        Check("GET", f"/materials/{uuid.UUID(int=1)}/", by_role(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    ],
    "i18n/setlang/": [
        Check("GET", "/i18n/setlang/?next=/work/", everyone("302 /work/")),
        Check("POST", "/i18n/setlang/", everyone("302 /")),
    ],
    "sla/": [Check("GET", "/sla/", by_role(LOGIN, 403, 403, 403, 200, 200, 403, 200))],
    "sla/red-list.csv": [Check("GET", "/sla/red-list.csv", by_role(LOGIN, 403, 403, 403, 200, 200, 403, 200))],
    "sla/counts.csv": [Check("GET", "/sla/counts.csv", by_role(LOGIN, 403, 403, 403, 200, 200, 403, 200))],
    # Reengineering reports and the KPI tree: figures over many cases, for supervisors, designers and administrators.
    "reports/": [Check("GET", "/reports/", REPORT_READERS)],
    "reports/kpi/": [
        Check("GET", "/reports/kpi/", REPORT_READERS),
        Check("GET", "/reports/kpi/?process=business_registration&version=2", REPORT_READERS),
        Check("GET", "/reports/kpi/?process=nowhere", by_role(LOGIN, 403, 403, 403, 403, 404, 404, 404)),
    ],
    "reports/<slug:key>/": [
        Check("GET", "/reports/business_registration/", REPORT_READERS),
        Check("GET", "/reports/business_registration/?compare=1,9", by_role(LOGIN, 403, 403, 403, 403, 404, 404, 404)),
        Check("GET", "/reports/nowhere/", by_role(LOGIN, 403, 403, 403, 403, 404, 404, 404)),
    ],
    # Everyone reads their own notifications (escalation notices) and marks them read.
    "sla/notifications/": [Check("GET", "/sla/notifications/", logged_in(200))],
    "sla/notifications/read/": [
        Check("GET", "/sla/notifications/read/", POST_ONLY),
        Check("POST", "/sla/notifications/read/", logged_in("302 /sla/notifications/")),
    ],
    # The OpenAPI schema is public (the API's own tests say so); the API's data is not (below).
    "api/schema/": [Check("GET", "/api/schema/", everyone(200)), Check("POST", "/api/schema/", everyone(405))],
    # E-licence verification is public (licences/): no login, the same answer for everyone.
    "verify/": [
        Check("GET", "/verify/", everyone(200)),
        Check("POST", "/verify/", everyone(200)),
    ],  # a refused paste says so
    "verify/<licence_number:number>/": [Check("GET", "/verify/BL-LIC-1999-000001/", everyone(404))],
    "api/verify/": [Check("GET", "/api/verify/", everyone(405)), Check("POST", "/api/verify/", everyone(400))],
    "api/verify/<licence_number:number>/": [Check("GET", "/api/verify/BL-LIC-1999-000001/", everyone(404))],
    # Enterprises' credit records are public by credit code; a malformed code is refused.
    "credit/<licence_number:code>/": [
        Check("GET", "/credit/91350100M000100Y43/", everyone(200)),
        Check("GET", "/credit/91350100M000100Y44/", everyone(400)),
    ],
    "api/credit/<licence_number:code>/": [
        Check("GET", "/api/credit/91350100M000100Y43/", everyone(200)),
        Check("POST", "/api/credit/91350100M000100Y43/", everyone(405)),
    ],
    # The notify-and-commit figures are figures over many cases: the report readers'.
    "commitment/": [Check("GET", "/commitment/", REPORT_READERS)],
    # Downloads follow the case's gate (tests/test_licences__verify_page.py has a real licence).
    "licences/<licence_number:number>.<str:fmt>": [
        Check("GET", "/licences/BL-LIC-1999-000001.pdf", logged_in(404)),
    ],
    # The designer's workbench: designers (and administrators) only; no one else sees a process's
    # drafts, let alone deploys. The modeler's JSON endpoints answer anonymous callers 403 in JSON.
    "designer/": [Check("GET", "/designer/", DESIGNERS)],
    "designer/modeler/": [Check("GET", "/designer/modeler/", DESIGNERS)],
    "designer/modeler/versions/<int:pk>/": [
        Check("GET", "/designer/modeler/versions/{version}/", DESIGNERS),
        Check("GET", "/designer/modeler/versions/999999/", by_role(LOGIN, 403, 403, 403, 403, 403, 404, 404)),
    ],
    "designer/modeler/drafts/<int:pk>/": [
        Check("GET", "/designer/modeler/drafts/{draft}/", DESIGNERS),
        Check("GET", "/designer/modeler/drafts/999999/", by_role(LOGIN, 403, 403, 403, 403, 403, 404, 404)),
    ],
    "designer/import/": [
        Check("GET", "/designer/import/", POST_ONLY),
        Check("POST", "/designer/import/", DESIGNERS_400),
    ],  # no file: 400
    "designer/validate/": [
        Check("GET", "/designer/validate/", JSON_POST_ONLY),
        Check("POST", "/designer/validate/", JSON_400),
    ],
    "designer/drafts/": [
        Check("GET", "/designer/drafts/", JSON_POST_ONLY),
        Check("POST", "/designer/drafts/", JSON_400),
    ],
    "designer/drafts/<int:pk>/": [
        Check("GET", "/designer/drafts/{draft}/", JSON_POST_ONLY),
        Check("POST", "/designer/drafts/{draft}/", JSON_400),  # no XML: 400
    ],
    # Deploying and migrating are the designer's alone: administrators see the workbench, change nothing.
    "designer/deploy/": [
        Check("GET", "/designer/deploy/", JSON_POST_ONLY),
        Check("POST", "/designer/deploy/", by_role(403, 403, 403, 403, 403, 403, 400, 403)),
    ],
    # Versions and the diff: designers and administrators; migrating: designers only. An empty
    # migration form moves no case and goes back to the versions; moving back needs a known batch.
    "designer/processes/<slug:key>/versions/": [
        Check("GET", "/designer/processes/business_registration/versions/", DESIGNERS),
        Check("GET", "/designer/processes/nowhere/versions/", by_role(LOGIN, 403, 403, 403, 403, 403, 404, 404)),
    ],
    "designer/processes/<slug:key>/diff/": [
        Check("GET", "/designer/processes/business_registration/diff/", DESIGNERS),
        Check(
            "GET",
            "/designer/processes/business_registration/diff/?from=1&to=9",
            by_role(LOGIN, 403, 403, 403, 403, 403, 404, 404),
        ),
    ],
    "designer/processes/<slug:key>/migrate/": [
        Check(
            "GET",
            "/designer/processes/business_registration/migrate/?from=2&to=1",
            by_role(LOGIN, 403, 403, 403, 403, 403, 200, 403),
        ),
        Check(
            "POST",
            "/designer/processes/business_registration/migrate/",
            by_role(LOGIN, 403, 403, 403, 403, 403, "302 /designer/processes/", 403),
        ),
    ],
    "designer/processes/<slug:key>/migrate/back/": [
        Check("GET", "/designer/processes/business_registration/migrate/back/", POST_ONLY),
        Check(
            "POST",
            "/designer/processes/business_registration/migrate/back/",
            by_role(LOGIN, 403, 403, 403, 403, 403, 404, 403),
        ),
    ],
    "login/": [
        Check("GET", "/login/", everyone(200)),
        Check("POST", "/login/", everyone(200)),
    ],  # no credentials: the form again
    "logout/": [Check("GET", "/logout/", everyone(405)), Check("POST", "/logout/", everyone(LOGIN))],
}

# The administration: one rule, staff only. Non-staff are sent to the admin's login; the designer
# is staff without model permissions (the index, nothing else); work items are never added here.
ADMIN_LOGIN = "302 /admin/login/"
NOT_STAFF = by_role(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None, None)
ADMIN_CHECKS = [
    Check("GET", "/admin/", {**NOT_STAFF, "designer": 200, "admin": 200}),
    Check("GET", "/admin/worklists/workitem/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/workitem/{task}/change/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/workitem/add/", {**NOT_STAFF, "designer": 403, "admin": 403}),
    Check("GET", "/admin/worklists/material/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/material/{material}/change/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/staffmember/add/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/staffmember/", {**NOT_STAFF, "designer": 403, "admin": 200}),
    Check("GET", "/admin/worklists/department/", {**NOT_STAFF, "designer": 403, "admin": 200}),
]
# The REST API (api/, another package's own tests go further): without credentials 401 or 403,
# for every route; logged-in roles get an answer, never a server error.
API_ANONYMOUS = ("401", "403")
API_CATCH_ALL = Check("GET", "/api/no-such-endpoint/", everyone(404))


def walk(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the project, as the concatenated pattern strings."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes += walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            routes.append(prefix + str(pattern.pattern))
    return routes


def rule_for(route: str):
    if route in RULES:
        return RULES[route]
    if route.startswith("admin/"):
        return "admin"
    if route.startswith("api/"):
        return "api"
    return None


def test_every_route_has_a_rule():
    routes = walk()
    assert "tasks/<int:pk>/complete/" in routes and "sla/" in routes and any(r.startswith("admin/") for r in routes)
    missing = [route for route in routes if rule_for(route) is None]
    assert not missing, f"new route without a rule (add it to RULES in {__name__}): {missing}"
    stale = [route for route in RULES if route not in routes]
    assert not stale, f"rules for routes that no longer exist: {stale}"


# The world the paths point into ---------------------------------------------------------------


@pytest.fixture
def world(reference, settings, tmp_path, frontdesk, clerk_market):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    cache.clear()
    item = reference["item"]

    def take_in():
        files = {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(item.materials)}
        form = IntakeForm({**APPLICATION, "intake_key": str(new_intake_key())}, files, service_item=item)
        assert form.is_valid(), form.errors
        return do_take_in_application(form, acting_user=frontdesk)[0]

    case, fresh = take_in(), take_in()
    for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
        work = WorkItem.objects.get(case=case, task_spec=spec)
        do_claim_task(work.pk, acting_user=user)
        do_complete_task(work.pk, acting_user=user, outcome=outcome)
    return {
        "case": case.number,
        "fresh": fresh.number,
        "task": WorkItem.objects.get(case=case, task_spec="tax_review", state="open").pk,
        "material": Material.objects.filter(case=case).first().pk,
        "fresh_material": Material.objects.filter(case=fresh).first().pk,
        "department": "tax",
        "version": reference["parallel"].pk,
        "draft": do_save_draft(reference["parallel"].bpmn_xml, acting_user=None, based_on=reference["parallel"]).pk,
    }


def answer_of(response) -> str:
    if response.status_code in (301, 302):
        url = response.url
        if url.startswith("/login/"):
            return LOGIN
        return url
    return str(response.status_code)


def matches(expected, got: str) -> bool:
    if isinstance(expected, int):
        return got == str(expected)
    if expected == LOGIN:
        return got == LOGIN
    if expected.startswith("302 "):
        return got.startswith(expected[4:])
    return got == expected


def ask(client, method: str, path: str):
    """One request, rolled back after: a POST that passes the gate changes nothing for the next."""
    with transaction.atomic():
        response = client.post(path, {}) if method == "POST" else client.get(path)
        transaction.set_rollback(True)
    return response


def users():
    User = get_user_model()
    return {role: (None if role == "anonymous" else User.objects.get(username=role)) for role in ROLES}


def run(client, checks, values, people):
    wrong = []
    for role, user in people.items():
        for check in checks:
            client.logout()  # each request as a fresh visit: a log-out check ends no one else's session
            if user is not None:
                client.force_login(user)
            expected = check.expected[role]
            path = check.path.format(**values)
            got = answer_of(ask(client, check.method, path))
            if not matches(expected, got):
                wrong.append(f"{check.method} {path} as {role}: expected {expected}, got {got}")
    return wrong


def test_every_page_answers_every_role_as_the_table_says(client, world):
    people = users()
    checks = [check for route in walk() if isinstance(rule_for(route), list) for check in rule_for(route)]
    assert len(checks) >= 30
    wrong = run(client, checks, world, people)
    assert not wrong, "\n".join(wrong)


def test_the_administration_is_for_staff_only(client, world):
    wrong = run(client, ADMIN_CHECKS, world, users())
    assert not wrong, "\n".join(wrong)


def api_paths(values) -> list[tuple[str, str]]:
    """A concrete path for every API route, with the methods it is asked with."""
    converters = {
        r"<case_number:number>": values["case"],
        r"<int:pk>": str(values["task"]),
        r"<slug:code>": values["department"],
        r"<slug:key>": "business_registration",
    }
    paths = []
    for route in walk():
        if not route.startswith("api/") or "^" in route or route in RULES:  # the catch-all is a 404 for everyone
            continue
        path = "/" + route
        for converter, value in converters.items():
            path = path.replace(converter, value)
        assert not re.search(r"<[^>]+>", path), f"no value for a converter in {route}: add one in api_paths"
        paths += [("GET", path), ("POST", path)]
    return paths


def test_the_api_refuses_anonymous_callers_and_never_fails_a_logged_in_one(client, world):
    paths = api_paths(world)
    wrong = []
    for role, user in users().items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for method, path in paths:
            got = answer_of(ask(client, method, path))
            if role == "anonymous" and got not in API_ANONYMOUS:
                wrong.append(f"{method} {path} as anonymous: expected 401/403, got {got}")
            elif got.isdigit() and int(got) >= 500:
                wrong.append(f"{method} {path} as {role}: server error {got}")
    assert not wrong, "\n".join(wrong)
    assert not run(client, [API_CATCH_ALL], world, users())
