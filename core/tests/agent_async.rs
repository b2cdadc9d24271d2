//! Long polls as futures (SPEC §5): they wait without a thread, a send or their deadline wakes
//! them, and dropping one (cancelling it) takes nothing from the queue.

mod common;

use journey_core::{Catalog, Config, CustomEventRequest, Engine, NextEvents};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

fn engine() -> Arc<Engine> {
    let config = Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#).unwrap();
    Arc::new(Engine::new(Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap(), config).unwrap())
}

/// Counts its wakes.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `future` once with a waker that counts.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>, wakes: &Arc<Wakes>) -> Poll<F::Output> {
    let waker = Waker::from(wakes.clone());
    future.poll(&mut Context::from_waker(&waker))
}

/// Drives `future` to completion on this thread, sleeping between wakes.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let wakes = Arc::new(Wakes::default());
    loop {
        let seen = wakes.0.load(Ordering::SeqCst);
        if let Poll::Ready(output) = poll_once(future.as_mut(), &wakes) {
            return output;
        }
        while wakes.0.load(Ordering::SeqCst) == seen {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn start(engine: &Engine, agent: &str) -> String {
    let session = engine.start_agent_session(agent).unwrap().session_id.to_string();
    engine.next_events(&session, 0, None, None).unwrap(); // AgentSessionStart
    session
}

fn send(engine: &Engine, agent: &str, name: &str) {
    engine.send_custom_event(&CustomEventRequest::new(agent, name, "d", false)).unwrap();
}

#[test]
fn a_send_wakes_a_waiting_poll() {
    let engine = engine();
    let session = start(&engine, "a1");
    let wakes = Arc::new(Wakes::default());
    let mut poll = pin!(engine.next_events_future(&session, 30_000, None, None).unwrap());
    assert!(poll_once(poll.as_mut(), &wakes).is_pending());
    send(&engine, "a1", "hello");
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "the send woke the poll");
    match poll_once(poll.as_mut(), &wakes) {
        Poll::Ready(Ok(NextEvents::Events { events })) => assert_eq!(events[0].event_name, "hello"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_deadline_completes_a_poll_with_timeout() {
    let engine = engine();
    let session = start(&engine, "a1");
    let started = Instant::now();
    let result = block_on(engine.next_events_future(&session, 50, None, None).unwrap()).unwrap();
    assert_eq!(result, NextEvents::Timeout);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[test]
fn a_dropped_poll_takes_nothing() {
    let engine = engine();
    let session = start(&engine, "a1");
    let wakes = Arc::new(Wakes::default());
    {
        let mut poll = pin!(engine.next_events_future(&session, 30_000, None, None).unwrap());
        assert!(poll_once(poll.as_mut(), &wakes).is_pending());
        send(&engine, "a1", "kept");
    } // cancelled: woken, but never polled again
    match engine.next_events(&session, 0, None, None).unwrap() {
        NextEvents::Events { events } => assert_eq!(events[0].event_name, "kept"),
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.stats().custom_events_redelivered, 0);
}

#[test]
fn a_logout_wakes_waiting_polls_and_errors_come_from_the_first_poll() {
    let engine = engine();
    let session = start(&engine, "a1");
    let wakes = Arc::new(Wakes::default());
    let mut poll = pin!(engine.next_events_future(&session, 30_000, None, None).unwrap());
    assert!(poll_once(poll.as_mut(), &wakes).is_pending());
    engine.end_agent_session(&session).unwrap();
    assert!(matches!(poll_once(poll.as_mut(), &wakes), Poll::Ready(Ok(NextEvents::SessionEnded))));
    let unknown = engine.next_events_future("00000000-0000-4000-8000-000000000000", 10, None, None).unwrap();
    assert_eq!(block_on(unknown).unwrap_err().code(), "INVALID_SESSION");
    assert_eq!(engine.next_events_future(&session, 10, Some(0), None).err().unwrap().code(), "INVALID_ARGUMENT");
}

#[test]
fn a_thousand_pending_polls_wait_on_no_thread_and_all_complete() {
    let engine = engine();
    let sessions: Vec<String> = (0..1000).map(|n| start(&engine, &format!("agent-{n}"))).collect();
    let wakes = Arc::new(Wakes::default());
    let mut polls: Vec<_> =
        sessions.iter().map(|s| Box::pin(engine.next_events_future(s, 30_000, None, None).unwrap())).collect();
    for poll in &mut polls {
        assert!(poll_once(poll.as_mut(), &wakes).is_pending());
    }
    let received = Mutex::new(0);
    for n in 0..1000 {
        send(&engine, &format!("agent-{n}"), "go");
    }
    for poll in &mut polls {
        if let Poll::Ready(Ok(NextEvents::Events { events })) = poll_once(poll.as_mut(), &wakes) {
            *received.lock().unwrap() += events.len();
        }
    }
    assert_eq!(*received.lock().unwrap(), 1000);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1000, "one wake per poll");
}

#[test]
fn dropped_polls_lose_nothing_over_ten_thousand_events() {
    let config =
        Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 100000}"#);
    let engine =
        Arc::new(Engine::new(Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap(), config.unwrap()).unwrap());
    let session = start(&engine, "a1");
    let producer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for n in 0..10_000 {
                send(&engine, "a1", &format!("event-{n}"));
                if n % 100 == 0 {
                    std::thread::yield_now();
                }
            }
        })
    };
    let (mut seed, mut received, mut dropped) = (7u64, Vec::new(), 0);
    let wakes = Arc::new(Wakes::default());
    while received.len() < 10_000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let max = 1 + (seed >> 33) as usize % 50;
        let mut poll = Box::pin(engine.next_events_future(&session, 1_000, Some(max), None).unwrap());
        // Cancel at a random point: before polling, after one pending poll, or never.
        let result = match (seed >> 20) % 3 {
            0 => None,
            1 => match poll_once(poll.as_mut(), &wakes) {
                Poll::Ready(result) => Some(result),
                Poll::Pending => None,
            },
            _ => Some(block_on(poll.as_mut())),
        };
        match result {
            None => dropped += 1, // the poll is dropped here, unfinished
            Some(result) => {
                if let NextEvents::Events { events } = result.unwrap() {
                    received.extend(events.into_iter().map(|e| e.event_name));
                }
            }
        }
    }
    producer.join().unwrap();
    assert_eq!(engine.next_events(&session, 0, None, None).unwrap(), NextEvents::Timeout); // acknowledges the rest
    let mut expected: Vec<String> = (0..10_000).map(|n| format!("event-{n}")).collect();
    expected.sort();
    received.sort();
    assert_eq!(received, expected, "each event exactly once");
    assert!(dropped > 0);
    let stats = engine.stats();
    // queued + persisted = acknowledged + overwritten + dropped + still pending (none)
    assert_eq!(stats.custom_events_queued, 10_000);
    assert_eq!(stats.custom_events_overwritten + stats.custom_events_dropped + stats.custom_events_redelivered, 0);
}

/// A durable engine, in a new directory.
fn durable_engine() -> Arc<Engine> {
    let dir = common::temp_dir("agent-async");
    let config =
        Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "store": {"sync": "always"}}"#);
    Arc::new(Engine::open(dir, Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap(), config.unwrap()).unwrap())
}

/// A durable engine, and an agent session with "hello" waiting.
fn durable_session_with_hello() -> (Arc<Engine>, String) {
    let engine = durable_engine();
    let session = start(&engine, "a1");
    send(&engine, "a1", "hello");
    (engine, session)
}

#[test]
fn a_durable_poll_never_waits_for_the_fsync_on_its_own_thread() {
    let (engine, session) = durable_session_with_hello();
    let mut future = pin!(engine.next_events_future(&session, 1000, None, None).unwrap());
    let wakes = Arc::new(Wakes::default());
    // The events are there, but their taking is not durable yet: the first poll takes them and
    // leaves the fsync to the journal's sync thread instead of doing it on this (event loop) thread.
    assert!(poll_once(future.as_mut(), &wakes).is_pending());
    while wakes.0.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let Poll::Ready(Ok(NextEvents::Events { events })) = poll_once(future.as_mut(), &wakes) else {
        panic!("the poll did not finish once its record was durable")
    };
    assert_eq!(events.iter().map(|e| e.event_name.as_str()).collect::<Vec<_>>(), ["hello"]);
}

#[test]
fn a_durable_poll_dropped_before_its_taking_is_durable_loses_nothing() {
    let (engine, session) = durable_session_with_hello();
    {
        let mut future = pin!(engine.next_events_future(&session, 1000, None, None).unwrap());
        assert!(poll_once(future.as_mut(), &Arc::new(Wakes::default())).is_pending());
    }
    // Without an explicit ack, the next poll acknowledges what the previous one returned: the
    // dropped one returned nothing, so "hello" comes again.
    let again = engine.next_events(&session, 0, None, None).unwrap();
    let NextEvents::Events { events } = again else { panic!("{again:?}") };
    assert_eq!(events.iter().map(|e| e.event_name.as_str()).collect::<Vec<_>>(), ["hello"]);
}
