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
use crate::state::identity::{AskInput, Graph, LinkKey, Origin, Rules, canonical};
use crate::state::journey::Viewer;
use crate::state::stats::Counter;
use serde::{Deserialize, Serialize};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

/// The input of `link`: `{"from", "to", "division"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkInput {
    /// One identifier.
    pub from: Customer,
    /// The other.
    pub to: Customer,
    /// The division the link belongs to: only viewers who may see it follow the link in a
    /// journey. Without one, every viewer does (as with a session that has no division).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
}

/// The input of `unlink`: `{"from", "to"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlinkInput {
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

/// The input of `profile`: `{"customer", "viewer"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileQuery {
    /// Any identifier of the profile.
    pub customer: Customer,
    /// Who is looking: the profile over the links in divisions they may see. Without one, the
    /// whole profile (the host's own view; never hand it to a viewer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<Viewer>,
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
    /// Links `input.to` to `input.from` (a host that learned of the link elsewhere, a CRM merge),
    /// under the same rules as an event's identifiers: a refused link is `linked: false` with its
    /// warning. A link of an identifier to itself is `INVALID_ARGUMENT`.
    pub fn link(&self, input: &LinkInput) -> Result<LinkResult> {
        let LinkInput { from, to, division } = input;
        self.check_identifier(from)?;
        self.check_identifier(to)?;
        if from == to {
            return Err(JourneyError::invalid_argument("a link needs two different identifiers"));
        }
        let now = self.stamp();
        let apply = || {
            let ask = AskInput {
                origin: Origin::Manual,
                customer: from,
                identifiers: std::slice::from_ref(to),
                division: division.as_deref(),
            };
            let warnings = self.ask(ask, now);
            let profile_id = self.identity.read().profile_of(from).map_or_else(|| from.clone(), |p| p.id);
            Ok(LinkResult { linked: warnings.is_empty(), profile_id, identity_warnings: warnings })
        };
        self.change_and_settle(Some(now), apply, |_| Some(Change::Call(Command::Link(input.clone()))))
    }

    /// Removes the link between `from` and `to`, whatever made it (events and hosts): the
    /// profile splits where no other link joins it, and links a limit refused because of this one
    /// are made (docs/identity.md, "Undo"). `NOT_FOUND` when they are not linked directly.
    pub fn unlink(&self, from: &Customer, to: &Customer) -> Result<()> {
        let key = LinkKey::new(from.clone(), to.clone())
            .ok_or_else(|| JourneyError::invalid_argument("a link needs two different identifiers"))?;
        let apply = || match self.identity.write().unlink(&key, |at| self.identity_rules(at)) {
            true => Ok(()),
            false => Err(JourneyError::NotFound(format!(
                "{} and {} are not linked",
                clip(&canonical(from)),
                clip(&canonical(to))
            ))),
        };
        let command = Command::Unlink(UnlinkInput { from: from.clone(), to: to.clone() });
        self.change_and_settle(Some(self.stamp()), apply, |_| Some(Change::Call(command)))
    }

    /// Undoes the links the event `event_id` made: a link another event or a host also made stays,
    /// and links a limit refused because of the event's are made.
    pub fn unlink_event(&self, event_id: Uuid) -> Result<UnlinkEventResult> {
        let apply = || Ok(self.identity.write().unlink_event(&event_id, |at| self.identity_rules(at)));
        let command = Command::UnlinkEvent(UnlinkEventInput { event_id });
        // An event whose links were all refused still had an ask, which a later undo would decide
        // again: its removal is a change too.
        let record = |undone: &Option<usize>| undone.is_some().then_some(Change::Call(command));
        let undone = self.change_and_settle(Some(self.stamp()), apply, record)?;
        Ok(UnlinkEventResult { unlinked: undone.unwrap_or(0) })
    }

    /// The profile `customer` belongs to: itself alone when it has no link. With a viewer, the
    /// profile over the links in divisions the viewer may see, and `PERMISSION_DENIED` for a
    /// viewer who may not list journeys.
    pub fn profile(&self, customer: &Customer, viewer: Option<&Viewer>) -> Result<ProfileView> {
        self.check_identifier(customer)?;
        if let Some(viewer) = viewer {
            crate::state::journey::require_journey_permission(viewer)?;
        }
        self.read_durably(|engine| Ok(engine.profile_of(customer, viewer)))
    }

    /// The members of `customer`'s profile as `viewer` sees it, in canonical order, for the reads
    /// that go over a whole profile.
    pub(crate) fn members_of(&self, customer: &Customer, viewer: &Viewer) -> Vec<Customer> {
        self.profile_of(customer, Some(viewer)).members
    }

    pub(crate) fn profile_of(&self, customer: &Customer, viewer: Option<&Viewer>) -> ProfileView {
        let graph = self.identity.read();
        let profile = match viewer {
            Some(viewer) if !viewer.sees_every_division() => {
                Some(graph.visible_profile(customer, |division| viewer.sees_division(division)))
            }
            _ => graph.profile_of(customer),
        };
        match profile {
            Some(profile) => ProfileView { profile_id: profile.id, members: profile.members },
            None => ProfileView { profile_id: customer.clone(), members: vec![customer.clone()] },
        }
    }

    /// Links an accepted event's identifiers to its customer, inside the event's change (so that
    /// replaying its record links them again, rules included); `now` is the engine's time of the
    /// change.
    pub(crate) fn link_event(
        &self,
        customer: &Customer,
        identifiers: &[(&str, IdType)],
        event_id: Uuid,
        division: Option<&str>,
        now: Millis,
    ) -> Vec<IdentityWarning> {
        let identifiers: Vec<Customer> = identifiers.iter().map(|&(id, id_type)| Customer::new(id, id_type)).collect();
        let ask = AskInput { origin: Origin::Event(event_id), customer, identifiers: &identifiers, division };
        self.ask(ask, now)
    }

    /// Takes the cookies not seen since `before` out of their profiles (docs/identity.md, "Cookies
    /// that are not seen"): no ask named them since, and none of their events is as late. The
    /// graph is read, then the store, then the graph changed: the lock is never held while a
    /// shard is taken, and a sweep holds the gate, so nothing changes the graph meanwhile.
    pub(crate) fn forget_unseen_cookies(&self, before: Millis) {
        let asked = self.identity.read().cookies_last_asked();
        let unseen: Vec<Customer> = asked
            .into_iter()
            .filter(|(cookie, last_asked)| {
                *last_asked < before && self.last_event_time(cookie).is_none_or(|t| t < before)
            })
            .map(|(cookie, _)| cookie)
            .collect();
        if !unseen.is_empty() {
            self.identity.write().forget(&unseen, |at| self.identity_rules(at));
        }
    }

    /// The time of `customer`'s latest stored event.
    fn last_event_time(&self, customer: &Customer) -> Option<Millis> {
        let shard = self.store.customer_shard(customer.id_type, &customer.id);
        let sessions = shard.get(customer.id_type, &customer.id)?;
        sessions.iter().map(|session| session.last_time()).max()
    }

    /// The identity rules at engine time `at`.
    pub(crate) fn identity_rules(&self, at: Millis) -> Rules<'_> {
        Rules { config: &self.config.identity, now: at }
    }

    /// Decides an ask under the rules, makes the links they allow and counts what was made and
    /// refused; returns the warnings.
    fn ask(&self, ask: AskInput<'_>, now: Millis) -> Vec<IdentityWarning> {
        let decision = self.identity.write().ask(&self.identity_rules(now), ask);
        let refused = |code| decision.warnings.iter().filter(|w| w.code == code).count() as u64;
        self.counters.add(Counter::IdentityLinks, decision.link().count() as u64);
        self.counters.add(Counter::IdentityBlocked, refused(WarningCode::IdentityBlocked));
        self.counters.add(Counter::IdentityLimited, refused(WarningCode::IdentityLimit));
        decision.warnings
    }
    /// An identifier given to an op: a non-empty id no longer than `maxStringLength`.
    pub(crate) fn check_identifier(&self, identifier: &Customer) -> Result<()> {
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
