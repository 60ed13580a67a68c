"""Writes the reference processes in bpmn/ from a compact description, with diagram layout.

The .bpmn files are the source of truth and designers may edit them in any modeler; this script
only exists so that the shipped reference processes have a tidy, reproducible layout.
Run: python scripts/layout_bpmn.py
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SIZES = {
    "user": (110, 70),
    "script": (110, 70),
    "start": (36, 36),
    "end": (36, 36),
    "xor": (50, 50),
    "and": (50, 50),
    "evgw": (50, 50),
    "msg": (36, 36),
    "timer": (36, 36),
    "boundary_timer": (36, 36),
    "or": (50, 50),
}
TAGS = {
    "user": "userTask",
    "script": "scriptTask",
    "start": "startEvent",
    "end": "endEvent",
    "xor": "exclusiveGateway",
    "and": "parallelGateway",
    "evgw": "eventBasedGateway",
    "msg": "intermediateCatchEvent",
    "timer": "intermediateCatchEvent",
    "boundary_timer": "boundaryEvent",
    "or": "inclusiveGateway",
}
COL, ROW, LANE_X, X0 = 150, 110, 160, 260

LANES = [
    ("front_desk", "综合窗口 Front desk"),
    ("market", "市场监管 Market regulation"),
    ("police", "公安 Public security"),
    ("tax", "税务 Taxation"),
    ("hrss", "人社 Human resources and social security"),
    ("housing_fund", "公积金中心 Housing fund"),
    ("bank", "银行 Bank"),
]
REVIEW_FORM = [("opinion", "审查意见 Opinion", "string")]
DEPARTMENT_REVIEWS = [
    ("police", "police_review", "公章刻制备案 Company seal", 1, 5),
    ("tax", "tax_review", "发票申领 Invoices", 1, 5),
    ("hrss", "hrss_review", "员工参保登记 Employee insurance", 1, 5),
    ("housing_fund", "fund_review", "公积金缴存登记 Housing fund", 1, 5),
]


class Process:
    def __init__(self, pid: str, name: str, lanes=None):
        self.pid, self.name = pid, name
        self.lanes = lanes or LANES
        self.nodes: dict[str, dict] = {}
        self.flows: list[dict] = []

    def node(self, nid, kind, name, lane, col, row=0, **extra):
        self.nodes[nid] = {"id": nid, "kind": kind, "name": name, "lane": lane, "col": col, "row": row, **extra}

    def flow(self, source, target, condition=None, default=False, name=""):
        fid = f"flow_{source}_to_{target}"
        self.flows.append({"id": fid, "source": source, "target": target, "condition": condition, "name": name})
        if default:
            self.nodes[source]["default"] = fid

    # -- geometry
    def lane_rows(self):
        rows = {code: 1 for code, _ in self.lanes}
        for n in self.nodes.values():
            rows[n["lane"]] = max(rows[n["lane"]], n["row"] + 1)
        return rows

    def lane_top(self):
        tops, y = {}, 80
        for code, _ in self.lanes:
            tops[code] = y
            y += self.lane_rows()[code] * ROW + 20
        return tops, y

    def bounds(self, n):
        if n["kind"] == "boundary_timer":  # on the lower edge of the task it is attached to
            hx, hy, hw, hh = self.bounds(self.nodes[n["attached_to"]])
            return hx + hw - 48, hy + hh - 18, 36, 36
        tops, _ = self.lane_top()
        w, h = SIZES[n["kind"]]
        cx = X0 + n["col"] * COL
        cy = tops[n["lane"]] + 10 + ROW // 2 + n["row"] * ROW
        return cx - w // 2, cy - h // 2, w, h

    def waypoints(self, f):
        sx, sy, sw, sh = self.bounds(self.nodes[f["source"]])
        tx, ty, tw, th = self.bounds(self.nodes[f["target"]])
        scx, scy, tcx, tcy = sx + sw // 2, sy + sh // 2, tx + tw // 2, ty + th // 2
        if tx > sx + sw:  # forwards
            if scy == tcy:
                return [(sx + sw, scy), (tx, tcy)]
            return [(scx, sy + sh if tcy > scy else sy), (scx, tcy), (tx, tcy)]
        if tcy > scy:  # down to a correction task below
            return [(scx, sy + sh), (scx, tcy), (tx + tw, tcy)] if tcx < scx else [(scx, sy + sh), (scx, ty)]
        # back up to the task being corrected
        return [(sx, scy), (tcx, scy), (tcx, ty + th)]

    # -- XML
    def xml(self, version_note: str) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
            'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="definitions_' + self.pid + '" '
            'targetNamespace="http://binglian.example/bpmn" exporter="Binglian layout_bpmn.py" exporterVersion="1">',
            f"  <!-- {escape(version_note)} -->",
            '  <bpmn:collaboration id="collaboration_' + self.pid + '">',
            f'    <bpmn:participant id="participant_{self.pid}" name={quoteattr(self.name)} processRef="{self.pid}" />',
            "  </bpmn:collaboration>",
        ]
        for mid, mname in (("msg_bank_account_opened", "bank_account_opened"), ("msg_service_rated", "service_rated")):
            if any(n.get("message") == mname for n in self.nodes.values()):
                out.append(f'  <bpmn:message id="{mid}" name="{mname}" />')
        out.append(f'  <bpmn:process id="{self.pid}" name={quoteattr(self.name)} isExecutable="true">')
        out.append('    <bpmn:laneSet id="laneset_' + self.pid + '">')
        for code, lname in self.lanes:
            out.append(f'      <bpmn:lane id="lane_{code}" name={quoteattr(lname)}>')
            out += [
                f"        <bpmn:flowNodeRef>{n['id']}</bpmn:flowNodeRef>"
                for n in self.nodes.values()
                if self.lane_of(n) == code
            ]
            out.append("      </bpmn:lane>")
        out.append("    </bpmn:laneSet>")
        for n in self.nodes.values():
            out += self.node_xml(n)
        for f in self.flows:
            attrs = f'id="{f["id"]}" sourceRef="{f["source"]}" targetRef="{f["target"]}"' + (
                f" name={quoteattr(f['name'])}" if f["name"] else ""
            )
            if f["condition"]:
                out.append(f"    <bpmn:sequenceFlow {attrs}>")
                out.append(
                    f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f["condition"])}</bpmn:conditionExpression>'
                )
                out.append("    </bpmn:sequenceFlow>")
            else:
                out.append(f"    <bpmn:sequenceFlow {attrs} />")
        out.append("  </bpmn:process>")
        out += self.diagram_xml()
        out.append("</bpmn:definitions>")
        return "\n".join(out) + "\n"

    def lane_of(self, n) -> str:
        return self.nodes[n["attached_to"]]["lane"] if n["kind"] == "boundary_timer" else n["lane"]

    def node_xml(self, n) -> list[str]:
        tag = TAGS[n["kind"]]
        attrs = f'id="{n["id"]}" name={quoteattr(n["name"])}'
        if n.get("default"):
            attrs += f' default="{n["default"]}"'
        if n["kind"] == "user":
            attrs += f' camunda:candidateGroups="{n["lane"]}"'
        if n["kind"] == "script":
            attrs += ' scriptFormat="python"'
        if n["kind"] == "boundary_timer":
            attrs += f' cancelActivity="true" attachedToRef="{n["attached_to"]}"'
        body = []
        incoming = [f["id"] for f in self.flows if f["target"] == n["id"]]
        outgoing = [f["id"] for f in self.flows if f["source"] == n["id"]]
        if n["kind"] in ("user", "script") and (n["kind"] == "user" or n.get("props")):
            props = n.get("props", {})
            body.append("      <bpmn:extensionElements>")
            if n.get("form"):
                body.append("        <camunda:formData>")
                for fid, label, ftype, *required in n["form"]:
                    if required and required[0]:
                        body.append(f'          <camunda:formField id="{fid}" label={quoteattr(label)} type="{ftype}">')
                        body.append(
                            '            <camunda:validation><camunda:constraint name="required" /></camunda:validation>'
                        )
                        body.append("          </camunda:formField>")
                    else:
                        body.append(
                            f'          <camunda:formField id="{fid}" label={quoteattr(label)} type="{ftype}" />'
                        )
                body.append("        </camunda:formData>")
            body.append("        <camunda:properties>")
            for key, value in props.items():
                body.append(f'          <camunda:property name="{key}" value="{value}" />')
            body.append("        </camunda:properties>")
            body.append("      </bpmn:extensionElements>")
        body += [f"      <bpmn:incoming>{i}</bpmn:incoming>" for i in incoming]
        body += [f"      <bpmn:outgoing>{o}</bpmn:outgoing>" for o in outgoing]
        if n["kind"] == "script":
            body.append(f"      <bpmn:script>{escape(n['script'])}</bpmn:script>")
        if n.get("instances"):  # a parallel multi-instance task: that many work items at once
            body.append("      <bpmn:multiInstanceLoopCharacteristics>")
            body.append(
                f'        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">{n["instances"]}</bpmn:loopCardinality>'
            )
            body.append("      </bpmn:multiInstanceLoopCharacteristics>")
        if n["kind"] == "msg":
            mid = "msg_" + n["message"]
            body.append(f'      <bpmn:messageEventDefinition id="{n["id"]}_definition" messageRef="{mid}" />')
        if n["kind"] in ("timer", "boundary_timer"):
            body.append(f'      <bpmn:timerEventDefinition id="{n["id"]}_definition">')
            body.append(
                f'        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{n["duration"]}</bpmn:timeDuration>'
            )
            body.append("      </bpmn:timerEventDefinition>")
        return [f"    <bpmn:{tag} {attrs}>", *body, f"    </bpmn:{tag}>"]

    def diagram_xml(self) -> list[str]:
        tops, bottom = self.lane_top()
        rows = self.lane_rows()
        width = X0 + (max(n["col"] for n in self.nodes.values()) + 1) * COL
        out = [
            '  <bpmndi:BPMNDiagram id="diagram_' + self.pid + '">',
            f'    <bpmndi:BPMNPlane id="plane_{self.pid}" bpmnElement="collaboration_{self.pid}">',
            f'      <bpmndi:BPMNShape id="participant_{self.pid}_di" bpmnElement="participant_{self.pid}" isHorizontal="true">',
            f'        <dc:Bounds x="{LANE_X - 30}" y="80" width="{width - LANE_X + 30}" height="{bottom - 100}" />',
            "      </bpmndi:BPMNShape>",
        ]
        for code, _ in self.lanes:
            out.append(f'      <bpmndi:BPMNShape id="lane_{code}_di" bpmnElement="lane_{code}" isHorizontal="true">')
            out.append(
                f'        <dc:Bounds x="{LANE_X}" y="{tops[code]}" width="{width - LANE_X}" height="{rows[code] * ROW + 20}" />'
            )
            out.append("      </bpmndi:BPMNShape>")
        for n in self.nodes.values():
            x, y, w, h = self.bounds(n)
            marker = ' isMarkerVisible="true"' if n["kind"] == "xor" else ""
            out.append(f'      <bpmndi:BPMNShape id="{n["id"]}_di" bpmnElement="{n["id"]}"{marker}>')
            out.append(f'        <dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />')
            out.append("      </bpmndi:BPMNShape>")
        for f in self.flows:
            out.append(f'      <bpmndi:BPMNEdge id="{f["id"]}_di" bpmnElement="{f["id"]}">')
            out += [f'        <di:waypoint x="{x}" y="{y}" />' for x, y in self.waypoints(f)]
            out.append("      </bpmndi:BPMNEdge>")
        out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
        return out


def review(p: Process, lane, nid, name, col, promised, statutory, outcomes="approve,reject,correction"):
    p.node(
        nid,
        "user",
        name,
        lane,
        col,
        form=REVIEW_FORM,
        props={
            "promised_limit_working_days": promised,
            "statutory_limit_working_days": statutory,
            "outcomes": outcomes,
        },
    )


def correction_loop(p: Process, lane, nid, col, on_approve, on_reject="end_rejected"):
    """review -> gateway: correction goes back through the front desk; reject and approve go on."""
    gw, fix = f"gw_{nid}", nid.replace("_review", "_correction")
    p.node(gw, "xor", "审查结果? Outcome?", lane, col + 1)
    p.node(
        fix,
        "user",
        "补正材料 Corrected material",
        lane,
        col,
        row=1,
        props={"promised_limit_working_days": 5, "outcomes": "resubmitted", "clock": "paused"},
    )
    p.flow(nid, gw)
    p.flow(gw, fix, f"{nid}_outcome == 'correction'", name="补正 correction")
    p.flow(fix, nid)
    if on_reject:
        p.flow(gw, on_reject, f"{nid}_outcome == 'reject'", name="不予许可 reject")
    if on_approve:
        p.flow(gw, on_approve, default=True)
    return gw


def intake_and_market(p: Process):
    p.node("start", "start", "申请提交 Application", "front_desk", 0)
    p.node(
        "intake",
        "user",
        "一窗受理 Intake",
        "front_desk",
        1,
        props={"promised_limit_working_days": 1, "statutory_limit_working_days": 5, "outcomes": "accept"},
    )
    p.node("gw_commit", "xor", "告知承诺? Notify-and-commit?", "market", 2)
    review(p, "market", "market_review", "营业执照审查 Business licence review", 3, 1, 15)
    # 马上办: on the applicant's written commitment the substantive review is skipped and the
    # business licence is issued at once; the post-check after the bundle is done verifies it.
    p.node(
        "issue_on_commitment",
        "script",
        "当场发照（告知承诺） Licence at once (notify-and-commit)",
        "market",
        3,
        row=2,
        script="licence_issued_on_commitment = True",
        props={"issues": "business_licence"},
    )
    p.node("merge_market", "xor", "", "market", 6)
    p.node("end_rejected", "end", "不予许可 Rejected", "front_desk", 0, row=2)
    p.flow("start", "intake")
    p.flow("intake", "gw_commit")
    p.flow("gw_commit", "issue_on_commitment", "notify_commit == True", name="承诺制 commitment")
    p.flow("gw_commit", "market_review", default=True)
    p.flow("issue_on_commitment", "merge_market")
    correction_loop(p, "market", "market_review", 3, on_approve="merge_market")
    # the correction task of market_review sits with the front desk
    p.nodes["market_correction"].update(lane="front_desk", col=3, row=1)


def issue_and_rating(p: Process, first_col: int, source: str):
    """Issue the bundle's licences, await the applicant's rating, then (on commitment) the post-check:
    passed; or failed, a rectification period, and if it runs out the licence is revoked."""
    c = first_col
    p.node(
        "issue_licences",
        "script",
        "发放电子证照 Issue e-licences",
        "market",
        c,
        script="licences_issued = True\nissued_on = today()",
        props={"issues": "business_licence,company_seal,invoice_eligibility", "concludes": "true"},
    )
    p.node("gw_rating", "evgw", "等待评价 Await rating", "front_desk", c + 1)
    p.node("rating_received", "msg", "好差评 Rating received", "front_desk", c + 2, message="service_rated")
    p.node("rating_window_closed", "timer", "评价期满 Rating window closed", "front_desk", c + 2, row=1, duration="P5D")
    p.node("merge_rating", "xor", "", "front_desk", c + 3)
    p.node("gw_post_check", "xor", "承诺制? Commitment?", "market", c + 4)
    p.node(
        "post_check",
        "user",
        "事后核查 Post-check",
        "market",
        c + 5,
        row=1,
        form=[("findings", "核查情况 Findings", "string", True)],
        props={
            "promised_limit_working_days": 20,
            "statutory_limit_working_days": 40,
            "outcomes": "pass,fail",
            "post_check": "true",
        },
    )
    p.node("gw_post_check_outcome", "xor", "承诺属实? Commitment true?", "market", c + 6, row=1)
    p.node(
        "rectification",
        "user",
        "限期整改 Rectification",
        "market",
        c + 7,
        row=1,
        form=[("rectification_report", "整改情况 Rectification done", "string")],
        props={"outcomes": "rectified"},
    )
    p.node(
        "rectification_period_over",
        "boundary_timer",
        "整改期满 Rectification period over",
        "market",
        c + 7,
        row=1,
        attached_to="rectification",
        duration="P2M",
    )
    p.node(
        "revoke_licence",
        "script",
        "撤销许可 Revoke the licence",
        "market",
        c + 8,
        row=2,
        script="licence_revoked = True",
        props={"revokes": "business_licence"},
    )
    p.node("end_revoked", "end", "许可已撤销 Licence revoked", "market", c + 9, row=2)
    p.node("merge_post", "xor", "", "market", c + 8)
    p.node("end_issued", "end", "办结 Issued", "front_desk", c + 9)
    p.flow(source, "issue_licences")
    p.flow("issue_licences", "gw_rating")
    p.flow("gw_rating", "rating_received")
    p.flow("gw_rating", "rating_window_closed")
    p.flow("rating_received", "merge_rating")
    p.flow("rating_window_closed", "merge_rating")
    p.flow("merge_rating", "gw_post_check")
    p.flow("gw_post_check", "post_check", "notify_commit == True", name="承诺制 commitment")
    p.flow("gw_post_check", "merge_post", default=True)
    p.flow("post_check", "gw_post_check_outcome")
    p.flow("gw_post_check_outcome", "rectification", "post_check_outcome == 'fail'", name="承诺不实 untrue")
    p.flow("gw_post_check_outcome", "merge_post", default=True)
    p.flow("rectification", "merge_post")
    p.flow("rectification_period_over", "revoke_licence")
    p.flow("revoke_licence", "end_revoked")
    p.flow("merge_post", "end_issued")
    p.nodes["end_rejected"]["col"] = c + 9


def parallel() -> Process:
    p = Process("business_registration", "企业开办 Business registration")
    intake_and_market(p)
    p.node("fork", "and", "并联审批 Parallel approval", "market", 7)
    p.node("join", "and", "汇总 Join", "market", 10)
    p.flow("merge_market", "fork")
    for lane, nid, name, promised, statutory in DEPARTMENT_REVIEWS:
        review(p, lane, nid, name, 8, promised, statutory)
        p.flow("fork", nid)
        correction_loop(p, lane, nid, 8, on_approve="join", on_reject=None)
        p.nodes[nid.replace("_review", "_correction")].update(lane=lane, col=8, row=1)
    p.node("bank_account_opened", "msg", "银行开户 Bank account opened", "bank", 8, message="bank_account_opened")
    p.flow("fork", "bank_account_opened")
    p.flow("bank_account_opened", "join")
    p.node("gw_result", "xor", "全部同意? All approved?", "market", 11)
    p.flow("join", "gw_result")
    decisions = ", ".join(f"{nid}_outcome" for _, nid, *_ in DEPARTMENT_REVIEWS)
    p.flow("gw_result", "end_rejected", f"'reject' in [{decisions}]", name="有部门不予许可 a department rejected")
    issue_and_rating(p, 12, "gw_result")
    p.nodes["gw_result"]["default"] = "flow_gw_result_to_issue_licences"
    return p


def serial() -> Process:
    p = Process("business_registration", "企业开办 Business registration (serial)")
    intake_and_market(p)
    previous, col = "merge_market", 7
    for lane, nid, name, promised, statutory in DEPARTMENT_REVIEWS:
        review(p, lane, nid, name, col, promised, statutory)
        p.flow(previous, nid, default=previous.startswith("gw_"))
        previous = correction_loop(p, lane, nid, col, on_approve=None, on_reject="end_rejected")
        p.nodes[nid.replace("_review", "_correction")].update(lane=lane, col=col, row=1)
        col += 2
    p.node("bank_account_opened", "msg", "银行开户 Bank account opened", "bank", col, message="bank_account_opened")
    p.flow(previous, "bank_account_opened", default=True)
    issue_and_rating(p, col + 1, "bank_account_opened")
    return p


CONSTRUCTION_LANES = [
    ("front_desk", "综合窗口 Front desk"),
    ("housing", "住房城乡建设 Housing and construction"),
    ("fire", "消防 Fire safety"),
    ("civil_defense", "人防 Civil air defence"),
    ("planning", "自然资源和规划 Planning"),
]


def construction_permit() -> Process:
    """建筑工程施工许可 一件事: the housing department reviews (with a correction loop), then the
    special reviews the project needs run at once (an inclusive gateway: fire safety over 500 m²,
    civil air defence with a basement, planning always), then three experts review in parallel (a
    multi-instance task), and the permit is issued."""
    p = Process("construction_permit", "建筑工程施工许可 Construction permit", CONSTRUCTION_LANES)
    p.node("start", "start", "申请提交 Application", "front_desk", 0)
    p.node(
        "intake",
        "user",
        "一窗受理 Intake",
        "front_desk",
        1,
        form=[
            ("floor_area", "建筑面积（平方米） Floor area (m²)", "long", True),
            ("has_basement", "含地下室 Has a basement", "boolean"),
        ],
        props={"promised_limit_working_days": 1, "statutory_limit_working_days": 5, "outcomes": "accept"},
    )
    review(p, "housing", "housing_review", "施工许可审查 Permit review", 2, 3, 10)
    correction_loop(p, "housing", "housing_review", 2, on_approve="special_reviews", on_reject="end_refused")
    p.nodes["housing_correction"].update(lane="front_desk", col=2, row=1)
    p.node("special_reviews", "or", "专项审查 Special reviews", "housing", 4)
    specials = [
        ("fire", "fire_review", "消防设计审查 Fire safety design", "floor_area >= 500", "500 m² 以上 over 500 m²"),
        (
            "civil_defense",
            "civil_defense_review",
            "人防审查 Civil air defence",
            "has_basement == True",
            "含地下室 basement",
        ),
        ("planning", "planning_check", "规划核验 Planning check", "True", "均需 always"),
    ]
    for lane, nid, name, condition, label in specials:
        review(p, lane, nid, name, 5, 3, 10, outcomes="approve")
        p.flow("special_reviews", nid, condition, name=label)
        p.flow(nid, "special_reviews_done")
    p.node("special_reviews_done", "or", "专项审查完成 Special reviews done", "housing", 6)
    p.node(
        "expert_review",
        "user",
        "专家评审 Expert review",
        "housing",
        7,
        instances=3,
        form=REVIEW_FORM,
        props={"promised_limit_working_days": 3, "statutory_limit_working_days": 10, "outcomes": "approve"},
    )
    p.flow("special_reviews_done", "expert_review")
    p.node(
        "issue_permit",
        "script",
        "核发施工许可 Issue the permit",
        "housing",
        8,
        script="permit_issued = True",
        props={"concludes": "true", "result": "granted"},
    )
    p.flow("expert_review", "issue_permit")
    p.node("end_granted", "end", "办结 Permit issued", "front_desk", 9)
    p.node("end_refused", "end", "不予许可 Refused", "front_desk", 9, row=2)
    p.flow("issue_permit", "end_granted")
    p.flow("start", "intake")
    p.flow("intake", "housing_review")
    return p


def main():
    root = Path(__file__).resolve().parent.parent / "bpmn"
    (root / "construction_permit.bpmn").write_text(
        construction_permit().xml(
            "建筑工程施工许可 一件事: housing reviews, the special reviews a project needs at once, three experts, the permit."
        ),
        encoding="utf-8",
    )
    (root / "business_registration.bpmn").write_text(
        parallel().xml(
            "企业开办, parallel: after market regulation, public security, tax, HRSS, the housing fund and the bank act at once."
        ),
        encoding="utf-8",
    )
    (root / "business_registration_serial.bpmn").write_text(
        serial().xml(
            "企业开办, the older serial process: each department acts after the one before. Kept for version comparison."
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
