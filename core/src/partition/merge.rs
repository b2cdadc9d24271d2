//! Putting partitioned results back together (SPEC §13 "Merge", docs/scale-out.md).

use crate::model::outcome::Outcome;
use crate::state::stats::Stats;
use std::collections::HashMap;
use uuid::Uuid;

/// Every partition's stats summed: every field is a counter, `rejectedByCode` code by code.
pub fn merge_stats(parts: impl IntoIterator<Item = Stats>) -> Stats {
    parts.into_iter().fold(Stats::default(), |total, part| total.plus(&part))
}

/// Every partition's `(sequence, outcome)` pairs as one list in sequence order.
pub fn merge_outcomes(parts: impl IntoIterator<Item = Vec<(u64, Outcome)>>) -> Vec<Outcome> {
    let mut all: Vec<(u64, Outcome)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(sequence, _)| *sequence);
    all.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Which partition holds each session, learned from the outcomes that name it, so that
/// `session_events` can be asked of the right engine.
#[derive(Debug, Default, Clone)]
pub struct Directory {
    sessions: HashMap<Uuid, usize>,
}

impl Directory {
    /// Notes the session an outcome of `partition` names (accepted and duplicate outcomes do).
    pub fn record(&mut self, partition: usize, outcome: &Outcome) {
        match outcome {
            Outcome::Accepted { session_id, .. } | Outcome::Duplicate { session_id, .. } => {
                self.sessions.insert(*session_id, partition);
            }
            Outcome::Rejected { .. } => {}
        }
    }

    /// The partition holding `session_id`, if an outcome named it.
    pub fn partition_of(&self, session_id: &Uuid) -> Option<usize> {
        self.sessions.get(session_id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_add_up_counter_by_counter() {
        let mut a = Stats { events_accepted: 2, events_rejected: 1, ..Stats::default() };
        a.rejected_by_code.insert("LATE_EVENT".into(), 1);
        let mut b = Stats { events_accepted: 3, custom_events_queued: 4, ..Stats::default() };
        b.rejected_by_code.insert("LATE_EVENT".into(), 2);
        b.rejected_by_code.insert("TOO_LONG".into(), 1);
        let total = merge_stats([a, b]);
        assert_eq!((total.events_accepted, total.events_rejected, total.custom_events_queued), (5, 1, 4));
        assert_eq!(total.rejected_by_code["LATE_EVENT"], 3);
        assert_eq!(total.rejected_by_code["TOO_LONG"], 1);
        assert_eq!(merge_stats([]), Stats::default());
    }
}
