"""Files from other modellers: a process without ``isExecutable`` runs, as Flowable and Activiti
mean it; one marked ``isExecutable="false"`` is refused with the reason. Plain and manual tasks
are work items like user tasks, of the department their lane or groups name, or else of the
deployment's default department."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from engine.models import Case
from processes.actions import do_deploy_version
from processes.bpmn_file import BpmnFileError
from tests.conftest import FIXTURES
from worklists.models import WorkItem


def test_a_process_without_is_executable_deploys_and_runs_a_case_to_its_end(db):
    version = do_deploy_version((FIXTURES / "foreign" / "no_is_executable.bpmn").read_bytes(), "leave.bpmn").version
    assert version.definition.key == "leave_request"
    case = do_start_case(version=version)
    item = WorkItem.objects.get(case=case, state="open")
    assert (item.task_spec, item.department_id) == ("approve", "hr")
    do_complete_task(item.pk, outcome="", data={})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED


def test_a_process_marked_not_executable_is_still_refused(db):
    with pytest.raises(BpmnFileError) as refused:
        do_deploy_version((FIXTURES / "broken" / "no_executable_process.bpmn").read_bytes(), "x.bpmn")
    assert 'isExecutable="true"' in refused.value.problems[0].message


PLAIN = FIXTURES / "foreign" / "plain_and_manual_tasks.bpmn"


def test_plain_and_manual_tasks_without_a_department_are_refused_at_lint_with_the_way_out(db):
    with translation.override("en"), pytest.raises(BpmnFileError) as refused:
        do_deploy_version(PLAIN.read_bytes(), "archive.bpmn")
    messages = [p.message for p in refused.value.problems]
    assert len(messages) == 2 and all("belongs to no department" in m for m in messages), messages
    assert "BINGLIAN_DEFAULT_DEPARTMENT" in messages[0]


def test_with_a_default_department_plain_and_manual_tasks_are_its_work_items(db, settings):
    settings.DEFAULT_DEPARTMENT = "front_desk"
    version = do_deploy_version(PLAIN.read_bytes(), "archive.bpmn").version
    case = do_start_case(version=version)
    for spec in ("check", "archive"):
        item = WorkItem.objects.get(case=case, state="open")
        assert (item.task_spec, item.department_id) == (spec, "front_desk")
        do_complete_task(item.pk, outcome="", data={})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED


def test_a_name_with_line_breaks_keeps_each_problem_on_one_line(db, tmp_path):
    text = PLAIN.read_text(encoding="utf-8").replace('name="Check the documents"', 'name="Check&#10;the&#10;documents"')
    path = tmp_path / "archive.bpmn"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("lint", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{path}:") for line in lines), lines
    assert "Check the documents" in lines[0] or "Check the documents" in lines[1]
