"""The safe evaluator: what processes need works, everything else is refused with a reason."""

import pytest
from django.utils import translation

from engine.evaluator import ExpressionError, check_expression, check_script, evaluate, execute

ESCAPES = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "open('/etc/passwd').read()",
    "eval('1')",
    "exec('x=1')",
    "getattr(x, '__class__')",
    "globals()",
    "(lambda: 1)()",
    "x.__dict__",
    "f'{x.__class__}'",
    "__builtins__",
    "type(x)",
    "'a' * 10**9",
    "2 ** 10 ** 10",
    "[i for i in items for j in items for k in items]",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_escapes_and_bombs_are_refused(text):
    with pytest.raises(ExpressionError):
        evaluate(text, {"x": 1, "items": list(range(100))})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("amount > 100 and region in ['bj', 'sh']", True),
        ("police_review_outcome == 'correction'", False),
        ("'reject' in [a, b, c]", True),
        ("len(materials) >= 2 and not missing", True),
        ("max(scores) - min(scores)", 4),
        ("scope['capital'] // 10000", 50),
        ("days_between('2026-01-01', '2026-02-01')", 31),
        ("add_days('2026-09-30', 5)", "2026-10-05"),
        ("'yes' if amount >= 1000 else 'no'", "no"),
        ("[m for m in materials if m != 'form']", ["licence"]),
        ("${amount > 100 && !missing}", True),
    ],
)
def test_what_processes_need_evaluates(text, expected):
    data = {
        "amount": 500,
        "region": "bj",
        "police_review_outcome": "approve",
        "a": "approve",
        "b": "reject",
        "c": "approve",
        "materials": ["form", "licence"],
        "missing": False,
        "scores": [1, 5, 3],
        "scope": {"capital": 500000},
    }
    assert evaluate(text, data) == expected


@pytest.mark.parametrize("literal", ["P5D", "PT2H", "P1Y2M10DT2H30M", "2026-12-01T09:00:00Z", "R3/PT1H"])
def test_iso_timer_literals_are_taken_as_written(literal):
    assert evaluate(literal, {}) == literal
    check_expression(literal)


def test_scripts_assign_case_data_and_nothing_else():
    data = {"fee": 100}
    execute("total = fee * 2\nif total > 150:\n    level = 'high'\nfees = {'base': fee}\nfees['extra'] = 5", data)
    assert data == {"fee": 100, "total": 200, "level": "high", "fees": {"base": 100, "extra": 5}}
    with pytest.raises(ExpressionError, match="流程表达式中不允许使用：循环"):
        check_script("while True:\n    pass")
    with pytest.raises(ExpressionError, match="流程表达式中不允许使用：import"):
        check_script("import os")


def test_unknown_names_say_which_name():
    with pytest.raises(ExpressionError, match="办件数据中没有“nosuch”"):
        evaluate("nosuch > 1", {})
    with translation.override("en"), pytest.raises(ExpressionError, match="name 'nosuch' is not defined"):
        evaluate("nosuch > 1", {})


def test_deploy_time_check_names_the_problem():
    with pytest.raises(ExpressionError, match=r"属性访问（a\.b）"):
        check_expression("().__class__")
    with pytest.raises(ExpressionError, match="语法错误"):
        check_expression("a >")
    with translation.override("en"):
        with pytest.raises(ExpressionError, match="not allowed in a process expression: attribute access"):
            check_expression("().__class__")
        with pytest.raises(ExpressionError, match="syntax error"):
            check_expression("a >")
        with pytest.raises(ExpressionError, match="not allowed in a process expression: loops"):
            check_script("while True:\n    pass")


def test_today_is_the_office_s_date_not_the_server_s():
    """07:00 in Beijing is 23:00 the day before in UTC: a script's today() is the office's day."""
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 16, 23, 0, tzinfo=dt.UTC), tick=False):
        assert evaluate("today()", {}) == "2026-11-17"
        assert evaluate("now()", {}).startswith("2026-11-16T23:00:00")
