//! Robustness: random and mutated byte strings never panic the engine. Every input gets an outcome
//! (or, for batch calls, an error), the counters reconcile, and the engine keeps working afterwards.

use journey_core::{Catalog, Config, Customer, Engine, IdType, PageRequest, Viewer};

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"], "attributes": [{"name": "location", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true},
                   {"name": "stops", "type": "integer", "min": 0, "list": true}, {"name": "eta", "type": "datetime"}]},
                  {"name": "item_delivered"}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]}]}]}"#;

const SEEDS: [&str; 4] = [
    r#"{"id":"6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11","eventName":"in_transit","createdDate":"2026-11-21T10:15:00.000Z","customer":{"id":"cust-42","idType":"email"},"session":{"type":"delivery","externalId":"order-1234"},"division":"east","attributes":{"location":"Depot 7","stops":[1,2],"eta":{"dataType":"datetime","value":"2026-11-21T12:00:00Z"}}}"#,
    r#"{"eventName":"page_viewed","createdDate":"2026-11-21T10:10:00Z","customer":{"id":"c1","idType":"cookie"},"session":{"type":"web"},"attributes":{"page":"/"}}"#,
    r#"{"eventName":"conversation_started","createdDate":"2026-11-21T10:00:00Z","customer":{"id":"c1","idType":"cookie"},"session":{"type":"conversation","externalId":"v1"},"attributes":{"channel":"webChat"}}"#,
    r#"{"eventName":"item_delivered","createdDate":"2026-11-21T10:20:00Z","customer":{"id":"cust-42","idType":"email"},"session":{"type":"delivery","externalId":"order-1234"}}"#,
];

/// Tokens that, spliced into an event, reach unusual paths: odd numbers, escapes, nesting, bad UTF-8.
const TOKENS: [&[u8]; 16] = [
    b"null",
    b"1e999",
    b"-0",
    b"18446744073709551616",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"[[[[[[[[[[",
    b"{\"a\":",
    b"\xff\xfe",
    b"\xc3",
    b"\"2026-02-30T00:00:00Z\"",
    b"\"\"",
    b"true",
    b"{}",
    b"[]",
    b"\"conversation\"",
];

/// xorshift64*: a fixed seed makes any failure reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => bytes[at] = rng.next() as u8,
            2 => bytes.splice(at..at, TOKENS[rng.below(TOKENS.len())].iter().copied()).for_each(drop),
            3 if at < bytes.len() => {
                let end = (at + rng.below(20)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let from = rng.below(bytes.len());
                let chunk: Vec<u8> = bytes[from..(from + rng.below(30)).min(bytes.len())].to_vec();
                bytes.splice(at..at, chunk).for_each(drop);
            }
            _ => bytes.insert(at.min(bytes.len()), b"{}[]\",:\\0aZ"[rng.below(11)]),
        }
    }
    bytes
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    (0..rng.below(200)).map(|_| rng.next() as u8).collect()
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let config =
        Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:30:00Z", "unknownAttributes": "keep"}"#)
            .unwrap();
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut outcomes = 0u64;
    for i in 0..12_000 {
        let input = match i % 4 {
            0 => random_bytes(&mut rng),
            _ => {
                let seed = SEEDS[rng.below(SEEDS.len())];
                mutate(&mut rng, seed.as_bytes())
            }
        };
        let outcome = engine.ingest_json(&input).unwrap();
        assert!(matches!(outcome.status(), "accepted" | "duplicate" | "rejected"));
        outcomes += 1;
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&input) {
            engine.ingest_value(&value).unwrap();
            outcomes += 1;
        }
        if i % 100 == 0 {
            outcomes += engine.ingest_ndjson(&input).unwrap().outcomes.len() as u64;
            if let Ok(batch) = engine.ingest_batch_json(&input) {
                outcomes += batch.outcomes.len() as u64;
            }
        }
    }
    let stats = engine.stats();
    assert_eq!(stats.events_accepted + stats.events_duplicate + stats.events_rejected, outcomes);
    assert!(stats.events_rejected > 10_000, "mutations should mostly be rejected: {stats:?}");
    assert!(stats.rejected_by_code.len() >= 8, "mutations should reach many codes: {:?}", stats.rejected_by_code);

    // The engine still works.
    let fresh = SEEDS[0]
        .replace("order-1234", "order-after-fuzz")
        .replace("6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "0f8fad5b-d9cb-469f-a165-70867728950e");
    assert_eq!(engine.ingest_json(fresh.as_bytes()).unwrap().status(), "accepted");
    let viewer = Viewer::new(["journey:session:view", "journey:sessionType:view"], ["*"]);
    let page = engine.journey(&Customer::new("cust-42", IdType::Email), &viewer, &PageRequest::first(200)).unwrap();
    assert!(page.entities.iter().any(|c| c.external_id.as_deref() == Some("order-after-fuzz")));
}

#[test]
fn huge_and_deep_inputs_are_refused_cleanly() {
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), Config::default()).unwrap();
    let huge = vec![b' '; 10 * 1024 * 1024];
    assert_eq!(engine.ingest_json(&huge).unwrap().to_json()["violations"][0]["code"], "EVENT_TOO_LARGE");
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(engine.ingest_json(deep.as_bytes()).unwrap().to_json()["violations"][0]["code"], "EVENT_TOO_LARGE");
    let deep_small = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    assert_eq!(engine.ingest_json(deep_small.as_bytes()).unwrap().to_json()["violations"][0]["code"], "INVALID_JSON");
    assert_eq!(engine.ingest_json(b"").unwrap().to_json()["violations"][0]["code"], "INVALID_JSON");
    assert_eq!(engine.ingest_json(b"\xff\xff").unwrap().to_json()["violations"][0]["code"], "INVALID_JSON");
    assert_eq!(engine.ingest_batch_json(b"{\"not\": \"an array\"}").unwrap_err().code(), "INVALID_JSON");
    let deep_value: serde_json::Value = (0..100).fold(serde_json::json!(1), |v, _| serde_json::json!([v]));
    assert_eq!(engine.ingest_value(&deep_value).unwrap().status(), "rejected");
}
