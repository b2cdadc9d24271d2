//! Custom and conversation sessions (SPEC §3.1, §3.3): keyed by `session.externalId`.

use super::{Applied, CustomerSessions, Session, keyed_session_id};
use crate::base::error::{Violation, ViolationCode};
use crate::base::time::format_millis;
use crate::model::catalog::Catalog;
use crate::model::kind::KeySpace;
use crate::model::validate::CheckedEvent;
use uuid::Uuid;

/// Conversation events still accepted after the conversation ended: in a contact center the agent
/// disconnects and wraps up after the customer hangs up, and those facts belong to the conversation.
const CLOSING_CONVERSATION_EVENTS: [&str; 3] = ["agent_disconnected", "wrapup", "conversation_ended"];

impl CustomerSessions {
    pub(super) fn apply_keyed(
        &mut self,
        catalog: &Catalog,
        space: KeySpace,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
    ) -> Result<Applied, Violation> {
        let kind = catalog.session_type(event.session_type).kind;
        let external_id = event.external_id.unwrap_or_default();
        let keyed = &mut self.keyed[space];
        let (slot, created) = match keyed.get(external_id) {
            Some(&slot) => {
                let session = self.sessions[slot].as_ref().expect("keyed sessions are never merged away");
                check_existing(catalog, session, event)?;
                (slot, false)
            }
            None => {
                keyed.insert(Box::from(external_id), self.sessions.len());
                // The id is a UUIDv5 (SHA-1), so it is derived once, when the session is made.
                let session_id = keyed_session_id(kind, external_id);
                (self.add_session(Session::new(session_id, catalog, event)), true)
            }
        };
        let session = self.sessions[slot].as_mut().expect("slot was just checked or filled");
        let session_id = session.id;
        let was_ended = session.ended.is_some();
        let event_index = session.insert(catalog, event, event_id);
        Ok(Applied {
            session_id,
            slot,
            session_created: created,
            event_count: session.events.len(),
            event_index,
            session_ended: !was_ended && session.ended.is_some(),
            sessions_merged: 0,
        })
    }
}

fn check_existing(catalog: &Catalog, session: &Session, event: &CheckedEvent<'_, '_>) -> Result<(), Violation> {
    if session.session_type != event.session_type {
        return Err(Violation::new(
            ViolationCode::SessionTypeMismatch,
            "/session/type",
            format!(
                "session '{}' has type '{}'; a session's type cannot change",
                event.external_id.unwrap_or_default(),
                catalog.session_type(session.session_type).name
            ),
        ));
    }
    let Some(end) = session.ended else {
        return Ok(());
    };
    let ty = catalog.session_type(session.session_type);
    let closing = ty.kind.is_conversation()
        && CLOSING_CONVERSATION_EVENTS.contains(&catalog.event_name(event.session_type, event.event_type));
    if event.time > end && !closing {
        return Err(Violation::new(
            ViolationCode::SessionEnded,
            "/createdDate",
            format!("the session ended at {}; this event is later", format_millis(end)),
        ));
    }
    Ok(())
}
