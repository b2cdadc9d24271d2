//! Any bytes as a batch, three ways: NDJSON in memory, the streaming reader, and a JSON array.
//! NDJSON and the stream must agree line for line; every way must leave the counters consistent; the
//! stream's heap is bounded by the input's size.
#![no_main]

use journey_fuzz::memory::{heap_allowance, peak_during};
use journey_fuzz::{check_stats, engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (in_memory, streamed) = (engine(), engine());
    let batch = in_memory.ingest_ndjson(data).expect("NDJSON ingest returns outcomes");
    // A tiny read buffer splits lines across reads.
    let reader = std::io::BufReader::with_capacity(7, data);
    let (summary, peak) =
        peak_during(|| streamed.ingest_ndjson_reader(reader, 5).expect("reading from memory cannot fail"));
    // The reader holds one line and five rejections at a time; what grows is the stored events.
    assert!(peak <= heap_allowance(data.len()), "the stream took {peak} bytes of heap for {} bytes", data.len());
    assert_eq!(batch.outcomes.len() as u64, summary.lines, "lines counted differently");
    assert_eq!(
        (batch.accepted as u64, batch.duplicates as u64, batch.rejected as u64),
        (summary.accepted, summary.duplicates, summary.rejected)
    );
    assert!(summary.rejections.len() <= 5);
    check_stats(&in_memory.stats(), summary.lines);
    check_stats(&streamed.stats(), summary.lines);
    let array = engine();
    if let Ok(batch) = array.ingest_batch_json(data) {
        check_stats(&array.stats(), batch.outcomes.len() as u64);
    } else {
        check_stats(&array.stats(), 0);
    }
});
