//! The conversation card's fields (SPEC §3.3): channel, direction, and the last queue, agent and
//! wrap-up code after any transfers. Each is last-writer-wins by event time, so a transfer that
//! arrives late does not hide the queue the conversation moved to afterwards.
//!
//! Every field is a string: the built-in attributes they come from are enums and ids.

use super::{Lww, StoredEvent};
use crate::base::json::Json;
use crate::model::catalog::EventType;
use serde::{Deserialize, Serialize};

/// Projected conversation fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ConversationState {
    pub channel: Lww<Box<str>>,
    pub direction: Lww<Box<str>>,
    /// The queue id of the latest `queue_joined`, `agent_connected` with a queue, or transfer to a queue.
    pub last_queue: Lww<Box<str>>,
    /// The agent id of the latest `agent_connected`.
    pub last_agent: Lww<Box<str>>,
    pub wrapup_code: Lww<Box<str>>,
}

impl ConversationState {
    /// Updates the fields from one event of the built-in conversation type.
    pub fn apply(&mut self, event_type: &EventType, event: &StoredEvent, attributes: &[(usize, &Json<'_>)]) {
        let field = |name: &str| {
            let index = event_type.attribute_index(name)?;
            attributes.iter().find(|(i, _)| *i == index).map(|(_, v)| *v)
        };
        let offer = |slot: &mut Lww<Box<str>>, name: &str| {
            if let Some(text) = field(name).and_then(Json::as_str) {
                slot.offer(event.time, event.id, || Box::from(text));
            }
        };
        match event_type.name.as_str() {
            "conversation_started" => {
                offer(&mut self.channel, "channel");
                offer(&mut self.direction, "direction");
            }
            "queue_joined" => offer(&mut self.last_queue, "queueId"),
            "agent_connected" => {
                offer(&mut self.last_agent, "agentId");
                offer(&mut self.last_queue, "queueId");
            }
            "transferred" => offer(&mut self.last_queue, "toQueueId"),
            "wrapup" => offer(&mut self.wrapup_code, "code"),
            _ => {}
        }
    }

    /// The channel from `conversation_started`, once it has been seen.
    pub fn channel_name(&self) -> Option<&str> {
        self.channel.get().map(|channel| &**channel)
    }
}
