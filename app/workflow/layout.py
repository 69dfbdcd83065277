"""BPMN diagram interchange (DI) computed from the process graph: where each shape and line goes.

The same drawing as the designer's 整理布局 (`planLayout` in admin/src/lib/bpmn.ts), number for
number, so a diagram laid out here and tidied in the designer does not move, and tidying it is no
unpublished change. The forward path runs left to right in one row (parallel branches stacked),
退回上一步 arcs above it, 驳回 goes down to the rejected end under the last column, 退回申请人 runs
along a line to the correction step underneath the first step, and the resume flows go back up.
Nothing crosses for the shipped chains.

`layout(xml)` returns the process with a fresh BPMNDiagram; `ensure_di(xml)` lays out only a process
saved without a complete one. The model itself (ids, names, properties, conditions) is untouched.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from app.workflow.engine import PROCESS_DIR

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

# bpmn-js's default sizes
SIZES = {"userTask": (100, 80), "exclusiveGateway": (50, 50), "parallelGateway": (50, 50),
         "startEvent": (36, 36), "endEvent": (36, 36)}
COL_GAP, ROW_GAP, MAIN_CY, ARC_GAP, ARC_STEP = 50, 130, 210, 26, 16
LABEL_CHARS, CHAR_W, LINE_H = 7, 12, 14  # external labels wrap at 90px in bpmn-js

ACTION_COND = re.compile(r"""^\s*action\s*==\s*["']([a-z_]+)["']\s*$""")
RETURNED_COND = re.compile(r"""^\s*returned_from\s*==\s*["']([A-Za-z_]\w*)["']\s*$""")


@dataclass
class Node:
    id: str
    kind: str
    name: str
    w: int
    h: int
    outgoing: list[Flow] = field(default_factory=list)
    incoming: list[Flow] = field(default_factory=list)


@dataclass
class Flow:
    id: str
    source: Node
    target: Node
    name: str
    condition: str


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def label_size(name: str) -> tuple[int, int]:
    n = max(1, len(name))
    return CHAR_W * min(n, LABEL_CHARS) + 4, LINE_H * math.ceil(n / LABEL_CHARS)


def _action(cond: str) -> str | None:
    m = ACTION_COND.match(cond or "")
    return m.group(1) if m else None


def _rank(f: Flow) -> int:
    """0: carries the case forward; 1: rejects; 2: goes back (return, resume after correction)."""
    if not f.condition:
        return 0
    a = _action(f.condition)
    if a == "reject":
        return 1
    if a in ("return_previous", "return_applicant") or RETURNED_COND.match(f.condition):
        return 2
    return 0


def _gateway_after(n: Node) -> Node | None:
    if len(n.outgoing) != 1:
        return None
    t = n.outgoing[0].target
    return t if t.kind == "exclusiveGateway" else None


def _graph(proc: etree._Element) -> tuple[list[Node], list[Flow]]:
    nodes: dict[str, Node] = {}
    for el in proc:
        if not isinstance(el.tag, str):
            continue
        kind = etree.QName(el).localname
        if etree.QName(el).namespace == BPMN and kind in SIZES:
            w, h = SIZES[kind]
            nodes[el.get("id")] = Node(el.get("id"), kind, el.get("name") or "", w, h)
    flows = []
    for el in proc.iter(f"{{{BPMN}}}sequenceFlow"):
        s, t = nodes.get(el.get("sourceRef")), nodes.get(el.get("targetRef"))
        if s is None or t is None:
            continue
        cond = el.find(f"{{{BPMN}}}conditionExpression")
        f = Flow(el.get("id"), s, t, el.get("name") or "", (cond.text or "").strip() if cond is not None else "")
        s.outgoing.append(f)
        t.incoming.append(f)
        flows.append(f)
    return list(nodes.values()), flows


@dataclass
class Plan:
    boxes: dict[str, Box]
    waypoints: dict[str, list[tuple[float, float]]]
    labels: dict[str, Box]  # owner id (flow or node) -> label bounds


def plan(proc: etree._Element) -> Plan:
    nodes, flows = _graph(proc)
    start = next((n for n in nodes if n.kind == "startEvent"), None)
    if start is None:
        raise ValueError("流程没有开始事件，无法整理布局")
    layer: dict[str, int] = {}
    order: list[Node] = []
    on_stack: set[str] = set()

    def visit(n: Node, depth: int) -> None:
        if n.id in on_stack or layer.get(n.id, -1) >= depth:
            return
        if n.id not in layer:
            order.append(n)
        layer[n.id] = depth
        on_stack.add(n.id)
        for f in n.outgoing:
            if _rank(f) == 0:
                visit(f.target, depth + 1)
        on_stack.discard(n.id)

    visit(start, 0)
    layers: list[list[Node]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in order:
        layers[layer[n.id]].append(n)
    col_x, col_w, x = [], [], 60
    for ns in layers:
        col_w.append(max(n.w for n in ns))
        col_x.append(x)
        x += col_w[-1] + COL_GAP
    rows = max(len(ns) for ns in layers)
    boxes: dict[str, Box] = {}
    for i, ns in enumerate(layers):
        for r, n in enumerate(ns):
            cx, cy = col_x[i] + col_w[i] / 2, MAIN_CY + r * ROW_GAP
            boxes[n.id] = Box(cx - n.w / 2, cy - n.h / 2, n.w, n.h)
    main_bottom = MAIN_CY + (rows - 1) * ROW_GAP + 40
    main_top = MAIN_CY - 40
    reject_y = main_bottom + 90
    bus_y = reject_y + 55
    corr_cy = bus_y + 80

    last = len(layers) - 1
    rejected_ends = [n for n in nodes if n.id not in layer and n.kind == "endEvent"]
    for i, n in enumerate(rejected_ends):
        cx = col_x[last] + col_w[last] / 2 + i * (n.w + COL_GAP)
        boxes[n.id] = Box(cx - n.w / 2, reject_y - n.h / 2, n.w, n.h)
    corrections = [n for n in nodes if n.id not in layer and n.kind == "userTask"
                   and any(_action(f.condition) == "return_applicant" for f in n.incoming)]
    first_step = next((n for n in order if n.kind == "userTask"), None)
    corr_x = boxes[first_step.id].x if first_step else 60
    corr_gws: set[str] = set()
    for c in corrections:
        boxes[c.id] = Box(corr_x, corr_cy - c.h / 2, c.w, c.h)
        corr_x += c.w + COL_GAP
        g = _gateway_after(c)
        if g is not None and g.id not in layer:
            boxes[g.id] = Box(corr_x, corr_cy - g.h / 2, g.w, g.h)
            corr_gws.add(g.id)
            corr_x += g.w + COL_GAP
    # Anything else (not drawn by the conventions) goes in a row of its own underneath.
    spare_x = 60
    for n in nodes:
        if n.id not in boxes:
            boxes[n.id] = Box(spare_x, corr_cy + 120 - n.h / 2, n.w, n.h)
            spare_x += n.w + COL_GAP

    out = Plan(boxes, {}, {})
    in_main = set(layer)
    backward = [f for f in flows if f.source.id in in_main and f.target.id in in_main
                and layer[f.target.id] <= layer[f.source.id]]
    backward.sort(key=lambda f: boxes[f.source.id].cx - boxes[f.target.id].cx)
    arc = {f.id: i for i, f in enumerate(backward)}
    rejected_ids = {n.id for n in rejected_ends}
    correction_ids = {n.id for n in corrections}
    for f in flows:
        S, T = boxes[f.source.id], boxes[f.target.id]
        w, h = label_size(f.name)
        pts: list[tuple[float, float]] | None = None
        lab: tuple[float, float] | None = None
        if f.source.id in in_main and f.target.id in in_main and f.id not in arc:
            if abs(S.cy - T.cy) < 1:
                pts = [(S.x + S.w, S.cy), (T.x, T.cy)]
                lab = ((S.x + S.w + T.x) / 2, S.cy - h / 2 - 4)
            else:
                down = T.cy > S.cy
                pts = [(S.cx, S.y + S.h if down else S.y), (S.cx, T.cy), (T.x, T.cy)]
                lab = (S.cx + w / 2 + 6, T.cy - h / 2 - 4)
        elif f.id in arc:
            y = main_top - ARC_GAP - ARC_STEP * arc[f.id]
            pts = [(S.cx, S.y), (S.cx, y), (T.cx, y), (T.cx, T.y)]
            lab = ((S.cx + T.cx) / 2, y - h / 2 - 2)
        elif f.target.id in rejected_ids:
            if abs(S.cx - T.cx) < T.w / 2:
                pts = [(S.cx, S.y + S.h), (S.cx, T.y)]
            else:
                pts = [(S.cx, S.y + S.h), (S.cx, T.cy), (T.x, T.cy)]
            lab = (S.cx + w / 2 + 6, S.y + S.h + 22)
        elif f.target.id in correction_ids:
            pts = [(S.cx, S.y + S.h), (S.cx, bus_y), (T.cx, bus_y), (T.cx, T.y)]
            lab = (S.cx + w / 2 + 6, (reject_y + bus_y) / 2 + 4)
        elif f.source.id in corr_gws and f.target.id in in_main:
            if abs(S.cx - T.cx) < 2:
                pts = [(S.cx, S.y), (T.cx, T.y + T.h)]
                lab = (T.cx + w / 2 + 6, (S.y + T.y + T.h) / 2)
            else:
                side = S.x + S.w if T.cx > S.cx else S.x
                pts = [(side, S.cy), (T.cx, S.cy), (T.cx, T.y + T.h)]
                lab = (T.cx + w / 2 + 6, S.cy - h / 2 - 4)
        elif f.source.id in correction_ids and f.target.id in corr_gws:
            pts = [(S.x + S.w, S.cy), (T.x, T.cy)]
        else:  # not drawn by the conventions: a plain elbow
            pts = [(S.x + S.w, S.cy), ((S.x + S.w + T.x) / 2, S.cy), ((S.x + S.w + T.x) / 2, T.cy), (T.x, T.cy)]
        out.waypoints[f.id] = pts
        if lab and f.name:
            out.labels[f.id] = Box(lab[0] - w / 2, lab[1] - h / 2, w, h)
    for n in nodes:
        if not n.name:
            continue
        b = boxes[n.id]
        w, h = label_size(n.name)
        if n.kind in ("exclusiveGateway", "parallelGateway"):
            c = (b.cx, b.y + b.h + h / 2 + 6) if n.id in corr_gws else (b.cx - w / 2 - 6, b.y + b.h + h / 2 + 16)
            out.labels[n.id] = Box(c[0] - w / 2, c[1] - h / 2, w, h)
        elif n.kind in ("startEvent", "endEvent"):
            out.labels[n.id] = Box(b.cx - w / 2, b.y + b.h + 7, w, h)
    return out


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(round(v, 2))


def _bounds(parent: etree._Element, b: Box) -> None:
    etree.SubElement(parent, f"{{{DC}}}Bounds", x=_num(b.x), y=_num(b.y), width=_num(b.w), height=_num(b.h))


def _process(root: etree._Element) -> etree._Element:
    procs = [p for p in root.findall(f"{{{BPMN}}}process") if p.get("isExecutable", "true").lower() == "true"]
    if len(procs) != 1:
        raise ValueError("流程文件应当只包含一个可执行流程（process）")
    return procs[0]


def layout(xml: str | bytes) -> str:
    """The process with its diagram (re)computed: every shape, line and label."""
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False,
                                                  no_network=True, load_dtd=False))
    proc = _process(root)
    p = plan(proc)
    for d in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(d)
    key = proc.get("id")
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"diagram_{key}")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"plane_{key}", bpmnElement=key)
    kinds = {el.get("id"): etree.QName(el).localname for el in proc if isinstance(el.tag, str)}
    for nid, b in p.boxes.items():
        attrs = {"id": f"{nid}_di", "bpmnElement": nid}
        if kinds.get(nid) == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", attrs)
        _bounds(shape, b)
        if nid in p.labels:
            _bounds(etree.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel"), p.labels[nid])
    for fid, pts in p.waypoints.items():
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
        for x, y in pts:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=_num(x), y=_num(y))
        if fid in p.labels:
            _bounds(etree.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), p.labels[fid])
    etree.cleanup_namespaces(root, top_nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI})
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()


def has_di(xml: str | bytes) -> bool:
    """Whether every flow node and flow of the process has its shape or edge."""
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    proc = _process(root)
    drawn = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
    want = {el.get("id") for el in proc if isinstance(el.tag, str)
            and etree.QName(el).localname in (*SIZES, "sequenceFlow")}
    return want <= drawn


def ensure_di(xml: str) -> str:
    """A process saved without a (complete) diagram gets one; a drawn one is kept as drawn."""
    try:
        return xml if has_di(xml) else layout(xml)
    except (etree.XMLSyntaxError, ValueError):
        return xml  # the deploy check names what is wrong


def rewrite_defaults(directory: Path | None = None) -> list[str]:
    """Lay out the shipped processes in place (run once when a default process changes)."""
    done = []
    for path in sorted((directory or PROCESS_DIR).glob("*.bpmn")):
        path.write_text(layout(path.read_bytes()), encoding="utf-8")
        done.append(path.stem)
    return done


if __name__ == "__main__":
    print("laid out:", ", ".join(rewrite_defaults()))
