//! `journey flow` on the bike delivery of the demo and on a generated shop: the page holds one
//! chart per group whose nodes and links are the `paths` tree's, a restricted viewer's page holds
//! nothing of what it may not see, the vendored chart code is what its README records, and (under
//! `make test-browser`) Chromium draws every node and link.

mod browser;

use journey_core::paths::{PathNode, PathsQuery, PathsResult};
use journey_core::{Catalog, Config, Engine, Viewer};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const SHOP_CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom", "endsOn": ["item_delivered", "returned"],
  "attributes": [{"name": "device", "type": "enum", "values": ["mobile", "desktop"]}],
  "eventTypes": [{"name": "order_placed", "attributes": [{"name": "price", "type": "decimal"},
                    {"name": "device", "type": "enum", "values": ["mobile", "desktop"]}]},
                 {"name": "item_shipped"}, {"name": "dispatch_delayed"}, {"name": "item_delivered"}, {"name": "returned"}]}]}"#;
const SHOP_CONFIG: &str = r#"{"clock": "manual", "start": "2026-11-22T00:00:00Z", "allowedLateness": null}"#;

/// 160 orders along five typical paths, a few in the division "south" with their own customers.
fn shop_events() -> String {
    let paths: [&[&str]; 5] = [
        &["order_placed", "item_shipped", "item_delivered"],
        &["order_placed", "item_shipped", "dispatch_delayed", "item_delivered"],
        &["order_placed", "returned"],
        &["order_placed", "item_shipped"],
        &["order_placed"],
    ];
    let mut lines = Vec::new();
    for n in 0..160usize {
        let path = paths[(n * 7 + n / 5) % 5];
        let south = n % 16 == 0;
        let customer = if south { format!("south-{n}") } else { format!("c{}", n % 90) };
        for (step, name) in path.iter().enumerate() {
            let minute = (n % 50) + step * (10 + n % 30);
            let mut event = json!({"eventName": name,
                "createdDate": format!("2026-11-21T{:02}:{:02}:00Z", 8 + minute / 60, minute % 60),
                "customer": {"id": customer, "idType": "email"},
                "session": {"type": "delivery", "externalId": format!("order-{n}")}});
            if step == 0 {
                let device = if n % 3 == 0 { "desktop" } else { "mobile" };
                event["attributes"] = json!({"price": 20 + n * 13 % 900, "device": device});
            }
            if south {
                event["division"] = json!("south");
            }
            lines.push(event.to_string());
        }
    }
    lines.join("\n") + "\n"
}

/// A directory with the shop's (or the demo's) catalog, config and events.
fn data_dir(name: &str, shop: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("journey-flow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if shop {
        std::fs::write(dir.join("catalog.json"), SHOP_CATALOG).unwrap();
        std::fs::write(dir.join("config.json"), SHOP_CONFIG).unwrap();
        std::fs::write(dir.join("events.ndjson"), shop_events()).unwrap();
    } else {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data");
        for (from, to) in [
            ("bike_delivery.ndjson", "events.ndjson"),
            ("replay_config.json", "config.json"),
            ("catalog.json", "catalog.json"),
        ] {
            std::fs::copy(data.join(from), dir.join(to)).unwrap();
        }
    }
    dir
}

/// Runs `journey flow` in `dir` and returns the page.
fn flow(dir: &Path, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_journey"))
        .current_dir(dir)
        .args(["flow", "--catalog", "catalog.json", "--config", "config.json", "events.ndjson"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    std::fs::read_to_string(dir.join("flow.html")).unwrap()
}

/// The charts' data embedded in a page.
fn charts(page: &str) -> Vec<Value> {
    page.split(r#"<script class="data" type="application/json">"#)
        .skip(1)
        .map(|rest| serde_json::from_str(&rest[..rest.find("</script>").unwrap()].replace("<\\/", "</")).unwrap())
        .collect()
}

/// What the engine's own `paths` gives for the same data: per group, its nodes and links as the
/// chart must hold them (every tree node, one "(ended)" node per depth where some paths end while
/// others go on, a link into every node but the first steps, and one into "(ended)" per such node).
fn expected(dir: &Path, query: &Value, viewer: &Viewer) -> Vec<(usize, usize)> {
    let catalog = Catalog::from_json(&std::fs::read_to_string(dir.join("catalog.json")).unwrap()).unwrap();
    let config = Config::from_json(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let engine = Engine::new(catalog, config).unwrap();
    engine.ingest_ndjson(&std::fs::read(dir.join("events.ndjson")).unwrap()).unwrap();
    let query: PathsQuery = serde_json::from_value(query.clone()).unwrap();
    let result: PathsResult = engine.paths(&query, viewer).unwrap();
    fn walk(nodes: &[PathNode], depth: usize, counts: &mut (usize, usize), ended: &mut Vec<usize>) {
        for node in nodes {
            counts.0 += 1;
            counts.1 += usize::from(depth > 0);
            if node.drop_off > 0 && !node.steps.is_empty() {
                counts.1 += 1;
                if !ended.contains(&(depth + 1)) {
                    ended.push(depth + 1);
                    counts.0 += 1;
                }
            }
            walk(&node.steps, depth + 1, counts, ended);
        }
    }
    result
        .groups
        .iter()
        .map(|group| {
            let mut counts = (0, 0);
            walk(&group.steps, 0, &mut counts, &mut Vec::new());
            counts
        })
        .collect()
}

fn counts(charts: &[Value]) -> Vec<(usize, usize)> {
    charts.iter().map(|c| (c["nodes"].as_array().unwrap().len(), c["links"].as_array().unwrap().len())).collect()
}

#[test]
fn the_page_holds_the_paths_tree_one_chart_per_group() {
    let dir = data_dir("groups", true);
    let query = json!({"groupBy": {"on": "session", "attribute": "device"}, "depth": 4});
    std::fs::write(dir.join("query.json"), query.to_string()).unwrap();
    let page = flow(&dir, &["--query", "query.json"]);
    let grouped = charts(&page);
    assert_eq!(grouped.len(), 2, "desktop and mobile");
    assert_eq!(grouped[0]["title"], "desktop");
    assert_eq!(counts(&grouped), expected(&dir, &query, &Viewer::unrestricted()));
    assert!(counts(&grouped).iter().all(|(nodes, links)| *nodes >= 8 && *links >= 7), "{:?}", counts(&grouped));
    assert!(page.contains("&quot;groupBy&quot;"), "the query is shown");
    assert!(!page.contains("<script src"), "nothing is fetched");

    let demo = data_dir("demo", false);
    let page = flow(&demo, &[]);
    assert_eq!(counts(&charts(&page)), expected(&demo, &json!({}), &Viewer::unrestricted()));
}

#[test]
fn a_restricted_viewers_page_holds_nothing_it_may_not_see() {
    let dir = data_dir("viewer", true);
    let north: Value = json!({"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view"],
        "divisions": ["north"]});
    std::fs::write(dir.join("viewer.json"), north.to_string()).unwrap();
    let everyone = charts(&flow(&dir, &[]));
    let page = flow(&dir, &["--viewer", "viewer.json"]);
    let seen = charts(&page);
    let viewer: Viewer = serde_json::from_value(north).unwrap();
    assert_eq!(counts(&seen), expected(&dir, &json!({}), &viewer));
    assert_eq!(everyone[0]["sessions"], 160);
    assert_eq!(seen[0]["sessions"], 150, "the ten south orders do not count");
    assert!(!page.contains("south-"), "no customer of the south division is named");
}

#[test]
fn the_vendored_chart_code_is_what_its_readme_records() {
    let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/vendor");
    let readme = std::fs::read_to_string(vendor.join("README.md")).unwrap();
    for name in ["d3-sankey.min.js", "d3-array.min.js", "d3-shape.min.js", "d3-path.min.js"] {
        let output = Command::new("sha256sum").arg(vendor.join(name)).output().unwrap();
        let hash = String::from_utf8_lossy(&output.stdout).split_whitespace().next().unwrap_or_default().to_owned();
        assert!(readme.contains(&format!("| `{name}` |")) && readme.contains(&format!("`{hash}`")), "{name}: {hash}");
    }
}

/// The page in a real browser: Chromium loads it, d3-sankey lays it out, and the DOM it ends with
/// has one rect per node and one path per link of every chart; a screenshot of the shop goes to
/// `target/tmp/flow/flow.png`. Run by `make test-browser`, which installs Chromium.
#[test]
#[ignore = "needs Chromium: make test-browser"]
fn chromium_draws_every_node_and_link() {
    for (name, shop, query) in [("demo", false, json!({})), ("shop", true, json!({"depth": 4, "minCellSize": 2}))] {
        let dir = data_dir(&format!("browser-{name}"), shop);
        std::fs::write(dir.join("query.json"), query.to_string()).unwrap();
        let page = flow(&dir, &["--query", "query.json"]);
        let (nodes, links) =
            counts(&charts(&page)).iter().fold((0, 0), |(n, l), (nodes, links)| (n + nodes, l + links));
        let url = format!("file://{}", dir.join("flow.html").display());
        let dom = browser::dom(&url, 560);
        assert_eq!(dom.matches("<rect class=\"node").count(), nodes, "{name}: nodes");
        assert_eq!(dom.matches("<path class=\"link").count(), links, "{name}: links");
        assert!(nodes > 0 && !dom.contains("=\"NaN\""), "{name}: every node and link has a place");
        if shop {
            browser::screenshot(&url, 560, "flow/flow.png");
        }
    }
}
