//! The bike delivery of seed 000, end to end: a web visit with a chat offer, the order, a phone
//! call with a transfer, a delayed dispatch pushed to the agent on the call, two transit updates
//! (one arriving late) and the delivery. After each step it prints what the agent sees; at the end
//! the engine is closed and its store opened again, as after a restart. Run it with `make demo`.

use journey_core::{
    Catalog, Config, CustomEventRequest, Customer, Engine, NextEvents, Outcome, PageRequest, SessionCard, Viewer,
};
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// The replay script in `examples/data/bike_delivery.json`.
#[derive(Deserialize)]
struct Scenario {
    customer: Customer,
    viewer: Viewer,
    config: Value,
    /// Agents whose desktops long-poll for custom events.
    agents: Vec<String>,
    steps: Vec<Step>,
}

/// One moment of the story: set the clock, ingest what happened, show the journey.
#[derive(Deserialize)]
struct Step {
    at: String,
    title: String,
    #[serde(default)]
    events: Vec<Value>,
    #[serde(default)]
    actions: Vec<Value>,
    #[serde(default, rename = "customEvents")]
    custom_events: Vec<CustomEventRequest>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data");
    let scenario: Scenario = serde_json::from_str(&std::fs::read_to_string(data.join("bike_delivery.json"))?)?;
    let catalog = Catalog::from_json(&std::fs::read_to_string(data.join("catalog.json"))?)?;
    let config = Config::from_value(&scenario.config)?;
    // A durable store; Engine::new(catalog, config) would keep everything in memory.
    let store = std::env::temp_dir().join(format!("journey-demo-{}", std::process::id()));
    let engine = Arc::new(Engine::open(&store, catalog.clone(), config.clone())?);

    // Every change of the web chat offer is printed as it is recorded.
    engine.on("webchat:all", |event| {
        println!("   [webchat] offer {} is now {}", &event.action_id.to_string()[..8], event.action_state.as_str());
        Ok(())
    })?;
    let (printed, desktop_printed) = mpsc::channel();
    let desktops: Vec<_> =
        scenario.agents.iter().map(|agent| agent_desktop(engine.clone(), agent, printed.clone())).collect();

    for step in &scenario.steps {
        engine.set_now(&step.at)?;
        println!("\n== {}  {}", &step.at[11..19], step.title);
        for event in &step.events {
            report(&engine.ingest_value(event)?);
        }
        for action in &step.actions {
            engine.record_action_event(action)?;
        }
        for request in &step.custom_events {
            let result = engine.send_custom_event(request)?;
            println!("   -> custom event '{}' to {}: {:?}", request.event_name, request.agent_id, result.delivery);
            // Wait for the desktop to print it, so that the output reads in order.
            desktop_printed.recv_timeout(Duration::from_secs(5))?;
        }
        let page = engine.journey(&scenario.customer, &scenario.viewer, &PageRequest::default())?;
        print_cards(&page.entities);
    }
    for (session, desktop) in desktops {
        engine.end_agent_session(&session)?;
        desktop.join().map_err(|_| "an agent desktop panicked")?;
    }
    println!("\n{}", serde_json::to_string_pretty(&engine.stats())?);
    engine.close()?; // writes a snapshot; after a restart, every journey is still there
    drop(engine);
    let restarted = Engine::open(&store, catalog, config)?;
    let cards = restarted.journey(&scenario.customer, &scenario.viewer, &PageRequest::default())?.entities;
    let events: usize = cards.iter().map(|card| card.event_count).sum();
    println!("\nafter a restart: {} sessions, {events} events", cards.len());
    drop(restarted);
    std::fs::remove_dir_all(&store)?;
    Ok(())
}

/// An agent desktop: logs the agent in and long-polls, printing each custom event as it arrives,
/// until the session ends.
fn agent_desktop(engine: Arc<Engine>, agent: &str, printed: mpsc::Sender<()>) -> (String, std::thread::JoinHandle<()>) {
    let session =
        engine.start_agent_session(agent).expect("agent ids in the scenario are valid").session_id.to_string();
    let poll_session = session.clone();
    let desktop = std::thread::spawn(move || {
        while let Ok(NextEvents::Events { events }) = engine.next_events(&poll_session, 30_000, None, None) {
            for event in events.iter().filter(|e| e.event_name != "AgentSessionStart") {
                println!("   [{}'s desktop] {} #{}: {}", event.agent_id, event.event_name, event.sequence, event.data);
                let _ = printed.send(());
            }
        }
    });
    (session, desktop)
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
