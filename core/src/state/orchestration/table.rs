//! The index's entries by (session type, event type), in a dense table.
//!
//! Ingest asks the index for the entries of its event's type on every accepted event, two or
//! three times (whether evaluation may act, then its two halves of matching). A catalog has a few
//! session types of at most `maxEventTypes` event types each, so a table with a row per session
//! type and a column per event type is small, and a lookup is an index into it rather than a hash
//! of the pair and a probe.

use super::entries::Entries;
use std::sync::Arc;

/// Each (session type, event type)'s entries, `None` where no pattern or condition counts it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// Row `session type`, column `event type`: at `session_type * columns + event_type`.
    cells: Box<[Option<Arc<Entries>>]>,
    /// How many event types a row holds: one more than the highest event type indexed.
    columns: usize,
}

impl Table {
    /// A table of `entries`, each under its (session type, event type).
    pub fn new(entries: impl IntoIterator<Item = ((usize, usize), Arc<Entries>)>) -> Table {
        let entries: Vec<_> = entries.into_iter().collect();
        let rows = entries.iter().map(|((s, _), _)| s + 1).max().unwrap_or(0);
        let columns = entries.iter().map(|((_, e), _)| e + 1).max().unwrap_or(0);
        let mut cells = vec![None; rows * columns];
        for ((s, e), entries) in entries {
            cells[s * columns + e] = Some(entries);
        }
        Table { cells: cells.into(), columns }
    }

    /// The entries of (session type, event type), if any counts it.
    pub fn get(&self, session_type: usize, event_type: usize) -> Option<&Arc<Entries>> {
        if event_type >= self.columns {
            return None;
        }
        self.cells.get(session_type * self.columns + event_type)?.as_ref()
    }

    /// Whether no event type has entries.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Every (session type, event type) with entries, and its entries.
    pub fn iter(&self) -> impl Iterator<Item = ((usize, usize), &Arc<Entries>)> {
        let columns = self.columns;
        self.cells
            .iter()
            .enumerate()
            .filter_map(move |(at, cell)| cell.as_ref().map(|entries| ((at / columns, at % columns), entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_pair_and_nothing_else() {
        let entries = || Arc::new(Entries::new(Vec::new()));
        let table = Table::new([((0, 3), entries()), ((2, 0), entries()), ((2, 5), entries())]);
        let found: Vec<(usize, usize)> = table.iter().map(|(key, _)| key).collect();
        assert_eq!(found, [(0, 3), (2, 0), (2, 5)]);
        for s in 0..4 {
            for e in 0..8 {
                assert_eq!(table.get(s, e).is_some(), found.contains(&(s, e)), "({s}, {e})");
            }
        }
        assert!(!table.is_empty());
        assert!(Table::new([]).is_empty() && Table::new([]).get(0, 0).is_none());
    }
}
