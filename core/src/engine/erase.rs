//! `erase({customer})`: a person's right to be forgotten (docs/identity.md, "Erasure").
//!
//! Erasure removes everything the engine holds about every member of the customer's profile (the
//! host's view: the whole person): their sessions and events with every index that points at
//! them, the asks that name them (the rest of the graph around them is decided again, as an
//! undo does), the web actions they own, what orchestration remembers of them, the outbox entries
//! and marked custom events about them, and the recorded deliveries that name them.
//!
//! It is one change, passed exclusively (no call is halfway through it), journaled as a
//! *tombstone*: the keyed digests of the members, never the members. A durable engine then writes
//! a snapshot at once and deletes every older snapshot and journal file
//! (`Journal::complete_erasure`), so when `erase` returns the store's files hold nothing of the
//! person; a recovery that finds the tombstone after its snapshot erases again by the digests and
//! rewrites the store before it opens.

use crate::base::error::Result;
use crate::engine::Engine;
use crate::engine::change::{Applied, Change};
use crate::model::event::{Customer, Digest, IdType};
use crate::state::stats::Counter;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// The input of `erase`: `{"customer", "eraseForget"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErasureInput {
    /// Any identifier of the person: their whole profile is erased.
    pub customer: Customer,
    /// Also forget the erased events' ids, so that a resend is accepted as new. Without it they
    /// are kept (with no content) until retention would have evicted them, and a resend is a
    /// `duplicate`.
    #[serde(default)]
    pub erase_forget: bool,
}

/// What `erase` removed.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureResult {
    /// The profile's identifiers the engine held anything about (0 for an unknown customer).
    pub customers_erased: u64,
    /// The events removed with their sessions.
    pub events_erased: u64,
}

/// An erasure's journal record: the keyed digests of the erased identifiers, as hexadecimal
/// text, and whether the events' ids were forgotten too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Tombstone {
    digests: Vec<String>,
    forget: bool,
}

impl Tombstone {
    /// The tombstone of the identifiers whose digests are `digests`.
    pub(crate) fn new(digests: &[Digest], forget: bool) -> Tombstone {
        Tombstone { digests: digests.iter().map(|d| format!("{d:032x}")).collect(), forget }
    }

    fn digests(&self) -> std::result::Result<HashSet<Digest>, String> {
        let read = |text: &String| Digest::from_str_radix(text, 16).map_err(|e| format!("a bad digest '{text}': {e}"));
        self.digests.iter().map(read).collect()
    }
}

/// What one erasure did, with the tombstone to record when it did anything.
pub(crate) struct Erased {
    result: ErasureResult,
    tombstone: Option<Tombstone>,
}

impl Engine {
    /// Erases the profile of `input.customer` (docs/identity.md, "Erasure"): in memory at once,
    /// and on a durable engine from the store's files before it returns. An unknown customer
    /// erases nothing and answers zeros. `INVALID_ARGUMENT` for an empty or oversized id, or
    /// (`recoverTo: "checkpoint"`) when the last change was not a checkpoint. `IO_ERROR` when the
    /// store's rewrite fails (a full disk): unlike other calls, an erasure that was applied and
    /// journaled then answers an error, because its bytes are still on disk; the next automatic
    /// snapshot, `close`, `erase` or open completes it.
    pub fn erase(&self, input: &ErasureInput) -> Result<ErasureResult> {
        self.check_identifier(&input.customer)?;
        self.expire()?;
        let apply = || {
            if let Some(journal) = &self.journal {
                journal.check_erasure()?;
            }
            let members = self.profile_of(&input.customer, None).members;
            Ok(self.erase_members(&members, input.erase_forget))
        };
        let record = |erased: &Erased| erased.tombstone.clone().map(Change::Erased);
        let (erased, seq) = self.change_exclusive(Some(self.stamp()), apply, record)?;
        self.settle(seq)?;
        self.complete_erasure()?;
        Ok(erased.result)
    }

    /// Rewrites the store without what an erasure removed, when one is waiting for it (it failed
    /// before, or just happened): a snapshot now, older files deleted.
    fn complete_erasure(&self) -> Result<()> {
        let Some(journal) = &self.journal else { return Ok(()) };
        let _passage = self.gate.snapshot();
        journal.complete_erasure(self)
    }

    /// Removes everything held about `members`; the caller holds the gate exclusively.
    fn erase_members(&self, members: &[Customer], forget: bool) -> Erased {
        let set: HashSet<&Customer> = members.iter().collect();
        let mut held: HashSet<Customer> = HashSet::new();
        let mut events = 0;
        for member in members {
            if let Some(cookie) = browser(member)
                && !self.actions.take_owned_by(cookie).is_empty()
            {
                held.insert(member.clone());
            }
            if let Some(sessions) = self.store.erase_customer(member, forget) {
                events += sessions.iter().map(|session| session.events.len() as u64).sum::<u64>();
                held.insert(member.clone());
            }
        }
        {
            let mut graph = self.identity.write();
            held.extend(members.iter().filter(|member| graph.names(member)).cloned());
            graph.forget(members, |at| self.identity_rules(at));
        }
        held.extend(self.agents.forget_marked(&set));
        held.extend(self.outbox.forget(&set));
        // Deliveries are not state a journal keeps (subscriptions are code), so they do not count.
        self.actions.forget_deliveries(&set);
        self.due.remove(&set);
        let result = ErasureResult { customers_erased: held.len() as u64, events_erased: events };
        self.counters.add(Counter::CustomersErased, result.customers_erased);
        self.counters.add(Counter::EventsErased, result.events_erased);
        let digests: Vec<Digest> = members.iter().map(|member| self.digest_key.digest_identifier(member)).collect();
        let tombstone = (result.customers_erased > 0).then(|| Tombstone::new(&digests, forget));
        Erased { result, tombstone }
    }

    /// Applies a tombstone read back from the journal: finds the identifiers it names by their
    /// digests, wherever the engine holds one, and erases them as the live call did.
    pub(crate) fn replay_erasure(&self, tombstone: &Tombstone) -> Applied {
        let digests = tombstone.digests()?;
        let mut found: HashSet<Customer> = HashSet::new();
        let mut consider = |candidate: &Customer| {
            if !found.contains(candidate) && digests.contains(&self.digest_key.digest_identifier(candidate)) {
                found.insert(candidate.clone());
            }
        };
        self.store.each_customer(|sessions| consider(&sessions.customer));
        self.identity.read().identifiers().for_each(&mut consider);
        self.agents.each_marked(&mut consider);
        self.outbox.each_customer(&mut consider);
        let mut cookies = Vec::new();
        self.actions.each_owner(|cookie| cookies.push(Customer::new(cookie.to_string(), IdType::Cookie)));
        cookies.iter().for_each(&mut consider);
        let mut members: Vec<Customer> = found.into_iter().collect();
        members.sort_by(crate::state::identity::canonical_cmp);
        match self.erase_members(&members, tombstone.forget).tombstone {
            Some(_) => Ok(()),
            None => Err("an erasure found nothing to erase on replay".into()),
        }
    }
}

/// A cookie customer's UUID: web actions belong to cookies, by their UUID.
fn browser(customer: &Customer) -> Option<Uuid> {
    (customer.id_type == IdType::Cookie).then(|| Uuid::try_parse(&customer.id).ok()).flatten()
}
