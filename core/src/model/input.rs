//! How a batch of events arrives, and how it is cut into events (docs/architecture.md): NDJSON
//! lines, the elements of a JSON array, or values already parsed. The engine, the partition
//! router and the watermark all frame a batch with these, so they count the same events at the
//! same positions.

use crate::base::error::{JourneyError, Result};
use serde_json::Value;

/// A batch of events in memory, in one of the forms every front door takes.
#[derive(Clone, Copy)]
pub enum Batch<'a> {
    /// One event per line; blank lines are skipped.
    Ndjson(&'a [u8]),
    /// A JSON array of events.
    JsonArray(&'a [u8]),
    /// Already-parsed events.
    Values(&'a [Value]),
}

/// Which outcomes a batch call returns: the bindings' `outcomes` option, the same in every
/// language. Totals are always counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Outcomes {
    /// One outcome per event, in order (the default).
    #[default]
    All,
    /// Only the rejections, each with its line (NDJSON) or 1-based position (an array).
    Rejected,
    /// Only the totals.
    None,
}

impl Outcomes {
    /// Reads `"all"`, `"rejected"` or `"none"`; anything else is `INVALID_ARGUMENT`.
    pub fn parse(text: &str) -> Result<Outcomes> {
        match text {
            "all" => Ok(Outcomes::All),
            "rejected" => Ok(Outcomes::Rejected),
            "none" => Ok(Outcomes::None),
            other => Err(JourneyError::invalid_argument(format!(
                "outcomes must be \"all\", \"rejected\" or \"none\", not '{}'",
                crate::base::text::clip(other)
            ))),
        }
    }
}

impl Batch<'_> {
    /// About how many events the batch holds, to size its outcomes (an array's elements are
    /// counted only once it is parsed, so it gives none).
    pub(crate) fn size_hint(&self) -> usize {
        match self {
            Batch::Ndjson(bytes) => memchr::memchr_iter(b'\n', bytes).count() + 1,
            Batch::JsonArray(_) => 0,
            Batch::Values(values) => values.len(),
        }
    }
}

/// The elements of a JSON array batch, each still text, so that each is read (and refused) on its
/// own; `INVALID_JSON` only when the bytes are not a JSON array at all.
pub(crate) fn array_elements(bytes: &[u8]) -> Result<Vec<&serde_json::value::RawValue>> {
    serde_json::from_slice(bytes).map_err(|e| {
        JourneyError::InvalidJson(format!("a batch must be a JSON array of events: {}", crate::base::text::bounded(e)))
    })
}

/// The lines of an NDJSON buffer, without line ends, skipping blank lines, each with its 1-based
/// line number (blank lines counted).
pub(crate) fn ndjson_lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.map(move |end| {
        let line = &bytes[start.min(end)..end];
        start = end + 1;
        line
    })
    .zip(1..)
    .filter_map(|(line, number)| line_content(line).map(|line| (number, line)))
}

/// The event text of one NDJSON line (without its `\n`): the line without a trailing `\r`, or
/// `None` for a blank line, which produces no outcome.
pub(crate) fn line_content(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    (!line.iter().all(u8::is_ascii_whitespace)).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_lines_skip_blanks_and_carriage_returns() {
        let lines: Vec<(u64, &[u8])> = ndjson_lines(b"a\r\n\n  \nb\nc").collect();
        assert_eq!(lines, vec![(1, &b"a"[..]), (4, b"b"), (5, b"c")]);
    }
}
