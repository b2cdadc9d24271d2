//! The session store: every customer's sessions and the indexes around them, split into shards.
//!
//! ## Locking
//! State is split four ways, each into shards:
//! - `event_ids`: event id → digest of its content, to tell a resend from a conflicting reuse;
//! - `keyed_owners`: external id → the customer that owns the session, for `CUSTOMER_MISMATCH`;
//! - `customers`: customer → all of that customer's sessions and events;
//! - `session_owners`: session id → customer, to find a session by id when reading.
//!
//! An ingest locks at most one shard of each, always in that order, so two ingests can never wait
//! for each other in a cycle; reads lock one at a time.
//!
//! Both stateful decisions are exact: a duplicate is a 128-bit keyed digest match (see
//! [`crate::model::event::Digest`]), and an owner is compared as the whole customer, not a fingerprint.

use crate::base::error::{Violation, ViolationCode};
use crate::base::json::Json;
use crate::base::shard::{FastMap, Sharded};
use crate::base::time::{Millis, parse_rfc3339};
use crate::model::catalog::Catalog;
use crate::model::event::{Customer, Digest, IdType};
use crate::model::validate::CheckedEvent;
use crate::state::erased::ErasedId;
use crate::state::orchestration::Decisions;
use crate::state::session::{Applied, CustomerSessions, Orchestrate, Session};
use std::sync::MutexGuard;
use uuid::Uuid;

/// A customer as an owner key: its id type and id.
pub(crate) type Owner = (IdType, Box<str>);

/// The owners of custom sessions (`[0]`) and conversations (`[1]`), by external id.
type KeyedOwners = [FastMap<Box<str>, Owner>; 2];

/// One shard of customers, split by id type so that lookups by `&str` need no allocation.
#[derive(Default)]
pub(crate) struct CustomerShard {
    by_id_type: [FastMap<Box<str>, CustomerSessions>; IdType::ALL.len()],
}

impl CustomerShard {
    /// The customer's sessions, if it has any.
    pub fn get(&self, id_type: IdType, id: &str) -> Option<&CustomerSessions> {
        self.by_id_type[id_type as usize].get(id)
    }

    /// The customer's sessions, to change, if it has any.
    pub fn get_mut(&mut self, id_type: IdType, id: &str) -> Option<&mut CustomerSessions> {
        self.by_id_type[id_type as usize].get_mut(id)
    }

    fn get_or_create(&mut self, id_type: IdType, id: &str) -> &mut CustomerSessions {
        let map = &mut self.by_id_type[id_type as usize];
        if !map.contains_key(id) {
            map.insert(Box::from(id), CustomerSessions::new(Customer::new(id, id_type)));
        }
        map.get_mut(id).expect("inserted above")
    }
}

/// What the store did with an event.
#[derive(Debug)]
pub(crate) enum Stored {
    /// Stored in a session, with what orchestration decided at it.
    Accepted(Applied, Decisions),
    /// The same event was stored before; the session that holds it now.
    Duplicate(Uuid),
    /// Refused; the reasons were added to the violations.
    Rejected,
}

/// Every customer's sessions, and the indexes that find them.
#[derive(Default)]
pub(crate) struct Store {
    event_ids: Sharded<FastMap<Uuid, Digest>>,
    keyed_owners: Sharded<KeyedOwners>,
    customers: Sharded<CustomerShard>,
    session_owners: Sharded<FastMap<Uuid, Customer>>,
    /// The ids of erased people's events (docs/identity.md, "Erasure").
    erased: crate::state::erased::ErasedIds,
}

impl Store {
    /// Stores an event whose stateless checks are done (`checked` is `None` when they failed and
    /// `violations` says why). A stored event with the same id and digest makes it a duplicate; a
    /// different digest adds `DUPLICATE_ID_CONFLICT` first. The event id stays locked until the
    /// event is stored, so two copies of one event cannot both be accepted. `ready` runs once the
    /// event will be placed, still under that lock: it may refuse the event (an open event type
    /// past the limit), and gives what evaluation needs, the rules read after it.
    pub fn insert<'o>(
        &self,
        catalog: &Catalog,
        event: &Json<'_>,
        (event_id, digest): (Uuid, Digest),
        checked: Option<&mut CheckedEvent<'_, '_>>,
        violations: &mut Vec<Violation>,
        ready: &mut dyn FnMut(&mut CheckedEvent<'_, '_>) -> Result<Orchestrate<'o>, Violation>,
    ) -> Stored {
        let mut ids = self.event_ids.lock(&event_id);
        if let Some(&stored) = ids.get(&event_id) {
            if stored == digest {
                return Stored::Duplicate(self.session_holding(event, event_id));
            }
            let message = format!("event {event_id} was already accepted with different content");
            violations.insert(0, Violation::new(ViolationCode::DuplicateIdConflict, "/id", message));
        } else if let Some(stored) = self.erased.digest(&event_id) {
            // An erased person's event sent again: no session holds it any more.
            if stored == digest {
                return Stored::Duplicate(Uuid::nil());
            }
            let message = format!("event {event_id} was already accepted with different content");
            violations.insert(0, Violation::new(ViolationCode::DuplicateIdConflict, "/id", message));
        }
        let Some(checked) = checked.filter(|_| violations.is_empty()) else {
            debug_assert!(!violations.is_empty(), "an event was refused without a reason");
            return Stored::Rejected;
        };
        let orchestrate = match ready(checked) {
            Ok(orchestrate) => orchestrate,
            Err(violation) => {
                violations.push(violation);
                return Stored::Rejected;
            }
        };
        match self.place(catalog, event_id, checked, &orchestrate) {
            Ok((applied, decisions)) => {
                ids.insert(event_id, digest);
                Stored::Accepted(applied, decisions)
            }
            Err(violation) => {
                violations.push(violation);
                Stored::Rejected
            }
        }
    }

    /// Applies a valid event to its customer's sessions and evaluates the rules on it, under the
    /// customer's lock. A custom or conversation session belongs to the customer of its first
    /// event; another customer's event for it is `CUSTOMER_MISMATCH`.
    fn place(
        &self,
        catalog: &Catalog,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
        orchestrate: &Orchestrate<'_>,
    ) -> Result<(Applied, Decisions), Violation> {
        let kind = catalog.session_type(event.session_type).kind;
        let keyed = kind.key_space().zip(event.external_id);
        let mut keyed_owners = keyed.map(|key| self.keyed_owners.lock(&key));
        if let (Some(owners), Some((map, external_id))) = (keyed_owners.as_ref(), keyed)
            && let Some((id_type, id)) = owners[map].get(external_id)
            && (*id_type != event.id_type || **id != *event.customer_id)
        {
            return Err(Violation::new(
                ViolationCode::CustomerMismatch,
                "/customer",
                format!("session '{}' belongs to another customer", crate::base::text::clip(external_id)),
            ));
        }
        let (applied, decisions) = {
            let mut shard = self.customer_shard(event.id_type, event.customer_id);
            let customer = shard.get_or_create(event.id_type, event.customer_id);
            let applied = customer.apply(catalog, event_id, event)?;
            (applied, customer.orchestrate(catalog, &applied, event_id, event, orchestrate))
        };
        if applied.session_created {
            if let (Some(owners), Some((map, external_id))) = (keyed_owners.as_mut(), keyed) {
                owners[map].insert(Box::from(external_id), (event.id_type, Box::from(event.customer_id)));
            }
            drop(keyed_owners);
            let owner = Customer::new(event.customer_id, event.id_type);
            self.session_owners.lock(&applied.session_id).insert(applied.session_id, owner);
        }
        Ok((applied, decisions))
    }

    /// The session that holds a stored event now (a web session may since have merged into
    /// another). A resend has the same content, so the same customer and time.
    fn session_holding(&self, event: &Json<'_>, event_id: Uuid) -> Uuid {
        let customer = event.get("customer");
        let id = customer.and_then(|c| c.get("id")).and_then(Json::as_str);
        let id_type = customer.and_then(|c| c.get("idType")).and_then(Json::as_str).and_then(IdType::parse);
        let time = event.get("createdDate").and_then(Json::as_str).and_then(parse_rfc3339);
        let session_id = id.zip(id_type).zip(time).and_then(|((id, id_type), time)| {
            let shard = self.customer_shard(id_type, id);
            shard.get(id_type, id)?.session_of_event(time, event_id).map(|s| s.id)
        });
        debug_assert!(session_id.is_some(), "a stored event must be found again");
        session_id.unwrap_or_default()
    }

    /// The number of customers with at least one session.
    pub fn customer_count(&self) -> usize {
        let mut count = 0;
        self.customers.each(|shard| count += shard.by_id_type.iter().map(|map| map.len()).sum::<usize>());
        count
    }

    /// Calls `visit` on every customer's sessions, one shard locked at a time.
    pub fn each_customer(&self, mut visit: impl FnMut(&CustomerSessions)) {
        self.customers.each(|shard| shard.by_id_type.iter().flat_map(|map| map.values()).for_each(&mut visit));
    }

    /// The number of stored event ids.
    pub fn event_id_count(&self) -> usize {
        let mut count = 0;
        self.event_ids.each(|shard| count += shard.len());
        count
    }

    /// Calls `visit` on every stored event id and its digest.
    pub fn each_event_id(&self, mut visit: impl FnMut(Uuid, Digest)) {
        self.event_ids.each(|shard| shard.iter().for_each(|(id, digest)| visit(*id, *digest)));
    }

    /// Puts back a customer's sessions read from a snapshot, and the index entries that point at
    /// them: every session id (merged ones too) → customer, every external id → owner.
    pub fn restore_customer(&self, sessions: CustomerSessions) {
        let customer = sessions.customer.clone();
        for session in sessions.iter() {
            if let Some(key) = session.key() {
                let owner = (customer.id_type, Box::from(customer.id.as_str()));
                self.keyed_owners.lock(&key)[key.0].insert(Box::from(key.1), owner);
            }
        }
        for session_id in sessions.by_id.keys() {
            self.session_owners.lock(session_id).insert(*session_id, customer.clone());
        }
        let mut shard = self.customer_shard(customer.id_type, &customer.id);
        shard.by_id_type[customer.id_type as usize].insert(Box::from(customer.id.as_str()), sessions);
    }

    /// Removes a customer's sessions with every index entry that points at them, and the ids of
    /// their events with their digests: the customer's state on its way to another partition
    /// (docs/scale-out.md, "Online routing"). `None` when the customer has no session here. The
    /// caller holds the gate exclusively.
    pub fn take_customer(&self, customer: &Customer) -> Option<(CustomerSessions, Vec<(Uuid, Digest)>)> {
        let sessions = self.customer_shard(customer.id_type, &customer.id).by_id_type[customer.id_type as usize]
            .remove(customer.id.as_str())?;
        let mut event_ids = Vec::new();
        for session in sessions.iter() {
            for event in session.events.iter() {
                if let Some(digest) = self.event_ids.lock(&event.id).remove(&event.id) {
                    event_ids.push((event.id, digest));
                }
            }
            if let Some(key) = session.key() {
                self.keyed_owners.lock(&key)[key.0].remove(key.1);
            }
        }
        for session_id in sessions.by_id.keys() {
            self.session_owners.lock(session_id).remove(session_id);
        }
        Some((sessions, event_ids))
    }

    /// Removes an erased customer's sessions as [`Store::take_customer`] does, and keeps their
    /// events' ids (unless `forget`) until retention would have evicted them, so that a resend is
    /// a duplicate. Returns the sessions removed; `None` when the customer has none.
    pub fn erase_customer(&self, customer: &Customer, forget: bool) -> Option<CustomerSessions> {
        let (sessions, ids) = self.take_customer(customer)?;
        if !forget {
            let digests: FastMap<Uuid, Digest> = ids.into_iter().collect();
            let mut kept = Vec::with_capacity(digests.len());
            for session in sessions.iter() {
                let until = sessions.last_activity(session, sessions.latest_web_event);
                let ids = session.events.iter().filter_map(|event| digests.get(&event.id).map(|d| (event.id, *d)));
                kept.extend(ids.map(|(id, digest)| ErasedId { id, digest, until }));
            }
            self.erased.keep(kept);
        }
        Some(sessions)
    }

    /// The ids of erased people's events.
    pub fn erased(&self) -> &crate::state::erased::ErasedIds {
        &self.erased
    }

    /// Keeps the erased events' ids a slice brought from another partition with those this store
    /// holds (docs/scale-out.md, "Online routing"), but for those this store's last retention
    /// sweep, at `swept_before`, would have forgotten, and those it holds live (an id accepted
    /// again here after its erasure expired): a copy never brings back what this store dropped.
    /// The caller holds the gate exclusively.
    pub fn restore_erased(&self, erased: Vec<ErasedId>, swept_before: Millis) {
        let live = |id: &Uuid| self.event_ids.lock(id).contains_key(id);
        self.erased.keep(erased.into_iter().filter(|e| e.until >= swept_before && !live(&e.id)));
    }

    /// What of `sessions` and `event_ids` this store holds already, named: moving them in would
    /// overwrite it. `None` when nothing collides.
    pub fn collision(&self, sessions: &[CustomerSessions], event_ids: &[(Uuid, Digest)]) -> Option<String> {
        for customer in sessions {
            let who = &customer.customer;
            if self.customer_shard(who.id_type, &who.id).get(who.id_type, &who.id).is_some() {
                return Some(format!("customer {}:{}", who.id_type.as_str(), crate::base::text::clip(&who.id)));
            }
            for session in customer.iter() {
                if let Some(key) = session.key()
                    && self.keyed_owners.lock(&key)[key.0].contains_key(key.1)
                {
                    return Some(format!("external id {}", crate::base::text::clip(key.1)));
                }
            }
            if let Some(id) = customer.by_id.keys().find(|id| self.session_owners.lock(*id).contains_key(*id)) {
                return Some(format!("session {id}"));
            }
        }
        event_ids
            .iter()
            .find(|(id, _)| self.event_ids.lock(id).contains_key(id))
            .map(|(id, _)| format!("event id {id}"))
    }

    /// Evicts every session last active before `cutoff`, with its events, and forgets their ids
    /// in every index. Returns how many sessions were evicted and the ids of the events evicted
    /// with them. The caller holds the gate exclusively, so no ingest can see an index half
    /// updated.
    pub fn evict_before(&self, cutoff: crate::base::time::Millis) -> (u64, Vec<Uuid>) {
        let mut forgotten = Vec::new();
        self.customers.each(|shard| {
            for map in &mut shard.by_id_type {
                map.retain(|_, customer| {
                    let evicted = customer.evict_before(cutoff);
                    if evicted.sessions > 0 {
                        forgotten.push((customer.customer.clone(), evicted));
                    }
                    customer.iter().next().is_some()
                });
            }
        });
        let (mut sessions, mut events) = (0, Vec::new());
        for (customer, evicted) in forgotten {
            sessions += evicted.sessions;
            for id in &evicted.event_ids {
                self.event_ids.lock(id).remove(id);
            }
            events.extend_from_slice(&evicted.event_ids);
            for id in &evicted.session_ids {
                self.session_owners.lock(id).remove(id);
            }
            for (space, external_id) in evicted.keyed {
                let key = (space, &*external_id);
                let mut owners = self.keyed_owners.lock(&key);
                let owned_here = owners[key.0]
                    .get(&external_id)
                    .is_some_and(|(t, id)| *t == customer.id_type && **id == *customer.id);
                if owned_here {
                    owners[key.0].remove(&external_id);
                }
            }
        }
        (sessions, events)
    }

    /// Moves every stored position to an upgraded catalog's.
    pub fn remap(&self, remap: &crate::model::catalog::Remap) {
        self.customers
            .each(|shard| shard.by_id_type.iter_mut().flat_map(|map| map.values_mut()).for_each(|c| c.remap(remap)));
    }

    /// Puts back a stored event id read from a snapshot.
    pub fn restore_event_id(&self, id: Uuid, digest: Digest) {
        self.event_ids.lock(&id).insert(id, digest);
    }

    /// Locks the shard that holds `id_type:id`.
    pub fn customer_shard(&self, id_type: IdType, id: &str) -> MutexGuard<'_, CustomerShard> {
        self.customers.lock(&(id_type, id))
    }

    /// Runs `read` on the session with `session_id` (or an id merged into it) and its customer.
    /// `None` when there is no such session.
    pub fn with_session<T>(&self, session_id: &Uuid, read: impl FnOnce(&CustomerSessions, &Session) -> T) -> Option<T> {
        let owner = self.session_owners.lock(session_id).get(session_id).cloned()?;
        let shard = self.customer_shard(owner.id_type, &owner.id);
        let customer = shard.get(owner.id_type, &owner.id)?;
        Some(read(customer, customer.session(session_id)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A moved-in copy of erased ids keeps what this store's retention still would, and never
    /// one this store holds live.
    #[test]
    fn moved_in_erased_ids_skip_the_expired_and_the_live() {
        let store = Store::default();
        let (live, old, kept) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        store.restore_event_id(live, 10);
        store.erased().keep([ErasedId { id: Uuid::from_u128(4), digest: 40, until: 500 }]);
        store.restore_erased(
            vec![
                ErasedId { id: live, digest: 11, until: 500 },
                ErasedId { id: old, digest: 20, until: 99 },
                ErasedId { id: kept, digest: 30, until: 100 },
            ],
            100,
        );
        let mut held: Vec<Uuid> = store.erased().saved().into_iter().map(|erased| erased.id).collect();
        held.sort();
        assert_eq!(held, [kept, Uuid::from_u128(4)], "the copy joins the store's own");
        assert_eq!(store.erased().digest(&kept), Some(30));
    }
}
