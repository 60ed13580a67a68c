"""Loading and saving a case's workflow: the spec once per version, the state without it.

A SpiffWorkflow serialisation embeds the whole spec (about half of the bytes for business
registration). A version never changes, so we parse its spec once per process, cache it, and
store only the running state. Restoring binds the state to the cached spec.

The stored state is wrapped in an envelope that names its format, so that a later change of
layout (or of SpiffWorkflow's serializer) can be migrated on load, one step per format.
"""

from __future__ import annotations

import json
import threading
from copy import deepcopy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from processes.spec import build_spec

from .linear_workflow import LinearWorkflow, linearise_joins
from .script_engine import SafeScriptEngine

STATE_FORMAT = 1


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, minus the spec: that lives in the version row."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        raise TypeError("restore states with restore_state(), which knows the spec")

    def restore_state(self, dct, spec, subprocess_specs):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class StateSerializer:
    def __init__(self, dialect: str):
        config = deepcopy(CAMUNDA_CONFIG if dialect == "camunda" else SPIFF_CONFIG)
        config[BpmnWorkflow] = StateOnlyWorkflowConverter
        self.registry = BpmnWorkflowSerializer.configure(config)
        # A second instance registers the same functions again, for the engine's own workflow class
        # under the library's name (the saved state stays exactly as it was); we keep it to call
        # restore_state, which builds LinearWorkflows.
        self.converter = StateOnlyWorkflowConverter(LinearWorkflow, self.registry, typename="BpmnWorkflow")

    def dumps(self, workflow: BpmnWorkflow) -> str:
        envelope = {
            "format": STATE_FORMAT,
            "spiff_serializer": SPIFF_SERIALIZER_VERSION,
            "state": self.registry.convert(workflow),
        }
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)

    def loads(self, text: str, spec, subprocess_specs) -> BpmnWorkflow:
        envelope = json.loads(text)
        if envelope.get("format") != STATE_FORMAT or envelope.get("spiff_serializer") != SPIFF_SERIALIZER_VERSION:
            raise ValueError(
                f"saved state has format {envelope.get('format')}/{envelope.get('spiff_serializer')}; "
                f"this engine reads {STATE_FORMAT}/{SPIFF_SERIALIZER_VERSION} and has no migration for it"
            )
        workflow = self.converter.restore_state(envelope["state"], spec, subprocess_specs)
        workflow.script_engine = SCRIPT_ENGINE
        return workflow


SCRIPT_ENGINE = SafeScriptEngine()
_serializers = {dialect: StateSerializer(dialect) for dialect in ("camunda", "spiff")}
# Keyed by the file's sha256, not the row id: the spec is a function of the bytes alone, and a
# row id can name another version in another database (or after a rolled-back transaction).
_specs: dict[str, tuple] = {}
_specs_lock = threading.Lock()


def serializer_for(version) -> StateSerializer:
    return _serializers[version.dialect]


def specs_for(version) -> tuple:
    """(spec, subprocess specs) of a version, parsed once per process and kept."""
    cached = _specs.get(version.sha256)
    if cached is None:
        built = build_spec(version.bpmn_xml.encode("utf-8"), version.dialect, version.filename)
        linearise_joins(*built)
        with _specs_lock:
            cached = _specs.setdefault(version.sha256, built)
    return cached


def new_workflow(version) -> BpmnWorkflow:
    spec, subprocess_specs = specs_for(version)
    return LinearWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)


def load_workflow(version, text: str) -> BpmnWorkflow:
    spec, subprocess_specs = specs_for(version)
    return serializer_for(version).loads(text, spec, subprocess_specs)


def dump_workflow(version, workflow: BpmnWorkflow) -> str:
    return serializer_for(version).dumps(workflow)
