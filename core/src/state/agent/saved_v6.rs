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
