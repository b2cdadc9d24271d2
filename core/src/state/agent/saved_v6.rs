//! An agent as snapshots of format 6 and older saved it: before a custom event kept the customer
//! the host marked it with. Postcard writes a struct's fields in order with no names, so the old
//! layout is read through its own types and given no marks.

use super::AgentEventType;
use super::Saved;
use super::agent_state::{AgentState, Pending, SessionQueue};
use crate::base::time::Millis;
use serde::Deserialize;
use std::collections::VecDeque;
use uuid::Uuid;

/// [`Saved`] before marks.
#[derive(Deserialize)]
pub(crate) struct SavedWithoutMarks {
    id: Box<str>,
    state: StateWithoutMarks,
}

#[derive(Deserialize)]
struct StateWithoutMarks {
    session: Option<QueueWithoutMarks>,
    persisted: VecDeque<PendingWithoutMark>,
    ended: VecDeque<Uuid>,
    logins: u64,
    next_sequence: u64,
}

#[derive(Deserialize)]
struct QueueWithoutMarks {
    id: Uuid,
    events: VecDeque<PendingWithoutMark>,
    returned_through: Option<u64>,
}

#[derive(Deserialize)]
struct PendingWithoutMark {
    event_type: AgentEventType,
    event_name: String,
    data: String,
    created: Millis,
    persist: bool,
    sequence: u64,
    ever_returned: bool,
}

impl From<PendingWithoutMark> for Pending {
    fn from(old: PendingWithoutMark) -> Pending {
        let mut pending = Pending::new(old.event_type, &old.event_name, &old.data, old.created, old.persist);
        pending.sequence = old.sequence;
        pending.ever_returned = old.ever_returned;
        pending
    }
}

impl From<SavedWithoutMarks> for Saved {
    fn from(old: SavedWithoutMarks) -> Saved {
        let StateWithoutMarks { session, persisted, ended, logins, next_sequence } = old.state;
        let session = session.map(|queue| SessionQueue {
            id: queue.id,
            events: queue.events.into_iter().map(Pending::from).collect(),
            returned_through: queue.returned_through,
        });
        let persisted = persisted.into_iter().map(Pending::from).collect();
        Saved { id: old.id, state: AgentState { session, persisted, ended, logins, next_sequence } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// What format 6 wrote for an agent: the fields of today's, without the marks.
    #[derive(Serialize)]
    struct Written {
        id: &'static str,
        session: Option<(Uuid, Vec<WrittenPending>, Option<u64>)>,
        persisted: Vec<WrittenPending>,
        ended: Vec<Uuid>,
        logins: u64,
        next_sequence: u64,
    }

    #[derive(Serialize)]
    struct WrittenPending(AgentEventType, &'static str, &'static str, Millis, bool, u64, bool);

    #[test]
    fn a_format_6_agent_reads_with_its_events_unmarked() {
        let queued = WrittenPending(AgentEventType::CustomEvent, "late", "d-1", 5, false, 2, true);
        let kept = WrittenPending(AgentEventType::CustomEvent, "note", "d-2", 6, true, 0, false);
        let old = Written {
            id: "a-1",
            session: Some((Uuid::from_u128(9), vec![queued], Some(2))),
            persisted: vec![kept],
            ended: vec![Uuid::from_u128(8)],
            logins: 3,
            next_sequence: 2,
        };
        let bytes = postcard::to_stdvec(&old).unwrap();
        let saved: Saved = postcard::from_bytes::<SavedWithoutMarks>(&bytes).unwrap().into();
        assert_eq!((&*saved.id, saved.state.logins, saved.state.next_sequence), ("a-1", 3, 2));
        let session = saved.state.session.as_ref().unwrap();
        assert_eq!((session.id, session.returned_through), (Uuid::from_u128(9), Some(2)));
        let event = session.events[0].to_event("a-1");
        assert_eq!((event.event_name.as_str(), event.data.as_str(), event.sequence), ("late", "d-1", 2));
        assert!(session.events[0].ever_returned && session.events[0].customer.is_none());
        assert_eq!(saved.state.persisted[0].to_event("a-1").event_name, "note");
        assert!(saved.state.persisted[0].persist && saved.state.persisted[0].customer.is_none());
        assert_eq!(saved.state.ended, [Uuid::from_u128(8)]);
        // Today's layout differs (each event ends with its mark): it does not read as format 6's.
        let today = postcard::to_stdvec(&saved).unwrap();
        assert_ne!(today, bytes);
    }
}
