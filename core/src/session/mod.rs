//! Sessionization (SPEC §3): how accepted events are grouped into sessions, per customer.
//!
//! All of one customer's sessions live in one [`CustomerSessions`], guarded by one shard lock in the
//! engine. Custom and conversation sessions are keyed by their external id ([`keyed`]); web sessions
//! are grouped by inactivity ([`web`]); conversation cards carry extra fields ([`conversation`]).

mod conversation;
mod keyed;
mod lww;
mod web;

pub(crate) use conversation::ConversationState;
pub(crate) use lww::Lww;

use crate::catalog::{Catalog, SessionKind};
use crate::error::Violation;
use crate::event::{Customer, NAMESPACE};
use crate::time::Millis;
use crate::validate::CheckedEvent;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Attributes kept under the `keep` policy: name and value as sent.
pub(crate) type ExtraAttributes = Box<[(Box<str>, Value)]>;

/// One accepted event as stored. Events are immutable once stored.
#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub id: Uuid,
    pub time: Millis,
    /// Index of the event type within the session's type.
    pub event_type: u16,
    /// Defined attributes: (index within the event type, value as sent).
    pub attributes: Box<[(u16, Value)]>,
    /// Undefined attributes kept under the `keep` policy.
    pub extra_attributes: Option<ExtraAttributes>,
}

impl StoredEvent {
    fn from_checked(id: Uuid, event: &CheckedEvent<'_, '_>) -> StoredEvent {
        let attributes = event
            .attributes
            .iter()
            .map(|(i, v)| (*i as u16, v.to_value()))
            .collect();
        let extra_attributes = (!event.extra_attributes.is_empty()).then(|| {
            event
                .extra_attributes
                .iter()
                .map(|(k, v)| (Box::from(*k), v.to_value()))
                .collect()
        });
        StoredEvent {
            id,
            time: event.time,
            event_type: event.event_type as u16,
            attributes,
            extra_attributes,
        }
    }

    /// Order of events within a session: by time, ties broken by id.
    fn order_key(&self) -> (Millis, Uuid) {
        (self.time, self.id)
    }
}

/// One session of any kind.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub id: Uuid,
    /// Index of the session type in the catalog.
    pub session_type: usize,
    pub kind: SessionKind,
    pub external_id: Option<Box<str>>,
    /// The division of the event that created the session.
    pub division: Option<Box<str>>,
    /// Events in time order (ties by id).
    pub events: Vec<StoredEvent>,
    /// One last-writer-wins slot per session attribute of the type.
    pub attributes: Vec<Lww<Value>>,
    pub ended: Option<Millis>,
    /// Ids of web sessions merged into this one.
    pub merged_ids: Vec<Uuid>,
    pub conversation: Option<Box<ConversationState>>,
}

impl Session {
    fn new(id: Uuid, catalog: &Catalog, event: &CheckedEvent<'_, '_>) -> Session {
        let ty = catalog.session_type(event.session_type);
        Session {
            id,
            session_type: event.session_type,
            kind: ty.kind,
            external_id: event.external_id.map(Box::from),
            division: event.division.map(Box::from),
            events: Vec::new(),
            attributes: ty.attributes.iter().map(|_| Lww::default()).collect(),
            ended: None,
            merged_ids: Vec::new(),
            conversation: (ty.kind == SessionKind::Conversation).then(Box::default),
        }
    }

    /// Stores `event` in time order, updates the projections, and returns its index.
    fn insert(&mut self, catalog: &Catalog, event: StoredEvent) -> usize {
        let event_type =
            &catalog.session_type(self.session_type).event_types[event.event_type as usize];
        for (index, value) in event.attributes.iter() {
            if let Some(slot) = event_type.projections[*index as usize] {
                self.attributes[slot].offer(event.time, event.id, || value.clone());
            }
        }
        if let Some(conversation) = self.conversation.as_deref_mut() {
            conversation.apply(event_type, &event);
        }
        if event_type.ends_session {
            self.ended = Some(self.ended.map_or(event.time, |end| end.min(event.time)));
        }
        let key = event.order_key();
        let index = match self.events.last() {
            Some(last) if last.order_key() > key => {
                self.events.partition_point(|e| e.order_key() < key)
            }
            _ => self.events.len(),
        };
        self.events.insert(index, event);
        index
    }

    /// The earliest event time.
    pub fn first_time(&self) -> Millis {
        self.events.first().map_or(Millis::MIN, |e| e.time)
    }

    /// The latest event time.
    pub fn last_time(&self) -> Millis {
        self.events.last().map_or(Millis::MIN, |e| e.time)
    }
}

/// What applying an event did, for the outcome and the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub session_id: Uuid,
    pub session_created: bool,
    pub event_count: usize,
    pub event_index: usize,
    /// The event ended its session (it was not ended before).
    pub session_ended: bool,
    /// Web sessions merged into the event's session by this event.
    pub sessions_merged: usize,
}

/// Every session of one customer.
#[derive(Debug)]
pub(crate) struct CustomerSessions {
    pub customer: Customer,
    /// Session slots; a web session merged into another leaves `None`.
    pub sessions: Vec<Option<Session>>,
    /// Session id (including ids merged away) → slot.
    pub by_id: HashMap<Uuid, usize>,
    /// Web sessions of each web session type, ordered by start.
    web: Vec<web::Timeline>,
    /// Time of the customer's latest web event; keeps messaging conversations live (§3.4).
    pub latest_web_event: Option<Millis>,
}

impl CustomerSessions {
    /// An empty journey for `customer`.
    pub fn new(customer: Customer) -> Self {
        CustomerSessions {
            customer,
            sessions: Vec::new(),
            by_id: HashMap::new(),
            web: Vec::new(),
            latest_web_event: None,
        }
    }

    /// Applies an event that passed validation; a violation when engine state forbids it.
    pub fn apply(
        &mut self,
        catalog: &Catalog,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
    ) -> Result<Applied, Violation> {
        match catalog.session_type(event.session_type).kind {
            SessionKind::Web => Ok(self.apply_web(catalog, event_id, event)),
            SessionKind::Custom | SessionKind::Conversation => {
                self.apply_keyed(catalog, event_id, event)
            }
        }
    }

    /// The session with `id` (or an id merged into it).
    pub fn session(&self, id: &Uuid) -> Option<&Session> {
        self.by_id
            .get(id)
            .and_then(|slot| self.sessions[*slot].as_ref())
    }

    /// Every current session.
    pub fn iter(&self) -> impl Iterator<Item = &Session> {
        self.sessions.iter().flatten()
    }

    fn add_session(&mut self, session: Session) -> usize {
        let slot = self.sessions.len();
        self.by_id.insert(session.id, slot);
        self.sessions.push(Some(session));
        slot
    }
}

/// The id of a custom or conversation session: UUIDv5 of `custom:<externalId>` or `conversation:<externalId>`.
pub(crate) fn keyed_session_id(kind: SessionKind, external_id: &str) -> Uuid {
    let prefix = if kind == SessionKind::Conversation {
        "conversation:"
    } else {
        "custom:"
    };
    let mut name = String::with_capacity(prefix.len() + external_id.len());
    name.push_str(prefix);
    name.push_str(external_id);
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}
