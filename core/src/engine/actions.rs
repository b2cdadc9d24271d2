//! Web actions on the engine (docs/architecture.md): recording an action event through the change
//! gate, and the `on` / `once` / `off` subscriptions. The lifecycle itself is `state::action`.

use crate::base::error::Result;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::state::action::{ActionEvent, ActionRecord, Callback, Notification, SubscriptionId};
use std::sync::Arc;

impl Engine {
    /// Records a web action event (README, "Agents and web actions") and, when the state changed,
    /// calls the subscribers.
    pub fn record_action_event(&self, event: &serde_json::Value) -> Result<ActionRecord> {
        self.expire()?;
        let now = self.stamp();
        let journal =
            |(_, record): &(ActionEvent, ActionRecord)| (!record.duplicate).then_some(Change::ActionEvent(event));
        let ((action, record), seq) = self.change(Some(now), || self.actions.apply(event, now), journal)?;
        self.settle(seq)?;
        if !record.duplicate {
            self.actions.notify(&Notification::Action(action), &self.counters);
        }
        Ok(record)
    }

    /// Calls `callback` for every notification matching `pattern`: web action state changes
    /// (`webchat:offered`, `all:errored`…) or the firings of action maps whose action is
    /// `callback` (`trigger:<mapId>`, `trigger:all`).
    pub fn on(
        &self,
        pattern: &str,
        callback: impl Fn(&Notification) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, false, Arc::new(callback))
    }

    /// Like [`Engine::on`], for the first matching event only.
    pub fn once(
        &self,
        pattern: &str,
        callback: impl Fn(&Notification) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, true, Arc::new(callback))
    }

    /// Subscribes an already shared callback (for bindings that keep their own handle).
    pub fn subscribe(&self, pattern: &str, once: bool, callback: Callback) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, once, callback)
    }

    /// Subscribes a recorder: the matching action events are kept under `label` (the newest
    /// [`crate::state::action::DELIVERIES_KEPT`]) and read with [`Engine::deliveries`]. This is how a caller
    /// with no callback to give, such as [`Engine::call`], subscribes.
    pub fn subscribe_labelled(&self, pattern: &str, label: &str, once: bool) -> Result<SubscriptionId> {
        self.actions.subscribe_labelled(pattern, label, once)
    }

    /// The action events a labelled subscription received, in order, in their JSON form.
    pub fn deliveries(&self, label: &str) -> Vec<serde_json::Value> {
        self.actions.deliveries(label)
    }

    /// Ends a subscription. Ending one that is gone, or a `once` that fired, does nothing.
    pub fn off(&self, subscription: SubscriptionId) {
        self.actions.unsubscribe(subscription)
    }
}
