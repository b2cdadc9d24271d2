//! Carrying out what evaluation decided at an accepted event (docs/orchestration.md, "Firing"),
//! inside the change that stored the event: a web action recorded as `qualified` (then
//! `frequencyCapReached` or `qualifiedOutsideSchedule` when a cap or the schedule stopped it),
//! a custom event sent to an agent's queue, a `callback` queued for the `trigger:` subscribers,
//! who are told once the change has settled. Both use the state-level calls, never the public ones
//! that journal their own records: the event's record is the firing's record, so a replay of the
//! event replays the firing, and nothing else does.

use crate::base::error::Result;
use crate::base::time::{Millis, format_millis};
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::model::config::CustomEventDelivery;
use crate::model::event::Customer;
use crate::model::orchestration::ActionMediaType;
use crate::state::action::{ActionEvent, ActionState, MediaType, Notification, Trigger};
use crate::state::agent::{CustomEventRequest, OutboxEntry};
use crate::state::orchestration::{Decisions, Firing, Verdict};
use crate::state::session::Orchestrate;
use crate::state::stats::Counter;
use serde_json::Value;
use uuid::Uuid;

/// What subscribers are told once the change has settled.
#[derive(Debug, Default)]
pub(crate) struct Notices {
    /// Web action state changes and map firings, in order.
    pub notifications: Vec<Notification>,
}

impl Engine {
    /// Carries out `decisions` for `customer`'s event, or for a clock move that found the
    /// customer's activations due (`due`: the earliest due time); returns what subscribers must
    /// be told.
    pub(crate) fn carry_out(&self, customer: &Customer, decisions: &Decisions, due: Option<Millis>) -> Notices {
        let mut notices = Notices::default();
        if let Some(due) = decisions.next_due {
            self.due.add(due, customer.clone());
        }
        self.count_decisions(decisions);
        for firing in &decisions.firings {
            match firing.map.action.media_type {
                media if media.is_web_action() => self.record_web_action(customer, firing, &mut notices),
                ActionMediaType::CustomEvent if firing.verdict == Verdict::Fired => {
                    self.send_from_map(customer, firing, due)
                }
                ActionMediaType::Callback if firing.verdict == Verdict::Fired => {
                    notices.notifications.extend(trigger(customer, firing).map(Notification::Trigger));
                }
                _ => {}
            }
        }
        notices
    }

    /// Counts what evaluation decided.
    fn count_decisions(&self, decisions: &Decisions) {
        let count = |keep: &dyn Fn(&Firing) -> bool| decisions.firings.iter().filter(|f| keep(f)).count() as u64;
        self.counters.add(Counter::SegmentsAssigned, decisions.segments_assigned);
        self.counters.add(Counter::OutcomesAchieved, decisions.outcomes_achieved);
        self.counters.add(Counter::ActionMapsQualified, count(&|f| !f.activated_later));
        self.counters.add(Counter::ActionMapsFired, count(&|f| f.verdict == Verdict::Fired));
        let capped = |f: &Firing| matches!(f.verdict, Verdict::Capped | Verdict::OutsideSchedule);
        self.counters.add(Counter::ActionMapsCapped, count(&capped));
    }

    /// Records a map's web action: `qualified`, then the state a cap or the schedule set.
    fn record_web_action(&self, customer: &Customer, firing: &Firing, notices: &mut Notices) {
        let now = firing.at;
        let (Some(action_id), Some(media)) = (firing.action_id, MediaType::of_map(firing.map.action.media_type)) else {
            return;
        };
        let mut states = vec![ActionState::Qualified];
        match firing.verdict {
            Verdict::Capped => states.push(ActionState::FrequencyCapReached),
            Verdict::OutsideSchedule => states.push(ActionState::QualifiedOutsideSchedule),
            Verdict::Fired | Verdict::Outweighed | Verdict::Waiting | Verdict::Withdrawn => {}
        }
        // Map ids are UUIDs, and only a cookie customer (whose id is one) is offered a web action.
        let (Ok(map_id), Ok(customer_id)) = (Uuid::try_parse(&firing.map_id), Uuid::try_parse(&customer.id)) else {
            return;
        };
        for state in states {
            // Built as the lifecycle would read it from the host's JSON, without the JSON.
            let event = ActionEvent {
                action_id,
                action_state: state,
                action_media_type: media,
                action_map_id: map_id,
                action_map_version: firing.version,
                customer_id,
                customer_id_type: "cookie".into(),
                session_id: firing.session_id,
                error_code: None,
                error_message: None,
                created_date: format_millis(now),
            };
            // The action id is new to this session and map version, and the moves are the
            // lifecycle's first ones: applying cannot fail, and a failure changes nothing.
            if let Ok((event, record)) = self.actions.apply_event(event, now)
                && !record.duplicate
            {
                notices.notifications.push(Notification::Action(event));
            }
        }
    }

    /// Sends a map's custom event to its agent: to this engine's queues, or, in a partition, to
    /// the outbox the host forwards to the agent's partition (docs/orchestration.md, "Partitions").
    fn send_from_map(&self, customer: &Customer, firing: &Firing, due: Option<Millis>) {
        let now = firing.at;
        let Some(agent_id) = &firing.agent_id else { return };
        let action = &firing.map.action;
        let data = match &action.data {
            None => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        let request = CustomEventRequest::new(
            agent_id.clone(),
            action.event_name.clone().unwrap_or_default(),
            data,
            action.persist_in_memory.unwrap_or_default(),
        );
        if self.config.orchestration.custom_events == CustomEventDelivery::Outbox {
            let entry = OutboxEntry {
                sequence: 0,
                request,
                action_map_id: firing.map_id.to_string(),
                action_map_version: firing.version,
                session_id: firing.session_id,
                customer: customer.clone(),
                event_id: firing.event_id,
                fired_date: format_millis(now),
                due_date: due.map(format_millis),
            };
            if self.outbox.push(entry).is_none() {
                self.counters.add(Counter::CustomEventsDropped, 1);
            }
            return;
        }
        // A map's custom event is about the customer it fired for: marked so, erasure reaches it.
        let request = CustomEventRequest { customer: Some(customer.clone()), ..request };
        // A refused send (data over the limit, a full queue) is the send's own outcome, counted
        // by the queues as for any sender.
        let _ = self.agents.send(&request, now, self.limits(), &self.counters);
    }

    /// The least time between two offers of one media type in a session.
    pub(crate) fn min_offer_gap(&self) -> Millis {
        self.config.orchestration.min_offer_gap.as_millis()
    }

    /// Fires the delayed activations due at `now`, as its own change (journaled as
    /// `orchestrationDue`, which replay applies at the same time), then tells the subscribers.
    pub(crate) fn fire_due_activations(&self, now: Millis) -> Result<()> {
        if !self.due.any_due(now) {
            return Ok(());
        }
        let fire = || Ok(self.fire_due_through(now));
        // Recorded when an activation came due (fired or withdrawn): the state changed. Visiting
        // only stale entries changed nothing, and is not recorded.
        let record = |(_, due): &(Notices, usize)| (*due > 0).then_some(Change::OrchestrationDue { through: now });
        let ((notices, _), seq) = self.change(Some(now), fire, record)?;
        self.settle(seq)?;
        self.notify(notices);
        Ok(())
    }

    /// Fires what is due at `now` in every customer the due index names; returns what
    /// subscribers must be told and how many activations came due.
    pub(crate) fn fire_due_through(&self, now: Millis) -> (Notices, usize) {
        let customers = self.due.take_through(now);
        let rejected = |action_id| self.actions.is_rejected(action_id);
        let with = Orchestrate {
            rules: self.rules.current(),
            now,
            min_offer_gap: self.min_offer_gap(),
            rejected: &rejected,
            event_side: None,
        };
        let (mut notices, mut due) = (Notices::default(), 0);
        for (due_at, customer) in customers {
            let decisions = {
                let mut shard = self.store.customer_shard(customer.id_type, &customer.id);
                let Some(sessions) = shard.get_mut(customer.id_type, &customer.id) else { continue };
                sessions.fire_due(&self.catalog, &with)
            };
            due += decisions.activations_due;
            notices.notifications.extend(self.carry_out(&customer, &decisions, Some(due_at)).notifications);
        }
        (notices, due)
    }

    /// Tells subscribers what a settled change did.
    pub(crate) fn notify(&self, notices: Notices) {
        for notification in &notices.notifications {
            self.actions.notify(notification, &self.counters);
        }
    }
}

/// What a `callback` map's subscribers receive (map ids are UUIDs: puts refuse others).
fn trigger(customer: &Customer, firing: &Firing) -> Option<Trigger> {
    Some(Trigger {
        action_map_id: uuid::Uuid::try_parse(&firing.map_id).ok()?,
        version: firing.version,
        session_id: firing.session_id,
        customer: customer.clone(),
        event_id: firing.event_id,
        fired_date: format_millis(firing.at),
    })
}
