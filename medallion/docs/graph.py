"""The table-level lineage graph as inline SVG: landing | bronze | silver | gold | dashboards.

Nodes and edges come from the registry (each model's inputs), the landing folders of the
bronze tables, and the dashboards' inputs; the layout is computed here (no JavaScript library,
no network). Bands run top to bottom, so the graph fits a screen's width; within a band, a
model that reads another of the same band sits in a lower row, so every edge points down.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from medallion.lineage.columns import landing_table
from medallion.registry import LAYER_ORDER, ModelSpec
from medallion.sources import BY_BRONZE_NAME

BANDS = ("landing", *LAYER_ORDER, "dashboards")
NODE_W, NODE_H = 176, 42
WAYPOINT_W = 8.0  # the room an edge takes where it crosses a row
COL_GAP, ROW_GAP = 14, 34  # between items of a row; between rows of a band
BAND_GAP = 26  # extra space between bands
LEFT, TOP, MARGIN = 104, 24, 14  # LEFT leaves room for the band names
LONG_LABEL = 21  # characters that fit a node at the label's size


@dataclass(frozen=True)
class Node:
    id: str  # "gold.fact_sales", "landing.crm/cust_info", "dashboard.Sales performance"
    band: str
    label: str
    detail: str
    href: str
    tooltip: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str


@dataclass(frozen=True)
class Placed:
    node: Node
    x: float
    y: float


def dashboard_id(title: str) -> str:
    return f"dashboard.{title}"


def graph_of(
    specs: dict[str, ModelSpec],
    dashboards: dict[str, tuple[str, ...]],
    *,
    detail: Callable[[str], str],
    href: Callable[[str], str],
) -> tuple[list[Node], list[Edge]]:
    """Every landing folder, model and dashboard, with an edge per input read."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    for name, spec in specs.items():
        if spec.layer == "bronze":
            source = BY_BRONZE_NAME[spec.table]
            landing = landing_table(source)
            nodes.append(
                Node(
                    landing,
                    "landing",
                    f"{source.source}/{source.table}",
                    detail(landing),
                    href(landing),
                    f"landing folder {source.folder}/*.csv",
                )
            )
            edges.append(Edge(landing, name))
        nodes.append(Node(name, spec.layer, spec.table, detail(name), href(name), spec.description))
        edges.extend(Edge(parent, name) for parent in spec.inputs)
    for title, tables in dashboards.items():
        node = dashboard_id(title)
        nodes.append(
            Node(node, "dashboards", title, detail(node), href(node), f"reads {', '.join(tables)}")
        )
        edges.extend(Edge(table, node) for table in tables if table in specs)
    return nodes, edges


def _rows(nodes: list[Node], edges: list[Edge]) -> list[tuple[str, list[Node]]]:
    """(band, nodes) per row, top to bottom; a band splits by depth within the band."""
    by_id = {n.id: n for n in nodes}
    parents: dict[str, list[str]] = {n.id: [] for n in nodes}
    for edge in edges:
        parents[edge.target].append(edge.source)
    depth: dict[str, int] = {}

    def depth_of(node: str) -> int:
        if node not in depth:
            same = [p for p in parents[node] if by_id[p].band == by_id[node].band]
            depth[node] = 1 + max(map(depth_of, same)) if same else 0
        return depth[node]

    rows: list[tuple[str, list[Node]]] = []
    for band in BANDS:
        members = [n for n in nodes if n.band == band]
        for level in range(max((depth_of(n.id) for n in members), default=-1) + 1):
            rows.append((band, [n for n in members if depth[n.id] == level]))
    return rows


@dataclass
class Layout:
    placed: list[Placed]
    routes: dict[Edge, list[tuple[float, float]]]  # waypoints, source bottom to target top
    width: float
    height: float


def layout(nodes: list[Node], edges: list[Edge]) -> Layout:
    """Rows of nodes, band under band (Sugiyama-style): an edge that skips rows gets a narrow
    waypoint in each row it crosses, so it runs between nodes rather than behind them; each
    node and waypoint sits near the mean position of what it reads (barycentre)."""
    rows = _rows(nodes, edges)
    row_of = {n.id: index for index, (_, members) in enumerate(rows) for n in members}
    items: list[list[str]] = [[n.id for n in members] for _, members in rows]
    width_of = {n.id: float(NODE_W) for n in nodes}
    parents: dict[str, list[str]] = {n.id: [] for n in nodes}
    chains: dict[Edge, list[str]] = {}
    for number, edge in enumerate(edges):
        first, last = row_of[edge.source], row_of[edge.target]
        if last <= first:
            raise ValueError(f"edge {edge.source} -> {edge.target} does not point down")
        chain = [edge.source]
        for row in range(first + 1, last):
            waypoint = f"edge{number}@{row}"
            items[row].append(waypoint)
            width_of[waypoint] = WAYPOINT_W
            chain.append(waypoint)
        chain.append(edge.target)
        for parent, child in itertools.pairwise(chain):
            parents.setdefault(child, []).append(parent)
        chains[edge] = chain
    centre: dict[str, float] = {}
    top: dict[str, float] = {}
    y, previous_band = float(TOP), rows[0][0]
    for (band, _), row_items in zip(rows, items, strict=True):
        if band != previous_band:
            y, previous_band = y + BAND_GAP, band
        _place_row(row_items, parents, width_of, centre)
        top.update(dict.fromkeys(row_items, y))
        y += NODE_H + ROW_GAP
    placed = [Placed(n, centre[n.id] - NODE_W / 2, top[n.id]) for n in nodes]
    routes = {}
    for edge, chain in chains.items():
        points = [(centre[edge.source], top[edge.source] + NODE_H)]
        for waypoint in chain[1:-1]:
            points += [
                (centre[waypoint], top[waypoint]),
                (centre[waypoint], top[waypoint] + NODE_H),
            ]
        routes[edge] = [*points, (centre[edge.target], top[edge.target])]
    width = max(centre[i] + width_of[i] / 2 for i in centre) + MARGIN
    height = max(top.values()) + NODE_H + MARGIN + BAND_GAP / 2
    return Layout(placed, routes, width, height)


def _place_row(
    row: list[str],
    parents: dict[str, list[str]],
    width_of: dict[str, float],
    centre: dict[str, float],
) -> None:
    """Centres for one row: near the mean of its parents', in that order, without overlaps,
    shifted as a whole towards where they want to be but never past the left edge."""
    offset = float(LEFT)
    wanted: dict[str, float] = {}
    for item in row:  # items without a parent keep their order, left to right
        known = [centre[p] for p in parents.get(item, []) if p in centre]
        wanted[item] = sum(known) / len(known) if known else offset + width_of[item] / 2
        offset += width_of[item] + COL_GAP
    order = sorted(row, key=lambda i: wanted[i])
    lefts: list[float] = []
    for previous, item in zip([None, *order], order, strict=False):
        left = wanted[item] - width_of[item] / 2
        if previous is not None:
            left = max(left, lefts[-1] + width_of[previous] + COL_GAP)
        lefts.append(left)
    shift = sum(wanted[i] - width_of[i] / 2 - left for i, left in zip(order, lefts, strict=True))
    shift = max(shift / len(order), LEFT - lefts[0]) if order else 0.0
    for item, left in zip(order, lefts, strict=True):
        centre[item] = left + shift + width_of[item] / 2


def _path(points: list[tuple[float, float]]) -> str:
    """Vertical S-curves between rows, straight lines through the rows an edge crosses."""
    (x, y), rest = points[0], points[1:]
    parts = [f"M{x:.0f},{y:.0f}"]
    for index, (nx, ny) in enumerate(rest):
        if index % 2 == 0:  # from a bottom to the next row's top
            bend = max(12.0, (ny - y) / 2)
            parts.append(f"C{x:.0f},{y + bend:.0f} {nx:.0f},{ny - bend:.0f} {nx:.0f},{ny:.0f}")
        else:  # down through a row, between its nodes
            parts.append(f"L{nx:.0f},{ny:.0f}")
        x, y = nx, ny
    return " ".join(parts)


def render_svg(nodes: list[Node], edges: list[Edge]) -> str:
    """The graph as an ``<svg class="lineage-graph">``; nodes are links (``a.node``)."""
    found = layout(nodes, edges)
    width, height = found.width, found.height
    parts = [
        f'<svg class="lineage-graph" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        'role="img" aria-label="Lineage: landing files, bronze, silver and gold tables, '
        'dashboards">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrow"/></marker>'
        "</defs>",
    ]
    for band in BANDS:
        members = [p for p in found.placed if p.node.band == band]
        if not members:
            continue
        top = min(p.y for p in members) - BAND_GAP / 2 + 4
        bottom = max(p.y for p in members) + NODE_H + BAND_GAP / 2 - 4
        parts.append(
            f'<g class="band band-{band}"><rect x="4" y="{top:.0f}" width="{width - 8:.0f}" '
            f'height="{bottom - top:.0f}" rx="8"/><text x="14" y="{(top + bottom) / 2 + 4:.0f}">'
            f"{escape(band)}</text></g>"
        )
    parts.append('<g class="edges">')
    for edge, points in found.routes.items():
        parts.append(
            f'<path class="edge" data-from="{escape(edge.source)}" '
            f'data-to="{escape(edge.target)}" marker-end="url(#arrow)" d="{_path(points)}"/>'
        )
    parts.append('</g><g class="nodes">')
    for p in found.placed:
        n = p.node
        # Squeeze a long name into the box rather than let it overflow.
        fit = (
            f' textLength="{NODE_W - 18}" lengthAdjust="spacingAndGlyphs"'
            if len(n.label) > LONG_LABEL
            else ""
        )
        parts.append(
            f'<a class="node band-{n.band}" href="{escape(n.href)}" data-node="{escape(n.id)}">'
            f"<title>{escape(n.id)}: {escape(n.tooltip)}</title>"
            f'<rect x="{p.x:.0f}" y="{p.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text class="label" x="{p.x + 9:.0f}" y="{p.y + 18:.0f}"{fit}>{escape(n.label)}'
            f'</text><text class="detail" x="{p.x + 9:.0f}" y="{p.y + 34:.0f}">'
            f"{escape(n.detail)}</text></a>"
        )
    parts.append("</g></svg>")
    return "".join(parts)
