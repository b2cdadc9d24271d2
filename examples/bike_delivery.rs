//! The bike delivery of seed 000, end to end: a web visit, the order, a delayed dispatch, a phone
//! call with a transfer, two transit updates (one arriving late) and the delivery. After each step it
//! prints what the agent sees. Run it with `make demo`.

use journey_core::{Catalog, Config, Customer, Engine, Outcome, PageRequest, SessionCard, Viewer};
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The replay script in `examples/data/bike_delivery.json`.
#[derive(Deserialize)]
struct Scenario {
    customer: Customer,
    viewer: Viewer,
    config: Value,
    steps: Vec<Step>,
}

/// One moment of the story: set the clock, ingest what happened, show the journey.
#[derive(Deserialize)]
struct Step {
    at: String,
    title: String,
    #[serde(default)]
    events: Vec<Value>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data");
    let scenario: Scenario = serde_json::from_str(&std::fs::read_to_string(data.join("bike_delivery.json"))?)?;
    let catalog = Catalog::from_json(&std::fs::read_to_string(data.join("catalog.json"))?)?;
    let engine = Engine::new(catalog, Config::from_value(&scenario.config)?)?;

    for step in &scenario.steps {
        engine.set_now(&step.at)?;
        println!("\n== {}  {}", &step.at[11..19], step.title);
        for event in &step.events {
            report(&engine.ingest_value(event));
        }
        let page = engine.journey(&scenario.customer, &scenario.viewer, &PageRequest::default())?;
        print_cards(&page.entities);
    }
    println!("\n{}", serde_json::to_string_pretty(&engine.stats())?);
    Ok(())
}

fn report(outcome: &Outcome) {
    match outcome {
        Outcome::Accepted { event_index, event_count, .. } => {
            println!("   + accepted (event {} of {event_count})", event_index + 1)
        }
        Outcome::Duplicate { .. } => println!("   = duplicate, ignored"),
        Outcome::Rejected { violations, .. } => {
            for violation in violations {
                println!("   ! rejected: {violation}");
            }
        }
    }
}

/// Prints the session cards as the agent's table: newest activity first.
fn print_cards(cards: &[SessionCard]) {
    println!("   {:<14} {:<12} {:<9} {:>6}  {:<18} DETAILS", "SESSION", "ID", "STATUS", "EVENTS", "LAST EVENT");
    for card in cards {
        let status = serde_json::to_value(card.status).unwrap_or_default();
        println!(
            "   {:<14} {:<12} {:<9} {:>6}  {:<18} {}",
            card.display_name,
            card.external_id.as_deref().unwrap_or("-"),
            status.as_str().unwrap_or("?"),
            card.event_count,
            card.last_event.event_name,
            details(card),
        );
    }
}

/// The card's attributes, or for a conversation its channel, queue, agent and wrap-up code.
fn details(card: &SessionCard) -> String {
    let text = |v: &Option<Value>| v.as_ref().and_then(Value::as_str).unwrap_or("-").to_owned();
    match &card.conversation {
        Some(c) => format!(
            "channel={} queue={} agent={} wrapup={}",
            text(&c.channel),
            text(&c.last_connected_queue),
            text(&c.last_connected_user),
            text(&c.wrapup_code)
        ),
        None => card
            .attributes
            .iter()
            .map(|(name, value)| format!("{name}={}", value.as_str().map_or(value.to_string(), str::to_owned)))
            .collect::<Vec<_>>()
            .join(" "),
    }
}
