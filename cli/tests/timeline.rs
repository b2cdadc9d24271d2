//! `journey timeline` on the bike delivery of the demo: what the page holds, what a restricted
//! viewer's page must not hold, and (under `make test-browser`) what Chromium shows.

mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Sessions and events of the bike delivery, as the journey view shows them at the end.
const LANES: usize = 3;
const MARKS: usize = 15;

/// A directory with the demo's events as NDJSON, its catalog, its viewer, and the config that
/// replays them with the manual clock at the demo's last step (`tools/scenario_events.py` writes
/// both from the demo's script).
fn bike_delivery(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("journey-timeline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data");
    for (from, to) in [
        ("bike_delivery.ndjson", "events.ndjson"),
        ("replay_config.json", "config.json"),
        ("catalog.json", "catalog.json"),
    ] {
        std::fs::copy(data.join(from), dir.join(to)).unwrap();
    }
    let scenario: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("bike_delivery.json")).unwrap()).unwrap();
    std::fs::write(dir.join("viewer.json"), scenario["viewer"].to_string()).unwrap();
    dir
}

/// Runs `journey timeline` in `dir` with `extra` arguments and returns the page.
fn timeline(dir: &Path, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_journey"))
        .current_dir(dir)
        .args([
            "timeline",
            "--catalog",
            "catalog.json",
            "--config",
            "config.json",
            "--customer",
            "email:dana@example.com",
        ])
        .args(["-o", "journey.html"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    std::fs::read_to_string(dir.join("journey.html")).unwrap()
}

fn count(page: &str, needle: &str) -> usize {
    page.matches(needle).count()
}

#[test]
fn one_lane_per_session_and_one_mark_per_event() {
    let dir = bike_delivery("lanes");
    let page = timeline(&dir, &["--viewer", "viewer.json", "events.ndjson"]);
    assert_eq!(count(&page, "<section class=\"lane "), LANES);
    assert_eq!(count(&page, "<button class=\"mark"), MARKS);
    assert_eq!(count(&page, "<button class=\"mark transfer\""), 1, "Ann transfers the call once");
    assert_eq!(count(&page, "<button class=\"mark wrapup\""), 1);
    assert_eq!(count(&page, "class=\"lane ended\""), 2, "the delivery and the call ended");
    assert_eq!(count(&page, "class=\"lane inactive\""), 1, "the web visit is long over");
    assert!(page.contains("Bike delivery") && page.contains("queue q-deliveries"), "cards and conversation fields");
    assert!(!page.contains("src=") && !page.contains("href=") && !page.contains("<link"), "nothing is fetched");
}

/// A session in another division must not reach the page at all; the unrestricted view is the
/// control that shows the planted session is there to hide.
#[test]
fn a_hidden_session_appears_nowhere() {
    let dir = bike_delivery("hidden");
    let secret = r#"{"eventName":"product_purchased","createdDate":"2026-11-21T10:20:00Z","division":"south","customer":{"id":"dana@example.com","idType":"email"},"session":{"type":"delivery","externalId":"order-SECRET-91"},"attributes":{"orderId":"order-SECRET-91","product":"secret tandem"}}"#;
    let events = std::fs::read_to_string(dir.join("events.ndjson")).unwrap() + secret + "\n";
    std::fs::write(dir.join("events.ndjson"), events).unwrap();
    let mut viewer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("viewer.json")).unwrap()).unwrap();
    viewer["divisions"] = serde_json::json!(["north"]);
    std::fs::write(dir.join("north.json"), viewer.to_string()).unwrap();

    let everything = timeline(&dir, &["events.ndjson"]);
    assert_eq!(count(&everything, "<section class=\"lane "), LANES + 1);
    assert!(everything.contains("order-SECRET-91") && everything.contains("secret tandem"));

    let north = timeline(&dir, &["--viewer", "north.json", "events.ndjson"]);
    assert_eq!(count(&north, "<section class=\"lane "), LANES);
    assert!(!north.contains("SECRET"), "the hidden session's external id");
    assert!(!north.contains("tandem"), "the hidden event's attributes");
    assert!(!north.contains("south"), "its division");
}

#[test]
fn a_viewer_without_event_permissions_sees_cards_without_marks() {
    let dir = bike_delivery("no-events");
    std::fs::write(
        dir.join("cards.json"),
        r#"{"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]}"#,
    )
    .unwrap();
    let page = timeline(&dir, &["--viewer", "cards.json", "events.ndjson"]);
    assert_eq!(count(&page, "<section class=\"lane "), LANES);
    assert_eq!(count(&page, "<button class=\"mark"), 0);
    assert_eq!(count(&page, "events hidden from this viewer"), LANES);
}

#[test]
fn bad_arguments_are_named() {
    let dir = bike_delivery("bad");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_journey"))
            .current_dir(&dir)
            .args(["timeline", "--catalog", "catalog.json"])
            .args(args)
            .output()
            .unwrap()
    };
    let no_data = run(&["--customer", "email:x"]);
    assert_eq!(no_data.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_data.stderr).contains("give the events"));
    let bad_customer = run(&["--customer", "fax:123", "events.ndjson"]);
    assert!(String::from_utf8_lossy(&bad_customer.stderr).contains("unknown id type \"fax\""), "{bad_customer:?}");
    std::fs::write(dir.join("bad.json"), r#"{"permisions": []}"#).unwrap();
    let bad_viewer = run(&["--customer", "email:x", "--viewer", "bad.json", "events.ndjson"]);
    assert!(String::from_utf8_lossy(&bad_viewer.stderr).contains("bad.json: not a viewer"), "{bad_viewer:?}");
}

/// The page in a real browser: Chromium loads it, runs its script, and the DOM it ends with has
/// the lanes, the marks and the latest event's details; a screenshot goes to
/// `target/tmp/timeline/journey.png`. Run by `make test-browser`, which installs Chromium.
#[test]
#[ignore = "needs Chromium: make test-browser"]
fn chromium_shows_the_lanes_marks_and_details() {
    let dir = bike_delivery("browser");
    timeline(&dir, &["--viewer", "viewer.json", "events.ndjson"]);
    let url = format!("file://{}", dir.join("journey.html").display());
    let dom = browser::dom(&url, 640);
    assert_eq!(count(&dom, "<section class=\"lane "), LANES, "{dom}");
    assert_eq!(count(&dom, "<button class=\"mark"), MARKS);
    // The script ran: the latest event (the delivery) is selected and its details shown.
    assert_eq!(count(&dom, "class=\"mark selected\""), 1);
    assert!(dom.contains("item_delivered  2026-11-21T10:30:00"), "details of the latest event: {dom}");

    browser::screenshot(&url, 640, "timeline/journey.png");
}
