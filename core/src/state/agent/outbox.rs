//! The outbox of a partition (docs/orchestration.md, "Partitions"): the custom events its action
//! maps fired for agents whose queues are in another partition, kept until the host has
//! forwarded them.
//!
//! An entry is appended inside the change that fired it, so the journal replays it with its cause
//! and numbers it the same; a snapshot holds the entries and the next number. The host reads the
//! entries, sends each one's request to the agent's partition, and acknowledges them.

use super::CustomEventRequest;
use crate::base::error::{JourneyError, Result};
use crate::model::event::Customer;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use uuid::Uuid;

/// Most entries an outbox holds; a map's custom event past it is dropped and counted.
pub const OUTBOX_LIMIT: usize = 100_000;

/// Most entries one `outbox` read returns when the caller gives no `max`.
pub const OUTBOX_PAGE: usize = 1_000;

/// A custom event a map fired, waiting to be forwarded to its agent's partition.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutboxEntry {
    /// Its place in this outbox: 1, 2, … in the order the maps fired.
    pub sequence: u64,
    /// What to send, as `sendCustomEvent`'s input.
    #[cfg_attr(feature = "schema", schemars(with = "crate::forms::OutboxRequest"))]
    pub request: CustomEventRequest,
    /// The map that fired.
    pub action_map_id: String,
    /// The map's version.
    pub action_map_version: u64,
    /// The session the map fired in.
    pub session_id: Uuid,
    /// The customer.
    pub customer: Customer,
    /// The event the map qualified on.
    pub event_id: Uuid,
    /// When it fired (the engine's `now`).
    pub fired_date: String,
    /// For a delayed activation a clock move fired: when the customer's earliest activation was
    /// due, the order in which one engine visits customers at a clock move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// The input of `outbox`: `{"after"?, "max"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutboxQuery {
    /// Only entries with a greater sequence (all when absent).
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many entries, 1 to 100,000 (default 1,000).
    #[serde(default)]
    pub max: Option<u64>,
}

/// The input of `acknowledgeOutbox`: `{"through"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcknowledgeOutboxInput {
    /// The sequence of the last entry forwarded: it and every entry before it are removed.
    pub through: u64,
}

/// An outbox as a snapshot saves it (JSON text, so its optional fields need no positional form).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SavedOutbox {
    /// The sequence the next entry gets.
    pub next: u64,
    /// The entries, oldest first.
    pub entries: VecDeque<OutboxEntry>,
}

/// The outbox: entries in sequence order, and the next sequence.
#[derive(Debug, Default)]
pub(crate) struct Outbox(Mutex<SavedOutbox>);

impl Outbox {
    /// Appends `entry` under the next sequence and returns it, or `None` when the outbox is full
    /// (nothing is appended; the caller counts the drop).
    pub fn push(&self, mut entry: OutboxEntry) -> Option<u64> {
        let mut outbox = self.lock();
        if outbox.entries.len() >= OUTBOX_LIMIT {
            return None;
        }
        outbox.next = outbox.next.max(1);
        entry.sequence = outbox.next;
        outbox.next += 1;
        outbox.entries.push_back(entry);
        Some(outbox.next - 1)
    }

    /// The entries after `query.after`, oldest first, at most `query.max`.
    pub fn read(&self, query: &OutboxQuery) -> Result<Vec<OutboxEntry>> {
        let max = match query.max {
            None => OUTBOX_PAGE,
            Some(max @ 1..=100_000) => max as usize,
            Some(other) => {
                return Err(JourneyError::invalid_argument(format!("max is {other}; it must be 1 to 100000")));
            }
        };
        let after = query.after.unwrap_or(0);
        let outbox = self.lock();
        Ok(outbox.entries.iter().filter(|entry| entry.sequence > after).take(max).cloned().collect())
    }

    /// Removes every entry up to `through`; returns how many.
    pub fn acknowledge(&self, through: u64) -> usize {
        let mut outbox = self.lock();
        let before = outbox.entries.len();
        while outbox.entries.front().is_some_and(|entry| entry.sequence <= through) {
            outbox.entries.pop_front();
        }
        before - outbox.entries.len()
    }

    /// Removes the entries about one of `members` (erasure); returns the members that had one.
    /// Sequences are not reused: the host's position in the outbox stays valid.
    pub fn forget(&self, members: &std::collections::HashSet<&Customer>) -> std::collections::HashSet<Customer> {
        let mut found = std::collections::HashSet::new();
        self.lock().entries.retain(|entry| {
            let about = [Some(&entry.customer), entry.request.customer.as_ref()];
            let erased = about.into_iter().flatten().filter(|c| members.contains(c)).inspect(|c| {
                found.insert((*c).clone());
            });
            erased.count() == 0
        });
        found
    }

    /// Calls `visit` on the customer of every entry.
    pub fn each_customer(&self, mut visit: impl FnMut(&Customer)) {
        let outbox = self.lock();
        for entry in &outbox.entries {
            visit(&entry.customer);
            entry.request.customer.iter().for_each(&mut visit);
        }
    }

    /// The outbox as a snapshot saves it; `None` when it was never used, so that an engine that
    /// is not a partition writes nothing for it.
    pub fn saved(&self) -> Option<String> {
        let outbox = self.lock();
        // A struct of numbers, strings and ids always serializes.
        (outbox.next > 0).then(|| serde_json::to_string(&*outbox).unwrap_or_default())
    }

    /// Puts back the outbox a snapshot saved; bad text is `CORRUPT_STORE`'s business, so it is
    /// returned as a message.
    pub fn restore(&self, text: &str) -> std::result::Result<(), String> {
        *self.lock() = serde_json::from_str(text).map_err(|e| format!("the outbox does not read: {e}"))?;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, SavedOutbox> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::IdType;

    fn entry(name: &str) -> OutboxEntry {
        OutboxEntry {
            sequence: 0,
            request: CustomEventRequest::new("a1", name, "", false),
            action_map_id: "m".into(),
            action_map_version: 1,
            session_id: Uuid::nil(),
            customer: Customer::new("c", IdType::Email),
            event_id: Uuid::nil(),
            fired_date: "2026-11-21T10:00:00.000Z".into(),
            due_date: None,
        }
    }

    #[test]
    fn entries_are_numbered_read_after_a_sequence_and_acknowledged_in_order() {
        let outbox = Outbox::default();
        assert_eq!(outbox.saved(), None, "an unused outbox saves nothing");
        assert_eq!(
            [outbox.push(entry("x")), outbox.push(entry("y")), outbox.push(entry("z"))],
            [Some(1), Some(2), Some(3)]
        );
        let names = |entries: Vec<OutboxEntry>| entries.into_iter().map(|e| e.request.event_name).collect::<Vec<_>>();
        assert_eq!(names(outbox.read(&OutboxQuery::default()).unwrap()), ["x", "y", "z"]);
        assert_eq!(names(outbox.read(&OutboxQuery { after: Some(1), max: Some(1) }).unwrap()), ["y"]);
        assert_eq!(outbox.read(&OutboxQuery { after: None, max: Some(0) }).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(outbox.acknowledge(2), 2);
        assert_eq!(outbox.acknowledge(2), 0, "acknowledging again removes nothing");
        let saved = outbox.saved().unwrap();
        let restored = Outbox::default();
        restored.restore(&saved).unwrap();
        assert_eq!(names(restored.read(&OutboxQuery::default()).unwrap()), ["z"]);
        assert_eq!(restored.push(entry("w")), Some(4), "numbering goes on after a restore");
        assert!(restored.restore("{").is_err());
    }

    #[test]
    fn a_full_outbox_refuses_and_keeps_what_it_holds() {
        let outbox = Outbox::default();
        for _ in 0..OUTBOX_LIMIT {
            outbox.push(entry("x")).unwrap();
        }
        assert_eq!(outbox.push(entry("y")), None);
        assert_eq!(outbox.acknowledge(1), 1);
        assert_eq!(outbox.push(entry("y")), Some(OUTBOX_LIMIT as u64 + 1));
    }
}
