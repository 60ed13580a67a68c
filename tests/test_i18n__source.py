"""No message is written in Chinese in the code: the source strings are English and the Chinese
lives in the catalogue (docs/translating.md). A string literal with Chinese characters in an app's
Python code (docstrings and comments aside) is a message that skipped translation, unless it is
data: a name, a keyword of a standard, a document that must be in Chinese. Those modules, or single
lines marked ``# data:`` with the reason, are listed here with why."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "config", "demo", "desk", "designer", "engine", "eventlog", "licences", "processes", "reports",
        "simulation", "sla", "workdays", "worklists")  # fmt: skip
CJK = re.compile(r"[\u3400-\u9fff]")
# Modules whose Chinese strings are data, not messages, and why.
DATA_MODULES = {
    "demo/seed.py": "the demo's departments, people, enterprises and service items, written as they are named",
    "demo/driver.py": "what the demo's applicants and clerks type into forms",
    "licences/rendering.py": "the e-licence is an official document in Chinese",
    "processes/results.py": "the words of end-event names that say a case's result (准予, 不予受理 …): a designer's vocabulary",
}
MARK = "# data:"


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal with Chinese in it, docstrings and marked lines aside."""
    source = path.read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if CJK.search(node.value) and not any(
                MARK in lines[n - 1] for n in range(node.lineno, node.end_lineno + 1)
            ):
                found.append((node.lineno, node.value))
    return found


def python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_message_is_written_in_chinese_in_the_code():
    leaks = []
    for path in python_files():
        name = path.relative_to(ROOT).as_posix()
        if name in DATA_MODULES:
            continue
        leaks += [f"{name}:{line}: {text[:60]!r}" for line, text in chinese_literals(path)]
    assert not leaks, "translate these (English source, Chinese in the catalogue) or mark data:\n" + "\n".join(leaks)


def test_every_data_module_still_exists():
    assert all((ROOT / name).exists() for name in DATA_MODULES), [n for n in DATA_MODULES if not (ROOT / n).exists()]


def test_the_check_finds_a_message_in_chinese(tmp_path):
    """What the first test catches: a message written in Chinese; not a docstring, not a marked line."""
    module = tmp_path / "views.py"
    module.write_text(
        '"""电子监察 in a docstring is fine."""\n'
        'def page():\n    """办件 too."""\n    raise ValueError("没有流程。 No such process.")\n'
        'NAMES = {"tax": "税务"}  # data: a department as it is named\n'
    )
    assert chinese_literals(module) == [(4, "没有流程。 No such process.")]
