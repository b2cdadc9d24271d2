//! Agent queues under concurrency (SPEC §5): senders and long-pollers on many threads. The deadline
//! guard only fails a test that hangs; nothing here asserts on speed.

use journey_core::{Catalog, Config, CustomEventRequest, Delivery, Engine, NextEvents};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const AGENTS: usize = 50;
const SENDERS: usize = 4;
const EVENTS: usize = 100_000;
/// Agents 0..LOGGED_IN poll from the start; the others log in only after the senders finish, so
/// their events are persisted, dropped as agentNotConnected, or refused with QUEUE_FULL.
const LOGGED_IN: usize = 40;

fn engine(config: &str) -> Arc<Engine> {
    let catalog = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
    Arc::new(Engine::new(catalog, Config::from_json(config).unwrap()).unwrap())
}

/// Runs `test` on its own thread and fails if it has not finished within `limit`.
fn with_deadline(limit: Duration, test: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(limit) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => std::panic::resume_unwind(worker.join().unwrap_err()),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test did not finish within {limit:?}"),
    }
}

/// Drains a session until the queue stays empty, adding each custom event's data to `received`.
fn drain(engine: &Engine, session: &str, received: &Mutex<Vec<String>>, timeout_ms: i64) -> bool {
    match engine.next_events(session, timeout_ms, Some(64), None).unwrap() {
        NextEvents::Events { events } => {
            let mut received = received.lock().unwrap();
            received.extend(events.into_iter().filter(|e| e.event_name != "AgentSessionStart").map(|e| e.data));
            true
        }
        NextEvents::Timeout | NextEvents::SessionEnded => false,
    }
}

#[test]
fn senders_and_pollers_reconcile_with_stats() {
    with_deadline(Duration::from_secs(240), || {
        let engine = engine(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 200}"#);
        let received = Arc::new(Mutex::new(Vec::new()));
        let sent_ok = Arc::new(Mutex::new(HashSet::new()));
        let rejected = Arc::new(AtomicU64::new(0));
        let sending = Arc::new(AtomicBool::new(true));
        let sessions: Vec<String> = (0..LOGGED_IN)
            .map(|a| engine.start_agent_session(&format!("agent-{a}")).unwrap().session_id.to_string())
            .collect();
        let pollers: Vec<_> = sessions
            .iter()
            .cloned()
            .map(|session| {
                let (engine, received, sending) = (engine.clone(), received.clone(), sending.clone());
                std::thread::spawn(move || {
                    while sending.load(Ordering::Acquire) {
                        drain(&engine, &session, &received, 20);
                    }
                    while drain(&engine, &session, &received, 0) {}
                })
            })
            .collect();
        let senders: Vec<_> = (0..SENDERS)
            .map(|s| {
                let (engine, sent_ok, rejected) = (engine.clone(), sent_ok.clone(), rejected.clone());
                std::thread::spawn(move || {
                    for n in 0..EVENTS / SENDERS {
                        let agent = (n * 7 + s) % AGENTS;
                        let data = format!("s{s}-{n}");
                        // Few names for agents who are polling, so that same-name overwrites happen;
                        // distinct names for the others, so that their persisted events reach the limit.
                        let name = if agent < LOGGED_IN { format!("name{}", n % 5) } else { format!("late{n}") };
                        let request = CustomEventRequest::new(format!("agent-{agent}"), name, data.clone(), n % 3 == 0);
                        match engine.send_custom_event(&request) {
                            Ok(result) if result.delivery != Delivery::AgentNotConnected => {
                                sent_ok.lock().unwrap().insert(data);
                            }
                            Ok(_) => {}
                            Err(err) => {
                                assert_eq!(err.code(), "QUEUE_FULL");
                                rejected.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                })
            })
            .collect();
        senders.into_iter().for_each(|t| t.join().unwrap());
        sending.store(false, Ordering::Release);
        pollers.into_iter().for_each(|t| t.join().unwrap());
        // The late agents log in now and collect what was persisted for them.
        for a in LOGGED_IN..AGENTS {
            let session = engine.start_agent_session(&format!("agent-{a}")).unwrap().session_id.to_string();
            while drain(&engine, &session, &received, 0) {}
        }

        let stats = engine.stats();
        let received = received.lock().unwrap();
        let sent_ok = sent_ok.lock().unwrap();
        let unique: HashSet<&String> = received.iter().collect();
        assert_eq!(unique.len(), received.len(), "an event was received twice");
        assert!(received.iter().all(|data| sent_ok.contains(data)), "received an event that was never sent");
        let accepted = stats.custom_events_queued + stats.custom_events_persisted;
        assert_eq!(accepted, sent_ok.len() as u64);
        let dropped_not_connected = (EVENTS as u64) - accepted - rejected.load(Ordering::Relaxed);
        assert_eq!(stats.custom_events_dropped, dropped_not_connected, "only agentNotConnected sends were dropped");
        assert_eq!(
            received.len() as u64 + stats.custom_events_overwritten,
            accepted,
            "received + overwritten must equal accepted"
        );
        // Every path was taken.
        assert!(stats.custom_events_overwritten > 0, "no overwrite happened");
        assert!(rejected.load(Ordering::Relaxed) > 0, "no QUEUE_FULL happened");
        assert!(stats.custom_events_persisted > 0, "nothing was persisted");
        assert!(dropped_not_connected > 0, "no agentNotConnected happened");
    });
}

#[test]
fn a_blocked_waiter_is_woken_by_a_send() {
    with_deadline(Duration::from_secs(30), || {
        let engine = engine(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#);
        let session = engine.start_agent_session("agent-1").unwrap().session_id.to_string();
        assert!(matches!(engine.next_events(&session, 0, None, None).unwrap(), NextEvents::Events { .. }));
        let waiter = {
            let (engine, session) = (engine.clone(), session.clone());
            std::thread::spawn(move || engine.next_events(&session, 60_000, None, None).unwrap())
        };
        std::thread::sleep(Duration::from_millis(50));
        engine.send_custom_event(&CustomEventRequest::new("agent-1", "wake", "up", false)).unwrap();
        match waiter.join().unwrap() {
            NextEvents::Events { events } => assert_eq!(events[0].data, "up"),
            other => panic!("expected the sent event, got {other:?}"),
        }
    });
}

#[test]
fn a_blocked_waiter_is_woken_by_logout() {
    with_deadline(Duration::from_secs(30), || {
        let engine = engine(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#);
        let session = engine.start_agent_session("agent-1").unwrap().session_id.to_string();
        engine.next_events(&session, 0, None, None).unwrap();
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let (engine, session) = (engine.clone(), session.clone());
                std::thread::spawn(move || engine.next_events(&session, 60_000, None, None).unwrap())
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        engine.end_agent_session(&session).unwrap();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), NextEvents::SessionEnded);
        }
    });
}

#[test]
fn a_sender_never_waits_for_a_poller() {
    with_deadline(Duration::from_secs(30), || {
        let engine = engine(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#);
        let session = engine.start_agent_session("agent-1").unwrap().session_id.to_string();
        engine.next_events(&session, 0, None, None).unwrap();
        let pollers: Vec<_> = (0..4)
            .map(|_| {
                let (engine, session) = (engine.clone(), session.clone());
                std::thread::spawn(move || {
                    let mut got = 0;
                    while let NextEvents::Events { events } =
                        engine.next_events(&session, 60_000, Some(1), None).unwrap()
                    {
                        got += events.len();
                    }
                    got
                })
            })
            .collect();
        for n in 0..1000 {
            engine.send_custom_event(&CustomEventRequest::new("agent-1", format!("n{n}"), "", false)).unwrap();
        }
        while engine.stats().custom_events_queued < 1000 {}
        std::thread::sleep(Duration::from_millis(100));
        engine.end_agent_session(&session).unwrap();
        let total: usize = pollers.into_iter().map(|p| p.join().unwrap()).sum();
        // Every event was received or dropped. The one the last poll returned was never
        // acknowledged (SPEC §5.1), so ending the session also dropped it: it may count twice.
        let counted = total as u64 + engine.stats().custom_events_dropped;
        assert!((1000..=1001).contains(&counted), "{total} received, {counted} counted");
    });
}
