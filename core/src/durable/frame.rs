//! The journal's record format, and reading a journal file back (docs/durability.md).
//!
//! Record framing:
//! `magic u32 | length u32 | crc32c(length ‖ payload) u32 | payload`, all little-endian, where the
//! payload is `seq u64 | now i64 | change JSON`.

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::engine::journal::Seq;
use std::path::Path;

/// Marks the start of every record ("JRN1").
pub(crate) const RECORD_MAGIC: u32 = u32::from_le_bytes(*b"JRN1");
/// Bytes before a record's payload: magic, length, checksum.
pub(crate) const HEADER_BYTES: usize = 12;
/// Bytes of a payload before the change JSON: seq and now.
const PAYLOAD_PREFIX: usize = 16;
/// The `now` of a record decided before the engine had a time (an event clock with no event).
const NO_TIME: i64 = i64::MIN;
/// The largest record payload read back: a record is one change, whose event is at most 64 MiB.
const MAX_PAYLOAD: usize = 256 << 20;

/// One record read back from a journal file; its change stays in the file's bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordRead {
    /// Byte offset of the record in its file.
    pub offset: u64,
    /// Its sequence number.
    pub seq: Seq,
    /// The engine's time when the change was made; `None` when it had none yet.
    pub now: Option<Millis>,
    /// Where the change's JSON text is in the file.
    change: std::ops::Range<usize>,
}

/// What reading a journal file found.
#[derive(Debug, Default)]
pub(crate) struct JournalRead {
    /// The whole file.
    bytes: Vec<u8>,
    /// The whole records, in file order (their sequence numbers increase).
    pub records: Vec<RecordRead>,
    /// Where a torn tail starts and how many bytes it has, when the file ends in one.
    pub torn: Option<(u64, u64)>,
}

impl JournalRead {
    /// A record's change, as JSON text.
    pub fn change(&self, record: &RecordRead) -> &[u8] {
        &self.bytes[record.change.clone()]
    }
}

/// Appends one framed record holding `seq`, `now` and the JSON that `write_change` writes.
pub(crate) fn frame(out: &mut Vec<u8>, seq: Seq, now: Option<Millis>, write_change: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER_BYTES]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&now.unwrap_or(NO_TIME).to_le_bytes());
    write_change(out);
    let length = (out.len() - start - HEADER_BYTES) as u32;
    let crc = crc32c::crc32c_append(crc32c::crc32c(&length.to_le_bytes()), &out[start + HEADER_BYTES..]);
    out[start..start + 4].copy_from_slice(&RECORD_MAGIC.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&length.to_le_bytes());
    out[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
}

/// Reads the record at `offset` of `bytes`; `None` when no whole, valid record starts there.
fn record_at(bytes: &[u8], offset: usize) -> Option<(RecordRead, usize)> {
    let header = bytes.get(offset..offset + HEADER_BYTES)?;
    let word = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().expect("4 bytes"));
    let (magic, length, crc) = (word(0), word(4) as usize, word(8));
    if magic != RECORD_MAGIC || !(PAYLOAD_PREFIX..=MAX_PAYLOAD).contains(&length) {
        return None;
    }
    let payload = bytes.get(offset + HEADER_BYTES..offset + HEADER_BYTES + length)?;
    if crc32c::crc32c_append(crc32c::crc32c(&(length as u32).to_le_bytes()), payload) != crc {
        return None;
    }
    let seq = u64::from_le_bytes(payload[0..8].try_into().expect("8 bytes"));
    let now = i64::from_le_bytes(payload[8..16].try_into().expect("8 bytes"));
    let start = offset + HEADER_BYTES + PAYLOAD_PREFIX;
    let record = RecordRead {
        offset: offset as u64,
        seq,
        now: (now != NO_TIME).then_some(now),
        change: start..offset + HEADER_BYTES + length,
    };
    Some((record, offset + HEADER_BYTES + length))
}

/// Reads every record of a journal file. A bad record followed by no valid one is a torn tail (a
/// crash mid-write); a bad record with a valid one anywhere after it is `CORRUPT_STORE`.
pub(crate) fn read(path: &Path) -> Result<JournalRead> {
    let file = std::fs::read(path).map_err(|e| JourneyError::io("reading", path, e))?;
    let mut read = JournalRead::default();
    let mut offset = 0;
    let bytes = &file[..];
    while offset < bytes.len() {
        match record_at(bytes, offset) {
            Some((record, next)) => {
                if let Some(last) = read.records.last()
                    && record.seq <= last.seq
                {
                    return Err(JourneyError::corrupt(path, offset as u64, "records out of order"));
                }
                read.records.push(record);
                offset = next;
            }
            None => {
                if let Some(later) = (offset + 1..bytes.len()).find(|&at| record_at(bytes, at).is_some()) {
                    let message = format!("a damaged record, with a valid record after it at byte {later}");
                    return Err(JourneyError::corrupt(path, offset as u64, message));
                }
                read.torn = Some((offset as u64, (bytes.len() - offset) as u64));
                break;
            }
        }
    }
    read.bytes = file;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(records: &[(Seq, Option<Millis>, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (seq, now, json) in records {
            frame(&mut out, *seq, *now, |out| out.extend_from_slice(json.as_bytes()));
        }
        out
    }

    fn read_bytes(bytes: &[u8]) -> Result<JournalRead> {
        let dir = crate::durable::test_dir();
        let path = dir.path().join("j.log");
        std::fs::write(&path, bytes).unwrap();
        read(&path)
    }

    #[test]
    fn records_round_trip() {
        let bytes = framed(&[(1, Some(5), r#"{"op":"stats"}"#), (2, None, "{}")]);
        let read = read_bytes(&bytes).unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!((read.records[0].seq, read.records[0].now), (1, Some(5)));
        assert_eq!(read.records[1].now, None);
        assert_eq!(read.change(&read.records[1]), b"{}");
        assert_eq!(read.torn, None);
    }

    #[test]
    fn a_torn_tail_is_cut_at_every_length() {
        let whole = framed(&[(1, Some(1), r#"{"op":"a"}"#), (2, Some(2), r#"{"op":"bb"}"#)]);
        let first_len = framed(&[(1, Some(1), r#"{"op":"a"}"#)]).len();
        for cut in first_len..whole.len() {
            let read = read_bytes(&whole[..cut]).unwrap();
            assert_eq!(read.records.len(), 1, "cut at {cut}");
            assert_eq!(read.torn, (cut > first_len).then_some((first_len as u64, (cut - first_len) as u64)));
        }
    }

    #[test]
    fn damage_before_a_valid_record_is_corruption() {
        let mut bytes = framed(&[(1, Some(1), r#"{"op":"a"}"#), (2, Some(2), r#"{"op":"b"}"#)]);
        bytes[HEADER_BYTES + 3] ^= 0x40;
        let err = read_bytes(&bytes).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_STORE");
        assert!(matches!(err, JourneyError::CorruptStore { offset: 0, .. }), "{err}");
    }
}
