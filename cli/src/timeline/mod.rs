//! `journey timeline`: one customer's journey as a self-contained HTML page (docs/cli.md).
//!
//! The page shows exactly what the journey view shows the viewer (SPEC §4): the session cards come
//! from [`Engine::journey`] and each session's events from [`Engine::session_events`], both asked
//! as the viewer, so a session or event the viewer may not see never reaches the page.

mod html;

use crate::Exit;
use crate::open::{EngineArgs, ingest_quietly};
use anyhow::{Context, Result, bail};
use journey_core::journey::{EventView, MAX_PAGE_SIZE, Page, SessionCard};
use journey_core::{Customer, Engine, JourneyError, PageRequest, Viewer};
use std::path::PathBuf;

/// Arguments of `journey timeline`.
#[derive(clap::Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// NDJSON files to ingest first (plain or gzip); with `--store` they are added to it, without
    /// it they are the whole data set.
    #[arg(value_name = "EVENTS")]
    files: Vec<PathBuf>,
    /// The customer, as `idType:id` (for example `email:dana@example.com`).
    #[arg(long, value_name = "TYPE:ID")]
    customer: String,
    /// Who is looking: `{"permissions": [...], "divisions": [...]}` (SPEC §4). Without it, every
    /// permission in every division.
    #[arg(long, value_name = "FILE")]
    viewer: Option<PathBuf>,
    /// Where to write the page.
    #[arg(short, long, value_name = "FILE", default_value = "journey.html")]
    output: PathBuf,
}

/// One session card and the events of it the viewer may read.
pub struct Lane {
    /// The card, as the journey view gives it.
    pub card: SessionCard,
    /// Its events in time order; `None` when the viewer may not read events.
    pub events: Option<Vec<EventView>>,
}

/// Everything the page shows.
pub struct Timeline {
    /// Whose journey.
    pub customer: Customer,
    /// Who is looking.
    pub viewer: Viewer,
    /// The engine's time, which the statuses are relative to.
    pub now: Option<i64>,
    /// The sessions, most recent first, as the journey view lists them.
    pub lanes: Vec<Lane>,
}

/// Runs `journey timeline`.
pub fn run(args: TimelineArgs) -> Result<Exit> {
    if args.files.is_empty() && args.engine.store.is_none() {
        bail!("give the events: a --store, NDJSON files, or both");
    }
    let customer = crate::open::parse_customer(&args.customer)?;
    let viewer = crate::open::viewer(args.viewer.as_deref())?;
    let engine = args.engine.open()?;
    for path in &args.files {
        ingest_quietly(&engine, path)?;
    }
    let timeline = Timeline { lanes: lanes(&engine, &customer, &viewer)?, now: engine.now(), customer, viewer };
    engine.close()?;
    std::fs::write(&args.output, html::page(&timeline))
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!("{}: {} sessions", args.output.display(), timeline.lanes.len());
    Ok(Exit::Done)
}

/// Every session card the viewer may see, each with the events it may read.
fn lanes(engine: &Engine, customer: &Customer, viewer: &Viewer) -> Result<Vec<Lane>> {
    let cards = every_page(|page| engine.journey(customer, viewer, page))?;
    cards
        .into_iter()
        .map(|card| {
            let events = match every_page(|page| engine.session_events(&card.id.to_string(), viewer, page)) {
                Ok(events) => Some(events),
                Err(JourneyError::PermissionDenied(_)) => None,
                Err(error) => return Err(error.into()),
            };
            Ok(Lane { card, events })
        })
        .collect()
}

/// Every item of a paged listing.
fn every_page<T>(mut fetch: impl FnMut(&PageRequest) -> journey_core::Result<Page<T>>) -> journey_core::Result<Vec<T>> {
    let mut items = Vec::new();
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    loop {
        let next = fetch(&page)?;
        items.extend(next.entities);
        match next.next_cursor {
            Some(cursor) => page = PageRequest::after(MAX_PAGE_SIZE, cursor),
            None => return Ok(items),
        }
    }
}
