//! `on` / `once` / `off`: who is told about which action state changes.

use super::event::ActionEvent;
use super::lifecycle::{ActionState, MediaType};
use crate::base::error::{JourneyError, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

/// A subscriber. `Err` (an exception in a binding) and panics count as callback failures.
pub type Callback = Arc<dyn Fn(&ActionEvent) -> std::result::Result<(), String> + Send + Sync>;

/// A subscription's id, for `off`.
pub type SubscriptionId = u64;

/// `mediaType:state`, where either half may be `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// `None` matches every media type.
    pub media_type: Option<MediaType>,
    /// `None` matches every state.
    pub state: Option<ActionState>,
}

impl Pattern {
    /// Reads `webchat:offered`, `webchat:all`, `all:errored` or `all:all`.
    pub fn parse(text: &str) -> Result<Pattern> {
        let bad =
            |why: String| JourneyError::invalid_argument(format!("pattern '{}': {why}", crate::base::text::clip(text)));
        let (media, state) = text.split_once(':').ok_or_else(|| bad("expected mediaType:state".into()))?;
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
        Ok(Pattern { media_type, state })
    }

    /// Whether an event matches.
    pub fn matches(&self, event: &ActionEvent) -> bool {
        self.media_type.is_none_or(|m| m == event.action_media_type)
            && self.state.is_none_or(|s| s == event.action_state)
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
    pub fn notify(&self, event: &ActionEvent) -> u64 {
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
        assert_eq!(Pattern::parse("all:all").unwrap(), Pattern { media_type: None, state: None });
        assert_eq!(Pattern::parse("webchat:offered").unwrap().state, Some(ActionState::Offered));
        for bad in ["webchat", "chat:all", "all:done", "", "webchat:all:x"] {
            assert_eq!(Pattern::parse(bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
    }
}
