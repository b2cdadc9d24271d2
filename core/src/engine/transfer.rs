//! Moving a component's state between partitions (docs/scale-out.md, "Online routing").
//!
//! When an event links two components that sit on different partitions, the online router moves
//! the smaller one: its customers' sessions, with the ids of their events, the external ids they
//! own, what orchestration remembers about them, the web actions they own and the asks for links
//! that name them (docs/identity.md), leave one engine ([`Engine::move_out`]) as a [`Slice`] and
//! enter the other ([`Engine::move_in`]). The slice is the same state the snapshot writes, so the target then
//! holds exactly what it would hold had the component's events been ingested there. Counters stay
//! where the events were counted: the partitions' stats still sum to one engine's.
//!
//! A slice also carries every erased event's id the source keeps (docs/identity.md, "Erasure"):
//! they are kept apart from any person (an id, a digest, a time), so the source cannot tell which
//! are the component's, and the target keeps them all beside its own. That is exact: an event
//! with an erased id routes to that id's component (an explicit id is a routing key; a natural id
//! is the content's, whose customer is in the component), so a copy on a partition the component
//! never reaches is never read; and since the erasure ran where the component was and each move
//! since copied its source's ids, the partition the component is on holds every id one engine
//! would answer `duplicate` (or `DUPLICATE_ID_CONFLICT`) for. docs/scale-out.md, "Online routing",
//! gives the cost.
//!
//! Each partition numbers the open event types its events create (docs/decisions.md, "Open
//! session types for app events") in its own journal's order, so a slice carries the names of
//! those its events use, and the target renumbers the events to its own indexes (creating the
//! names it lacks, whatever its `maxEventTypes`: the events were accepted where they were).

use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::command::Command;
use crate::model::event::{Customer, Digest};
use crate::state::erased::ErasedId;
use crate::state::orchestration::CustomerState;
use crate::state::session::CustomerSessions;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A component's state on its way between two partitions' engines. Its bytes (`to_bytes`) are
/// opaque; both engines must share `digestKey`.
#[derive(Serialize, Deserialize)]
pub struct Slice {
    /// Which digest key the event ids' digests were made with ([`crate::model::event::DigestKey`]'s
    /// fingerprint), so that an engine with another one refuses the slice.
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
    /// What orchestration remembers about some of the customers, by their place in `customers`
    /// (kept apart so that the sessions keep the encoding snapshots give them).
    orchestration: Vec<(usize, CustomerState)>,
    /// The web actions the customers own (format 3 on): the caps read their states, and the
    /// widget's later events for them go where the customer is.
    actions: Vec<crate::state::action::Saved>,
    /// The open event types the events use (format 4 on): by session type index, each index
    /// the source gave it with its name.
    open_event_types: Vec<(usize, Vec<(u32, String)>)>,
    /// The asks for links naming the customers (format 5 on; docs/identity.md), in their order,
    /// with their decisions.
    asks: Vec<crate::state::identity::Ask>,
    /// Every erased event's id the source keeps (format 6 on; docs/identity.md, "Erasure"), the
    /// component's among them, in id order.
    erased: Vec<ErasedId>,
}

/// A slice as format 5 wrote it, before erasure.
#[derive(Deserialize)]
struct SliceV5 {
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
    orchestration: Vec<(usize, CustomerState)>,
    actions: Vec<crate::state::action::Saved>,
    open_event_types: Vec<(usize, Vec<(u32, String)>)>,
    asks: Vec<crate::state::identity::Ask>,
}

/// A slice as format 4 wrote it, before identity.
#[derive(Deserialize)]
struct SliceV4 {
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
    orchestration: Vec<(usize, CustomerState)>,
    actions: Vec<crate::state::action::Saved>,
    open_event_types: Vec<(usize, Vec<(u32, String)>)>,
}

/// A slice as format 3 wrote it, before open event types.
#[derive(Deserialize)]
struct SliceV3 {
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
    orchestration: Vec<(usize, CustomerState)>,
    actions: Vec<crate::state::action::Saved>,
}

/// A slice as format 2 wrote it, before it carried web actions.
#[derive(Deserialize)]
struct SliceV2 {
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
    orchestration: Vec<(usize, CustomerState)>,
}

/// A slice as format 1 wrote it, before orchestration: journals hold such slices in their
/// `moveIn` records, and replay must read them.
#[derive(Deserialize)]
struct SliceV1 {
    key_fingerprint: u64,
    customers: Vec<CustomerSessions>,
    event_ids: Vec<(Uuid, Digest)>,
}

/// The format of a slice's bytes; one that reads another refuses it (formats 1 to 5 still read).
const SLICE_VERSION: u8 = 6;

impl Slice {
    /// The slice as bytes: a version, then postcard.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![SLICE_VERSION];
        // Writing postcard into a Vec cannot fail: every part serializes.
        bytes.extend(postcard::to_stdvec(self).unwrap_or_default());
        bytes
    }

    /// Reads a slice's bytes; `INVALID_ARGUMENT` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Slice> {
        let bad = not_a_slice;
        fn read<'b, T: Deserialize<'b>>(body: &'b [u8]) -> Result<T> {
            postcard::from_bytes(body).map_err(|e| not_a_slice(e.to_string()))
        }
        // An older format is read as itself and then given the newer formats' parts empty.
        let slice = match bytes.split_first() {
            Some((&SLICE_VERSION, body)) => read(body)?,
            Some((5, body)) => {
                let SliceV5 { key_fingerprint, customers, event_ids, orchestration, actions, open_event_types, asks } =
                    read(body)?;
                let base = Slice::before_orchestration(key_fingerprint, customers, event_ids);
                Slice { orchestration, actions, open_event_types, asks, ..base }
            }
            Some((4, body)) => {
                let SliceV4 { key_fingerprint, customers, event_ids, orchestration, actions, open_event_types } =
                    read(body)?;
                let base = Slice::before_orchestration(key_fingerprint, customers, event_ids);
                Slice { orchestration, actions, open_event_types, ..base }
            }
            Some((3, body)) => {
                let SliceV3 { key_fingerprint, customers, event_ids, orchestration, actions } = read(body)?;
                let base = Slice::before_orchestration(key_fingerprint, customers, event_ids);
                Slice { orchestration, actions, ..base }
            }
            Some((2, body)) => {
                let SliceV2 { key_fingerprint, customers, event_ids, orchestration } = read(body)?;
                Slice { orchestration, ..Slice::before_orchestration(key_fingerprint, customers, event_ids) }
            }
            Some((1, body)) => {
                let SliceV1 { key_fingerprint, customers, event_ids } = read(body)?;
                Slice::before_orchestration(key_fingerprint, customers, event_ids)
            }
            Some((version, _)) => return Err(bad(format!("format {version}; this build reads {SLICE_VERSION}"))),
            None => return Err(bad("no bytes".into())),
        };
        match slice.asks.iter().all(crate::state::identity::Ask::is_well_formed) {
            true => Ok(slice),
            false => Err(bad("an ask for links with a decision missing or linking its own customer".into())),
        }
    }

    /// A slice of the first format's parts alone: sessions and event ids, nothing else.
    fn before_orchestration(
        key_fingerprint: u64,
        customers: Vec<CustomerSessions>,
        event_ids: Vec<(Uuid, Digest)>,
    ) -> Slice {
        Slice {
            key_fingerprint,
            customers,
            event_ids,
            orchestration: Vec::new(),
            actions: Vec::new(),
            open_event_types: Vec::new(),
            asks: Vec::new(),
            erased: Vec::new(),
        }
    }

    /// The slice as hexadecimal text, for JSON (`call`, the journal).
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        let bytes = self.to_bytes();
        let mut text = String::with_capacity(bytes.len() * 2);
        for byte in bytes {
            // Writing into a String cannot fail.
            let _ = write!(text, "{byte:02x}");
        }
        text
    }

    /// Reads [`Slice::to_hex`]'s text.
    pub fn from_hex(text: &str) -> Result<Slice> {
        let digits = text.as_bytes();
        if !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(JourneyError::invalid_argument("not a slice: expected hexadecimal digits, in pairs"));
        }
        let bytes: Vec<u8> = digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0))
            .collect();
        Slice::from_bytes(&bytes)
    }

    /// The customers it holds.
    pub fn customers(&self) -> impl Iterator<Item = &Customer> {
        self.customers.iter().map(|sessions| &sessions.customer)
    }

    /// How many events it holds.
    pub fn event_count(&self) -> usize {
        self.customers.iter().flat_map(CustomerSessions::iter).map(|session| session.events.len()).sum()
    }

    /// How many erased events' ids it carries (every one the source keeps).
    pub fn erased_id_count(&self) -> usize {
        self.erased.len()
    }
}

impl Engine {
    /// Takes `customers`' state out of this engine (a partition the online router moves their
    /// component away from) and returns it; customers with no session here are left out. The
    /// slice also carries a copy of every erased event's id this engine keeps, which stay here too
    /// (the module's docs say why). Journaled.
    pub fn move_out(&self, customers: &[Customer]) -> Result<Slice> {
        let take = || {
            let mut slice = Slice {
                key_fingerprint: self.digest_key.fingerprint(),
                customers: Vec::new(),
                event_ids: Vec::new(),
                orchestration: Vec::new(),
                actions: Vec::new(),
                open_event_types: Vec::new(),
                asks: self.identity.write().take_asks(customers),
                erased: self.store.erased().saved(),
            };
            slice.erased.sort_unstable_by_key(|erased| erased.id);
            for customer in customers {
                // Web actions belong to cookie customers, by the cookie's UUID.
                if customer.id_type == crate::model::event::IdType::Cookie
                    && let Ok(cookie) = Uuid::try_parse(&customer.id)
                {
                    slice.actions.extend(self.actions.take_owned_by(cookie));
                }
                if let Some((mut sessions, ids)) = self.store.take_customer(customer) {
                    if let Some(state) = sessions.orchestration.take() {
                        slice.orchestration.push((slice.customers.len(), *state));
                    }
                    slice.customers.push(sessions);
                    slice.event_ids.extend(ids);
                }
            }
            slice.open_event_types = self.open_event_types_of(&slice.customers);
            Ok(slice)
        };
        let record = |_: &Slice| Some(Change::Call(Command::MoveOut(MoveOutInput { customers: customers.to_vec() })));
        let (slice, seq) = self.change_exclusive(self.clock.now(), take, record)?;
        self.settle(seq)?;
        Ok(slice)
    }

    /// Puts a slice that [`Engine::move_out`] took from another partition into this one, and keeps
    /// the erased events' ids it carries beside this engine's own (but for those this engine's
    /// retention already forgot: `Store::restore_erased`).
    /// `INVALID_ARGUMENT` when the engines do not share `digestKey`, or when this engine already
    /// holds one of the slice's customers, sessions, external ids or event ids (the component was
    /// not this partition's to receive). Journaled.
    pub fn move_in(&self, slice: Slice) -> Result<()> {
        if slice.key_fingerprint != self.digest_key.fingerprint() {
            return Err(JourneyError::invalid_argument(
                "the slice comes from an engine with another digestKey: give every partition the same one",
            ));
        }
        let hex = slice.to_hex();
        let put = || {
            if let Some(what) = self.store.collision(&slice.customers, &slice.event_ids) {
                return Err(JourneyError::invalid_argument(format!("this partition already holds the slice's {what}")));
            }
            if let Some(action) = slice.actions.iter().find(|action| self.actions.contains(action.id)) {
                let id = action.id;
                return Err(JourneyError::invalid_argument(format!(
                    "this partition already holds the slice's action {id}"
                )));
            }
            if let Some(identifier) = self.identity.read().first_held(&slice.asks) {
                return Err(JourneyError::invalid_argument(format!(
                    "this partition already holds links of the slice's {}",
                    crate::base::text::clip(&crate::state::identity::canonical(identifier))
                )));
            }
            let Slice { mut customers, event_ids, orchestration, actions, open_event_types, asks, erased, .. } = slice;
            let renumbered = self.take_open_event_types(&open_event_types)?;
            if !renumbered.is_empty() {
                let renumber =
                    |session_type: usize, index: u32| renumbered.get(&(session_type, index)).copied().unwrap_or(index);
                customers.iter_mut().for_each(|sessions| sessions.renumber_event_types(renumber));
            }
            actions.into_iter().for_each(|action| self.actions.restore(action));
            self.identity.write().put_asks(asks);
            for (place, state) in orchestration {
                if let Some(sessions) = customers.get_mut(place) {
                    if let Some(due) = state.next_due() {
                        self.due.add(due, sessions.customer.clone());
                    }
                    sessions.orchestration = Some(Box::new(state));
                }
            }
            customers.into_iter().for_each(|sessions| self.store.restore_customer(sessions));
            event_ids.into_iter().for_each(|(id, digest)| self.store.restore_event_id(id, digest));
            self.store.restore_erased(erased, self.sweeps.state().0);
            Ok(())
        };
        let record = |_: &()| Some(Change::Call(Command::MoveIn(MoveInInput { slice: hex })));
        let ((), seq) = self.change_exclusive(self.clock.now(), put, record)?;
        self.settle(seq)
    }
}

/// The open event types of a slice: by session type index, each index with its name.
type OpenNames = Vec<(usize, Vec<(u32, String)>)>;

impl Engine {
    /// The open event types `customers`' events use.
    fn open_event_types_of(&self, customers: &[CustomerSessions]) -> OpenNames {
        let mut used = std::collections::BTreeSet::new();
        for session in customers.iter().flat_map(CustomerSessions::iter) {
            let declared = self.catalog.session_type(session.session_type).event_types.len();
            let open = session.events.iter().map(|event| event.event_type).filter(|index| *index as usize >= declared);
            used.extend(open.map(|index| (session.session_type, index)));
        }
        let mut by_type: OpenNames = Vec::new();
        for (session_type, index) in used {
            let name = self.catalog.event_name(session_type, index as usize).to_owned();
            match by_type.last_mut() {
                Some((last, names)) if *last == session_type => names.push((index, name)),
                _ => by_type.push((session_type, vec![(index, name)])),
            }
        }
        by_type
    }

    /// Gives this engine's catalog the open event types a slice's events use, and returns how
    /// their indexes change: (session type, the source's index) → this engine's, for those that
    /// differ. `INVALID_ARGUMENT`, changing nothing, when the catalog cannot hold one (the slice
    /// comes from an engine with another catalog). New names recompile the rules, as an event
    /// creating them would.
    fn take_open_event_types(&self, open: &OpenNames) -> Result<std::collections::HashMap<(usize, u32), u32>> {
        let catalog = &self.catalog;
        let holds = |session_type: usize, name: &str| {
            let ty = catalog.session_types().get(session_type);
            ty.is_some_and(|ty| ty.open && ty.event_type_index(name).is_none())
        };
        for (session_type, names) in open {
            if let Some((_, name)) = names.iter().find(|(_, name)| !holds(*session_type, name)) {
                return Err(JourneyError::invalid_argument(format!(
                    "the slice's events name the open event type '{name}', which this partition's catalog cannot hold: \
                     give every partition the same catalog"
                )));
            }
        }
        let mut renumbered = std::collections::HashMap::new();
        let mut created = Vec::new();
        for (session_type, names) in open {
            let type_name = &catalog.session_type(*session_type).name;
            for (index, name) in names {
                let new = catalog.event_type_index(*session_type, name).is_none();
                let here = catalog.restore_open_name(type_name, name).unwrap_or_default() as u32;
                if new {
                    created.push((*session_type, here as usize));
                }
                if here != *index {
                    renumbered.insert((*session_type, *index), here);
                }
            }
        }
        self.rules.recompile_if_any(catalog, &created);
        Ok(renumbered)
    }
}

/// The input of `moveOut`: `{"customers": [{"id", "idType"}, …]}`; its result is
/// `{"slice": "<hex>"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveOutInput {
    /// The customers of the component that leaves.
    pub customers: Vec<Customer>,
}

/// The input of `moveIn`: `{"slice": "<hex>"}`, as `moveOut` returned it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveInInput {
    /// The slice, as hexadecimal text.
    pub slice: String,
}

/// The error of bytes that are not a slice this build reads.
fn not_a_slice(why: String) -> JourneyError {
    JourneyError::invalid_argument(format!("not a slice: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Journals hold format 1 slices in their `moveIn` records: they still read.
    #[test]
    fn a_format_1_slice_still_reads() {
        #[derive(Serialize)]
        struct Written {
            key_fingerprint: u64,
            customers: Vec<CustomerSessions>,
            event_ids: Vec<(Uuid, Digest)>,
        }
        let customer = CustomerSessions::new(Customer::new("c-1", crate::model::event::IdType::Email));
        let old = Written { key_fingerprint: 7, customers: vec![customer], event_ids: Vec::new() };
        let mut bytes = vec![1];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let slice = Slice::from_bytes(&bytes).unwrap();
        assert_eq!((slice.key_fingerprint, slice.customers().count(), slice.orchestration.len()), (7, 1, 0));
        let Err(error) = Slice::from_bytes(&[7, 0]) else { panic!("a format 7 slice read") };
        assert!(error.to_string().contains("format 7; this build reads 6"), "{error}");
    }

    /// Format 2 slices (before web actions) in journals still read, with no actions.
    #[test]
    fn a_format_2_slice_still_reads() {
        #[derive(Serialize)]
        struct Written {
            key_fingerprint: u64,
            customers: Vec<CustomerSessions>,
            event_ids: Vec<(Uuid, Digest)>,
            orchestration: Vec<(usize, CustomerState)>,
        }
        let customer = CustomerSessions::new(Customer::new("c-1", crate::model::event::IdType::Email));
        let old =
            Written { key_fingerprint: 7, customers: vec![customer], event_ids: Vec::new(), orchestration: Vec::new() };
        let mut bytes = vec![2];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let slice = Slice::from_bytes(&bytes).unwrap();
        assert_eq!((slice.customers().count(), slice.actions.len()), (1, 0));
    }

    /// Format 4 slices (before identity) still read, with no asks.
    #[test]
    fn a_format_4_slice_still_reads() {
        let customer = CustomerSessions::new(Customer::new("c-1", crate::model::event::IdType::Email));
        let old = SliceV4Written {
            key_fingerprint: 7,
            customers: vec![customer],
            event_ids: Vec::new(),
            orchestration: Vec::new(),
            actions: Vec::new(),
            open_event_types: vec![(0, vec![(3, "app_opened".into())])],
        };
        let mut bytes = vec![4];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let slice = Slice::from_bytes(&bytes).unwrap();
        assert_eq!((slice.customers().count(), slice.open_event_types.len(), slice.asks.len()), (1, 1, 0));
    }

    /// Format 5 slices (before erasure) still read, with no erased ids, and are written again as
    /// format 6.
    #[test]
    fn a_format_5_slice_still_reads() {
        #[derive(Serialize)]
        struct Written {
            v4: SliceV4Written,
            asks: Vec<crate::state::identity::Ask>,
        }
        let customer = CustomerSessions::new(Customer::new("c-1", crate::model::event::IdType::Email));
        let v4 = SliceV4Written {
            key_fingerprint: 7,
            customers: vec![customer],
            event_ids: vec![(Uuid::from_u128(1), 11)],
            orchestration: Vec::new(),
            actions: Vec::new(),
            open_event_types: Vec::new(),
        };
        let mut bytes = vec![5];
        bytes.extend(postcard::to_stdvec(&Written { v4, asks: Vec::new() }).unwrap());
        let slice = Slice::from_bytes(&bytes).unwrap();
        assert_eq!((slice.customers().count(), slice.event_ids.len(), slice.erased_id_count()), (1, 1, 0));
        assert_eq!(Slice::from_bytes(&slice.to_bytes()).unwrap().to_bytes()[0], 6, "written again as format 6");
    }

    #[derive(Serialize)]
    struct SliceV4Written {
        key_fingerprint: u64,
        customers: Vec<CustomerSessions>,
        event_ids: Vec<(Uuid, Digest)>,
        orchestration: Vec<(usize, CustomerState)>,
        actions: Vec<crate::state::action::Saved>,
        open_event_types: Vec<(usize, Vec<(u32, String)>)>,
    }

    /// A component's asks for links leave with it and arrive with it, decisions and all; the
    /// target refuses a slice naming an identifier it holds links of.
    #[test]
    fn a_components_links_move_with_it() {
        let catalog = crate::Catalog::from_json(
            r#"{"sessionTypes": [{"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed"}]}]}"#,
        )
        .unwrap();
        let config = crate::Config::from_json(
            r#"{"digestKey": "0123456789abcdef0123456789abcdef", "clock": "manual",
            "start": "2026-11-21T10:00:00Z", "identity": {"limits": {"email": 1}}}"#,
        )
        .unwrap();
        let (source, target) =
            (Engine::new(catalog.clone(), config.clone()).unwrap(), Engine::new(catalog, config).unwrap());
        let cookie = Customer::new("k", crate::model::event::IdType::Cookie);
        let (email, second) = (
            Customer::new("a@x", crate::model::event::IdType::Email),
            Customer::new("b@x", crate::model::event::IdType::Email),
        );
        let login = |n: u128, to: &Customer| {
            serde_json::json!({"id": Uuid::from_u128(n), "eventName": "page_viewed", "createdDate": "2026-11-21T10:00:00Z",
                "customer": cookie, "session": {"type": "web"}, "identifiers": [to]})
        };
        let first = serde_json::to_value(source.ingest_value(&login(1, &email)).unwrap()).unwrap();
        assert_eq!(first["status"], "accepted", "{first}");
        let refused = serde_json::to_value(source.ingest_value(&login(2, &second)).unwrap()).unwrap();
        assert_eq!(refused["identityWarnings"][0]["code"], "IDENTITY_LIMIT", "{refused}");
        let slice = source.move_out(&[cookie.clone(), email.clone(), second.clone()]).unwrap();
        assert_eq!(slice.asks.len(), 2, "the link and the refused ask");
        assert_eq!(
            source.profile(&cookie, None).unwrap().members,
            std::slice::from_ref(&cookie),
            "gone from the source"
        );
        let bytes = slice.to_bytes();
        target.move_in(Slice::from_bytes(&bytes).unwrap()).unwrap();
        assert_eq!(target.profile(&cookie, None).unwrap().members, [cookie.clone(), email.clone()]);
        // The refused ask came too: undoing the first login lets the second e-mail in, there.
        target.unlink_event(Uuid::from_u128(1)).unwrap();
        assert_eq!(target.profile(&cookie, None).unwrap().members, [cookie.clone(), second]);
        let again = target.move_in(Slice::from_bytes(&bytes).unwrap()).unwrap_err();
        assert!(again.to_string().contains("already holds"), "{again}");
        // A damaged ask (a decision missing) is refused where the slice is read.
        let mut damaged = Slice::from_bytes(&bytes).unwrap();
        damaged.asks[0].linked.clear();
        let refused = Slice::from_bytes(&damaged.to_bytes()).err().expect("a damaged ask is refused");
        assert!(refused.to_string().contains("decision missing"), "{refused}");
    }

    /// A cookie customer's web actions leave with it and arrive with it; the target refuses an
    /// action it holds already.
    #[test]
    fn a_cookie_customers_web_actions_move_with_it() {
        let catalog = crate::Catalog::from_json(
            r#"{"sessionTypes": [{"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed"}]}]}"#,
        )
        .unwrap();
        let config = crate::Config::from_json(r#"{"digestKey": "0123456789abcdef0123456789abcdef"}"#).unwrap();
        let (source, target) =
            (Engine::new(catalog.clone(), config.clone()).unwrap(), Engine::new(catalog, config).unwrap());
        let cookie = "0f8fad5b-d9cb-469f-a165-708677289501";
        let event = serde_json::json!({"eventName": "page_viewed", "createdDate": "2026-11-21T10:00:00Z",
            "customer": {"id": cookie, "idType": "cookie"}, "session": {"type": "web"}});
        source.ingest_value(&event).unwrap();
        let action = serde_json::json!({"actionId": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "actionState": "offered",
            "actionMediaType": "webchat", "actionMapId": Uuid::nil(), "actionMapVersion": 1, "customerId": cookie,
            "customerIdType": "cookie", "sessionId": Uuid::nil()});
        source.record_action_event(&action).unwrap();
        let slice = source.move_out(&[Customer::new(cookie, crate::model::event::IdType::Cookie)]).unwrap();
        assert_eq!(slice.actions.len(), 1);
        let short = serde_json::json!({"actionId": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "actionState": "rejected"});
        assert_eq!(source.record_action_event(&short).unwrap_err().code(), "UNKNOWN_ACTION", "gone from the source");
        let bytes = slice.to_bytes();
        target.move_in(Slice::from_bytes(&bytes).unwrap()).unwrap();
        assert!(target.record_action_event(&short).is_ok(), "the target knows the action and its owner");
        let again = Slice::from_bytes(&bytes).unwrap();
        assert!(target.move_in(again).unwrap_err().to_string().contains("already holds"));
    }
}
