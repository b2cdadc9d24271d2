//! Timestamps: RFC 3339 in, RFC 3339 UTC with milliseconds out, `i64` milliseconds since the epoch inside.

use chrono::{DateTime, SecondsFormat, Utc};

/// Milliseconds since 1970-01-01T00:00:00Z; the one time representation inside the engine.
pub type Millis = i64;

/// Parses an RFC 3339 timestamp, truncating below the millisecond. `None` when malformed.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    // chrono accepts a space instead of `T`; RFC 3339 allows it only by mutual agreement, and the
    // vendor APIs do not, so insist on `T` (either case).
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't') {
        return None;
    }
    // A time whose UTC form falls outside years 0000-9999 (`9999-12-31T23:30:00-01:00`) could not
    // be written back as RFC 3339 UTC, so a config holding it would not read back: refuse it here.
    let millis = DateTime::parse_from_rfc3339(text).ok()?.timestamp_millis();
    (RFC3339_UTC_RANGE).contains(&millis).then_some(millis)
}

/// Every instant RFC 3339 can write in UTC: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
const RFC3339_UTC_RANGE: std::ops::RangeInclusive<Millis> = -62_167_219_200_000..=253_402_300_799_999;

/// Formats as `2026-11-21T10:15:00.000Z`.
pub fn format_millis(millis: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(millis) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        // Unreachable for parsed input (chrono's range is wider than any RFC 3339 year), kept total.
        None => millis.to_string(),
    }
}

/// Now, from the system clock.
pub fn wall_now() -> Millis {
    Utc::now().timestamp_millis()
}

/// Serde for a [`Millis`] written as RFC 3339 UTC text: `#[serde(with = "rfc3339")]`.
pub(crate) mod rfc3339 {
    use super::{Millis, format_millis, parse_rfc3339};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes the time as RFC 3339 UTC with milliseconds.
    pub fn serialize<S: Serializer>(millis: &Millis, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_millis(*millis))
    }

    /// Reads an RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Millis, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_rfc3339(&text).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {text}")))
    }

    /// The same for an optional time, written as `null` when absent.
    pub mod option {
        use super::super::{Millis, format_millis, parse_rfc3339};
        use serde::{Deserialize, Deserializer, Serializer, de::Error};

        /// Writes the time, or `null`.
        pub fn serialize<S: Serializer>(millis: &Option<Millis>, serializer: S) -> Result<S::Ok, S::Error> {
            match millis {
                Some(millis) => serializer.serialize_str(&format_millis(*millis)),
                None => serializer.serialize_none(),
            }
        }

        /// Reads an RFC 3339 time or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Millis>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                None => Ok(None),
                Some(text) => parse_rfc3339(&text)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {text}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_times_outside_the_years_rfc_3339_can_write_in_utc() {
        assert_eq!(parse_rfc3339("9999-12-31T23:30:00-01:00"), None);
        assert_eq!(parse_rfc3339("0000-01-01T00:30:00+01:00"), None);
        let last = parse_rfc3339("9999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(parse_rfc3339(&format_millis(last)), Some(last));
        let first = parse_rfc3339("0000-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_rfc3339(&format_millis(first)), Some(first));
    }

    #[test]
    fn round_trips_to_utc_milliseconds() {
        let ms = parse_rfc3339("2026-11-21T11:15:00.123456+01:00").unwrap();
        assert_eq!(format_millis(ms), "2026-11-21T10:15:00.123Z");
        assert_eq!(format_millis(parse_rfc3339("2026-11-21T10:15:00Z").unwrap()), "2026-11-21T10:15:00.000Z");
    }

    #[test]
    fn refuses_non_rfc3339() {
        for bad in ["2026-11-21", "2026-11-21 10:15:00Z", "yesterday", "2026-13-01T00:00:00Z", "2026-11-21T10:15:00"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
