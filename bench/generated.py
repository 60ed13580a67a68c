"""BPMN files generated for the growth scenarios: one department per lane, as designers draw them.

``fan_out(n)``: intake at the front desk, then n departments review in parallel, each under a
deadline (an interrupting boundary timer: silence past the limit counts as approval, 逾期视为同意),
then the join and the end. The shape of the reference process, with n instead of four.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'id="definitions_{pid}" targetNamespace="http://binglian.example/bench">\n'
)


def department(i: int) -> str:
    return f"dept_{i:02d}"


def _user_task(tid: str, name: str, outcomes: str, promised: int) -> str:
    return (
        f'    <bpmn:userTask id="{tid}" name={quoteattr(name)}>\n'
        "      <bpmn:extensionElements><camunda:properties>\n"
        f'        <camunda:property name="promised_limit_working_days" value="{promised}" />\n'
        f'        <camunda:property name="outcomes" value="{outcomes}" />\n'
        "      </camunda:properties></bpmn:extensionElements>\n"
        "    </bpmn:userTask>\n"
    )


def _flow(source: str, target: str) -> str:
    return f'    <bpmn:sequenceFlow id="flow_{source}_to_{target}" sourceRef="{source}" targetRef="{target}" />\n'


def fan_out(n: int, *, deadlines: bool = True) -> bytes:
    """A bundle fanning out to ``n`` departments; with ``deadlines``, each review has its boundary timer."""
    pid = f"bench_fan_out_{n}"
    lanes = [
        '      <bpmn:lane id="lane_front_desk" name="综合窗口 Front desk">\n'
        + "".join(
            f"        <bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>\n" for x in ("start", "intake", "fork", "join", "end")
        )
        + "      </bpmn:lane>\n"
    ]
    nodes = [
        '    <bpmn:startEvent id="start" />\n',
        _user_task("intake", "一窗受理 Intake", "accept", 1),
        '    <bpmn:parallelGateway id="fork" />\n',
        '    <bpmn:parallelGateway id="join" />\n',
        '    <bpmn:endEvent id="end" />\n',
    ]
    flows = [_flow("start", "intake"), _flow("intake", "fork"), _flow("join", "end")]
    for i in range(1, n + 1):
        code = department(i)
        review, merge, deemed = f"review_{i:02d}", f"merge_{i:02d}", f"deemed_{i:02d}"
        refs = [review, merge] + ([deemed] if deadlines else [])
        lanes.append(
            f'      <bpmn:lane id="lane_{code}" name="部门 {i} Department {i}">\n'
            + "".join(f"        <bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>\n" for x in refs)
            + "      </bpmn:lane>\n"
        )
        nodes.append(_user_task(review, f"审查 {i} Review {i}", "approve,reject", 3))
        nodes.append(f'    <bpmn:exclusiveGateway id="{merge}" />\n')
        flows += [_flow("fork", review), _flow(review, merge), _flow(merge, "join")]
        if deadlines:
            nodes.append(
                f'    <bpmn:boundaryEvent id="{deemed}" name="逾期视为同意 Deemed approval" attachedToRef="{review}">\n'
                f'      <bpmn:timerEventDefinition id="{deemed}_timer">\n'
                '        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>\n'
                "      </bpmn:timerEventDefinition>\n"
                "    </bpmn:boundaryEvent>\n"
            )
            flows.append(_flow(deemed, merge))
    body = (
        HEADER.format(pid=pid)
        + f'  <bpmn:process id="{pid}" name="并联 {n} 部门 Fan-out to {n} departments" isExecutable="true">\n'
        + '    <bpmn:laneSet id="laneset">\n'
        + "".join(lanes)
        + "    </bpmn:laneSet>\n"
        + "".join(nodes)
        + "".join(flows)
        + "  </bpmn:process>\n</bpmn:definitions>\n"
    )
    return body.encode("utf-8")
