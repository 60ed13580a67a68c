"""Deploying files as process versions: the same bytes are a no-op, changed bytes the next
version, a refused file stores nothing; files as Camunda Modeler and SpiffArena save them lint
clean, deploy with their dialect, and run a case to its end with every task in its department.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from engine.models import Case, Event
from engine.state import load_workflow
from processes.actions import do_deploy_version
from processes.models import ProcessDefinition, ProcessVersion
from tests.conftest import decision
from worklists.models import Department, WorkItem

ROOT = Path(__file__).resolve().parent.parent
DIALECTS = Path(__file__).parent / "fixtures" / "dialects"
CAMUNDA = DIALECTS / "camunda_modeler.bpmn"
SPIFF = DIALECTS / "spiffarena.bpmn"


def manage(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def deploy(path: Path) -> tuple[str, str]:
    """`manage.py deploy FILE` in this test's database: (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("deploy", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def state_of_the_versions():
    return list(ProcessVersion.objects.order_by("pk").values_list("definition__key", "number", "sha256"))


# --- versions ------------------------------------------------------------------------------


def test_deploying_the_same_file_twice_is_a_no_op_that_says_so(db):
    first, _ = deploy(CAMUNDA)
    second, _ = deploy(CAMUNDA)

    assert "已部署 change_registration 第 1 版" in first
    assert "未变：change_registration 第 1 版已是这个文件" in second
    assert ProcessVersion.objects.count() == 1
    assert Event.objects.filter(kind="version_deployed").count() == 1


def test_a_changed_file_becomes_the_next_version_of_the_same_key(db, tmp_path):
    deploy(CAMUNDA)
    changed = tmp_path / "camunda_modeler.bpmn"
    changed.write_text(CAMUNDA.read_text(encoding="utf-8").replace('value="3"', 'value="2"'), encoding="utf-8")

    out, _ = deploy(changed)

    assert "已部署 change_registration 第 2 版" in out
    definition = ProcessDefinition.objects.get(key="change_registration")
    assert [v.number for v in definition.versions.order_by("number")] == [1, 2]
    v1, v2 = definition.versions.order_by("number")
    assert v1.user_task("market_review")["promised_limit_working_days"] == 3
    assert v2.user_task("market_review")["promised_limit_working_days"] == 2
    assert definition.latest_version() == v2


def test_a_refused_deploy_stores_nothing_and_keeps_the_latest_version(db, tmp_path):
    deploy(CAMUNDA)
    before = state_of_the_versions(), Event.objects.count(), Department.objects.count()
    broken = tmp_path / "camunda_modeler.bpmn"
    broken.write_text(
        CAMUNDA.read_text(encoding="utf-8").replace(' camunda:candidateGroups="tax"', ""), encoding="utf-8"
    )

    with pytest.raises(CommandError, match="1 个文件中有 1 个未部署，其内容均未保存"):
        call_command("deploy", str(broken), stdout=io.StringIO(), stderr=(err := io.StringIO()))

    assert f"{broken}:" in err.getvalue()
    assert "用户任务「税务信息变更」（tax_review）不属于任何部门" in err.getvalue()
    assert (state_of_the_versions(), Event.objects.count(), Department.objects.count()) == before
    assert ProcessDefinition.objects.get(key="change_registration").latest_version().number == 1


def test_the_version_keeps_the_sha256_of_its_bytes_and_the_bytes_themselves(db):
    data = SPIFF.read_bytes()

    result = do_deploy_version(data, "spiffarena.bpmn")

    version = ProcessVersion.objects.get(pk=result.version.pk)
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.bpmn_xml.encode("utf-8") == data
    assert version.sha256[:12] in result.describe()
    with translation.override("en"):
        assert (
            result.describe() == f"deployed {version.definition.key} version {version.number} ({version.sha256[:12]})"
        )


def test_the_deploy_command_end_to_end_with_exit_codes(tmp_path):
    """As an operator runs it, against a database of its own: no-op, then refusal with exit 1."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}"}
    assert manage("migrate", "-v0", env=env).returncode == 0
    broken = tmp_path / "unreachable.bpmn"
    broken.write_text(
        SPIFF.read_text(encoding="utf-8").replace('targetRef="hrss_review"', 'targetRef="Event_0enrolled"'),
        encoding="utf-8",
    )

    first = manage("deploy", SPIFF.relative_to(ROOT), env=env)
    again = manage("deploy", SPIFF.relative_to(ROOT), env=env)
    refused = manage("deploy", broken, env=env)
    listed = manage(
        "shell",
        "-c",
        "from processes.models import ProcessVersion as V; print(list(V.objects.values_list('number', flat=True)))",
        env=env,
    )

    assert first.returncode == 0, first.stderr
    assert "已部署 social_insurance_enrolment 第 1 版" in first.stdout
    assert again.returncode == 0
    assert "未变：social_insurance_enrolment 第 1 版已是这个文件" in again.stdout
    assert refused.returncode == 1
    assert f"{broken}:" in refused.stderr
    assert "从开始事件无法到达用户任务" in refused.stderr and "（hrss_review）" in refused.stderr
    assert "其内容均未保存" in refused.stderr
    assert listed.stdout.strip().splitlines()[-1] == "[1]"


# --- the two modelers' files ---------------------------------------------------------------


@pytest.mark.parametrize("path", [CAMUNDA, SPIFF], ids=["camunda_modeler", "spiffarena"])
def test_a_modeler_file_lints_clean(path):
    name = str(path.relative_to(ROOT))

    result = manage("lint", name)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{name}: 校验通过"
    assert result.stderr == ""


@pytest.mark.parametrize(
    "path, key, dialect, departments",
    [
        (CAMUNDA, "change_registration", "camunda", {"front_desk", "market", "tax"}),
        (SPIFF, "social_insurance_enrolment", "spiff", {"front_desk", "hrss"}),
    ],
    ids=["camunda_modeler", "spiffarena"],
)
def test_a_modeler_file_deploys_with_its_dialect_and_departments(db, path, key, dialect, departments):
    result = do_deploy_version(path.read_bytes(), path.name)

    version = result.version
    assert result.created
    assert version.definition.key == key
    assert version.dialect == dialect
    assert set(version.elements["departments"]) == departments
    assert departments <= set(Department.objects.values_list("code", flat=True))


def test_camunda_modeler_extensions_are_read_into_the_version(db):
    version = do_deploy_version(CAMUNDA.read_bytes(), CAMUNDA.name).version

    review = version.user_task("market_review")
    assert review["department"] == "market"
    assert review["due_date"] == "${dateTime().plusDays(5).toDate()}"
    assert [(f["id"], f["type"], f["required"]) for f in review["form_fields"]] == [
        ("approved", "boolean", False),
        ("opinion", "string", True),
    ]
    assert review["statutory_limit_working_days"] == 15
    assert version.user_task("intake")["form_key"] == "embedded:app:forms/intake.html"
    assert version.user_task("tax_review")["outcomes"] == ["updated", "not_needed"]


def test_spiffarena_extensions_are_read_into_the_version(db):
    version = do_deploy_version(SPIFF.read_bytes(), SPIFF.name).version

    intake, review = version.user_task("intake"), version.user_task("hrss_review")
    assert (intake["department"], intake["lane"]) == ("front_desk", "lane_front_desk")
    assert (review["department"], review["lane"]) == ("hrss", "Lane_0hrss7k")  # the lane's department property
    assert review["outcomes"] == ["approve", "reject"]
    assert review["promised_limit_working_days"] == 3
    assert intake["properties"]["formJsonSchemaFilename"] == "intake-schema.json"


def run_to_the_end(case: Case, answers: dict) -> list[WorkItem]:
    """Complete every open task of a case, as its department would, until none is left.

    ``answers`` maps a task id to (outcome, form data); a task not listed is completed with
    the first outcome it offers, or none. Returns the work items in the order they opened.
    """
    for _ in range(50):
        items = list(WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).order_by("pk"))
        if not items:
            break
        for item in items:
            offered = case.version.user_task(item.task_spec).get("outcomes") or [""]
            outcome, data = answers.get(item.task_spec, (offered[0], {}))
            assert outcome in offered
            do_complete_task(item.pk, outcome=outcome, data=data)
    else:
        pytest.fail(f"case {case.number} did not finish in 50 rounds")
    return list(WorkItem.objects.filter(case=case).order_by("pk"))


@pytest.mark.parametrize("approved, end", [(True, "Event_0issued"), (False, "Event_1rejected")])
def test_a_case_on_the_camunda_modeler_file_runs_to_its_end(db, approved, end):
    version = do_deploy_version(CAMUNDA.read_bytes(), CAMUNDA.name).version
    case = do_start_case(version=version, applicant_name="王芳", enterprise_name="示例科技有限公司")

    items = run_to_the_end(case, {"market_review": ("", {"approved": approved, "opinion": "材料齐全"})})

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.end_activity == end
    departments = {item.task_spec: item.department_id for item in items}
    expected = {"intake": "front_desk", "market_review": "market", "tax_review": "tax"}
    if approved:
        expected["hand_over"] = "front_desk"
    assert departments == expected
    assert all(item.state == WorkItem.State.COMPLETED for item in items)
    # The two departments worked at the same time: both items were open before either closed.
    market, tax = (next(i for i in items if i.task_spec == spec) for spec in ("market_review", "tax_review"))
    assert market.opened_at < tax.completed_at and tax.opened_at < market.completed_at


@pytest.mark.parametrize("outcome, end", [("approve", "Event_0enrolled"), ("reject", "Event_1refused")])
def test_a_case_on_the_spiffarena_file_runs_to_its_end(db, outcome, end):
    version = do_deploy_version(SPIFF.read_bytes(), SPIFF.name).version
    case = do_start_case(version=version, applicant_name="李雷", data={"urgent": True, "employees": 4})

    items = run_to_the_end(case, {"hrss_review": (outcome, decision(outcome))})

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.end_activity == end
    assert [(i.task_spec, i.department_id, i.outcome) for i in items] == [
        ("intake", "front_desk", "accept"),
        ("hrss_review", "hrss", outcome),
    ]
    # The pre-script, the post-script and the script task ran through the safe evaluator.
    data = load_workflow(version, case.instance.state).data
    assert data["intake_opened"] is True
    assert data["rate"] == 12
    assert data["contribution"] == 48
    assert data["summary"] == "4 employees, 48 per month"


def test_the_reference_processes_lint_clean():
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bpmn").glob("*.bpmn"))
    assert files

    result = manage("lint", *files)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{name}: 校验通过" for name in files]
