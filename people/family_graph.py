"""Lays the family out in rows by generation for an SVG drawn on the person page (no script needed)."""

from dataclasses import dataclass

from people.selectors import FamilyNode

BOX_WIDTH = 170
BOX_HEIGHT = 46
GAP_X = 20
GAP_Y = 50


@dataclass
class Box:
    x: int
    y: int
    node: FamilyNode | None  # None for the person at the centre
    label: str
    caption: str


@dataclass
class Line:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class FamilyDrawing:
    width: int
    height: int
    boxes: list[Box]
    lines: list[Line]


def layout(centre_label: str, nodes: list[FamilyNode], restricted_label: str) -> FamilyDrawing:
    rows: dict[int, list[FamilyNode | None]] = {0: [None]}
    for node in nodes:
        rows.setdefault(node.generation, []).append(node)
    generations = sorted(rows)
    widest = max(len(r) for r in rows.values())
    width = max(widest * (BOX_WIDTH + GAP_X) + GAP_X, BOX_WIDTH + 2 * GAP_X)
    boxes: list[Box] = []
    for row_index, generation in enumerate(generations):
        row = rows[generation]
        row_width = len(row) * (BOX_WIDTH + GAP_X) - GAP_X
        x = (width - row_width) // 2
        y = GAP_X + row_index * (BOX_HEIGHT + GAP_Y)
        for row_node in row:
            if row_node is None:
                box = Box(x, y, None, centre_label, "")
            else:
                label = row_node.name if row_node.visible else restricted_label
                box = Box(x, y, row_node, label, row_node.relation)
            boxes.append(box)
            x += BOX_WIDTH + GAP_X
    lines: list[Line] = []
    centre = next(box for box in boxes if box.node is None)  # row 0 always holds the person
    for box in boxes:
        if box.node is None:
            continue
        if box.node.generation < 0:
            lines.append(Line(box.x + BOX_WIDTH // 2, box.y + BOX_HEIGHT, centre.x + BOX_WIDTH // 2, centre.y))
        elif box.node.generation > 0:
            lines.append(Line(centre.x + BOX_WIDTH // 2, centre.y + BOX_HEIGHT, box.x + BOX_WIDTH // 2, box.y))
        else:
            left, right = sorted((box, centre), key=lambda b: b.x)
            lines.append(Line(left.x + BOX_WIDTH, left.y + BOX_HEIGHT // 2, right.x, right.y + BOX_HEIGHT // 2))
    height = GAP_X * 2 + len(generations) * (BOX_HEIGHT + GAP_Y) - GAP_Y
    return FamilyDrawing(width=width, height=height, boxes=boxes, lines=lines)
