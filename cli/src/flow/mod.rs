//! `journey flow`: the paths sessions take (`Engine::paths`, docs/paths.md) as a self-contained
//! HTML Sankey chart (docs/cli.md).
//!
//! The chart shows exactly what `paths` gives the viewer: the tree comes from the engine, asked as
//! the viewer; this module only turns it into nodes and links, and the page lays them out with
//! d3-sankey (vendored in `cli/assets/vendor/`, inlined: nothing is fetched).

mod html;

use crate::Exit;
use crate::open::{EngineArgs, ingest_quietly, read};
use anyhow::{Context, Result, bail};
use journey_core::paths::{PathNode, PathsQuery, PathsResult};
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `journey flow`.
#[derive(clap::Args)]
pub struct FlowArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// NDJSON files to ingest first (plain or gzip); with `--store` they are added to it, without
    /// it they are the whole data set.
    #[arg(value_name = "EVENTS")]
    files: Vec<PathBuf>,
    /// The `paths` query (JSON, docs/paths.md); every session and step, depth 5, when absent.
    #[arg(long, value_name = "FILE")]
    query: Option<PathBuf>,
    /// Who is looking: `{"permissions": [...], "divisions": [...]}` (SPEC §4). Without it, every
    /// permission in every division.
    #[arg(long, value_name = "FILE")]
    viewer: Option<PathBuf>,
    /// Where to write the page.
    #[arg(short, long, value_name = "FILE", default_value = "flow.html")]
    output: PathBuf,
}

/// One chart: a group's nodes and links, as d3-sankey takes them.
#[derive(Debug, Serialize, PartialEq)]
pub struct Chart {
    /// The group's value as text (`all` without `groupBy`, `(none)` for sessions without one).
    pub title: String,
    /// Sessions in the group.
    pub sessions: u64,
    /// Steps, and one "(ended)" node per depth where paths end before the last level.
    pub nodes: Vec<ChartNode>,
    /// From a step to the next, or to "(ended)"; the value is sessions.
    pub links: Vec<ChartLink>,
}

/// A node of a chart.
#[derive(Debug, Serialize, PartialEq)]
pub struct ChartNode {
    /// The step (or `(ended)`).
    pub name: String,
    /// 0 for a first step.
    pub depth: usize,
    /// What its tooltip says.
    pub detail: String,
}

/// A link of a chart.
#[derive(Debug, Serialize, PartialEq)]
pub struct ChartLink {
    /// Index of its node in `nodes`.
    pub source: usize,
    /// Index of its node in `nodes`.
    pub target: usize,
    /// Sessions that went this way.
    pub value: u64,
}

/// Runs `journey flow`.
pub fn run(args: FlowArgs) -> Result<Exit> {
    if args.files.is_empty() && args.engine.store.is_none() {
        bail!("give the events: a --store, NDJSON files, or both");
    }
    let query: PathsQuery = match &args.query {
        Some(path) => serde_json::from_str(&read(path)?)
            .with_context(|| format!("{}: not a paths query (docs/paths.md)", path.display()))?,
        None => PathsQuery::default(),
    };
    let viewer = crate::open::viewer(args.viewer.as_deref())?;
    let engine = args.engine.open()?;
    for path in &args.files {
        ingest_quietly(&engine, path)?;
    }
    let result = engine.paths(&query, &viewer)?;
    engine.close()?;
    let charts = charts(&result);
    std::fs::write(&args.output, html::page(&query, &viewer, &charts))
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let sessions: u64 = charts.iter().map(|c| c.sessions).sum();
    eprintln!("{}: {} charts, {sessions} sessions", args.output.display(), charts.len());
    Ok(Exit::Done)
}

/// One chart per group of the result.
pub fn charts(result: &PathsResult) -> Vec<Chart> {
    result
        .groups
        .iter()
        .map(|group| {
            let title = match &group.group {
                None if result.groups.len() == 1 => "all sessions".to_owned(),
                None => "(none)".to_owned(),
                Some(value) => value.as_str().map_or_else(|| value.to_string(), str::to_owned),
            };
            let mut chart = Chart { title, sessions: group.sessions, nodes: Vec::new(), links: Vec::new() };
            let mut ended_at = std::collections::BTreeMap::new();
            for node in &group.steps {
                add(&mut chart, node, 0, None, &mut ended_at);
            }
            chart
        })
        .collect()
}

/// Adds `node` at `depth` under `parent`, its subtree, and its drop-off when paths also go on.
fn add(
    chart: &mut Chart,
    node: &PathNode,
    depth: usize,
    parent: Option<usize>,
    ended_at: &mut std::collections::BTreeMap<usize, usize>,
) {
    let id = chart.nodes.len();
    let timing = match (node.median_ms, node.p90_ms) {
        (Some(median), Some(p90)) => format!("; from the previous step: median {}, p90 {}", span(median), span(p90)),
        _ => String::new(),
    };
    let detail = format!(
        "{}: {} sessions ({:.1}%), {} customers, {} end here{timing}",
        node.step,
        node.sessions,
        node.share * 100.0,
        node.customers,
        node.drop_off
    );
    chart.nodes.push(ChartNode { name: node.step.clone(), depth, detail });
    if let Some(parent) = parent {
        chart.links.push(ChartLink { source: parent, target: id, value: node.sessions });
    }
    for child in &node.steps {
        add(chart, child, depth + 1, Some(id), ended_at);
    }
    // Paths that end where others go on flow into an "(ended)" node, so widths add up.
    if node.drop_off > 0 && !node.steps.is_empty() {
        let ended = *ended_at.entry(depth + 1).or_insert_with(|| {
            chart.nodes.push(ChartNode {
                name: "(ended)".into(),
                depth: depth + 1,
                detail: "paths that end at the step before".into(),
            });
            chart.nodes.len() - 1
        });
        chart.links.push(ChartLink { source: id, target: ended, value: node.drop_off });
    }
}

/// Milliseconds as the largest whole unit: `90s`, `12m`, `3h`, `2d`.
fn span(ms: i64) -> String {
    match ms {
        ms if ms < 1_000 => format!("{ms}ms"),
        ms if ms < 120_000 => format!("{}s", ms / 1_000),
        ms if ms < 7_200_000 => format!("{}m", ms / 60_000),
        ms if ms < 172_800_000 => format!("{}h", ms / 3_600_000),
        ms => format!("{}d", ms / 86_400_000),
    }
}
