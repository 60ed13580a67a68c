"""Building SpiffWorkflow specs from a version's file, with the parser of the file's dialect."""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .bpmn_file import _hardened_parser, executable_processes

PARSERS = {"camunda": CamundaParser, "spiff": SpiffBpmnParser}


def build_spec(data: bytes, dialect: str, filename: str = "process.bpmn"):
    """Return (process spec, subprocess specs) for the file's executable process.

    The schema was checked at validation time, so the parser runs without its validator.
    """
    root = etree.fromstring(data, parser=_hardened_parser())
    parser = PARSERS[dialect](validator=None)
    parser.add_bpmn_xml(etree.ElementTree(root), filename=filename)
    process_id = executable_processes(root)[0].get("id")
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
