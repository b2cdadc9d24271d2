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
mod recorder;
mod subscription;

pub use event::ActionEvent;
pub use lifecycle::{ActionState, MediaType, Move, check_move, next_states};
pub use recorder::DELIVERIES_KEPT;
pub use subscription::{Callback, Pattern, SubscriptionId};

use crate::error::{JourneyError, Result};
use crate::shard::{FastMap, Sharded};
use crate::stats::{Counter, Counters};
use crate::time::Millis;
use serde::Serialize;
use subscription::Subscriptions;
use uuid::Uuid;

/// The result of `record_action_event`: `{"actionId","actionState","previousState","duplicate"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Every action's current state, and the subscriptions.
#[derive(Default)]
pub(crate) struct Actions {
    states: Sharded<FastMap<Uuid, (MediaType, ActionState)>>,
    subscriptions: Subscriptions,
    recorder: recorder::Recorder,
}

impl Actions {
    /// Checks and stores an action event, then notifies the subscribers.
    pub fn record(&self, value: &serde_json::Value, now: Millis, counters: &Counters) -> Result<ActionRecord> {
        let event = ActionEvent::from_value(value, now)?;
        let (previous_state, movement) = {
            let mut states = self.states.lock(&event.action_id);
            let current = states.get(&event.action_id).copied();
            if let Some((media, _)) = current
                && media != event.action_media_type
            {
                return Err(JourneyError::invalid_argument(format!(
                    "actionMediaType of action {} is {}, not {}",
                    event.action_id,
                    media.as_str(),
                    event.action_media_type.as_str()
                )));
            }
            let previous = current.map(|(_, state)| state);
            let movement = check_move(event.action_media_type, previous, event.action_state)?;
            states.insert(event.action_id, (event.action_media_type, event.action_state));
            (previous, movement)
        };
        if movement == Move::Changed {
            let failures = self.subscriptions.notify(&event);
            counters.add(Counter::CallbackFailures, failures);
        }
        Ok(ActionRecord {
            action_id: event.action_id,
            action_state: event.action_state,
            previous_state,
            duplicate: movement == Move::Repeated,
        })
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
