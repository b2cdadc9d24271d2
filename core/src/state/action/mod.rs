//! Web action events (SPEC §6): the lifecycle of web chats, web messaging and content offers, and
//! `on` / `once` / `off` subscriptions to their state changes.
//!
//! Recording an event stores the new state under a shard lock, then calls the matching callbacks
//! with no lock held: a callback may subscribe, unsubscribe or record another event without
//! deadlocking. Callbacks run on the recording thread, in subscription order. A callback that
//! returns an error or panics is counted in `stats().callbackFailures`; the others still run.
//! A subscription made inside a callback sees the *next* event, not the one being delivered.

mod event;
mod lifecycle;
mod notification;
mod recorder;
mod subscription;

pub use event::ActionEvent;
pub use lifecycle::{ActionState, MediaType, Move, check_move, next_states};
pub use notification::{Notification, Trigger};
pub use recorder::DELIVERIES_KEPT;
pub use subscription::{Callback, Pattern, SubscriptionId};

use crate::base::error::{JourneyError, Result};
use crate::base::shard::{FastMap, Sharded};
use crate::base::time::Millis;
use crate::state::stats::{Counter, Counters};
use serde::{Deserialize, Serialize};
use subscription::Subscriptions;
use uuid::Uuid;

/// One action as a snapshot saves it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Saved {
    pub id: Uuid,
    pub media: MediaType,
    pub state: ActionState,
    pub changed: Millis,
}

/// The result of `record_action_event`: `{"actionId","actionState","previousState","duplicate"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActionRecord {
    /// The action.
    pub action_id: Uuid,
    /// Its state now.
    pub action_state: ActionState,
    /// Its state before (`null` for a new action).
    pub previous_state: Option<ActionState>,
    /// True when the event repeated the current state: nothing changed and no one was told.
    pub duplicate: bool,
}

/// An action's current state and when it last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub media: MediaType,
    pub state: ActionState,
    /// The engine time of the last change (for `actionRetention`).
    pub changed: Millis,
}

/// Every action's current state, and the subscriptions.
#[derive(Default)]
pub(crate) struct Actions {
    states: Sharded<FastMap<Uuid, Slot>>,
    subscriptions: Subscriptions,
    recorder: recorder::Recorder,
}

impl Actions {
    /// Checks an action event and stores its new state. The subscribers are told separately
    /// ([`Actions::notify`]), after the caller has let go of every lock: a callback may record
    /// another event.
    pub fn apply(&self, value: &serde_json::Value, now: Millis) -> Result<(ActionEvent, ActionRecord)> {
        let event = ActionEvent::from_value(value, now)?;
        let mut states = self.states.lock(&event.action_id);
        let current = states.get(&event.action_id).copied();
        if let Some(slot) = current
            && slot.media != event.action_media_type
        {
            return Err(JourneyError::invalid_argument(format!(
                "actionMediaType of action {} is {}, not {}",
                event.action_id,
                slot.media.as_str(),
                event.action_media_type.as_str()
            )));
        }
        let previous_state = current.map(|slot| slot.state);
        let movement = check_move(event.action_media_type, previous_state, event.action_state)?;
        if movement == Move::Changed {
            let slot = Slot { media: event.action_media_type, state: event.action_state, changed: now };
            states.insert(event.action_id, slot);
        }
        let record = ActionRecord {
            action_id: event.action_id,
            action_state: event.action_state,
            previous_state,
            duplicate: movement == Move::Repeated,
        };
        Ok((event, record))
    }

    /// Whether the action is now `rejected` (orchestration's frequency caps read it).
    pub fn is_rejected(&self, id: Uuid) -> bool {
        self.states.lock(&id).get(&id).is_some_and(|slot| slot.state == ActionState::Rejected)
    }

    /// The number of actions with a state.
    pub fn count(&self) -> usize {
        let mut count = 0;
        self.states.each(|shard| count += shard.len());
        count
    }

    /// Calls `visit` on every action's state, as a snapshot stores it.
    pub fn each(&self, mut visit: impl FnMut(Saved)) {
        self.states.each(|shard| {
            for (id, slot) in shard.iter() {
                visit(Saved { id: *id, media: slot.media, state: slot.state, changed: slot.changed });
            }
        });
    }

    /// Puts back an action read from a snapshot.
    pub fn restore(&self, part: Saved) {
        let slot = Slot { media: part.media, state: part.state, changed: part.changed };
        self.states.lock(&part.id).insert(part.id, slot);
    }

    /// Evicts every action in a terminal state whose last change is before `cutoff`; returns how
    /// many. A later event for an evicted action starts it afresh (`qualified` or `offered`).
    pub fn evict_before(&self, cutoff: Millis) -> u64 {
        let mut evicted = 0;
        self.states.each(|shard| {
            shard.retain(|_, slot| {
                let expired = slot.changed < cutoff && next_states(slot.media, slot.state).is_empty();
                evicted += expired as u64;
                !expired
            })
        });
        evicted
    }

    /// Calls the subscribers of a state change or a map firing, counting the callbacks that fail.
    pub fn notify(&self, event: &Notification, counters: &Counters) {
        counters.add(Counter::CallbackFailures, self.subscriptions.notify(event));
    }

    /// Subscribes `callback` to events matching `pattern`, every time or only `once`.
    pub fn subscribe(&self, pattern: &str, once: bool, callback: Callback) -> Result<SubscriptionId> {
        Ok(self.subscriptions.add(Pattern::parse(pattern)?, once, callback))
    }

    /// Subscribes a recorder that keeps what it receives under `label` (see [`Actions::deliveries`]).
    pub fn subscribe_labelled(&self, pattern: &str, label: &str, once: bool) -> Result<SubscriptionId> {
        let pattern = Pattern::parse(pattern)?;
        Ok(self.subscriptions.add(pattern, once, std::sync::Arc::new(self.recorder.sink(label))))
    }

    /// The action events recorded under `label`, in the order they were received.
    pub fn deliveries(&self, label: &str) -> Vec<serde_json::Value> {
        self.recorder.read(label)
    }

    /// Removes a subscription; removing one that is gone (or fired, for `once`) does nothing.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.subscriptions.remove(id);
    }
}
