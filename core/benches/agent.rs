//! `make bench`, part 2: agent queues and web actions.
//!
//! - wake-up latency from `send_custom_event` to a blocked `next_events` returning on another
//!   thread, against the same hand-off through `std::sync::mpsc` in the same run;
//! - `send_custom_event` throughput;
//! - `record_action_event` throughput with 10 subscribers.
//!
//! It prints tables and asserts nothing about speed.

mod workload;

use journey_core::{Catalog, Config, CustomEventRequest, Engine, NextEvents};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Wake-ups timed per hand-off (20 in `make bench-smoke`).
fn wakeups() -> usize {
    if workload::smoke() { 20 } else { 2_000 }
}

/// Custom events sent, in rounds of 10,000.
fn sends() -> usize {
    if workload::smoke() { 10_000 } else { 1_000_000 }
}

/// Action events recorded.
fn actions() -> usize {
    if workload::smoke() { 400 } else { 250_000 }
}

fn engine() -> Arc<Engine> {
    let catalog = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
    Arc::new(
        Engine::new(catalog, Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#).unwrap())
            .unwrap(),
    )
}

/// Measures `wakeups()` hand-offs. `block` runs on the waiting thread and returns once woken; `wake`
/// runs on this thread. The waiter is given 1 ms to block before each wake, so every sample is a
/// real wake-up of a sleeping thread.
fn wakeup_latencies(block: impl Fn() + Send + 'static, wake: impl Fn()) -> Vec<Duration> {
    let (ready, waiting) = mpsc::channel::<()>();
    let (woke, woken) = mpsc::channel::<Instant>();
    let waiter = std::thread::spawn(move || {
        for _ in 0..wakeups() {
            ready.send(()).unwrap();
            block();
            woke.send(Instant::now()).unwrap();
        }
    });
    let mut samples = Vec::with_capacity(wakeups());
    for _ in 0..wakeups() {
        waiting.recv().unwrap();
        std::thread::sleep(Duration::from_millis(1));
        let sent = Instant::now();
        wake();
        samples.push(woken.recv().unwrap() - sent);
    }
    waiter.join().unwrap();
    samples.sort();
    samples
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn main() {
    if !workload::runs() {
        println!("agent benchmark: run it with `make bench`");
        return;
    }
    println!("libjourney agent queues and web actions");

    // Wake-up latency.
    let engine_ = engine();
    let session = engine_.start_agent_session("agent-1").unwrap().session_id.to_string();
    engine_.next_events(&session, 0, None, None).unwrap();
    let poller = (engine_.clone(), session.clone());
    let ours = wakeup_latencies(
        move || {
            let (engine, session) = &poller;
            assert!(matches!(engine.next_events(session, 60_000, None, None).unwrap(), NextEvents::Events { .. }));
        },
        || {
            engine_.send_custom_event(&CustomEventRequest::new("agent-1", "wake", "", false)).unwrap();
        },
    );
    let (tx, rx) = mpsc::channel::<()>();
    let baseline = wakeup_latencies(move || rx.recv().unwrap(), || tx.send(()).unwrap());
    println!("\nWake-up latency, send → blocked poller returns on another thread ({} samples each)", wakeups());
    println!("| hand-off                         |      p50 |      p99 |    p99.9 |");
    println!("|----------------------------------|---------:|---------:|---------:|");
    for (name, samples) in [("send_custom_event → next_events", &ours), ("std::sync::mpsc send → recv", &baseline)]
    {
        println!(
            "| {name:<32} | {:>6.1}µs | {:>6.1}µs | {:>6.1}µs |",
            micros(percentile(samples, 0.5)),
            micros(percentile(samples, 0.99)),
            micros(percentile(samples, 0.999))
        );
    }
    println!(
        "| ratio (ours / mpsc)              | {:>7.2}x | {:>7.2}x | {:>7.2}x |",
        micros(percentile(&ours, 0.5)) / micros(percentile(&baseline, 0.5)),
        micros(percentile(&ours, 0.99)) / micros(percentile(&baseline, 0.99)),
        micros(percentile(&ours, 0.999)) / micros(percentile(&baseline, 0.999))
    );

    // send_custom_event throughput: 100 logged-in agents; queues are drained between rounds, untimed.
    let engine_ = engine();
    let sessions: Vec<String> =
        (0..100).map(|a| engine_.start_agent_session(&format!("agent-{a}")).unwrap().session_id.to_string()).collect();
    let requests: Vec<CustomEventRequest> = (0..10_000)
        .map(|i| {
            CustomEventRequest::new(
                format!("agent-{}", i % 100),
                format!("event{}", i / 100),
                "order-1234 delayed",
                false,
            )
        })
        .collect();
    let mut timed = Duration::ZERO;
    for _ in 0..sends() / requests.len() {
        let start = Instant::now();
        for request in &requests {
            engine_.send_custom_event(request).unwrap();
        }
        timed += start.elapsed();
        for session in &sessions {
            engine_.next_events(session, 0, Some(1000), None).unwrap();
        }
    }
    let sends_per_second = sends() as f64 / timed.as_secs_f64();

    // record_action_event with 10 subscribers.
    let engine_ = engine();
    let calls = Arc::new(AtomicU64::new(0));
    for n in 0..10 {
        let calls = calls.clone();
        let pattern = if n % 2 == 0 { "all:all" } else { "webchat:all" };
        engine_
            .on(pattern, move |_| {
                calls.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .unwrap();
    }
    let states = ["offered", "accepted", "started", "completed"];
    let events: Vec<serde_json::Value> = (0..actions() / states.len())
        .flat_map(|a| {
            states.iter().map(move |state| {
                json!({"actionId": uuid::Uuid::from_u128(a as u128 + 1).to_string(), "actionState": state, "actionMediaType": "webchat",
                       "actionMapId": "11111111-2222-4333-8444-555555555555", "actionMapVersion": 1,
                       "customerId": "0f8fad5b-d9cb-469f-a165-70867728950e", "customerIdType": "cookie",
                       "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"})
            })
        })
        .collect();
    let start = Instant::now();
    for event in &events {
        engine_.record_action_event(event).unwrap();
    }
    let actions_per_second = events.len() as f64 / start.elapsed().as_secs_f64();
    assert_eq!(calls.load(Ordering::Relaxed), events.len() as u64 * 10);

    println!("\n| operation                                 |      ops/s |");
    println!("|-------------------------------------------|-----------:|");
    println!("| send_custom_event (100 agents, 1M sends)  | {:>10.0} |", sends_per_second);
    println!("| record_action_event with 10 subscribers   | {:>10.0} |", actions_per_second);
    println!("\nTarget: p99 wake-up latency within 2x of the mpsc baseline.");
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
