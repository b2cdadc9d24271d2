//! Any bytes as one event, into an engine over a realistic catalog: never a panic, a bounded
//! outcome, counters that add up, and the same outcome when the bytes are sent again (a duplicate
//! of an accepted event, the same rejection of a rejected one); the heap it takes is bounded by its
//! size.
#![no_main]

use journey_fuzz::memory::{heap_allowance, peak_during};
use journey_fuzz::{check_stats, engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let engine = engine();
    let (first, peak) = peak_during(|| engine.ingest_json(data).expect("ingest_json returns an outcome for any bytes"));
    assert!(peak <= heap_allowance(data.len()), "{peak} bytes of heap for a {}-byte event", data.len());
    // At most 100 violations and a count, each message and path cut short.
    let bytes = first.to_json().to_string().len();
    assert!(bytes <= 64 * 1024, "a {bytes}-byte outcome for {} bytes", data.len());
    let again = engine.ingest_json(data).unwrap();
    match first.status() {
        "accepted" => assert_eq!(again.status(), "duplicate"),
        status => assert_eq!(again.status(), status),
    }
    check_stats(&engine.stats(), 2);
});
