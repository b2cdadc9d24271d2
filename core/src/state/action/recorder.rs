//! Subscriptions without code: a subscription made through [`crate::Engine::call`] cannot carry a
//! callback, so it records what it receives under a label, read back with `deliveries`.
//!
//! Each label keeps its newest [`DELIVERIES_KEPT`] events, so a recorder nobody reads cannot grow
//! without bound.

use super::notification::Notification;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// Events kept per label; older ones are dropped first.
pub const DELIVERIES_KEPT: usize = 10_000;

/// Recorded action events, by label.
#[derive(Default, Clone)]
pub(crate) struct Recorder {
    labels: Arc<Mutex<HashMap<String, VecDeque<Value>>>>,
}

impl Recorder {
    /// A callback that records each event it receives under `label`.
    pub fn sink(&self, label: &str) -> impl Fn(&Notification) -> Result<(), String> + Send + Sync + 'static {
        let (labels, label) = (self.labels.clone(), label.to_owned());
        self.lock().entry(label.clone()).or_default();
        move |event: &Notification| {
            let value = serde_json::to_value(event).map_err(|e| e.to_string())?;
            let mut labels = labels.lock().unwrap_or_else(PoisonError::into_inner);
            let events = labels.entry(label.clone()).or_default();
            if events.len() == DELIVERIES_KEPT {
                events.pop_front();
            }
            events.push_back(value);
            Ok(())
        }
    }

    /// The events recorded under `label`, oldest first (none for an unknown label).
    pub fn read(&self, label: &str) -> Vec<Value> {
        self.lock().get(label).map(|events| events.iter().cloned().collect()).unwrap_or_default()
    }

    /// Removes the recorded events that name one of `members` as their customer (erasure): an
    /// action event's `customerId` and `customerIdType`, a map firing's `customer`. Returns how
    /// many.
    pub fn forget(&self, members: &std::collections::HashSet<&crate::model::event::Customer>) -> usize {
        let names = |event: &Value| {
            let (id, id_type) = match event.get("customer") {
                Some(customer) => (customer.get("id"), customer.get("idType")),
                None => (event.get("customerId"), event.get("customerIdType")),
            };
            let id_type = id_type.and_then(Value::as_str).and_then(crate::model::event::IdType::parse);
            match (id.and_then(Value::as_str), id_type) {
                (Some(id), Some(id_type)) => members.contains(&crate::model::event::Customer::new(id, id_type)),
                _ => false,
            }
        };
        let mut removed = 0;
        for events in self.lock().values_mut() {
            let before = events.len();
            events.retain(|event| !names(event));
            removed += before - events.len();
        }
        removed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Value>>> {
        self.labels.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
