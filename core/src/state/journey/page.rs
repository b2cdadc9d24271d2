//! Cursor paging (SPEC §4): `{"pageSize": 1..200, "after": cursor}` → `{"entities", "nextCursor"}`.
//!
//! A cursor names the last item returned, not an offset, so items added while a caller pages do not
//! make it skip or repeat items before the cursor.

use crate::base::error::{JourneyError, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: usize = 200;
/// Page size when none is given.
pub const DEFAULT_PAGE_SIZE: usize = 25;

/// Which page to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageRequest {
    /// 1 to 200; 25 when absent.
    pub page_size: Option<i64>,
    /// The `nextCursor` of the previous page.
    pub after: Option<String>,
}

impl PageRequest {
    /// The first page, of `page_size` items.
    pub fn first(page_size: usize) -> Self {
        PageRequest { page_size: Some(page_size as i64), after: None }
    }

    /// The page after `cursor`.
    pub fn after(page_size: usize, cursor: impl Into<String>) -> Self {
        PageRequest { page_size: Some(page_size as i64), after: Some(cursor.into()) }
    }

    pub(crate) fn size(&self) -> Result<usize> {
        match self.page_size {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => Ok(n as usize),
            Some(n) => Err(JourneyError::invalid_argument(format!("pageSize must be 1 to {MAX_PAGE_SIZE}, got {n}"))),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "{T}Page"))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub entities: Vec<T>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A position in a listing: a time and an id. `tag` keeps one listing's cursors out of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub time: i64,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(self, tag: char) -> String {
        format!("{tag}{:016x}{}", self.time as u64, self.id.simple())
    }

    pub fn decode(text: &str, tag: char) -> Result<Cursor> {
        let bad = || {
            JourneyError::invalid_argument(format!(
                "'{}' is not a cursor of this listing",
                crate::base::text::clip(text)
            ))
        };
        let rest = text.strip_prefix(tag).filter(|r| r.len() == 48 && r.is_ascii()).ok_or_else(bad)?;
        let time = u64::from_str_radix(&rest[..16], 16).map_err(|_| bad())? as i64;
        let id = Uuid::try_parse(&rest[16..]).map_err(|_| bad())?;
        Ok(Cursor { time, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursor = Cursor { time: -5, id: Uuid::from_u128(77) };
        assert_eq!(Cursor::decode(&cursor.encode('j'), 'j').unwrap(), cursor);
        assert!(Cursor::decode(&cursor.encode('j'), 'e').is_err());
        for bad in ["", "j", "jzz", "é", &"j".repeat(49)] {
            assert_eq!(Cursor::decode(bad, 'j').unwrap_err().code(), "INVALID_ARGUMENT");
        }
    }

    #[test]
    fn page_size_bounds() {
        assert_eq!(PageRequest::default().size().unwrap(), 25);
        assert!(PageRequest::first(0).size().is_err());
        assert!(PageRequest::first(201).size().is_err());
        assert_eq!(PageRequest::first(200).size().unwrap(), 200);
    }
}
