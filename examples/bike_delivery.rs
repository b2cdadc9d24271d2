//! The bike delivery of seed 000, end to end: a web visit with a chat offer, the order, a phone
//! call with a transfer, a delayed dispatch pushed to the agent on the call, two transit updates
//! (one arriving late) and the delivery. After each step it prints what the agent sees; at the end
//! the engine is closed and its store opened again, as after a restart. Run it with `make demo`.
//!
//! The Python and Node demos (`examples/python`, `examples/node`) print exactly the same text;
//! `make test` compares the three.

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
    let catalog_json: Value = serde_json::from_str(&std::fs::read_to_string(data.join("catalog.json"))?)?;
    let catalog = Catalog::from_value(&catalog_json)?;
    let config = Config::from_value(&scenario.config)?;
    print_legend(&catalog_json);
    // A durable store; Engine::new(catalog, config) would keep everything in memory.
    let store = std::env::temp_dir().join(format!("journey-demo-{}", std::process::id()));
    let engine = Arc::new(Engine::open(&store, catalog.clone(), config.clone())?);

    // Every change of the web chat offer is printed as it is recorded.
    engine.on("webchat:all", |notification| {
        let Some(event) = notification.as_action() else { return Ok(()) };
        println!("   [webchat] offer {} is now {}", &event.action_id.to_string()[..8], event.action_state.as_str());
        Ok(())
    })?;
    let (shows, desktop_shows) = mpsc::channel();
    let desktops: Vec<_> =
        scenario.agents.iter().map(|agent| agent_desktop(engine.clone(), agent, shows.clone())).collect();

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
            let delivery = serde_json::to_value(result.delivery)?;
            println!(
                "   -> custom event '{}' to {}: {}",
                request.event_name,
                request.agent_id,
                delivery.as_str().unwrap_or("?")
            );
            // The desktop hands over what it shows, and it is printed here, so that the output reads in
            // the same order every time.
            println!("{}", desktop_shows.recv_timeout(Duration::from_secs(5))?);
        }
        let page = engine.journey(&scenario.customer, &scenario.viewer, &PageRequest::default())?;
        print_cards(&page.entities);
    }
    for (session, desktop) in desktops {
        engine.end_agent_session(&session)?;
        desktop.join().map_err(|_| "an agent desktop panicked")?;
    }
    // As a JSON value its keys are sorted, as the Python and Node demos print them.
    println!("\n== Engine stats\n{}", serde_json::to_string_pretty(&serde_json::to_value(engine.stats())?)?);
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

/// An agent desktop: logs the agent in and long-polls, showing each custom event as it arrives
/// (through `shows`), until the session ends.
fn agent_desktop(
    engine: Arc<Engine>,
    agent: &str,
    shows: mpsc::Sender<String>,
) -> (String, std::thread::JoinHandle<()>) {
    let session =
        engine.start_agent_session(agent).expect("agent ids in the scenario are valid").session_id.to_string();
    let poll_session = session.clone();
    let desktop = std::thread::spawn(move || {
        while let Ok(NextEvents::Events { events }) = engine.next_events(&poll_session, 30_000, None, None) {
            for event in events.iter().filter(|e| e.event_name != "AgentSessionStart") {
                let line = format!(
                    "   [{}'s desktop] {} #{}: {}",
                    event.agent_id, event.event_name, event.sequence, event.data
                );
                let _ = shows.send(line);
            }
        }
    });
    (session, desktop)
}

/// What the statuses mean, with each session type's thresholds from the catalog (SPEC §3.4).
fn print_legend(catalog: &Value) {
    println!("Status: live, then idle (yellow) and inactive as time passes without an event; ended once closed.");
    for session_type in catalog["sessionTypes"].as_array().into_iter().flatten() {
        let setting = |name: &str, default: &'static str| {
            session_type["status"][name].as_str().map_or(default.to_owned(), str::to_owned)
        };
        let name = session_type["displayName"].as_str().or(session_type["name"].as_str()).unwrap_or("?");
        println!(
            "   {name:<14} idle after {}, inactive after {}",
            setting("idleAfter", "45s"),
            setting("inactiveAfter", "60s")
        );
    }
    println!("   {:<14} voice calls stay live until they end", "Conversation");
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
        None => {
            let mut attributes: Vec<_> = card.attributes.iter().collect();
            attributes.sort_by(|a, b| a.0.cmp(b.0));
            let shown = |value: &Value| value.as_str().map_or(value.to_string(), str::to_owned);
            attributes.iter().map(|(name, value)| format!("{name}={}", shown(value))).collect::<Vec<_>>().join(" ")
        }
    }
}
