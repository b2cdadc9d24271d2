//! One agent: what waits for it and its sessions ([`AgentState`], which a snapshot keeps whole),
//! and the lock, condition variable and wakers around that state ([`Agent`]).
//!
//! Each agent has one mutex and one condition variable. A sender takes the mutex only to push an
//! event and wake the pollers, so senders never wait for a poller; a poller sleeps on the condition
//! variable and wakes when an event arrives, its session ends or its deadline passes.

use super::waiting::WatchId;
use super::{AgentEvent, AgentEventType, Delivery, invalid_session};
use crate::base::error::Result;
use crate::base::time::{Millis, format_millis};
use crate::model::event::Customer;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use uuid::Uuid;

/// An event waiting for an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    event_type: AgentEventType,
    event_name: String,
    data: String,
    created: Millis,
    pub(super) persist: bool,
    /// Given when the event enters a session's queue.
    pub(super) sequence: u64,
    /// Returned by a poll at least once: returning it again counts as a redelivery, and a newer
    /// event of the same name no longer replaces it.
    pub(super) ever_returned: bool,
    /// The customer the host marked the event with, for erasure (snapshot format 7 on).
    pub(super) customer: Option<Customer>,
}

impl Pending {
    /// An event not yet in a session's queue (its sequence is given there) and never returned.
    pub(super) fn new(
        event_type: AgentEventType,
        event_name: &str,
        data: &str,
        created: Millis,
        persist: bool,
    ) -> Pending {
        Pending {
            event_type,
            event_name: event_name.to_owned(),
            data: data.to_owned(),
            created,
            persist,
            sequence: 0,
            ever_returned: false,
            customer: None,
        }
    }

    /// The event as a poll returns it to `agent_id`.
    pub(super) fn to_event(&self, agent_id: &str) -> AgentEvent {
        AgentEvent {
            event_type: self.event_type,
            event_name: self.event_name.clone(),
            data: self.data.clone(),
            agent_id: agent_id.to_owned(),
            created_date: format_millis(self.created),
            sequence: self.sequence,
        }
    }

    /// Whether it was sent with `send_custom_event` (not the `AgentSessionStart` marker).
    pub(super) fn is_custom(&self) -> bool {
        self.event_type == AgentEventType::CustomEvent
    }
}

/// An agent's current session: its id and the events not yet acknowledged, in sequence order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionQueue {
    pub(super) id: Uuid,
    pub(super) events: VecDeque<Pending>,
    /// The highest sequence the latest poll returned, until it is acknowledged: a poll without `ack`
    /// acknowledges through it (asking again means the last answer arrived).
    pub(super) returned_through: Option<u64>,
}

impl SessionQueue {
    /// Removes the events up to `through` and forgets what the latest poll returned.
    pub(super) fn acknowledge(&mut self, through: u64) -> bool {
        let before = (self.events.len(), self.returned_through);
        while self.events.front().is_some_and(|e| e.sequence <= through) {
            self.events.pop_front();
        }
        self.returned_through = None;
        before != (self.events.len(), self.returned_through)
    }

    /// What a poll with `ack` acknowledges: `ack`, or what the latest poll returned.
    pub(super) fn acknowledged_through(&self, ack: Option<u64>) -> u64 {
        ack.or(self.returned_through).unwrap_or(0)
    }

    /// Whether a poll with `ack` would return anything.
    pub(super) fn has_events_after(&self, through: u64) -> bool {
        self.events.back().is_some_and(|e| e.sequence > through)
    }
}

/// Everything known about one agent, behind the agent's mutex; a snapshot keeps it whole.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct AgentState {
    /// The current session and its queue.
    pub(super) session: Option<SessionQueue>,
    /// Events kept for the next login (persistInMemory), in send order.
    pub(super) persisted: VecDeque<Pending>,
    /// Recently ended session ids, oldest first.
    pub(super) ended: VecDeque<Uuid>,
    /// How many times the agent has logged in.
    pub(super) logins: u64,
    pub(super) next_sequence: u64,
}

impl AgentState {
    /// Custom events waiting for the agent, queued (returned or not) or persisted.
    pub(super) fn pending(&self) -> usize {
        let queued = self.session.as_ref().map_or(0, |s| s.events.iter().filter(|p| p.is_custom()).count());
        queued + self.persisted.len()
    }

    /// The agent's next sequence number.
    pub(super) fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }

    /// The queue of session `id`; `Ok(None)` when it has ended, `INVALID_SESSION` otherwise.
    pub(super) fn queue(&mut self, id: Uuid, session_id: &str) -> Result<Option<&mut SessionQueue>> {
        let ended = self.ended.contains(&id);
        match self.session.as_mut() {
            Some(queue) if queue.id == id => Ok(Some(queue)),
            _ if ended => Ok(None),
            _ => Err(invalid_session(session_id)),
        }
    }

    /// Where an undelivered custom event called `name` is, queued (never returned) or persisted.
    pub(super) fn same_name(&self, name: &str) -> Option<Slot> {
        let same = |p: &Pending| p.is_custom() && !p.ever_returned && p.event_name == name;
        let queued = self.session.as_ref().and_then(|s| s.events.iter().position(same)).map(Slot::Queued);
        queued.or_else(|| self.persisted.iter().position(same).map(Slot::Persisted))
    }

    /// Puts `event` on the current session's queue with the next sequence number, or, with no
    /// session, keeps it for the next login, which gives it its sequence number then.
    pub(super) fn push(&mut self, mut event: Pending) -> Delivery {
        if self.session.is_none() {
            self.persisted.push_back(event);
            return Delivery::Persisted;
        }
        event.sequence = self.sequence();
        if let Some(queue) = self.session.as_mut() {
            queue.events.push_back(event);
        }
        Delivery::Queued
    }

    /// Removes the event at `slot`.
    pub(super) fn remove(&mut self, slot: Slot) {
        match slot {
            Slot::Queued(index) => self.session.as_mut().and_then(|s| s.events.remove(index)),
            Slot::Persisted(index) => self.persisted.remove(index),
        };
    }

    /// Drops the persisted events sent before `before` (older than `persistedTtl`); returns how
    /// many.
    pub(super) fn expire_persisted(&mut self, before: Millis) -> usize {
        let count = self.persisted.len();
        self.persisted.retain(|event| event.created >= before);
        count - self.persisted.len()
    }

    /// Whether nothing is known about the agent but its id: it never logged in and nothing waits
    /// for it. Such an entry is removed, so that ids that never log in do not pile up.
    pub(super) fn is_forgettable(&self) -> bool {
        self.logins == 0 && self.session.is_none() && self.persisted.is_empty() && self.ended.is_empty()
    }
}

/// Where an undelivered event is: its index in the session's queue, or among the persisted events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Queued(usize),
    Persisted(usize),
}

/// One agent: its state, the condition variable blocking pollers wait on, and the wakers of
/// polls that wait without a thread (`NextEventsFuture`, `engine/polls.rs`).
#[derive(Default)]
pub(super) struct Agent {
    /// The agent's id.
    pub(super) id: Box<str>,
    state: Mutex<AgentState>,
    /// Notified when the queue changes, for pollers blocked on a thread.
    pub(super) ready: Condvar,
    /// Locked only while `state` is, or with `state` not held at all: `state` first.
    watchers: Mutex<Vec<(WatchId, Waker)>>,
}

impl Agent {
    /// Agent `id` with `state`, and no poller waiting yet.
    pub(super) fn new(id: &str, state: AgentState) -> Agent {
        Agent { id: id.into(), state: Mutex::new(state), ..Agent::default() }
    }

    /// The agent's state, locked.
    pub(super) fn lock(&self) -> MutexGuard<'_, AgentState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The wakers of polls waiting without a thread, locked.
    pub(super) fn watchers(&self) -> MutexGuard<'_, Vec<(WatchId, Waker)>> {
        self.watchers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells every poller that the queue changed. Called with `state` unlocked: a waker may poll
    /// its future on this thread.
    pub(super) fn wake(&self) {
        self.ready.notify_all();
        let woken = std::mem::take(&mut *self.watchers());
        woken.into_iter().for_each(|(_, waker)| waker.wake());
    }
}
