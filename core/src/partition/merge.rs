//! Putting partitioned results back together (SPEC §13 "Merge", docs/scale-out.md).

use crate::model::outcome::Outcome;
use crate::state::agent::OutboxEntry;
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

/// One input step's outbox entries from every partition (each partition's in its own order), in
/// the order one engine would have sent them, for the host to forward (docs/orchestration.md,
/// "Partitions"): the delayed activations a clock move fired first, by due time and then customer,
/// as one engine visits customers; then the entries events fired, in the order given. A batch's
/// entries come from several partitions: order those by their events' positions before or
/// instead of this.
pub fn merge_outbox(parts: impl IntoIterator<Item = Vec<OutboxEntry>>) -> Vec<OutboxEntry> {
    let mut all: Vec<OutboxEntry> = parts.into_iter().flatten().collect();
    // A stable sort: entries of one customer's visit, and every entry an event fired, keep their
    // order. `dueDate` is written in one fixed-width form, so its text sorts as its time.
    all.sort_by(|a, b| match (&a.due_date, &b.due_date) {
        (Some(x), Some(y)) => x.cmp(y).then_with(|| a.customer.cmp(&b.customer)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    all
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
    use crate::model::event::{Customer, IdType};
    use crate::state::agent::CustomEventRequest;

    fn entry(name: &str, customer: &str, due: Option<&str>) -> OutboxEntry {
        OutboxEntry {
            sequence: 1,
            request: CustomEventRequest::new("a1", name, "", false),
            action_map_id: "m".into(),
            action_map_version: 1,
            session_id: Uuid::nil(),
            customer: Customer::new(customer, IdType::Cookie),
            event_id: Uuid::nil(),
            fired_date: "2026-11-21T10:05:00.000Z".into(),
            due_date: due.map(str::to_owned),
        }
    }

    #[test]
    fn outbox_entries_merge_in_one_engines_order() {
        let (early, late) = (Some("2026-11-21T10:01:00.000Z"), Some("2026-11-21T10:02:00.000Z"));
        let first = vec![entry("a", "z", early), entry("b", "z", early), entry("c", "y", late)];
        let second = vec![entry("d", "b", late), entry("e", "a", early), entry("f", "x", None)];
        let names: Vec<String> = merge_outbox([first, second]).into_iter().map(|e| e.request.event_name).collect();
        assert_eq!(names, ["e", "a", "b", "d", "c", "f"]);
    }

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
