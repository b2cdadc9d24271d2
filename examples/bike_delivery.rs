//! The bike delivery of seed 000, end to end: a web visit with a chat offer, the order, a phone
//! call with a transfer, a delayed dispatch pushed to the agent on the call, two transit updates
//! (one arriving late) and the delivery. Then orchestration, with the segments and action maps of
//! the script (Genesys' JSON forms): when Dana, whose delivery was delayed, starts a web messaging
//! conversation, an action map sends the agent a custom event; when her browser views the returns
//! page twice, a content offer qualifies. After each step it prints what the agent sees, with the
//! firings as they happen and the segments; then why each map fired; at the end the engine is
//! closed and its store opened again, as after a restart. Run it with `make demo`.
//!
//! The Python and Node demos (`examples/python`, `examples/node`) print exactly the same text;
//! `make test` compares the three.

use journey_core::{
    Catalog, Command, Config, CustomEventRequest, Customer, Engine, NextEvents, Outcome, PageRequest, SessionCard,
    Viewer,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The replay script in `examples/data/bike_delivery.json`.
#[derive(Deserialize)]
struct Scenario {
    customer: Customer,
    viewer: Viewer,
    config: Value,
    /// Segments and action maps, in Genesys' JSON forms.
    definitions: Definitions,
    /// Agents whose desktops long-poll for custom events.
    agents: Vec<String>,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Definitions {
    segments: Vec<Value>,
    action_maps: Vec<Value>,
}

/// One moment of the story: set the clock, ingest what happened, show the journey.
#[derive(Deserialize)]
struct Step {
    at: String,
    title: String,
    /// Whose journey the step shows (the scenario's customer when absent).
    customer: Option<Customer>,
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

    let names = Arc::new(put_definitions(&engine, &scenario.definitions)?);
    // Every change of the web chat offer is printed as it is recorded.
    engine.on("webchat:all", |notification| {
        let Some(event) = notification.as_action() else { return Ok(()) };
        println!("   [webchat] offer {} is now {}", &event.action_id.to_string()[..8], event.action_state.as_str());
        Ok(())
    })?;
    // A content offer that an action map fires: its web action, printed as the map records it,
    // inside the ingest that qualified it (before that ingest returns). Each firing is kept, to
    // explain at the end.
    let firings: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (offer_names, offer_firings) = (names.clone(), firings.clone());
    engine.on("contentoffer:all", move |notification| {
        let Some(event) = notification.as_action() else { return Ok(()) };
        let (map_id, session_id) = (event.action_map_id.to_string(), event.session_id.to_string());
        println!(
            "   [contentOffer] offer {} is now {} (action map '{}', session {})",
            &event.action_id.to_string()[..8],
            event.action_state.as_str(),
            offer_names.get(&map_id).map_or("?", String::as_str),
            &session_id[..8]
        );
        if event.action_state.as_str() == "qualified" {
            offer_firings.lock().map_err(|e| e.to_string())?.push((map_id, session_id));
        }
        Ok(())
    })?;
    let (shows, desktop_shows) = mpsc::channel();
    let desktops: Vec<_> =
        scenario.agents.iter().map(|agent| agent_desktop(engine.clone(), agent, shows.clone())).collect();
    // The custom event maps, by the name of the event they send.
    let custom_event_maps: BTreeMap<String, String> = scenario
        .definitions
        .action_maps
        .iter()
        .filter(|map| map["action"]["mediaType"] == "customEvent")
        .map(|map| (map["action"]["eventName"].as_str().unwrap_or("").to_owned(), text(&map["id"])))
        .collect();
    let mut desktop = Desktop { shows: desktop_shows, queued: engine.stats().custom_events_queued };

    for step in &scenario.steps {
        engine.set_now(&step.at)?;
        println!("\n== {}  {}", &step.at[11..19], step.title);
        for event in &step.events {
            let outcome = engine.ingest_value(event)?;
            report(&outcome);
            // A custom event an action map sent at this event: what the agent's desktop shows.
            for (event_name, line) in desktop.catch_up(&engine)? {
                println!("{line}");
                if let (Some(map_id), Outcome::Accepted { session_id, .. }) =
                    (custom_event_maps.get(&event_name), &outcome)
                {
                    firings.lock().map_err(|e| e.to_string())?.push((map_id.clone(), session_id.to_string()));
                }
            }
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
            for (_, line) in desktop.catch_up(&engine)? {
                println!("{line}");
            }
        }
        let customer = step.customer.as_ref().unwrap_or(&scenario.customer);
        let page = engine.journey(customer, &scenario.viewer, &PageRequest::default())?;
        print_cards(&page.entities, &names);
        print_customer_segments(&engine, customer, &names)?;
    }
    for (session, desktop) in desktops {
        engine.end_agent_session(&session)?;
        desktop.join().map_err(|_| "an agent desktop panicked")?;
    }
    let fired = std::mem::take(&mut *firings.lock().map_err(|e| e.to_string())?);
    if !fired.is_empty() {
        println!("\n== Why the action maps fired (explainActionMap)");
    }
    for (map_id, session_id) in &fired {
        print_explanation(&engine, &names[map_id], map_id, session_id)?;
    }
    // As a JSON value its keys are sorted, as the Python and Node demos print them.
    println!("\n== Engine stats\n{}", serde_json::to_string_pretty(&serde_json::to_value(engine.stats())?)?);
    engine.close()?; // writes a snapshot; after a restart, every journey is still there
    drop(engine);
    let restarted = Engine::open(&store, catalog, config)?;
    let cards = restarted.journey(&scenario.customer, &scenario.viewer, &PageRequest::default())?.entities;
    let events: usize = cards.iter().map(|card| card.event_count).sum();
    let segments = restarted.segments(&scenario.customer)?.len();
    println!("\nafter a restart: {} sessions, {events} events, {segments} segments", cards.len());
    drop(restarted);
    std::fs::remove_dir_all(&store)?;
    Ok(())
}

/// Puts the scenario's segments, then its action maps (which name the segments), printing each as
/// stored; returns their names by id.
fn put_definitions(
    engine: &Engine,
    definitions: &Definitions,
) -> Result<BTreeMap<String, String>, Box<dyn std::error::Error>> {
    println!("\n== Segments and action maps (Genesys' JSON forms, from the script)");
    let mut names = BTreeMap::new();
    for segment in &definitions.segments {
        let stored = engine.put_segment(segment)?;
        println!(
            "   segment    '{}' v{}, {} scope",
            text(&stored["displayName"]),
            stored["version"],
            text(&stored["scope"])
        );
        names.insert(text(&stored["id"]), text(&stored["displayName"]));
    }
    for map in &definitions.action_maps {
        let stored = engine.put_action_map(map)?;
        println!(
            "   action map '{}' v{}: {}",
            text(&stored["displayName"]),
            stored["version"],
            text(&stored["action"]["mediaType"])
        );
        names.insert(text(&stored["id"]), text(&stored["displayName"]));
    }
    Ok(names)
}

/// Why an action map fired in a session: the engine's explanation of each of its conditions.
fn print_explanation(
    engine: &Engine,
    name: &str,
    map_id: &str,
    session_id: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let command = Command::new("explainActionMap", json!({"actionMapId": map_id, "sessionId": session_id}))?;
    let explanation = engine.call(&command)?;
    println!("-- '{name}' in session {}\n{}", &session_id[..8], serde_json::to_string_pretty(&explanation)?);
    Ok(())
}

/// A JSON string's text (a definition's id, name or scope).
fn text(value: &Value) -> String {
    value.as_str().unwrap_or("-").to_owned()
}

/// What the agents' desktops show, handed over in order.
struct Desktop {
    shows: mpsc::Receiver<(String, String)>,
    /// The custom events queued so far (`customEventsQueued`).
    queued: u64,
}

impl Desktop {
    /// What the desktops showed of the custom events queued since the last call: the stats say how
    /// many to wait for, so that the output reads in the same order every time.
    fn catch_up(&mut self, engine: &Engine) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
        let queued = engine.stats().custom_events_queued;
        let shown = (self.queued..queued)
            .map(|_| self.shows.recv_timeout(Duration::from_secs(5)))
            .collect::<Result<Vec<_>, _>>()?;
        self.queued = queued;
        Ok(shown)
    }
}

/// An agent desktop: logs the agent in and long-polls, showing each custom event as it arrives
/// (through `shows`, with the event's name), until the session ends.
fn agent_desktop(
    engine: Arc<Engine>,
    agent: &str,
    shows: mpsc::Sender<(String, String)>,
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
                let _ = shows.send((event.event_name.clone(), line));
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

/// Prints the session cards as the agent's table: newest activity first, each with the segments
/// assigned to its session.
fn print_cards(cards: &[SessionCard], names: &BTreeMap<String, String>) {
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
        for assignment in &card.segment_assignments {
            let name = names.get(&assignment.segment_id).map_or("?", String::as_str);
            println!("      segment '{name}', assigned {}", assignment.assigned_date);
        }
    }
}

/// Prints the segments the customer holds itself (customer scope), which last across its sessions.
fn print_customer_segments(
    engine: &Engine,
    customer: &Customer,
    names: &BTreeMap<String, String>,
) -> Result<(), Box<dyn std::error::Error>> {
    for segment in engine.segments(customer)?.iter().filter(|segment| segment.scope == "Customer") {
        let name = names.get(&segment.segment_id).map_or("?", String::as_str);
        let until = segment.date_for_unassignment.as_deref().unwrap_or("-");
        println!("   customer segment '{name}', assigned {}, until {until}", segment.assigned_date);
    }
    Ok(())
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
