//! What becomes of a map when it fires: the frequency caps and the schedule it meets, the web
//! action id it records, and the [`Firing`] the engine carries out. Shared by evaluation at an
//! event and by delayed activations.

use super::customer::{SessionState, Verdict};
use super::rules::MapRule;
use crate::base::time::Millis;
use crate::model::event::NAMESPACE;
use crate::model::orchestration::{ActionMap, ActionMediaType};
use std::sync::Arc;
use uuid::Uuid;

/// What evaluation needs from outside the customer's state.
pub(crate) struct Surroundings<'a> {
    /// The least time between two offers of one media type in a session.
    pub min_offer_gap: Millis,
    /// Whether a web action is now `rejected`.
    pub rejected: &'a dyn Fn(Uuid) -> bool,
    /// Whether the customer talked with an agent in a conversation overlapping `[from, to]`.
    pub talked_to_agent: &'a dyn Fn(Millis, Millis) -> bool,
}

/// A map that qualified on the event, and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Firing {
    pub map: Arc<ActionMap>,
    pub map_id: Box<str>,
    pub version: u64,
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub at: Millis,
    pub verdict: Verdict,
    /// The web action it records (web actions only).
    pub action_id: Option<Uuid>,
    /// The agent a custom event goes to: the action's, or the one the event's attribute names
    /// (`None` when that attribute is absent: the map qualified, and nothing is sent).
    pub agent_id: Option<String>,
    /// It qualified earlier and fires now, after its delay or at the customer's next session.
    pub activated_later: bool,
}

/// What a map that fires now meets: a frequency cap (web actions), then its schedule.
pub(crate) fn verdict_now(
    rule: &MapRule,
    session: &SessionState,
    session_start: Millis,
    now: Millis,
    around: &Surroundings<'_>,
) -> Verdict {
    if rule.map.action.media_type.is_web_action() && capped(rule, session, session_start, now, around) {
        Verdict::Capped
    } else if rule.map.schedule.as_ref().is_some_and(|schedule| !schedule.is_open(now)) {
        Verdict::OutsideSchedule
    } else {
        Verdict::Fired
    }
}

/// Whether a frequency cap stops a web action map in this session: a conversation with an agent
/// in the session's span (chats and messaging offers), an offer of the same media type rejected
/// in the session, or one made less than the minimum gap ago.
fn capped(
    rule: &MapRule,
    session: &SessionState,
    session_start: Millis,
    now: Millis,
    around: &Surroundings<'_>,
) -> bool {
    if rule.map.ignore_frequency_cap {
        return false;
    }
    let media = rule.map.action.media_type;
    let conversational = matches!(media, ActionMediaType::Webchat | ActionMediaType::WebMessagingOffer);
    if conversational && (around.talked_to_agent)(session_start, now) {
        return true;
    }
    let offers = session.maps.iter().filter(|q| q.media == media && q.verdict == Verdict::Fired);
    offers.into_iter().any(|offer| {
        offer.action_id.is_some_and(|id| (around.rejected)(id)) || now - offer.qualified < around.min_offer_gap
    })
}

/// A map's web action id in a session: UUIDv5 of the map id, its version and the session id, so
/// a replay or another partition names the same action.
pub(crate) fn action_id(rule: &MapRule, session_id: Uuid) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("action:{}:{}:{session_id}", rule.id, rule.version).as_bytes())
}
