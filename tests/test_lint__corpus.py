"""`manage.py lint` on a corpus of broken BPMN files: every one is refused with its line and a
message naming its problem, hostile XML is never expanded or followed, and nothing is stored.

Each file in tests/fixtures/broken has exactly one problem. A new file there is picked up by
the glob and must be given its expected line and message in EXPECTED, or the suite fails.
"""

from __future__ import annotations

import io
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from lxml import etree

from demo.seed import ensure_licence_kinds
from engine.models import Event
from processes.actions import do_deploy_version, lint_bytes
from processes.bpmn_file import BpmnFileError
from processes.models import ProcessDefinition, ProcessVersion
from worklists.models import Department

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken"
CORPUS = sorted(BROKEN.glob("*.bpmn"))

# file -> (line the problem is reported on, fragments the message must contain in the site's
# language, Chinese, as `manage.py lint` says it; and in English, as a designer who reads English
# sees it in the designer and the API)
EXPECTED = {
    "bad_condition_syntax.bpmn": (
        12,
        ["flow_gw_rejected 的条件", "语法错误"],
        ["condition of flow_gw_rejected", "syntax error"],
    ),
    "bad_timer.bpmn": (
        7,
        ["wait 的定时器", "不是有效的 ISO-8601 timeDuration", "P5X"],
        ["timer of wait", "not a valid ISO-8601 timeDuration", "P5X"],
    ),
    "billion_laughs.bpmn": (2, ["BPMN 文件中不允许有 DOCTYPE 声明"], ["DOCTYPE declarations are not allowed"]),
    "condition_import_os.bpmn": (
        12,
        ["flow_gw_rejected 的条件", "流程表达式中不允许使用", "__import__"],
        ["condition of flow_gw_rejected", "not allowed in a process expression", "__import__"],
    ),
    "condition_subclasses.bpmn": (
        12,
        ["flow_gw_rejected 的条件", "属性访问", "__subclasses__"],
        ["condition of flow_gw_rejected", "attribute access", "__subclasses__"],
    ),
    "dead_end.bpmn": (
        6,
        ["用户任务「Archive」（archive）是死路", "没有流出的顺序流"],
        ["user task 'Archive' (archive) is a dead end", "no outgoing sequence flow"],
    ),
    # The licence kind's own words are the licences app's (its effect check); the frame is lint's.
    "unknown_licence_kind.bpmn": (5, ["issue 的 issues：", "fishing_permit"], ["issues of issue: ", "fishing_permit"]),
    "external_dtd.bpmn": (
        2,
        ["不允许有 DOCTYPE 声明", "拒绝实体扩展和外部引用"],
        ["DOCTYPE declarations are not allowed", "external references are refused"],
    ),
    "external_entity_passwd.bpmn": (
        2,
        ["不允许有 DOCTYPE 声明", "拒绝实体扩展和外部引用"],
        ["DOCTYPE declarations are not allowed", "external references are refused"],
    ),
    "malformed_xml.bpmn": (10, ["XML 格式错误", "mismatched tag"], ["malformed XML", "mismatched tag"]),
    "no_executable_process.bpmn": (
        2,
        ["没有可执行的流程", 'isExecutable="true"'],
        ["no executable process", 'isExecutable="true"'],
    ),
    "not_bpmn.bpmn": (3, ["不是 BPMN 2.0 文件", "bpmn:definitions"], ["not a BPMN 2.0 file", "bpmn:definitions"]),
    "schema_violation.bpmn": (
        6,
        ["不符合 BPMN 模式", "approver", "not expected"],
        ["BPMN schema", "approver", "not expected"],
    ),
    "script_import_os.bpmn": (
        7,
        ["compute 的脚本", "流程表达式中不允许使用：import", "import os"],
        ["script of compute", "not allowed in a process expression: import", "import os"],
    ),
    "script_subclasses.bpmn": (
        7,
        ["compute 的脚本", "属性访问", "__subclasses__"],
        ["script of compute", "attribute access", "__subclasses__"],
    ),
    "unreachable_node.bpmn": (
        6,
        ["从开始事件无法到达用户任务「Orphan review」（orphan_review）"],
        ["user task 'Orphan review' (orphan_review)", "cannot be reached from a start event"],
    ),
    "user_task_outside_department.bpmn": (
        5,
        ["用户任务「Review」（review）不属于任何部门", "泳道", "候选组"],
        ["user task 'Review' (review) belongs to no department", "lane", "candidate groups"],
    ),
}

MINIMAL_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="definitions_padded" targetNamespace="http://binglian.example/bpmn">
  <bpmn:process id="padded" name="{name}" isExecutable="true">
    <bpmn:documentation>{documentation}</bpmn:documentation>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="market" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="flow_start_review" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="flow_review_end" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def lint(*files) -> subprocess.CompletedProcess:
    """`python manage.py lint FILE...` as a designer runs it; a hang fails the test."""
    return subprocess.run(
        [sys.executable, "manage.py", "lint", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def problem_lines(stderr: str, filename: str) -> list[tuple[int, str]]:
    """The ``FILE:LINE: message`` lines of one file, as (line, message)."""
    pattern = re.compile(rf"^{re.escape(filename)}:(\d+): (\S.*)$")
    return [(int(m.group(1)), m.group(2)) for m in map(pattern.match, stderr.splitlines()) if m]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_corpus_is_there_and_every_file_has_an_expected_message():
    assert len(CORPUS) >= 16
    names = {path.name for path in CORPUS}
    assert names - EXPECTED.keys() == set(), "add the new broken file's line and message to EXPECTED"
    assert EXPECTED.keys() - names == set(), "EXPECTED lists a file that is not in tests/fixtures/broken"


# Checked against the installation's configuration (the licence kinds in its database), so
# linted by this test run's migrated database, in process; the others need no database at all.
NEEDS_CONFIGURATION = {"unknown_licence_kind.bpmn"}


def lint_in_process(name: str) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("lint", name, stdout=out, stderr=err)
        code = 0
    except (CommandError, SystemExit):
        code = 1
    return subprocess.CompletedProcess(["lint", name], code, out.getvalue(), err.getvalue())


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_lint_refuses_broken_file_with_its_line_and_problem(path, request):
    assert path.name in EXPECTED, f"{path.name} has no expected message in EXPECTED"
    line, fragments, _ = EXPECTED[path.name]
    name = relative(path)

    if path.name in NEEDS_CONFIGURATION:
        request.getfixturevalue("db")
        ensure_licence_kinds()  # as an administrator configures them
        result = lint_in_process(name)
    else:
        result = lint(name)

    assert result.returncode == 1, result.stdout + result.stderr
    problems = problem_lines(result.stderr, name)
    assert len(problems) == 1, f"expected exactly one problem, got:\n{result.stderr}"
    reported_line, message = problems[0]
    assert reported_line == line, result.stderr
    for fragment in fragments:
        assert fragment in message, result.stderr
    assert f"{name}: 校验通过" not in result.stdout
    assert "root:x:0:0" not in result.stdout + result.stderr  # /etc/passwd, had an entity been followed


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_problem_reads_in_english_for_a_reader_of_english(path, request):
    """The designer and the API say the problems in the reader's language: the same line, in English."""
    line, _, fragments = EXPECTED[path.name]
    if path.name in NEEDS_CONFIGURATION:
        request.getfixturevalue("db")
        ensure_licence_kinds()

    with translation.override("en"):
        problems = lint_bytes(path.read_bytes(), path.name)

    assert [p.line for p in problems] == [line]
    for fragment in fragments:
        assert fragment in problems[0].message
    assert not re.search(r"[\u4e00-\u9fff]", problems[0].message), problems[0].message


def test_lint_refuses_billion_laughs_without_expanding():
    started = time.monotonic()
    result = lint(relative(BROKEN / "billion_laughs.bpmn"))
    elapsed = time.monotonic() - started

    assert result.returncode == 1
    assert "BPMN 文件中不允许有 DOCTYPE 声明" in result.stderr
    output = result.stdout + result.stderr
    assert "lollol" not in output
    assert len(output) < 2000
    assert elapsed < 30


def test_lint_refuses_a_20_mb_file_quickly_with_the_size_limit(tmp_path):
    padding = "Padding of a valid-looking process. " * (21 * 1024 * 1024 // 36)
    big = tmp_path / "twenty_megabytes.bpmn"
    big.write_text(MINIMAL_PROCESS.format(name="Padded", documentation=padding), encoding="utf-8")
    assert big.stat().st_size > 20 * 1024 * 1024

    started = time.monotonic()
    result = lint(big)
    elapsed = time.monotonic() - started

    assert result.returncode == 1
    problems = problem_lines(result.stderr, str(big))
    assert len(problems) == 1, result.stderr
    line, message = problems[0]
    assert line == 1
    assert re.fullmatch(r"文件大小为 2\d\.\d MB，上限为 \d+\.\d MB", message), message
    assert elapsed < 30


def test_deploy_refuses_a_20_mb_file_and_stores_nothing(db):
    data = MINIMAL_PROCESS.format(name="Padded", documentation="x" * (20 * 1024 * 1024)).encode()

    with pytest.raises(BpmnFileError) as refused:
        do_deploy_version(data, "twenty_megabytes.bpmn")
    with translation.override("en"), pytest.raises(BpmnFileError) as refused_in_english:
        do_deploy_version(data, "twenty_megabytes.bpmn")

    assert "上限为" in refused.value.problems[0].message
    assert re.fullmatch(r"file is 2\d\.\d MB; the limit is \d+\.\d MB", refused_in_english.value.problems[0].message)
    assert ProcessVersion.objects.count() == 0


@pytest.fixture
def secret_and_xxe_file(tmp_path):
    """A file holding a random marker, and a BPMN file whose entity points at it.

    The entity is used in element content: XML forbids external entities in attribute values
    (name="&xxe;" is not well-formed), so that is where an attacker would put it."""
    marker = f"SECRET-{secrets.token_hex(16)}"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker + "\n", encoding="utf-8")
    xxe = tmp_path / "xxe_secret.bpmn"
    xxe.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE bpmn:definitions [\n  <!ENTITY xxe SYSTEM "file://{secret}">\n]>\n'
        + MINIMAL_PROCESS.split("\n", 1)[1].format(name="XXE", documentation="&xxe;"),
        encoding="utf-8",
    )
    return marker, xxe


def test_the_xxe_file_really_points_at_the_secret(secret_and_xxe_file):
    """A parser that follows external entities would read the marker: the other tests mean something."""
    marker, xxe = secret_and_xxe_file
    careless = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    assert marker in etree.tostring(etree.parse(str(xxe), careless), encoding="unicode")


def test_lint_never_reads_the_file_an_external_entity_points_at(secret_and_xxe_file):
    marker, xxe = secret_and_xxe_file

    result = lint(xxe)

    assert result.returncode == 1
    assert problem_lines(result.stderr, str(xxe)) == [(2, "BPMN 文件中不允许有 DOCTYPE 声明（拒绝实体扩展和外部引用）")]
    assert marker not in result.stdout
    assert marker not in result.stderr


def test_deploy_never_stores_the_file_an_external_entity_points_at(db, secret_and_xxe_file):
    marker, xxe = secret_and_xxe_file

    errors = io.StringIO()
    with pytest.raises(BpmnFileError) as refused:
        do_deploy_version(xxe.read_bytes(), str(xxe))
    with pytest.raises(CommandError, match="1 个文件中有 1 个未部署，其内容均未保存"):
        call_command("deploy", str(xxe), stdout=io.StringIO(), stderr=errors)

    assert marker not in str(refused.value)
    assert marker not in errors.getvalue()
    assert "BPMN 文件中不允许有 DOCTYPE 声明" in errors.getvalue()
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert marker not in dump.getvalue()
    assert ProcessVersion.objects.count() == 0


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_deploy_of_a_broken_file_stores_nothing(db, path):
    before = (
        ProcessDefinition.objects.count(),
        ProcessVersion.objects.count(),
        Department.objects.count(),
        Event.objects.count(),
    )

    with pytest.raises(BpmnFileError) as refused:
        do_deploy_version(path.read_bytes(), relative(path))

    assert refused.value.problems, "a refused deploy says why"
    after = (
        ProcessDefinition.objects.count(),
        ProcessVersion.objects.count(),
        Department.objects.count(),
        Event.objects.count(),
    )
    assert after == before


SEVERAL_PROBLEMS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="definitions_several" targetNamespace="http://binglian.example/bpmn">
  <bpmn:process id="several_problems" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="Review" />
    <bpmn:exclusiveGateway id="gw_outcome" default="flow_gw_approved" />
    <bpmn:userTask id="orphan" name="Orphan" camunda:candidateGroups="market" />
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:timerEventDefinition id="wait_definition">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2Hours</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="flow_start_review" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="flow_review_gw" sourceRef="review" targetRef="gw_outcome" />
    <bpmn:sequenceFlow id="flow_gw_approved" sourceRef="gw_outcome" targetRef="wait" />
    <bpmn:sequenceFlow id="flow_gw_rejected" sourceRef="gw_outcome" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">__import__('os').system('id')</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_wait_end" sourceRef="wait" targetRef="end" />
    <bpmn:sequenceFlow id="flow_orphan_end" sourceRef="orphan" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_lint_reports_every_problem_of_a_file_one_line_each(tmp_path):
    path = tmp_path / "several_problems.bpmn"
    path.write_text(SEVERAL_PROBLEMS, encoding="utf-8")

    result = lint(path)

    assert result.returncode == 1
    problems = problem_lines(result.stderr, str(path))
    assert [line for line, _ in problems] == [5, 7, 10, 17]
    messages = dict(problems)
    assert "用户任务「Review」（review）不属于任何部门" in messages[5]
    assert "从开始事件无法到达用户任务「Orphan」（orphan）" in messages[7]
    assert "wait 的定时器：不是有效的 ISO-8601 timeDuration：PT2Hours" in messages[10]
    assert "flow_gw_rejected 的条件：流程表达式中不允许使用" in messages[17]
    # Nothing but problem lines and the summary: no message runs over onto a second line.
    other = [line for line in result.stderr.splitlines() if not line.startswith(f"{path}:")]
    assert other == ["CommandError: 1 个文件中有 1 个有问题"]

    with translation.override("en"):
        english = {p.line: p.message for p in lint_bytes(SEVERAL_PROBLEMS.encode(), "several_problems.bpmn")}
    assert "user task 'Review' (review) belongs to no department" in english[5]
    assert "user task 'Orphan' (orphan) cannot be reached from a start event" in english[7]
    assert "timer of wait: not a valid ISO-8601 timeDuration: PT2Hours" in english[10]
    assert "condition of flow_gw_rejected: not allowed in a process expression" in english[17]


def test_lint_of_several_files_names_each_and_fails_if_any_is_broken():
    good = relative(ROOT / "bpmn" / "business_registration.bpmn")
    broken = relative(BROKEN / "dead_end.bpmn")

    result = lint(good, broken)

    assert result.returncode == 1
    assert f"{good}: 校验通过" in result.stdout
    assert problem_lines(result.stderr, good) == []
    assert len(problem_lines(result.stderr, broken)) == 1
    assert "2 个文件中有 1 个有问题" in result.stderr
