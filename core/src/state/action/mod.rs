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
    /// Whose action it is (snapshot format 4 on; `None` from older snapshots).
    pub owner: Option<Owner>,
}

/// One action as snapshot formats 1 to 3 saved it, before actions kept their owner.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct SavedWithoutOwner {
    pub id: Uuid,
    pub media: MediaType,
    pub state: ActionState,
    pub changed: Millis,
}

impl From<SavedWithoutOwner> for Saved {
    fn from(old: SavedWithoutOwner) -> Saved {
        Saved { id: old.id, media: old.media, state: old.state, changed: old.changed, owner: None }
    }
}

/// What an action's first event said it belongs to: the map that made it, the customer and the
/// web session. A later event of the action may leave these out (Genesys' `ActionEventRequest`
/// carries only the action id and its state): they are filled in from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Owner {
    pub map_id: Uuid,
    pub map_version: u64,
    pub customer_id: Uuid,
    pub session_id: Uuid,
}

/// The fields an action's first event must give and a later one may leave out.
const OWNER_FIELDS: [&str; 6] =
    ["actionMediaType", "actionMapId", "actionMapVersion", "customerId", "customerIdType", "sessionId"];

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
    /// Whose it is (`None` for an action restored from a snapshot older than format 4).
    pub owner: Option<Owner>,
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
    /// An event of an action already recorded may leave out the fields its first event gave
    /// ([`Owner`] and the media type): they are the action's.
    pub fn apply(&self, value: &serde_json::Value, now: Millis) -> Result<(ActionEvent, ActionRecord)> {
        let completed = self.completed(value)?;
        let event = ActionEvent::from_value(completed.as_ref().unwrap_or(value), now)?;
        self.apply_event(event, now)
    }

    /// Stores the new state of an action event already read and complete (what
    /// [`Actions::apply`] makes of its JSON, or what an action map that fired builds itself):
    /// the move is checked against the action's state, as for any event.
    pub fn apply_event(&self, event: ActionEvent, now: Millis) -> Result<(ActionEvent, ActionRecord)> {
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
            let owner = current.and_then(|slot| slot.owner).unwrap_or(Owner {
                map_id: event.action_map_id,
                map_version: event.action_map_version,
                customer_id: event.customer_id,
                session_id: event.session_id,
            });
            let slot =
                Slot { media: event.action_media_type, state: event.action_state, changed: now, owner: Some(owner) };
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

    /// `value` with the fields it leaves out filled in from its action, when it names one already
    /// recorded; `None` when it gives them all (or names no valid action id, which the checks
    /// then name). `UNKNOWN_ACTION` when it leaves them out and its action is unknown, or when
    /// it names the action with another customer, session or map than the action's own: an
    /// action is changed only by who knows whose it is.
    fn completed(&self, value: &serde_json::Value) -> Result<Option<serde_json::Value>> {
        let Some(fields) = value.as_object() else { return Ok(None) };
        let Some(id) = fields.get("actionId").and_then(|v| v.as_str()).and_then(|id| Uuid::try_parse(id).ok()) else {
            return Ok(None);
        };
        let whole = OWNER_FIELDS.iter().all(|field| fields.contains_key(*field));
        let known = self.states.lock(&id).get(&id).and_then(|slot| slot.owner.map(|owner| (slot.media, owner)));
        let Some((media, owner)) = known else {
            if whole {
                return Ok(None);
            }
            let missing = OWNER_FIELDS.iter().find(|field| !fields.contains_key(**field)).copied().unwrap_or_default();
            return Err(JourneyError::UnknownAction(format!(
                "action {id} has no earlier event to take {missing} from: its first event must give every field"
            )));
        };
        let known = serde_json::json!({
            "actionMediaType": media.as_str(),
            "actionMapId": owner.map_id,
            "actionMapVersion": owner.map_version,
            "customerId": owner.customer_id,
            "customerIdType": "cookie",
            "sessionId": owner.session_id,
        });
        for field in ["actionMapId", "customerId", "sessionId"] {
            let given = fields.get(field).and_then(|v| v.as_str()).and_then(|text| Uuid::try_parse(text).ok());
            if given.is_some_and(|given| Some(given.to_string().as_str()) != known[field].as_str()) {
                return Err(JourneyError::UnknownAction(format!("action {id} has another {field}")));
            }
        }
        let version = fields.get("actionMapVersion").and_then(|v| v.as_u64());
        if version.is_some_and(|version| version != owner.map_version) {
            return Err(JourneyError::UnknownAction(format!("action {id} has another actionMapVersion")));
        }
        if whole {
            return Ok(None);
        }
        let mut filled = fields.clone();
        for (field, value) in known.as_object().into_iter().flatten() {
            filled.entry(field.clone()).or_insert_with(|| value.clone());
        }
        Ok(Some(serde_json::Value::Object(filled)))
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
                visit(Saved {
                    id: *id,
                    media: slot.media,
                    state: slot.state,
                    changed: slot.changed,
                    owner: slot.owner,
                });
            }
        });
    }

    /// Takes out every action `customer` (a cookie's UUID) owns, as a snapshot saves them: a state
    /// move carries a customer's actions with its sessions, where the caps read them.
    pub fn take_owned_by(&self, customer: Uuid) -> Vec<Saved> {
        let mut taken = Vec::new();
        self.states.each(|shard| {
            shard.retain(|id, slot| {
                let owned = slot.owner.is_some_and(|owner| owner.customer_id == customer);
                if owned {
                    taken.push(Saved {
                        id: *id,
                        media: slot.media,
                        state: slot.state,
                        changed: slot.changed,
                        owner: slot.owner,
                    });
                }
                !owned
            })
        });
        taken
    }

    /// Whether an action of this id has a state.
    pub fn contains(&self, id: Uuid) -> bool {
        self.states.lock(&id).contains_key(&id)
    }

    /// Puts back an action read from a snapshot.
    pub fn restore(&self, part: Saved) {
        let slot = Slot { media: part.media, state: part.state, changed: part.changed, owner: part.owner };
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

    /// Removes the recorded deliveries that name one of `members` (erasure); returns how many.
    pub fn forget_deliveries(&self, members: &std::collections::HashSet<&crate::model::event::Customer>) -> usize {
        self.recorder.forget(members)
    }

    /// Calls `visit` on the cookie (its UUID) of every action that has an owner.
    pub fn each_owner(&self, mut visit: impl FnMut(Uuid)) {
        self.states.each(|shard| shard.values().filter_map(|slot| slot.owner).for_each(|o| visit(o.customer_id)));
    }

    /// Removes a subscription; removing one that is gone (or fired, for `once`) does nothing.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.subscriptions.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACTION: &str = "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11";

    fn first() -> serde_json::Value {
        json!({"actionId": ACTION, "actionState": "qualified", "actionMediaType": "webchat",
            "actionMapId": "00000000-0000-4000-8000-000000000001", "actionMapVersion": 3,
            "customerId": "00000000-0000-4000-8000-000000000002", "customerIdType": "cookie",
            "sessionId": "00000000-0000-4000-8000-000000000003"})
    }

    #[test]
    fn a_later_event_may_name_only_the_action_and_its_state() {
        let actions = Actions::default();
        actions.apply(&first(), 1_000).unwrap();
        let (event, record) = actions.apply(&json!({"actionId": ACTION, "actionState": "offered"}), 2_000).unwrap();
        assert_eq!(record.previous_state, Some(ActionState::Qualified));
        assert_eq!((event.action_map_version, event.action_media_type), (3, MediaType::Webchat));
        assert_eq!(event.customer_id.to_string(), "00000000-0000-4000-8000-000000000002", "the action's, filled in");
        // A later event naming another session, customer or map is not this action's.
        let elsewhere = json!({"actionId": ACTION, "actionState": "accepted",
            "sessionId": "00000000-0000-4000-8000-0000000000ee"});
        assert_eq!(actions.apply(&elsewhere, 3_000).unwrap_err().code(), "UNKNOWN_ACTION");
        let mut whole = first();
        whole["actionState"] = json!("accepted");
        whole["customerId"] = json!("00000000-0000-4000-8000-0000000000ee");
        assert_eq!(actions.apply(&whole, 3_000).unwrap_err().code(), "UNKNOWN_ACTION");
        whole["customerId"] = first()["customerId"].clone();
        whole["actionMapVersion"] = json!(4);
        assert_eq!(actions.apply(&whole, 3_000).unwrap_err().code(), "UNKNOWN_ACTION");
        // What a later event gives still counts: a wrong media type is refused.
        let other = json!({"actionId": ACTION, "actionState": "accepted", "actionMediaType": "contentoffer"});
        assert_eq!(actions.apply(&other, 3_000).unwrap_err().code(), "INVALID_ARGUMENT");
        // An action never recorded must get every field first.
        let unknown = json!({"actionId": "00000000-0000-4000-8000-0000000000ff", "actionState": "offered"});
        let error = actions.apply(&unknown, 3_000).unwrap_err();
        assert_eq!(error.code(), "UNKNOWN_ACTION");
        assert!(error.to_string().contains("actionMediaType"), "{error}");
        // The owner travels through a snapshot's parts.
        let mut saved = Vec::new();
        actions.each(|part| saved.push(part));
        let restored = Actions::default();
        saved.into_iter().for_each(|part| restored.restore(part));
        assert!(restored.apply(&json!({"actionId": ACTION, "actionState": "accepted"}), 4_000).is_ok());
        // An action restored from a snapshot before owners were kept needs every field again.
        let old = Actions::default();
        let part = SavedWithoutOwner {
            id: Uuid::parse_str(ACTION).unwrap(),
            media: MediaType::Webchat,
            state: ActionState::Qualified,
            changed: 0,
        };
        old.restore(part.into());
        assert_eq!(
            old.apply(&json!({"actionId": ACTION, "actionState": "offered"}), 1).unwrap_err().code(),
            "UNKNOWN_ACTION"
        );
        let mut full = first();
        full["actionState"] = json!("offered");
        assert!(old.apply(&full, 1).is_ok());
    }
}
