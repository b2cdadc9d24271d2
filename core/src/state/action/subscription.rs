//! `on` / `once` / `off`: who is told about which action state changes and map firings.

use super::lifecycle::{ActionState, MediaType};
use super::notification::Notification;
use crate::base::error::{JourneyError, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// A subscriber. `Err` (an exception in a binding) and panics count as callback failures.
pub type Callback = Arc<dyn Fn(&Notification) -> std::result::Result<(), String> + Send + Sync>;

/// A subscription's id, for `off`.
pub type SubscriptionId = u64;

/// What a subscription listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `mediaType:state`, where either half may be `all`: web action state changes.
    Action {
        /// `None` matches every media type.
        media_type: Option<MediaType>,
        /// `None` matches every state.
        state: Option<ActionState>,
    },
    /// `trigger:<actionMapId>` or `trigger:all`: firings of action maps whose action is `callback`.
    Trigger {
        /// `None` matches every map.
        action_map_id: Option<Uuid>,
    },
}

impl Pattern {
    /// Reads `webchat:offered`, `webchat:all`, `all:errored`, `all:all`, `trigger:<mapId>` or
    /// `trigger:all`.
    pub fn parse(text: &str) -> Result<Pattern> {
        let bad =
            |why: String| JourneyError::invalid_argument(format!("pattern '{}': {why}", crate::base::text::clip(text)));
        let (media, state) =
            text.split_once(':').ok_or_else(|| bad("expected mediaType:state or trigger:<mapId>".into()))?;
        if media == "trigger" {
            let action_map_id = match state {
                "all" => None,
                id => Some(
                    Uuid::try_parse(id).map_err(|_| bad("expected trigger:all or trigger:<action map id>".into()))?,
                ),
            };
            return Ok(Pattern::Trigger { action_map_id });
        }
        let media_type = match media {
            "all" => None,
            _ => Some(
                MediaType::parse(media)
                    .ok_or_else(|| bad(format!("unknown media type '{}'", crate::base::text::clip(media))))?,
            ),
        };
        let state = match state {
            "all" => None,
            _ => Some(
                ActionState::parse(state)
                    .ok_or_else(|| bad(format!("unknown state '{}'", crate::base::text::clip(state))))?,
            ),
        };
        Ok(Pattern::Action { media_type, state })
    }

    /// Whether a notification matches.
    pub fn matches(&self, notification: &Notification) -> bool {
        match (self, notification) {
            (Pattern::Action { media_type, state }, Notification::Action(event)) => {
                media_type.is_none_or(|m| m == event.action_media_type) && state.is_none_or(|s| s == event.action_state)
            }
            (Pattern::Trigger { action_map_id }, Notification::Trigger(trigger)) => {
                action_map_id.is_none_or(|id| id == trigger.action_map_id)
            }
            _ => false,
        }
    }
}

struct Subscription {
    id: SubscriptionId,
    pattern: Pattern,
    once: bool,
    callback: Callback,
}

/// The subscriptions, in the order they were made.
#[derive(Default)]
pub(super) struct Subscriptions {
    list: Mutex<(SubscriptionId, Vec<Subscription>)>,
}

impl Subscriptions {
    pub fn add(&self, pattern: Pattern, once: bool, callback: Callback) -> SubscriptionId {
        let mut guard = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0 += 1;
        let id = guard.0;
        guard.1.push(Subscription { id, pattern, once, callback });
        id
    }

    pub fn remove(&self, id: SubscriptionId) {
        self.list.lock().unwrap_or_else(PoisonError::into_inner).1.retain(|s| s.id != id);
    }

    /// Calls every matching callback, in subscription order, with no lock held. A `once`
    /// subscription is removed before its call, so it fires once even when events race.
    /// Returns the number of callbacks that failed.
    pub fn notify(&self, event: &Notification) -> u64 {
        let due: Vec<Callback> = {
            let mut guard = self.list.lock().unwrap_or_else(PoisonError::into_inner);
            let due = guard.1.iter().filter(|s| s.pattern.matches(event)).map(|s| s.callback.clone()).collect();
            guard.1.retain(|s| !(s.once && s.pattern.matches(event)));
            due
        };
        due.iter().filter(|callback| !matches!(catch_unwind(AssertUnwindSafe(|| callback(event))), Ok(Ok(())))).count()
            as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(Pattern::parse("all:all").unwrap(), Pattern::Action { media_type: None, state: None });
        let offered = Pattern::parse("webchat:offered").unwrap();
        assert!(matches!(offered, Pattern::Action { state: Some(ActionState::Offered), .. }));
        assert_eq!(Pattern::parse("trigger:all").unwrap(), Pattern::Trigger { action_map_id: None });
        let map = "00000000-0000-4000-8000-0000000000a1";
        let one = Pattern::parse(&format!("trigger:{map}")).unwrap();
        assert_eq!(one, Pattern::Trigger { action_map_id: Some(Uuid::parse_str(map).unwrap()) });
        for bad in ["webchat", "chat:all", "all:done", "", "webchat:all:x", "trigger:x", "trigger:"] {
            assert_eq!(Pattern::parse(bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
    }
}
