//! Evaluation of an event the customer's sessions just took, under the same lock
//! (docs/orchestration.md, "Where it runs"): what the rules read of the event, its session and
//! the customer's other sessions, and the customer's orchestration state kept beside them.

use super::{Applied, CustomerSessions, Session};
use crate::base::time::Millis;
use crate::model::catalog::{Catalog, EventType};
use crate::model::validate::CheckedEvent;
use crate::state::orchestration::{self, Compiled, Decisions, EventSide, Facts, Scalar, SessionState, Surroundings};
use std::sync::Arc;
use uuid::Uuid;

/// What evaluation is given from outside the customer.
pub(crate) struct Orchestrate<'a> {
    /// The rules in force at the event's place (read once the event may be stored).
    pub rules: Arc<Compiled>,
    /// The engine's time, when the event is evaluated.
    pub now: Millis,
    /// The least time between two offers of one media type in a session.
    pub min_offer_gap: Millis,
    /// Whether a web action is now `rejected`.
    pub rejected: &'a dyn Fn(Uuid) -> bool,
    /// The event's half of matching, when it ran before the event's turn under `rules`
    /// ([`event_side`]).
    pub event_side: Option<&'a [u32]>,
}

/// The event being stored, as criteria read it: its own attributes only.
struct Sent<'e, 'j, 'a> {
    event: &'e CheckedEvent<'j, 'a>,
    event_type: &'e EventType,
}

impl<'e, 'j, 'a> Sent<'e, 'j, 'a> {
    fn new(catalog: &'e Catalog, event: &'e CheckedEvent<'j, 'a>) -> Self {
        Sent { event, event_type: catalog.event_type(event.session_type, event.event_type) }
    }
}

impl Facts for Sent<'_, '_, '_> {
    fn event_attribute(&self, index: usize, _name: &str) -> Option<Scalar<'_>> {
        let (_, value) = self.event.attributes.iter().find(|(i, _)| *i == index)?;
        Scalar::of_json(value)
    }

    fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
        match self.event_type.attribute_index(name) {
            Some(index) => self.event_attribute(index, name),
            None => self.event.extra_attributes.iter().find(|(n, _)| *n == name).and_then(|(_, v)| Scalar::of_json(v)),
        }
    }

    /// Never asked: the event's half of matching reads no session attribute.
    fn session_attribute(&self, _slot: usize, _name: &str) -> Option<Scalar<'static>> {
        None
    }
}

/// The event being stored, and its session, as criteria read them.
struct Live<'e, 'j, 'a> {
    sent: Sent<'e, 'j, 'a>,
    session: &'e Session,
}

impl Facts for Live<'_, '_, '_> {
    fn event_attribute(&self, index: usize, name: &str) -> Option<Scalar<'_>> {
        self.sent.event_attribute(index, name)
    }

    fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
        self.sent.attribute(name)
    }

    fn session_attribute(&self, slot: usize, name: &str) -> Option<Scalar<'static>> {
        Scalar::of_value(&self.session.attribute(slot, name)?)
    }
}

/// The event's half of matching an event that passed its stateless checks against `rules`: what
/// its own attributes decide, computed on any thread before its turn (a batch's stage 1), so that
/// evaluation in its turn runs only the tests on its session.
pub(crate) fn event_side(rules: &Compiled, catalog: &Catalog, event: &CheckedEvent<'_, '_>) -> EventSide {
    if rules.counted(event.session_type, event.event_type).is_empty() {
        return EventSide::new();
    }
    rules.event_side(event.session_type, event.event_type, &Sent::new(catalog, event))
}

impl CustomerSessions {
    /// Evaluates the event `applied` just stored against the rules, changing the customer's
    /// orchestration state; returns what was decided, for the engine to carry out.
    pub fn orchestrate(
        &mut self,
        catalog: &Catalog,
        applied: &Applied,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
        with: &Orchestrate<'_>,
    ) -> Decisions {
        let next_session_waits = applied.session_created
            && self.orchestration.as_ref().is_some_and(|state| state.pending.iter().any(|p| p.due.is_none()));
        if !next_session_waits && !orchestration::may_act(&with.rules, event.session_type, event.event_type) {
            return Decisions::default();
        }
        if !next_session_waits
            && self.orchestration.is_none()
            && with.rules.counted(event.session_type, event.event_type).is_empty()
        {
            // Nothing held, nothing waiting, and nothing this event can count.
            return Decisions::default();
        }
        // A customer with nothing held is evaluated on a state on the stack, boxed only if it
        // keeps something: most events of such customers match nothing.
        let mut held = self.orchestration.take();
        let mut fresh = orchestration::CustomerState::default();
        let state = held.as_deref_mut().unwrap_or(&mut fresh);
        let mut decisions = self.evaluate(catalog, applied, event_id, event, with, state);
        decisions.next_due = state.next_due();
        let keep = !state.is_empty();
        self.orchestration = if held.is_some() { held.filter(|_| keep) } else { keep.then(|| Box::new(fresh)) };
        decisions
    }

    fn evaluate(
        &self,
        catalog: &Catalog,
        applied: &Applied,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
        with: &Orchestrate<'_>,
        state: &mut orchestration::CustomerState,
    ) -> Decisions {
        let Some(session) = self.sessions[applied.slot].as_ref() else { return Decisions::default() };
        let facts = Live { sent: Sent::new(catalog, event), session };
        let evaluated = orchestration::Event {
            event_id,
            time: event.time,
            session_id: session.id,
            session_type: event.session_type,
            event_type: event.event_type,
            session_start: session.first_time(),
            session_created: applied.session_created,
            cookie: &|| self.customer.is_browser(),
            now: with.now,
            facts: &facts,
            event_side: with.event_side,
        };
        let talked_to_agent = |from: Millis, to: Millis| self.talked_to_agent(from, to);
        let around = Surroundings {
            min_offer_gap: with.min_offer_gap,
            rejected: with.rejected,
            talked_to_agent: &talked_to_agent,
        };
        orchestration::evaluate(&with.rules, state, &evaluated, &around)
    }

    /// Fires the customer's delayed activations due at `with.now` (docs/orchestration.md,
    /// "Firing"): each in its session if that is still open, else withdrawn.
    pub fn fire_due(&mut self, catalog: &Catalog, with: &Orchestrate<'_>) -> Decisions {
        let Some(mut state) = self.orchestration.take() else { return Decisions::default() };
        let open = |session_id: Uuid| self.open_at(catalog, session_id, with.now);
        let talked_to_agent = |from: Millis, to: Millis| self.talked_to_agent(from, to);
        let around = Surroundings {
            min_offer_gap: with.min_offer_gap,
            rejected: with.rejected,
            talked_to_agent: &talked_to_agent,
        };
        let (firings, activations_due) = orchestration::fire_due(&with.rules, &mut state, with.now, &open, &around);
        let next_due = state.next_due();
        self.orchestration = (!state.is_empty()).then_some(state);
        Decisions { firings, next_due, activations_due, ..Decisions::default() }
    }

    /// When a session still open at `now` started: not ended by an event, and for a web session,
    /// not past its inactivity gap.
    fn open_at(&self, catalog: &Catalog, session_id: Uuid, now: Millis) -> Option<Millis> {
        let session = self.session(&session_id)?;
        let ty = catalog.session_type(session.session_type);
        let lapsed =
            ty.kind.ends_by_inactivity() && now >= session.last_time().saturating_add(ty.inactivity_gap.as_millis());
        (session.ended.is_none() && !lapsed).then(|| session.first_time())
    }

    /// What orchestration remembers about one of the customer's sessions.
    pub fn orchestrated(&self, session_id: Uuid) -> Option<&SessionState> {
        self.orchestration.as_ref()?.sessions.get(&session_id)
    }

    /// Whether one of the customer's conversations with an agent overlaps `[from, to]`.
    fn talked_to_agent(&self, from: Millis, to: Millis) -> bool {
        self.sessions.iter().flatten().any(|session| {
            let with_agent = session.conversation.as_ref().is_some_and(|c| c.last_agent.get().is_some());
            with_agent && session.first_time() <= to && session.last_time() >= from
        })
    }
}
