"""A new process: one pool with a start event, in Camunda's dialect like the reference processes.

The pool is there so that lanes (departments) can be added at once. The process key is unique
until the designer names it; an invalid process (the start event leads nowhere yet) is fine for
a draft, and live validation says what is missing. The names the designer starts from are in
the language the designer works in (the page's); from then on they are the designer's to change.
"""

from __future__ import annotations

import secrets
from xml.sax.saxutils import quoteattr

from django.utils.translation import pgettext

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="definitions_{key}" targetNamespace="http://binglian.example/bpmn" exporter="Binglian designer" exporterVersion="1">
  <bpmn:collaboration id="collaboration_{key}">
    <bpmn:participant id="participant_{key}" name={process} processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name={process} isExecutable="true">
    <bpmn:startEvent id="start" name={start} />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{key}">
    <bpmndi:BPMNPlane id="plane_{key}" bpmnElement="collaboration_{key}">
      <bpmndi:BPMNShape id="participant_{key}_di" bpmnElement="participant_{key}" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="900" height="260" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="202" y="192" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def blank_process() -> str:
    return BLANK.format(
        key=f"new_process_{secrets.token_hex(3)}",
        process=quoteattr(pgettext("name of a new process", "New process")),
        start=quoteattr(pgettext("name of a new process's start event", "Application submitted")),
    )
