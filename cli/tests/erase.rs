//! `journey erase` as a user runs it: the real binary on a store `journey replay` wrote; the
//! store's files hold nothing of the person afterwards; a store another process holds is refused
//! with a message saying what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
  "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]}]}]}"#;
const CONFIG: &str = r#"{"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": null}"#;

/// A fresh directory holding the catalog, the config and an export of two people's events: each
/// logs in with an e-mail that carries their phone, at a depot only they use.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("journey-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("catalog.json"), CATALOG).unwrap();
    std::fs::write(dir.join("config.json"), CONFIG).unwrap();
    let lines: Vec<String> = (0..6)
        .map(|i| {
            let p = i % 2;
            format!(
                r#"{{"id":"00000000-0000-4000-8000-{i:012}","eventName":"in_transit","createdDate":"2026-11-30T10:0{i}:00Z","customer":{{"id":"person-{p}@example.org","idType":"email"}},"identifiers":[{{"id":"+1555000000{p}","idType":"phone"}}],"session":{{"type":"delivery","externalId":"order-{p}"}},"attributes":{{"location":"depot-secret-{p}"}}}}"#
            )
        })
        .collect();
    std::fs::write(dir.join("events.ndjson"), lines.join("\n") + "\n").unwrap();
    dir
}

fn journey(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_journey")).current_dir(dir).args(args).output().unwrap()
}

fn replay_into_store(dir: &Path) {
    let args = ["replay", "--catalog", "catalog.json", "--config", "config.json", "--store", "store", "events.ndjson"];
    let replayed = journey(dir, &args);
    assert!(replayed.status.success(), "{}", String::from_utf8_lossy(&replayed.stderr));
}

/// Whether any file of the store holds `text`.
fn on_disk(store: &Path, text: &str) -> bool {
    std::fs::read_dir(store).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    })
}

#[test]
fn erase_removes_the_person_from_every_file_of_the_store() {
    let dir = workspace("erase");
    replay_into_store(&dir);
    let store = dir.join("store");
    assert!(on_disk(&store, "person-1@example.org") && on_disk(&store, "depot-secret-1"));
    let erased = journey(&dir, &["erase", "--store", "store", "--customer", "phone:+15550000001"]);
    assert!(erased.status.success(), "{}", String::from_utf8_lossy(&erased.stderr));
    assert_eq!(String::from_utf8_lossy(&erased.stdout).trim(), r#"{"customersErased":2,"eventsErased":3}"#);
    for personal in ["person-1@example.org", "+15550000001", "depot-secret-1"] {
        assert!(!on_disk(&store, personal), "the store still holds {personal}");
    }
    assert!(on_disk(&store, "person-0@example.org") && on_disk(&store, "depot-secret-0"), "the other person stays");
    let again = journey(&dir, &["erase", "--store", "store", "--customer", "email:person-1@example.org", "--forget"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), r#"{"customersErased":0,"eventsErased":0}"#);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_store_another_process_holds_is_refused_and_bad_arguments_are_named() {
    let dir = workspace("erase-locked");
    replay_into_store(&dir);
    let catalog = journey_core::Catalog::from_json(CATALOG).unwrap();
    let config = journey_core::Config::from_json(CONFIG).unwrap();
    let holder = journey_core::Engine::open(dir.join("store"), catalog, config).unwrap();
    let refused = journey(&dir, &["erase", "--store", "store", "--customer", "email:person-1@example.org"]);
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("open in another process") && message.contains("journey serve"), "{message}");
    drop(holder);
    assert!(on_disk(&dir.join("store"), "person-1@example.org"), "nothing was erased");
    for (args, says) in [
        (&["erase", "--store", "store", "--customer", "person-1"][..], "expected idType:id"),
        (&["erase", "--store", "store", "--customer", "fax:1"][..], "unknown id type"),
        (&["erase", "--store", "nowhere", "--customer", "email:x"][..], "no such directory"),
    ] {
        let failed = journey(&dir, args);
        let message = String::from_utf8_lossy(&failed.stderr);
        assert!(failed.status.code() == Some(1) && message.contains(says), "{args:?}: {message}");
    }
    assert!(!dir.join("nowhere").exists(), "a missing store is not created");
    std::fs::remove_dir_all(&dir).unwrap();
}
