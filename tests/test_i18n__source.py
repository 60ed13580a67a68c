"""No message is written in Chinese in the code: the source strings are English and the Chinese
lives in the catalogue (docs/translating.md). A string literal with Chinese characters in an app's
Python code (docstrings and comments aside) is a message that skipped translation, unless it is
data: a name, a keyword of a standard, a document that must be in Chinese. Those modules are listed
here with why; a statement whose first line says ``# data:`` and why is data too. The REST API's
schema is documentation for developers, in English naming the Chinese term of each concept
("Take in an application (一窗受理)"): its ``summary``, ``description`` and ``help_text`` in api/."""

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
SCHEMA_WORDS = {"summary", "description", "help_text"}


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def constants(node: ast.AST) -> set[int]:
    return {id(n) for n in ast.walk(node) if isinstance(n, ast.Constant)}


def not_messages(tree: ast.AST, lines: list[str], schema: bool) -> set[int]:
    """The literals that are not messages: docstrings, what a ``# data:`` line starts (a statement,
    an argument), the API schema's words."""
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.stmt, ast.expr, ast.keyword)) and MARK in lines[node.lineno - 1]:
            skip |= constants(node)
        if schema and isinstance(node, ast.keyword) and node.arg in SCHEMA_WORDS:
            skip |= constants(node.value)
    return skip


def chinese_literals(path: Path, schema: bool = False) -> list[tuple[int, str]]:
    """(line, text) of each string literal with Chinese in it that is a message."""
    source = path.read_text()
    tree = ast.parse(source)
    skip = not_messages(tree, source.splitlines(), schema)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        and CJK.search(node.value)
    ]  # fmt: skip


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
        found = chinese_literals(path, schema=name.startswith("api/"))
        leaks += [f"{name}:{line}: {text[:60]!r}" for line, text in found]
    assert not leaks, "translate these (English source, Chinese in the catalogue) or mark data:\n" + "\n".join(leaks)


def test_every_data_module_still_exists():
    assert all((ROOT / name).exists() for name in DATA_MODULES), [n for n in DATA_MODULES if not (ROOT / n).exists()]


def test_the_check_finds_a_message_in_chinese(tmp_path):
    """What the first test catches: a message written in Chinese; not a docstring, not a marked line."""
    module = tmp_path / "views.py"
    module.write_text(
        '"""电子监察 in a docstring is fine."""\n'
        'def page():\n    """办件 too."""\n    raise ValueError("没有流程。 No such process.")\n'
        'NAMES = {  # data: departments as they are named\n    "tax": "税务",\n}\n'
        'help = field(help_text="the promised limit (承诺时限)")\n'
    )
    assert chinese_literals(module) == [(4, "没有流程。 No such process."), (8, "the promised limit (承诺时限)")]
    assert chinese_literals(module, schema=True) == [(4, "没有流程。 No such process.")]
