//! Identity ops (docs/identity.md): links made by events and by hosts, undone by `unlink` and
//! `unlinkEvent`, and the profile they make. Every change passes the gate and is journaled: an
//! event's links with its `ingest` record, the ops as themselves, so that replay makes the same
//! links with the same warnings.

use crate::base::error::{JourneyError, Result};
use crate::base::text::clip;
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::command::Command;
use crate::model::event::{Customer, IdType};
use crate::model::identity::{IdentityWarning, WarningCode};
use crate::state::identity::{Graph, LinkKey, Origin, Rules, Source, canonical};
use crate::state::stats::Counter;
use serde::{Deserialize, Serialize};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

/// The input of `link` and `unlink`: `{"from", "to"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkInput {
    /// One identifier.
    pub from: Customer,
    /// The other.
    pub to: Customer,
}

/// The input of `unlinkEvent`: `{"eventId"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlinkEventInput {
    /// The event whose links are undone.
    pub event_id: Uuid,
}

/// The input of `profile`: `{"customer"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileQuery {
    /// Any identifier of the profile.
    pub customer: Customer,
}

/// What `link` did.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResult {
    /// Whether the two identifiers are linked now (false when a rule refused it).
    pub linked: bool,
    /// The id of `from`'s profile after the call.
    pub profile_id: Customer,
    /// Why the link was refused, when it was.
    pub identity_warnings: Vec<IdentityWarning>,
}

/// What `unlinkEvent` did.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlinkEventResult {
    /// How many links the event had made that it no longer holds up (0 for an event that made none).
    pub unlinked: usize,
}

/// A profile: its id and members (`profile`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// The oldest identifier of the profile (first seen earliest, ties by `idType:id`).
    pub profile_id: Customer,
    /// Every identifier of the profile, in `idType:id` order; the customer alone when unlinked.
    pub members: Vec<Customer>,
}

/// The engine's graph of links, behind one lock: ingest takes it only for an event that carries
/// identifiers, reads take it once per call.
#[derive(Debug, Default)]
pub(crate) struct Identity(RwLock<Graph>);

impl Identity {
    /// The graph to read.
    pub fn read(&self) -> RwLockReadGuard<'_, Graph> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The graph to change.
    pub fn write(&self) -> RwLockWriteGuard<'_, Graph> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// A graph rebuilt from saved links.
    pub fn from_graph(graph: Graph) -> Identity {
        Identity(RwLock::new(graph))
    }
}

impl Engine {
    /// Links `to` to `from` (a host that learned of the link elsewhere, a CRM merge), under the
    /// same rules as an event's identifiers: a refused link is `linked: false` with its warning.
    /// A link of an identifier to itself is `INVALID_ARGUMENT`.
    pub fn link(&self, from: &Customer, to: &Customer) -> Result<LinkResult> {
        self.check_identifier(from)?;
        self.check_identifier(to)?;
        if from == to {
            return Err(JourneyError::invalid_argument("a link needs two different identifiers"));
        }
        let now = self.stamp();
        let apply = || {
            let warnings = self.apply_links(from, std::slice::from_ref(to), Origin::Manual, now, now);
            let profile_id = self.profile_of(from).profile_id;
            Ok(LinkResult { linked: warnings.is_empty(), profile_id, identity_warnings: warnings })
        };
        let command = Command::Link(LinkInput { from: from.clone(), to: to.clone() });
        self.change_and_settle(Some(now), apply, |_| Some(Change::Call(command)))
    }

    /// Removes the link between `from` and `to`, whatever made it (events and hosts): the
    /// profile splits where no other link joins it. `NOT_FOUND` when they are not linked directly.
    pub fn unlink(&self, from: &Customer, to: &Customer) -> Result<()> {
        let key = LinkKey::new(from.clone(), to.clone())
            .ok_or_else(|| JourneyError::invalid_argument("a link needs two different identifiers"))?;
        let apply = || match self.identity.write().remove(&key) {
            true => Ok(()),
            false => Err(JourneyError::NotFound(format!(
                "{} and {} are not linked",
                clip(&canonical(from)),
                clip(&canonical(to))
            ))),
        };
        let command = Command::Unlink(LinkInput { from: from.clone(), to: to.clone() });
        self.change_and_settle(Some(self.stamp()), apply, |_| Some(Change::Call(command)))
    }

    /// Undoes the links the event `event_id` made: a link another event or a host also made stays.
    pub fn unlink_event(&self, event_id: Uuid) -> Result<UnlinkEventResult> {
        let apply = || Ok(UnlinkEventResult { unlinked: self.identity.write().remove_event(&event_id) });
        let command = Command::UnlinkEvent(UnlinkEventInput { event_id });
        let record = |done: &UnlinkEventResult| (done.unlinked > 0).then_some(Change::Call(command));
        self.change_and_settle(Some(self.stamp()), apply, record)
    }

    /// The profile `customer` belongs to: itself alone when it has no link.
    pub fn profile(&self, customer: &Customer) -> Result<ProfileView> {
        self.check_identifier(customer)?;
        self.read_durably(|engine| Ok(engine.profile_of(customer)))
    }

    /// The members of `customer`'s profile, for the reads that go over a whole profile.
    pub(crate) fn members_of(&self, customer: &Customer) -> Vec<Customer> {
        self.identity.read().members_of(customer)
    }

    fn profile_of(&self, customer: &Customer) -> ProfileView {
        match self.identity.read().profile_of(customer) {
            Some(profile) => ProfileView { profile_id: profile.id.clone(), members: profile.members.to_vec() },
            None => ProfileView { profile_id: customer.clone(), members: vec![customer.clone()] },
        }
    }

    /// Links an accepted event's identifiers to its customer, inside the event's change (so that
    /// replaying its record links them again, rules included). `seen` is the event's time, `now`
    /// what limits' windows end at.
    pub(crate) fn link_event(
        &self,
        customer: &Customer,
        identifiers: &[(&str, IdType)],
        event_id: Uuid,
        seen: Millis,
        now: Millis,
    ) -> Vec<IdentityWarning> {
        let identifiers: Vec<Customer> = identifiers.iter().map(|&(id, id_type)| Customer::new(id, id_type)).collect();
        self.apply_links(customer, &identifiers, Origin::Event(event_id), seen, now)
    }

    /// Applies the rules to linking `identifiers` to `customer`, makes the links they allow and
    /// counts what was made and refused.
    fn apply_links(
        &self,
        customer: &Customer,
        identifiers: &[Customer],
        origin: Origin,
        seen: Millis,
        now: Millis,
    ) -> Vec<IdentityWarning> {
        let mut graph = self.identity.write();
        let decision = Rules { config: &self.config.identity, now, seen }.decide(&graph, customer, identifiers);
        for to in &decision.link {
            if let Some(key) = LinkKey::new(customer.clone(), to.clone()) {
                graph.add(key, Source { origin, seen_a: seen, seen_b: seen });
            }
        }
        drop(graph);
        let refused = |code| decision.warnings.iter().filter(|w| w.code == code).count() as u64;
        self.counters.add(Counter::IdentityLinks, decision.link.len() as u64);
        self.counters.add(Counter::IdentityBlocked, refused(WarningCode::IdentityBlocked));
        self.counters.add(Counter::IdentityLimited, refused(WarningCode::IdentityLimit));
        decision.warnings
    }

    /// An identifier given to an op: a non-empty id no longer than `maxStringLength`.
    fn check_identifier(&self, identifier: &Customer) -> Result<()> {
        let limit = self.config.max_string_length;
        if identifier.id.is_empty() {
            return Err(JourneyError::invalid_argument("an identifier's id is empty"));
        }
        if identifier.id.chars().count() > limit {
            return Err(JourneyError::invalid_argument(format!(
                "an identifier's id is longer than {limit} characters"
            )));
        }
        Ok(())
    }
}
