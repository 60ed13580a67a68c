"""Eligibility for notify-and-commit is a DMN table: checked like any untrusted file, deployed as
versions, run only through the safe evaluator, and changed by deploying, not by code."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from processes.bpmn_file import BpmnFileError
from processes.decisions import do_deploy_decision, lint_decision
from processes.eligibility import commitment_eligibility
from processes.models import DecisionVersion
from tests.applications import APPLICATION

SHIPPED = Path(settings.BASE_DIR) / "dmn" / "notify_commit_eligibility.dmn"


def application(**changes):
    fields = {
        "business_scope": APPLICATION["business_scope"],
        "registered_capital": float(APPLICATION["registered_capital"]),
        "address": APPLICATION["address"],
    }
    return {**fields, **changes}


def with_rule(entry: str, *, text: bytes | None = None) -> bytes:
    """The shipped table with its first rule's scope entry replaced."""
    data = (text or SHIPPED.read_bytes()).decode()
    first = "'危险化学品' in ?"
    assert first in data.replace("&#x27;", "'")
    return data.replace(first, entry, 1).encode()


def test_the_shipped_table_decides_from_the_application(reference):
    item = reference["item"]
    assert commitment_eligibility(item, application()).eligible
    hazardous = commitment_eligibility(item, application(business_scope="危险化学品经营"))
    assert (
        not hazardous.eligible
        and "危险化学品" in hazardous.reason
        and hazardous.decision == "notify_commit_eligibility v1"
    )
    big = commitment_eligibility(item, application(registered_capital=200000.0))
    assert not big.eligible and big.reason == "注册资本超过 10 亿元，须按一般程序审查。"
    # The table writes its reasons in both languages; the reader gets theirs.
    with translation.override("en"):
        hazardous = commitment_eligibility(item, application(business_scope="危险化学品经营"))
    assert hazardous.reason == "Hazardous chemicals are on the restricted list: no notify-and-commit."


def test_a_new_version_of_the_table_changes_the_rule_without_code(reference):
    item = reference["item"]
    assert commitment_eligibility(item, application()).eligible
    result = do_deploy_decision(with_rule("'软件' in ?"), "dmn/notify_commit_eligibility.dmn")
    assert result.created and result.version.number == 2
    answer = commitment_eligibility(item, application())
    assert not answer.eligible and answer.decision == "notify_commit_eligibility v2"
    # The same file again is a no-op that says so.
    again = do_deploy_decision(with_rule("'软件' in ?"), "dmn/notify_commit_eligibility.dmn")
    assert not again.created and "未变：决策表" in again.describe() and DecisionVersion.objects.count() == 2
    with translation.override("en"):
        assert again.describe().startswith("unchanged: decision notify_commit_eligibility version 2")


@pytest.mark.parametrize(
    "entry, message",
    [
        ("__import__('os').system('touch /tmp/pwned') or ?", "__import__"),
        ("?.__class__.__subclasses__()", "规则 1：流程表达式中不允许使用：属性访问"),
        ("'a' in ? and (", "规则 1：语法错误"),
    ],
)
def test_a_hostile_or_broken_cell_is_refused_at_deploy_with_its_line(db, entry, message):
    problems = lint_decision(with_rule(entry), "x.dmn")
    assert problems and any(message.lower() in p.message.lower() for p in problems), problems
    assert all(p.line and p.line > 1 for p in problems)
    with pytest.raises(BpmnFileError):
        do_deploy_decision(with_rule(entry), "x.dmn")
    assert not DecisionVersion.objects.exists() and not Path("/tmp/pwned").exists()


def test_entities_and_non_dmn_files_are_refused(db):
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><definitions>&lol;</definitions>'
    assert "DMN 文件中不允许有 DOCTYPE 声明" in lint_decision(laughs, "x.dmn")[0].message
    bpmn = (Path(settings.BASE_DIR) / "bpmn" / "business_registration.bpmn").read_bytes()
    assert "不是 DMN 文件" in lint_decision(bpmn, "x.dmn")[0].message
    with translation.override("en"):
        assert "not a DMN file" in lint_decision(bpmn, "x.dmn")[0].message


def test_a_missing_decision_or_a_failing_cell_means_the_full_review(reference):
    item = reference["item"]
    item.eligibility_decision = "no_such_decision"
    answer = commitment_eligibility(item, application())
    assert not answer.eligible and "no_such_decision" in answer.reason
    item.eligibility_decision = "notify_commit_eligibility"
    # An application without the table's inputs cannot be decided: refused with the reason, not a crash.
    failing = commitment_eligibility(item, {"address": "北京"})
    assert (
        not failing.eligible and "告知承诺适用条件无法判断" in failing.reason and "请按一般程序办理" in failing.reason
    )
    with translation.override("en"):
        failing = commitment_eligibility(item, {"address": "北京"})
    assert "could not be decided" in failing.reason and "goes through the full review" in failing.reason


def test_manage_py_lint_and_deploy_take_dmn_files(db, tmp_path):
    bad = tmp_path / "bad.dmn"
    bad.write_bytes(with_rule("__import__('os') or ?"))
    lint = subprocess.run(
        [sys.executable, "manage.py", "lint", str(SHIPPED), str(bad)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert lint.returncode == 1
    assert f"{SHIPPED}: 校验通过" in lint.stdout and f"{bad}:" in lint.stderr and "__import__" in lint.stderr
