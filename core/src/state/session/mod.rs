//! Sessionization (SPEC §3): how accepted events are grouped into sessions, per customer.
//!
//! All of one customer's sessions live in one [`CustomerSessions`], guarded by one shard lock in the
//! engine. Custom and conversation sessions are keyed by their external id ([`keyed`]); web sessions
//! are grouped by inactivity ([`web`]); conversation cards carry extra fields ([`conversation`]).

mod activity;
mod conversation;
mod events;
mod growth;
mod keyed;
mod lww;
mod orchestrated;
mod recount;
mod web;

pub(crate) use activity::{ActivityIndex, ListingKey};
pub(crate) use conversation::ConversationState;
pub(crate) use events::EventLog;
pub(crate) use lww::Lww;
pub(crate) use orchestrated::{Orchestrate, event_side};

use crate::base::error::Violation;
use crate::base::json::{Json, write_object};
use crate::base::shard::FastMap;
use crate::base::time::Millis;
use crate::model::catalog::{Catalog, EventType, SessionKind};
use crate::model::event::{Customer, NAMESPACE};
use crate::model::kind::{KEY_SPACES, KeySpace};
use crate::model::validate::CheckedEvent;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::OnceLock;
use uuid::Uuid;

/// One accepted event as stored. Events are immutable once stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredEvent {
    pub id: Uuid,
    pub time: Millis,
    /// Index of the event type within the session's type: a declared one, or past them an open
    /// one ([`Catalog::event_type`] reads both). (A `u32`: catalogs may hold up to 1,000,000 event
    /// types, and a `u16` once showed `e69999` as `e4463`.)
    pub event_type: u32,
    /// The attributes as one compact JSON object (values unwrapped from the vendor form), or empty
    /// when there are none. One small string per event, instead of a tree of values, halves the
    /// memory of a stored event; values are parsed back only when someone reads them.
    attributes: Box<str>,
}

impl StoredEvent {
    fn from_checked(id: Uuid, event_type: &EventType, event: &CheckedEvent<'_, '_>) -> StoredEvent {
        let attributes = if event.attributes.is_empty() && event.extra_attributes.is_empty() {
            Box::default()
        } else {
            let mut json = Vec::with_capacity(128);
            let defined = event.attributes.iter().map(|(i, v)| (event_type.attributes[*i].name.as_str(), *v));
            let extra = event.extra_attributes.iter().map(|(name, value)| (*name, &**value));
            write_object(defined.chain(extra), &mut json);
            String::from_utf8(json).expect("JSON written from valid strings is UTF-8").into_boxed_str()
        };
        let event_type = u32::try_from(event.event_type).expect("config caps event types at 1,000,000");
        StoredEvent { id, time: event.time, event_type, attributes }
    }

    /// An event with no attributes, for tests of the containers.
    #[cfg(test)]
    pub(crate) fn for_test(id: Uuid, time: Millis) -> StoredEvent {
        StoredEvent { id, time, event_type: 0, attributes: Box::default() }
    }

    /// Order of events within a session: by time, ties broken by id.
    pub(crate) fn order_key(&self) -> events::OrderKey {
        (self.time, self.id)
    }

    /// Every attribute, as sent.
    pub fn attributes(&self) -> Map<String, Value> {
        match self.attributes.is_empty() {
            true => Map::new(),
            false => serde_json::from_str(&self.attributes).unwrap_or_default(),
        }
    }

    /// The attributes, parsed (`None` when there are none).
    pub fn parsed_attributes(&self) -> Option<Json<'_>> {
        (!self.attributes.is_empty()).then(|| Json::parse(self.attributes.as_bytes()).ok()).flatten()
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<Value> {
        let json = Json::parse(self.attributes.as_bytes()).ok()?;
        json.get(name).map(Json::to_value)
    }
}

/// One session of any kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub id: Uuid,
    /// Index of the session type in the catalog.
    pub session_type: usize,
    pub kind: SessionKind,
    pub external_id: Option<Box<str>>,
    /// The division of the event that created the session.
    pub division: Option<Box<str>>,
    /// Events in time order (ties by id).
    pub events: EventLog,
    /// One last-writer-wins slot per session attribute of the type. A slot names the winning event;
    /// the value is read from that event, so it is stored once.
    pub attributes: Vec<Lww<()>>,
    pub ended: Option<Millis>,
    /// Ids of web sessions merged into this one.
    pub merged_ids: Vec<Uuid>,
    pub conversation: Option<Box<ConversationState>>,
}

impl Session {
    /// Where the session is found by its external id: the key space and the id; `None` for a web
    /// session, found by inactivity instead.
    pub fn key(&self) -> Option<(KeySpace, &str)> {
        Some((self.kind.key_space()?, self.external_id.as_deref()?))
    }

    fn new(id: Uuid, catalog: &Catalog, event: &CheckedEvent<'_, '_>) -> Session {
        let ty = catalog.session_type(event.session_type);
        Session {
            id,
            session_type: event.session_type,
            kind: ty.kind,
            external_id: event.external_id.map(Box::from),
            division: event.division.map(Box::from),
            events: EventLog::default(),
            attributes: ty.attributes.iter().map(|_| Lww::default()).collect(),
            ended: None,
            merged_ids: Vec::new(),
            conversation: ty.kind.is_conversation().then(Box::default),
        }
    }

    /// Stores `event` in time order, updates the projections, and returns its index.
    fn insert(&mut self, catalog: &Catalog, checked: &CheckedEvent<'_, '_>, id: Uuid) -> usize {
        let event_type = catalog.event_type(self.session_type, checked.event_type);
        let event = StoredEvent::from_checked(id, event_type, checked);
        for (index, _) in &checked.attributes {
            if let Some(slot) = event_type.projections[*index] {
                self.attributes[slot].offer(event.time, event.id, || ());
            }
        }
        if let Some(conversation) = self.conversation.as_deref_mut() {
            conversation.apply(event_type, &event, &checked.attributes);
        }
        if event_type.ends_session {
            self.ended = Some(self.ended.map_or(event.time, |end| end.min(event.time)));
        }
        self.events.insert(event)
    }

    /// The event with this time and id.
    pub fn event(&self, time: Millis, id: Uuid) -> Option<&StoredEvent> {
        self.events.find((time, id))
    }

    /// The current value of session attribute `slot`, called `name`.
    pub fn attribute(&self, slot: usize, name: &str) -> Option<Value> {
        let (time, id, ()) = self.attributes[slot].writer()?;
        self.event(time, id)?.attribute(name)
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

/// What evicting a customer's expired sessions removed, for the indexes outside the customer.
#[derive(Debug, Default)]
pub(crate) struct Evicted {
    /// Every id of every evicted session, merged ids included.
    pub session_ids: Vec<Uuid>,
    /// Every evicted event's id.
    pub event_ids: Vec<Uuid>,
    /// The kind and external id of every evicted custom session or conversation.
    pub keyed: Vec<(KeySpace, Box<str>)>,
    /// Evicted sessions.
    pub sessions: u64,
}

impl Evicted {
    fn take(&mut self, session: Session) {
        self.sessions += 1;
        self.session_ids.push(session.id);
        self.session_ids.extend(session.merged_ids);
        self.event_ids.extend(session.events.iter().map(|e| e.id));
        if let (Some(space), Some(external_id)) = (session.kind.key_space(), session.external_id) {
            self.keyed.push((space, external_id));
        }
    }
}

/// What applying an event did, for the outcome and the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub session_id: Uuid,
    /// The session's slot in [`CustomerSessions::sessions`], where evaluation, right after,
    /// finds it without looking its id up.
    pub slot: usize,
    pub session_created: bool,
    pub event_count: usize,
    pub event_index: usize,
    /// The event ended its session (it was not ended before).
    pub session_ended: bool,
    /// Web sessions merged into the event's session by this event.
    pub sessions_merged: usize,
}

/// Every session of one customer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CustomerSessions {
    pub customer: Customer,
    /// Session slots; a web session merged into another leaves `None`.
    pub sessions: Vec<Option<Session>>,
    /// Session id (including ids merged away) → slot.
    pub by_id: FastMap<Uuid, usize>,
    /// External id → slot, for custom sessions (`[0]`) and conversations (`[1]`).
    keyed: [FastMap<Box<str>, usize>; KEY_SPACES],
    /// Web sessions of each web session type, ordered by start.
    web: Vec<web::Timeline>,
    /// Time of the customer's latest web event; keeps messaging conversations live (§3.4).
    pub latest_web_event: Option<Millis>,
    /// The sessions in listing order, for a customer with many (`activity`); built by the first
    /// read that needs it, not stored.
    #[serde(skip)]
    activity: Option<Box<ActivityIndex>>,
    /// Event id → the session it was stored in, for a customer with many sessions: answering a
    /// resend (`duplicate`) with its session looked through every session, 10 ms at 200,000.
    /// Built by the first resend that needs it, kept current as events land, not stored. A web
    /// session merged away still names its events' session: its id leads to the merged one.
    #[serde(skip)]
    event_sessions: OnceLock<FastMap<Uuid, Uuid>>,
    /// What orchestration remembers about the customer (`None` while nothing matched). Saved in
    /// its own snapshot part and carried by state moves beside the sessions, so the sessions keep
    /// their encoding.
    #[serde(skip)]
    pub orchestration: Option<Box<crate::state::orchestration::CustomerState>>,
}

impl CustomerSessions {
    /// An empty journey for `customer`.
    pub fn new(customer: Customer) -> Self {
        CustomerSessions {
            customer,
            sessions: Vec::new(),
            by_id: FastMap::default(),
            keyed: Default::default(),
            web: Vec::new(),
            latest_web_event: None,
            activity: None,
            event_sessions: OnceLock::new(),
            orchestration: None,
        }
    }

    /// Applies an event that passed validation; a violation when engine state forbids it.
    pub fn apply(
        &mut self,
        catalog: &Catalog,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
    ) -> Result<Applied, Violation> {
        let applied = match catalog.session_type(event.session_type).kind.key_space() {
            None => self.apply_web(catalog, event_id, event),
            Some(space) => self.apply_keyed(catalog, space, event_id, event)?,
        };
        self.refile(&applied);
        if let Some(event_sessions) = self.event_sessions.get_mut() {
            event_sessions.insert(event_id, applied.session_id);
        }
        Ok(applied)
    }

    /// Keeps the listing order of a long journey current after an event: the session it landed
    /// in moves; a merge of web sessions drops the order, to be rebuilt by the next read.
    fn refile(&mut self, applied: &Applied) {
        if applied.sessions_merged > 0 {
            self.activity = None;
        }
        let Some(index) = self.activity.as_deref_mut() else { return };
        if let Some(session) = self.by_id.get(&applied.session_id).and_then(|slot| self.sessions[*slot].as_ref()) {
            index.file(session);
        }
    }

    /// Builds the listing order when the customer has enough sessions to need one.
    pub fn index_activity(&mut self) {
        if self.activity.is_none() && self.sessions.len() > activity::INDEXED_FROM {
            self.activity = Some(Box::new(ActivityIndex::of(self)));
        }
    }

    /// The listing order, when the customer has one.
    pub fn activity(&self) -> Option<&ActivityIndex> {
        self.activity.as_deref()
    }

    /// The session with `id` (or an id merged into it).
    pub fn session(&self, id: &Uuid) -> Option<&Session> {
        self.by_id.get(id).and_then(|slot| self.sessions[*slot].as_ref())
    }

    /// The session that holds the event with this time and id (to answer a duplicate): a hash
    /// lookup by id for a customer with many sessions, a look through the few otherwise.
    pub fn session_of_event(&self, time: Millis, id: Uuid) -> Option<&Session> {
        if self.sessions.len() <= activity::INDEXED_FROM && self.event_sessions.get().is_none() {
            return self.iter().find(|s| s.event(time, id).is_some());
        }
        let event_sessions = self.event_sessions.get_or_init(|| self.event_ids());
        let session = event_sessions.get(&id).and_then(|session_id| self.session(session_id))?;
        session.event(time, id).is_some().then_some(session)
    }

    /// Every stored event's id and the session that holds it.
    fn event_ids(&self) -> FastMap<Uuid, Uuid> {
        let mut ids = FastMap::default();
        ids.reserve(self.iter().map(|s| s.events.len()).sum());
        for session in self.iter() {
            ids.extend(session.events.iter().map(|event| (event.id, session.id)));
        }
        ids
    }

    /// Every current session.
    pub fn iter(&self) -> impl Iterator<Item = &Session> {
        self.sessions.iter().flatten()
    }

    /// A session's last activity (§3.4): its latest event time, and for a web-messaging or
    /// web-chat conversation also `latest_web`, the customer's latest web event (the messaging card
    /// turns live again when the customer views a page). A view passes only the web events in
    /// its viewer's divisions ([`Self::latest_web_event_in`]), so another division's activity never
    /// shows.
    pub fn last_activity(&self, session: &Session, latest_web: Option<Millis>) -> Millis {
        let last = session.last_time();
        match latest_web {
            Some(web) if activity::is_messaging(session) => last.max(web),
            _ => last,
        }
    }

    /// The latest event of the web sessions `visible` accepts.
    pub fn latest_web_event_in(&self, visible: impl Fn(&Session) -> bool) -> Option<Millis> {
        self.iter().filter(|s| s.kind.is_web_visit() && visible(s)).map(Session::last_time).max()
    }

    /// Evicts the sessions last active before `cutoff` (SPEC §12) and returns what the indexes
    /// outside must forget. The sessions left keep their order; slots are renumbered.
    pub fn evict_before(&mut self, cutoff: Millis) -> Evicted {
        let mut evicted = Evicted::default();
        let expired: Vec<bool> = self
            .sessions
            .iter()
            .map(|s| s.as_ref().is_some_and(|s| self.last_activity(s, self.latest_web_event) < cutoff))
            .collect();
        if !expired.contains(&true) {
            return evicted;
        }
        self.activity = None;
        let mut renumbered = vec![None; self.sessions.len()];
        let mut kept = Vec::with_capacity(self.sessions.len());
        for (slot, session) in std::mem::take(&mut self.sessions).into_iter().enumerate() {
            let Some(session) = session else { continue };
            if expired[slot] {
                evicted.take(session);
            } else {
                renumbered[slot] = Some(kept.len());
                kept.push(Some(session));
            }
        }
        self.sessions = kept;
        if let Some(state) = self.orchestration.as_deref_mut() {
            state.forget_sessions(&evicted.session_ids);
        }
        self.by_id.retain(|_, slot| match renumbered[*slot] {
            Some(new) => {
                *slot = new;
                true
            }
            None => false,
        });
        for map in &mut self.keyed {
            map.retain(|_, slot| renumbered[*slot].inspect(|new| *slot = *new).is_some());
        }
        for timeline in &mut self.web {
            timeline.renumber(&renumbered);
        }
        self.web.retain(|timeline| !timeline.is_empty());
        if let Some(event_sessions) = self.event_sessions.get_mut() {
            evicted.event_ids.iter().for_each(|id| _ = event_sessions.remove(id));
        }
        evicted
    }

    /// Moves every stored position to the upgraded catalog's (see [`crate::model::catalog::Remap`]).
    pub fn remap(&mut self, remap: &crate::model::catalog::Remap) {
        for session in self.sessions.iter_mut().flatten() {
            let old = session.session_type;
            session.session_type = remap.session_types[old];
            for event in session.events.iter_mut() {
                event.event_type = remap.event_types[old][event.event_type as usize];
            }
            let mut slots = vec![Lww::default(); remap.attribute_counts[old]];
            for (slot, value) in std::mem::take(&mut session.attributes).into_iter().enumerate() {
                slots[remap.attribute_slots[old][slot]] = value;
            }
            session.attributes = slots;
        }
        for timeline in &mut self.web {
            timeline.remap(remap);
        }
    }

    /// Gives every stored event the event type index `renumber(session type, index)` says: a
    /// state move's open event types, numbered by the partition that receives them.
    pub fn renumber_event_types(&mut self, renumber: impl Fn(usize, u32) -> u32) {
        for session in self.sessions.iter_mut().flatten() {
            for event in session.events.iter_mut() {
                event.event_type = renumber(session.session_type, event.event_type);
            }
        }
    }

    fn add_session(&mut self, session: Session) -> usize {
        let slot = self.sessions.len();
        self.by_id.insert(session.id, slot);
        growth::reserve_one(&mut self.sessions);
        self.sessions.push(Some(session));
        slot
    }
}

/// The id of a custom or conversation session: UUIDv5 of `custom:<externalId>` or `conversation:<externalId>`.
pub(crate) fn keyed_session_id(kind: SessionKind, external_id: &str) -> Uuid {
    let prefix = kind.session_id_prefix().unwrap_or_default();
    let mut name = String::with_capacity(prefix.len() + external_id.len());
    name.push_str(prefix);
    name.push_str(external_id);
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests;
