//! Durations written with a unit, as in the catalog and config: `500ms`, `45s`, `20m`, `1h`, `2d`.

use crate::base::text::clip;
use std::fmt;

/// A non-negative span of time with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    millis: i64,
}

/// The longest duration accepted: 100 years, so that adding it to any timestamp cannot overflow.
const MAX_MILLIS: i64 = 100 * 366 * 86_400_000;

impl Duration {
    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        Duration { millis }
    }

    /// The length in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.millis
    }

    /// Parses `<digits><unit>` with unit `ms`, `s`, `m`, `h` or `d`. Returns a message on failure.
    pub fn parse(text: &str) -> Result<Self, String> {
        let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(digits_end);
        if digits.is_empty() || digits.len() > 12 {
            return Err(format!("'{}' is not a duration such as '45s' or '20m'", clip(text)));
        }
        let per_unit: i64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(format!("'{}' needs a unit: ms, s, m, h or d", clip(text))),
        };
        let amount: i64 = digits.parse().map_err(|_| format!("'{}' is not a duration", clip(text)))?;
        match amount.checked_mul(per_unit) {
            Some(millis) if millis <= MAX_MILLIS => Ok(Duration { millis }),
            _ => Err(format!("'{}' is longer than 100 years", clip(text))),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.millis;
        let units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s")];
        for (size, unit) in units {
            if m != 0 && m % size == 0 {
                return write!(f, "{}{unit}", m / size);
            }
        }
        write!(f, "{m}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Duration::parse("250ms").unwrap().as_millis(), 250);
        assert_eq!(Duration::parse("45s").unwrap().as_millis(), 45_000);
        assert_eq!(Duration::parse("20m").unwrap().as_millis(), 1_200_000);
        assert_eq!(Duration::parse("1h").unwrap().as_millis(), 3_600_000);
        assert_eq!(Duration::parse("2d").unwrap().as_millis(), 172_800_000);
    }

    #[test]
    fn refuses_malformed_text() {
        for bad in ["", "s", "10", "10x", "-5s", "1.5s", " 5s", "5 s", "99999999999999d"] {
            assert!(Duration::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn displays_in_the_largest_whole_unit() {
        assert_eq!(Duration::from_millis(60_000).to_string(), "1m");
        assert_eq!(Duration::from_millis(1_500).to_string(), "1500ms");
    }
}
