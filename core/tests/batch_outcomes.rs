//! The `outcomes` option of a batch: every outcome, only the rejections (with their lines), or
//! only the totals; the totals and the rejections are the same whichever is asked.

use journey_core::{Batch, BatchResult, Catalog, Config, Engine, Outcomes};
use serde_json::{Value, json};

fn engine() -> Engine {
    let catalog =
        Catalog::from_json(r#"{"sessionTypes": [{"name": "d", "kind": "custom", "eventTypes": [{"name": "e"}]}]}"#)
            .unwrap();
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T10:00:00Z"})).unwrap();
    Engine::new(catalog, config).unwrap()
}

fn event(n: usize) -> String {
    format!(
        r#"{{"eventName":"e","createdDate":"2026-11-21T09:00:00Z","customer":{{"id":"c{n}","idType":"email"}},"session":{{"type":"d","externalId":"o{n}"}}}}"#
    )
}

/// Line 1 and 5 are good, 2 is blank, 3 is not JSON, 4 a duplicate of 1, 6 has no session.
fn ndjson() -> String {
    let no_session = r#"{"eventName":"e","createdDate":"2026-11-21T09:00:00Z","customer":{"id":"c","idType":"email"}}"#;
    format!("{}\n\nnot json\n{}\n{}\n{no_session}\n", event(1), event(1), event(2))
}

fn summary(outcomes: Outcomes) -> Value {
    match engine().ingest_batch(Batch::Ndjson(ndjson().as_bytes()), outcomes, None).unwrap() {
        BatchResult::Summary(summary) => serde_json::to_value(summary).unwrap(),
        BatchResult::All(_) => panic!("a summary was asked for"),
    }
}

#[test]
fn rejected_keeps_only_the_rejections_with_their_line_numbers() {
    let summary = summary(Outcomes::Rejected);
    assert_eq!(
        (&summary["lines"], &summary["accepted"], &summary["duplicates"], &summary["rejected"]),
        (&json!(5), &json!(2), &json!(1), &json!(2))
    );
    let lines: Vec<&Value> = summary["rejections"].as_array().unwrap().iter().map(|r| &r["line"]).collect();
    assert_eq!(lines, [&json!(3), &json!(6)], "blank lines count in line numbers");
    assert_eq!(summary["rejections"][0]["outcome"]["violations"][0]["code"], "INVALID_JSON");
    assert_eq!(summary["rejectionsTruncated"], false);
}

#[test]
fn none_keeps_only_the_totals() {
    let summary = summary(Outcomes::None);
    assert_eq!((&summary["accepted"], &summary["rejected"]), (&json!(2), &json!(2)));
    assert_eq!(summary["rejections"], json!([]));
    assert_eq!(summary["rejectionsTruncated"], true, "rejections were left out");
}

#[test]
fn the_rejections_are_those_of_the_full_outcomes() {
    let full = engine().ingest_ndjson(ndjson().as_bytes()).unwrap().to_json();
    let rejected: Vec<&Value> =
        full["outcomes"].as_array().unwrap().iter().filter(|o| o["status"] == "rejected").collect();
    let summary = summary(Outcomes::Rejected);
    let kept: Vec<&Value> = summary["rejections"].as_array().unwrap().iter().map(|r| &r["outcome"]).collect();
    assert_eq!(kept, rejected);
    // An array numbers its elements from 1.
    let values: Vec<Value> = vec![json!({}), serde_json::from_str(&event(3)).unwrap(), json!(7)];
    let BatchResult::Summary(summary) =
        engine().ingest_batch(Batch::Values(&values), Outcomes::Rejected, None).unwrap()
    else {
        panic!("a summary was asked for")
    };
    assert_eq!(summary.rejections.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3]);
}

#[test]
fn outcomes_is_read_from_its_name() {
    assert_eq!(Outcomes::parse("rejected").unwrap(), Outcomes::Rejected);
    assert_eq!(Outcomes::parse("all").unwrap(), Outcomes::All);
    let error = Outcomes::parse("some").unwrap_err();
    assert_eq!(error.code(), "INVALID_ARGUMENT");
}
