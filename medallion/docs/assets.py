"""The site's stylesheet and its one small script, inlined into every page (works offline)."""

from __future__ import annotations

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --landing: #eef1f4; --bronze: #f6e3cf; --silver: #eceff3; --gold: #fbefc4;
  --dashboards: #dcebfb; --link: #0b5cad; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: var(--ink); background: var(--bg); }
header.site { padding: 10px 24px; border-bottom: 1px solid var(--line); background: var(--soft);
  display: flex; gap: 18px; align-items: baseline; flex-wrap: wrap; }
header.site a.home { font-weight: 600; color: var(--ink); text-decoration: none; }
header.site .crumbs { color: var(--muted); }
main { padding: 16px 24px 48px; max-width: 1500px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h1.mono { font-size: 22px; }
h4 { font-size: 13px; margin: 8px 0 2px; color: var(--muted); font-weight: 600; }
td.type { white-space: nowrap; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead { color: var(--muted); margin-top: 0; font-size: 15px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top;
  text-align: left; }
th { background: var(--soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px;
  border: 1px solid var(--line); }
.badge.layer-landing { background: var(--landing); }
.badge.layer-bronze { background: var(--bronze); }
.badge.layer-silver { background: var(--silver); }
.badge.layer-gold { background: var(--gold); }
.status-pass { color: var(--ok); font-weight: 600; }
.status-fail, .status-error { color: var(--bad); font-weight: 600; }
.status-warn, .status-quarantined { color: var(--warn); font-weight: 600; }
.missing { color: var(--muted); font-style: italic; }
.graph-scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px;
  background: var(--bg); }
svg.lineage-graph { display: block; font-size: 12.5px; }
svg.lineage-graph .band rect { stroke: none; }
svg.lineage-graph .band text { text-anchor: start; font-weight: 600; fill: var(--muted);
  text-transform: uppercase; letter-spacing: .06em; font-size: 11px; }
svg.lineage-graph .band-landing rect { fill: var(--landing); }
svg.lineage-graph .band-bronze rect { fill: var(--bronze); }
svg.lineage-graph .band-silver rect { fill: var(--silver); }
svg.lineage-graph .band-gold rect { fill: var(--gold); }
svg.lineage-graph .band-dashboards rect { fill: var(--dashboards); }
svg.lineage-graph .band rect { opacity: .55; }
svg.lineage-graph .node rect { fill: #fff; stroke: #8c959f; stroke-width: 1.2; }
svg.lineage-graph .node .label { font-weight: 600; fill: var(--ink); }
svg.lineage-graph .node .detail { fill: var(--muted); font-size: 11px; }
svg.lineage-graph .node:hover rect, svg.lineage-graph .node.hot rect { stroke: var(--link);
  stroke-width: 2; }
svg.lineage-graph .edge { fill: none; stroke: #8c959f; stroke-width: 1.2; opacity: .75; }
svg.lineage-graph .arrow { fill: #8c959f; }
svg.lineage-graph.focus .edge { opacity: .12; }
svg.lineage-graph.focus .node { opacity: .35; }
svg.lineage-graph.focus .edge.hot { opacity: 1; stroke: var(--link); stroke-width: 2; }
svg.lineage-graph.focus .node.hot { opacity: 1; }
section.column { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 8px;
  margin: 10px 0; }
section.column:target { border-color: var(--link); box-shadow: 0 0 0 2px #cfe3fa; }
section.column h3 { margin-top: 8px; }
ul.keys { margin: 2px 0 6px; padding-left: 20px; }
ul.keys.inline { padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 2px 12px; }
.note { color: var(--muted); }
.lineage-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
  gap: 0 24px; }
details { margin: 6px 0 4px; }
summary { cursor: pointer; color: var(--muted); }
"""

# Hovering a graph node highlights everything upstream and downstream of it.
JS = """
(function () {
  var svg = document.querySelector("svg.lineage-graph");
  if (!svg) { return; }
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node"));
  function walk(start, from, to) {
    var seen = {}, todo = [start];
    seen[start] = true;
    while (todo.length) {
      var id = todo.pop();
      edges.forEach(function (e) {
        if (e.getAttribute(from) === id) {
          e.classList.add("hot");
          var next = e.getAttribute(to);
          if (!seen[next]) { seen[next] = true; todo.push(next); }
        }
      });
    }
    return seen;
  }
  nodes.forEach(function (node) {
    node.addEventListener("mouseenter", function () {
      var id = node.getAttribute("data-node");
      var up = walk(id, "data-to", "data-from"), down = walk(id, "data-from", "data-to");
      nodes.forEach(function (n) {
        var other = n.getAttribute("data-node");
        if (up[other] || down[other]) { n.classList.add("hot"); }
      });
      svg.classList.add("focus");
    });
    node.addEventListener("mouseleave", function () {
      svg.classList.remove("focus");
      svg.querySelectorAll(".hot").forEach(function (e) { e.classList.remove("hot"); });
    });
  });
})();
"""
