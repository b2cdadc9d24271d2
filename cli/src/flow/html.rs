//! The flow page: one Sankey chart per group, laid out in the browser by d3-sankey.
//!
//! Self-contained: the CSS, the vendored d3 code and the chart data are inline and nothing is
//! fetched. Text from the data is escaped by maud; the charts' data is JSON in a
//! `<script type="application/json">` with `</` written `<\/`, and the script draws labels with
//! `textContent`, never as HTML.

use super::Chart;
use journey_core::Viewer;
use journey_core::paths::PathsQuery;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// d3-sankey and the parts of d3 it needs, in load order (cli/assets/vendor/README.md).
const VENDORED: [&str; 4] = [
    include_str!("../../assets/vendor/d3-array.min.js"),
    include_str!("../../assets/vendor/d3-path.min.js"),
    include_str!("../../assets/vendor/d3-shape.min.js"),
    include_str!("../../assets/vendor/d3-sankey.min.js"),
];

/// The whole page.
pub fn page(query: &PathsQuery, viewer: &Viewer, charts: &[Chart]) -> String {
    let query_text =
        serde_json::to_string_pretty(&given(serde_json::to_value(query).unwrap_or_default())).unwrap_or_default();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Journey paths" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Journey paths" }
                    p.summary {
                        (charts.len()) @if charts.len() == 1 { " chart" } @else { " charts" }
                        " · viewer: " (viewer.permissions.join(", "))
                        " · divisions: " (viewer.divisions.join(", "))
                    }
                    details open {
                        summary { "Query: steps, anchor, depth, filters" }
                        pre.query { (query_text) }
                    }
                }
                main {
                    @for chart in charts { (self::chart(chart)) }
                    @if charts.is_empty() { p.empty { "No session this viewer may see has a path." } }
                }
                @for code in VENDORED { script { (PreEscaped(code)) } }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}

/// The query as its author wrote it: without the keys left at their defaults.
fn given(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, given(value)))
                .filter(|(key, value)| match value {
                    Value::Null => false,
                    Value::Array(items) => !items.is_empty(),
                    Value::Object(map) => !map.is_empty(),
                    Value::Number(n) => !(key == "minCellSize" && n.as_u64() == Some(0)),
                    Value::String(text) => !(key == "anchor" && text == "start"),
                    Value::Bool(_) => true,
                })
                .collect(),
        ),
        other => other,
    }
}

fn chart(chart: &Chart) -> Markup {
    // JSON inside a script element: `</` would end it early, `<\/` is the same JSON string.
    let data = serde_json::to_string(chart).unwrap_or_default().replace("</", "<\\/");
    html! {
        section.chart {
            h2 { (chart.title) " · " (chart.sessions) " sessions" }
            svg.sankey role="img" aria-label={ "Paths of " (chart.title) } {}
            script.data type="application/json" { (PreEscaped(data)) }
        }
    }
}

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2733; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.summary { color: #555; margin: 0 0 .5rem; }
pre.query { background: #f4f6f8; padding: .5rem .75rem; border-radius: 4px; max-width: 60rem; overflow: auto; }
svg.sankey { width: 100%; max-width: 1200px; display: block; }
rect.node { fill: #2f6fab; }
rect.node.ended { fill: #b8c2cc; }
path.link { fill: none; stroke: #2f6fab; stroke-opacity: .25; }
path.link.ended { stroke: #9aa5b1; }
path.link:hover { stroke-opacity: .5; }
text.label { font-size: 12px; fill: #1d2733; }
.empty { color: #555; }
"#;

/// Lays each chart out with d3-sankey and draws its nodes, links and labels.
const SCRIPT: &str = r#"
(function () {
  const svgNS = 'http://www.w3.org/2000/svg';
  const make = (parent, name, attributes) => {
    const element = document.createElementNS(svgNS, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    parent.appendChild(element);
    return element;
  };
  for (const section of document.querySelectorAll('section.chart')) {
    const data = JSON.parse(section.querySelector('script.data').textContent);
    const svg = section.querySelector('svg');
    const depths = Math.max(1, ...data.nodes.map((n) => n.depth + 1));
    const width = 1100, height = Math.max(200, 36 * Math.max(...Array.from({ length: depths },
      (_, d) => data.nodes.filter((n) => n.depth === d).length)));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const graph = d3.sankey().nodeWidth(14).nodePadding(14).nodeAlign((node) => node.depth)
      .extent([[1, 5], [width - 160, height - 5]])({
        nodes: data.nodes.map((n) => Object.assign({}, n)),
        links: data.links.map((l) => Object.assign({}, l)),
      });
    for (const link of graph.links) {
      const path = make(svg, 'path', {
        class: link.target.name === '(ended)' ? 'link ended' : 'link',
        d: d3.sankeyLinkHorizontal()(link), 'stroke-width': Math.max(1, link.width),
      });
      make(path, 'title', {}).textContent = `${link.source.name} → ${link.target.name}: ${link.value} sessions`;
    }
    for (const node of graph.nodes) {
      const rect = make(svg, 'rect', {
        class: node.name === '(ended)' ? 'node ended' : 'node',
        x: node.x0, y: node.y0, width: node.x1 - node.x0, height: Math.max(1, node.y1 - node.y0),
      });
      make(rect, 'title', {}).textContent = node.detail;
      const label = make(svg, 'text', { class: 'label', x: node.x1 + 6, y: (node.y0 + node.y1) / 2, dy: '.35em' });
      label.textContent = node.name;
    }
  }
})();
"#;
