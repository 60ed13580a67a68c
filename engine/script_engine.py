"""SpiffWorkflow's script engine, with eval/exec replaced by Binglian's safe evaluator.

Everything SpiffWorkflow evaluates (gateway conditions, timer expressions, multi-instance
collections, script tasks, pre- and post-scripts, DMN cells) comes through here.
"""

from collections import ChainMap

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import evaluator


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        # Reading never needs a copy of the case data: look names up through both mappings.
        return evaluator.evaluate(expression, ChainMap(external_context or {}, context))

    def execute(self, script, context, external_context=None):
        evaluator.execute(script, context)
        return True

    def call_service(self, context, **kwargs):
        raise evaluator.ExpressionError(_("service tasks that call out are not supported"))


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self):
        # validate() stays SpiffWorkflow's: a parse-only ast.parse, which DMN relies on to raise
        # SyntaxError. Nothing is ever run except through the evaluator.
        super().__init__(environment=SafeEnvironment())
