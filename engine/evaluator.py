"""The safe evaluator: every expression and script a BPMN or DMN file carries runs here.

A BPMN file is untrusted input. SpiffWorkflow's default script engine hands expressions to
Python's ``eval``/``exec``, and sandboxes built on them (RestrictedPython globals, attribute
blacklists) have been escaped with ``().__class__.__base__.__subclasses__()``. So we never
compile designer text to Python code: we parse it with ``ast``, accept only a whitelist of node
types, and interpret the tree ourselves. There is no attribute access at all, so no object's
internals are reachable; names starting with ``_`` are refused; calls go only to the functions
in ``SAFE_FUNCTIONS``; and every evaluation runs under an operation budget so that a hostile
file cannot hang a worker.

The same checker runs at deploy time (``check_expression`` / ``check_script``), so most mistakes
are reported by ``manage.py lint`` before a case ever meets them.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import operator
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_SOURCE_CHARS = 10_000
MAX_OPERATIONS = 100_000
MAX_SEQUENCE_LENGTH = 100_000
MAX_POWER_EXPONENT = 256


class ExpressionError(Exception):
    """A designer's expression or script is not allowed, or failed while running."""

    def __init__(self, message: str, lineno: int | None = None):
        super().__init__(message)
        self.message = message
        self.lineno = lineno


# --- literals that BPMN tools write unquoted -----------------------------------------------

# ISO-8601 durations (P5D, PT2H, P1Y2M), recurring intervals (R3/PT1H) and date-times
# (2026-12-01T09:00:00Z). Camunda, Flowable and Zeebe accept them bare in timer definitions,
# so designers write them bare; SpiffWorkflow would evaluate them as Python names and fail.
_ISO_DURATION = r"P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?"
_ISO_DATETIME = r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
ISO_LITERAL = re.compile(
    rf"(?:{_ISO_DURATION}|{_ISO_DATETIME}|R\d*/(?:{_ISO_DURATION}|{_ISO_DATETIME})(?:/(?:{_ISO_DURATION}|{_ISO_DATETIME}))?)"
)


def iso_literal(text: str) -> str | None:
    """The ISO-8601 literal that ``text`` is, or None."""
    stripped = text.strip()
    return stripped if ISO_LITERAL.fullmatch(stripped) else None


# --- Camunda's expression wrapper ----------------------------------------------------------

_JUEL_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)
_JUEL_TOKENS = [
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"!(?!=)"), " not "),
    (re.compile(r"\beq\b"), "=="),
    (re.compile(r"\bne\b"), "!="),
    (re.compile(r"\btrue\b"), "True"),
    (re.compile(r"\bfalse\b"), "False"),
    (re.compile(r"\bnull\b"), "None"),
]


def normalise_source(text: str) -> str:
    """Accept Camunda Modeler's ``${...}`` conditions: unwrap them and map the JUEL operators."""
    match = _JUEL_WRAPPED.match(text)
    if not match:
        return text.strip()
    body = match.group(1)
    for pattern, replacement in _JUEL_TOKENS:
        body = pattern.sub(replacement, body)
    return body.strip()


# --- what a designer may call -------------------------------------------------------------


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise ExpressionError(_("not a date: %(value)r") % {"value": value})


def _today() -> str:
    """The office's date (TIME_ZONE), not the server's: at 07:00 in Beijing a UTC server is
    still on yesterday."""
    return timezone.localdate().isoformat()


def _now() -> str:
    return timezone.now().isoformat()


def _add_days(value, days: int) -> str:
    return (_as_date(value) + dt.timedelta(days=int(days))).isoformat()


def _days_between(start, end) -> int:
    return (_as_date(end) - _as_date(start)).days


def _bounded(function):
    @functools.wraps(function)
    def wrapper(*args):
        result = function(*args)
        if isinstance(result, (list, tuple, str)) and len(result) > MAX_SEQUENCE_LENGTH:
            raise ExpressionError(_("result too large"))
        return result

    return wrapper


SAFE_FUNCTIONS = {
    "len": len,
    "min": min,
    "max": max,
    "sum": sum,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": _bounded(str),
    "bool": bool,
    "sorted": _bounded(sorted),
    "any": any,
    "all": all,
    "list": _bounded(list),
    "today": _today,
    "now": _now,
    "date": lambda y, m, d: dt.date(int(y), int(m), int(d)).isoformat(),
    "add_days": _add_days,
    "days_between": _days_between,
}

CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

_EXPRESSION_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.IfExp,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Call,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.ListComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Store,
    *_BINARY,
    *_UNARY,
    *_COMPARE,
)
_SCRIPT_NODES = (ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.Expr, ast.Pass, ast.Delete, ast.Del)

# What a refusal calls a construct, in the reader's words (Python's keywords stay as written).
_NODE_LABELS = {
    ast.Attribute: gettext_lazy("attribute access (a.b)"),
    ast.Lambda: "lambda",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: gettext_lazy("function definitions"),
    ast.ClassDef: gettext_lazy("class definitions"),
    ast.While: gettext_lazy("loops"),
    ast.For: gettext_lazy("loops"),
    ast.With: gettext_lazy("with blocks"),
    ast.Try: gettext_lazy("try blocks"),
    ast.Starred: gettext_lazy("star arguments"),
    ast.NamedExpr: gettext_lazy("the := operator"),
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.Set: gettext_lazy("set literals"),
    ast.SetComp: gettext_lazy("set comprehensions"),
    ast.DictComp: gettext_lazy("dict comprehensions"),
}


def _refuse(node: ast.AST, why: str) -> ExpressionError:
    return ExpressionError(why, getattr(node, "lineno", None))


def _check_tree(tree: ast.AST, allowed: tuple) -> None:
    nodes = list(ast.walk(tree))
    # Node types first: "attribute access" says more about ().__class__ than "unknown function".
    for node in nodes:
        if not isinstance(node, allowed):
            label = _NODE_LABELS.get(type(node), type(node).__name__)
            raise _refuse(node, _("not allowed in a process expression: %(what)s") % {"what": label})
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise _refuse(node, _("names starting with '_' are not allowed: %(name)s") % {"name": node.id})
    for node in nodes:
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCTIONS:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                allowed = ", ".join(sorted(SAFE_FUNCTIONS))
                raise _refuse(
                    node, _("unknown function: %(name)s (allowed: %(allowed)s)") % {"name": name, "allowed": allowed}
                )
            if node.keywords:
                raise _refuse(node, _("keyword arguments are not allowed"))
        if isinstance(node, ast.comprehension) and node.is_async:
            raise _refuse(node, _("async comprehensions are not allowed"))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if not isinstance(target, (ast.Name, ast.Subscript)):
                    raise _refuse(node, _("only names and subscripts can be assigned"))


def _parse(source: str, mode: str) -> ast.AST:
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(_("expression longer than %(max)s characters") % {"max": MAX_SOURCE_CHARS})
    try:
        return ast.parse(source, mode=mode)
    except SyntaxError as error:
        raise ExpressionError(_("syntax error: %(error)s") % {"error": error.msg}, error.lineno) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(_("expression cannot be parsed")) from None


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> ast.Expression:
    """Parse and check an expression; the result is cached, as conditions repeat in every case."""
    tree = _parse(normalise_source(text), "eval")
    _check_tree(tree, _EXPRESSION_NODES)
    return tree


@functools.lru_cache(maxsize=1024)
def compile_script(text: str) -> ast.Module:
    tree = _parse(text, "exec")
    _check_tree(tree, _EXPRESSION_NODES + _SCRIPT_NODES)
    return tree


def check_expression(text: str) -> None:
    """Raise ExpressionError if ``text`` would be refused; used at deploy time."""
    if iso_literal(text) is None:
        compile_expression(text)


def check_script(text: str) -> None:
    compile_script(text)


class _Interpreter:
    """Walks a checked tree. Names resolve in ``scope``, which is the case data."""

    def __init__(self, scope: dict):
        self.scope = scope
        self.budget = MAX_OPERATIONS

    def tick(self, node: ast.AST) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _refuse(node, _("expression does too much work"))

    # statements
    def run(self, tree: ast.Module) -> None:
        for statement in tree.body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        self.tick(node)
        if isinstance(node, ast.Assign):
            value = self.value(node.value)
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.AugAssign):
            current = self.value(_as_load(node.target))
            self.assign(node.target, self.binary(node, node.op, current, self.value(node.value)))
        elif isinstance(node, ast.If):
            for statement in node.body if self.value(node.test) else node.orelse:
                self.statement(statement)
        elif isinstance(node, ast.Expr):
            self.value(node.value)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.scope.pop(target.id, None)
                else:
                    del self.value(target.value)[self.value(target.slice)]

    def assign(self, target: ast.expr, value) -> None:
        if isinstance(target, ast.Name):
            if target.id in SAFE_FUNCTIONS or target.id in CONSTANTS:
                raise _refuse(target, _("cannot assign to %(name)s") % {"name": target.id})
            self.scope[target.id] = value
        else:
            container = self.value(target.value)
            if not isinstance(container, (dict, list)):
                raise _refuse(target, _("can only assign into a dict or a list"))
            container[self.value(target.slice)] = value

    # expressions
    def value(self, node: ast.expr):
        self.tick(node)
        method = getattr(self, "v_" + type(node).__name__)
        return method(node)

    def v_Constant(self, node):
        return node.value

    def v_Name(self, node):
        if node.id in self.scope:
            return self.scope[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in SAFE_FUNCTIONS:
            return SAFE_FUNCTIONS[node.id]
        literal = iso_literal(node.id)
        if literal:
            return literal
        raise _refuse(node, _("name '%(name)s' is not defined in the case data") % {"name": node.id})

    def v_BinOp(self, node):
        return self.binary(node, node.op, self.value(node.left), self.value(node.right))

    def binary(self, node, op, left, right):
        if isinstance(op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > MAX_POWER_EXPONENT:
            raise _refuse(node, _("exponent too large"))
        if isinstance(op, ast.Mult):
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    if len(seq) * count > MAX_SEQUENCE_LENGTH:
                        raise _refuse(node, _("result too large"))
        result = _BINARY[type(op)](left, right)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_SEQUENCE_LENGTH:
            raise _refuse(node, _("result too large"))
        return result

    def v_UnaryOp(self, node):
        return _UNARY[type(node.op)](self.value(node.operand))

    def v_BoolOp(self, node):
        result = None
        for operand in node.values:
            result = self.value(operand)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def v_Compare(self, node):
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.value(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def v_IfExp(self, node):
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def v_Subscript(self, node):
        container = self.value(node.value)
        if not isinstance(container, (dict, list, tuple, str)):
            raise _refuse(node, _("cannot index a %(type)s") % {"type": type(container).__name__})
        return container[self.value(node.slice)]

    def v_Slice(self, node):
        parts = [self.value(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def v_List(self, node):
        return [self.value(e) for e in node.elts]

    def v_Tuple(self, node):
        return tuple(self.value(e) for e in node.elts)

    def v_Dict(self, node):
        return {self.value(k): self.value(v) for k, v in zip(node.keys, node.values, strict=True)}

    def v_Call(self, node):
        function = SAFE_FUNCTIONS[node.func.id]
        args = [self.value(a) for a in node.args]
        try:
            return function(*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError, OverflowError) as error:
            raise _refuse(node, f"{node.func.id}(): {error}") from None

    def v_JoinedStr(self, node):
        return "".join(str(self.value(v)) for v in node.values)

    def v_FormattedValue(self, node):
        if node.format_spec is not None:
            return format(self.value(node.value), self.value(node.format_spec))
        return self.value(node.value)

    def v_ListComp(self, node):
        return list(self.comprehend(node))

    def v_GeneratorExp(self, node):
        return list(self.comprehend(node))

    def comprehend(self, node):
        # Comprehension variables live in a child scope so they never leak into case data.
        outer = self.scope
        self.scope = dict(outer)
        try:
            yield from self._generate(node, 0)
        finally:
            self.scope = outer

    def _generate(self, node, index):
        if index == len(node.generators):
            yield self.value(node.elt)
            return
        generator = node.generators[index]
        for item in self.value(generator.iter):
            self.tick(generator)
            self.assign_target(generator.target, item)
            if all(self.value(condition) for condition in generator.ifs):
                yield from self._generate(node, index + 1)

    def assign_target(self, target, item):
        if isinstance(target, ast.Name):
            self.scope[target.id] = item
        elif isinstance(target, ast.Tuple):
            for sub, value in zip(target.elts, item, strict=True):
                self.assign_target(sub, value)
        else:
            raise _refuse(target, _("comprehension targets must be names"))


def _as_load(target: ast.expr) -> ast.expr:
    """The same target read instead of written (``x += 1`` reads ``x`` first)."""
    return ast.parse(ast.unparse(target), mode="eval").body


def evaluate(text: str, data: dict):
    """Evaluate a designer's expression against case data."""
    literal = iso_literal(text)
    if literal is not None and literal not in data:
        return literal
    tree = compile_expression(text)
    try:
        return _Interpreter(data).value(tree.body)
    except ExpressionError:
        raise
    except (TypeError, KeyError, IndexError, ValueError, ZeroDivisionError, OverflowError, RecursionError) as error:
        raise ExpressionError(f"{type(error).__name__}: {error}") from None


def execute(text: str, data: dict) -> None:
    """Run a designer's script task; it may only read and assign case data."""
    tree = compile_script(text)
    try:
        _Interpreter(data).run(tree)
    except ExpressionError:
        raise
    except (TypeError, KeyError, IndexError, ValueError, ZeroDivisionError, OverflowError, RecursionError) as error:
        raise ExpressionError(f"{type(error).__name__}: {error}") from None
