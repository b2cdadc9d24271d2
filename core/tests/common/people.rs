//! The people of the erasure tests on disk (`erasure_durable.rs`, `erasure_crash.rs`): person
//! `p` has an e-mail, a phone and a cookie, and events carrying a text only they have, so that a
//! byte search of the store's files can tell whose personal data is still there.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// Person `p`'s identifiers: an e-mail, a phone and a cookie, each naming `p`.
pub fn identifiers(p: usize) -> [Value; 3] {
    [
        json!({"idType": "email", "id": format!("person-{p:05}@example.org")}),
        json!({"idType": "phone", "id": format!("+1555{p:07}")}),
        json!({"idType": "cookie", "id": format!("c0ffee00-0000-4000-8000-{p:012}")}),
    ]
}

/// The attribute value only person `p`'s events carry.
pub fn secret(p: usize) -> String {
    format!("secret-{p:05}-xyzzy")
}

/// The text of everything personal about `p`: what a byte search of the store looks for.
pub fn needles(p: usize) -> Vec<String> {
    let mut needles: Vec<String> = identifiers(p).iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    needles.push(secret(p));
    needles
}

/// Person `p`'s `events` events (at most 60 minutes' worth): the e-mail's, carrying the phone
/// and the cookie as identifiers, in one delivery session.
pub fn events_of(p: usize, events: usize) -> Vec<Value> {
    let [email, phone, cookie] = identifiers(p);
    (0..events)
        .map(|k| {
            json!({"id": uuid::Uuid::from_u128(((p as u128) << 16) + k as u128 + 1).to_string(),
                "eventName": "in_transit", "createdDate": format!("2026-11-21T11:{:02}:00Z", k % 60),
                "customer": email, "identifiers": [phone, cookie],
                "session": {"type": "delivery", "externalId": format!("order-{p}")},
                "attributes": {"location": secret(p)}})
        })
        .collect()
}

/// The people of `people` whose personal text some file in `dir` holds.
pub fn people_on_disk(dir: &Path, people: std::ops::Range<usize>) -> BTreeSet<usize> {
    let (mut patterns, mut owners) = (Vec::new(), Vec::new());
    for p in people {
        for needle in needles(p) {
            patterns.push(needle);
            owners.push(p);
        }
    }
    let search = aho_corasick::AhoCorasick::new(&patterns).unwrap();
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        found.extend(search.find_overlapping_iter(&bytes).map(|m| owners[m.pattern().as_usize()]));
    }
    found
}
