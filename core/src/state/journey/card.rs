//! Session cards and event views: what an agent sees (SPEC §3.4, §4), redacted for the viewer.

use super::viewer::{Viewer, permission};
use crate::base::time::{Millis, format_millis};
use crate::model::catalog::{Catalog, SessionType};
use crate::model::event::Customer;
use crate::state::orchestration::{Achievement, Assignment, SessionState};
use crate::state::session::{Session, StoredEvent};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A session's status, computed from `now` when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SessionStatus {
    /// Recent activity (green).
    Live,
    /// No activity for `idleAfter` (yellow).
    Idle,
    /// No activity for `inactiveAfter`.
    Inactive,
    /// Ended by an event (`endsOn`, `wrapup`, `conversation_ended`).
    Ended,
}

/// The latest event of a session, as shown on its card.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LastEvent {
    /// Event id.
    pub id: Uuid,
    /// Event type name.
    pub event_name: String,
    /// Event time.
    pub created_date: String,
}

/// The conversation part of a card; fields the viewer may not see are `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationCard {
    /// The channel, from `conversation_started`.
    pub channel: Option<Value>,
    /// `inbound` or `outbound`.
    pub direction: Option<Value>,
    /// The last queue id, after transfers; needs `routing:queue:search`.
    pub last_connected_queue: Option<Value>,
    /// The last connected agent id.
    pub last_connected_user: Option<Value>,
    /// The wrap-up code; needs `routing:wrapupCode:view`.
    pub wrapup_code: Option<Value>,
}

/// One session as listed in a customer's journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionCard {
    /// Session id.
    pub id: Uuid,
    /// Whose session it is: in the journey of a profile (docs/identity.md), the member it belongs to.
    pub customer: Customer,
    /// Session type name.
    #[serde(rename = "type")]
    pub session_type: String,
    /// `custom`, `web` or `conversation`.
    pub kind: &'static str,
    /// The type's display name.
    pub display_name: String,
    /// The external id (custom and conversation sessions).
    pub external_id: Option<String>,
    /// Live, idle, inactive or ended.
    pub status: SessionStatus,
    /// The earliest event time.
    pub created_date: String,
    /// The latest event.
    pub last_event: LastEvent,
    /// Number of accepted events.
    pub event_count: usize,
    /// Session attributes, last-writer-wins by event time.
    pub attributes: Map<String, Value>,
    /// The session's division.
    pub division: Option<String>,
    /// When the session ended.
    pub ended_date: Option<String>,
    /// Web sessions merged into this one.
    pub merged_session_ids: Vec<Uuid>,
    /// Conversation fields (conversations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationCard>,
    /// The segments assigned to the session (docs/orchestration.md), in assignment order.
    pub segment_assignments: Vec<SegmentAssignment>,
    /// The outcomes the session achieved, in order.
    pub outcome_achievements: Vec<OutcomeAchievement>,
}

/// A segment assigned to a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SegmentAssignment {
    /// The segment.
    pub segment_id: String,
    /// The time of the event that completed its patterns.
    pub assigned_date: String,
}

/// An outcome a session achieved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OutcomeAchievement {
    /// The outcome.
    pub outcome_id: String,
    /// The time of the event that completed its patterns.
    pub achieved_date: String,
    /// The value read from the outcome's value field, when it has one and the event carried it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// One event as listed by `session_events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "SessionEvent"))]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    /// Event id.
    pub id: Uuid,
    /// Event type name.
    pub event_name: String,
    /// Event time.
    pub created_date: String,
    /// 0-based position in the session's time order.
    pub event_index: usize,
    /// The session's customer.
    pub customer: Customer,
    /// Attributes as sent; `null` without `journey:eventType:view`.
    pub attributes: Option<Map<String, Value>>,
}

/// Status at `now`; `None` for an event clock that has seen no event (everything counts as live).
pub(crate) fn status(session: &Session, ty: &SessionType, activity: Millis, now: Option<Millis>) -> SessionStatus {
    if session.ended.is_some() {
        return SessionStatus::Ended;
    }
    let always_live = session
        .conversation
        .as_deref()
        .and_then(|c| c.channel_name())
        .is_some_and(|channel| matches!(channel, "voice" | "callback"));
    let quiet_for = now.map_or(0, |now| now.saturating_sub(activity));
    if always_live || quiet_for < ty.idle_after.as_millis() {
        SessionStatus::Live
    } else if quiet_for < ty.inactive_after.as_millis() {
        SessionStatus::Idle
    } else {
        SessionStatus::Inactive
    }
}

/// Builds the card of `session` for `viewer`; `activity` is its last activity as the viewer sees it.
pub(crate) fn card(
    catalog: &Catalog,
    customer: &Customer,
    session: &Session,
    orchestrated: Option<&SessionState>,
    activity: Millis,
    viewer: &Viewer,
    now: Option<Millis>,
) -> SessionCard {
    let ty = catalog.session_type(session.session_type);
    let last = session.events.last().expect("sessions hold at least one event");
    let attributes = ty
        .attributes
        .iter()
        .enumerate()
        .filter_map(|(slot, def)| Some((def.name.clone(), session.attribute(slot, &def.name)?)))
        .collect();
    let conversation = session.conversation.as_deref().map(|c| {
        let value = |slot: &crate::state::session::Lww<Box<str>>| slot.get().map(|text| Value::from(&**text));
        ConversationCard {
            channel: value(&c.channel),
            direction: value(&c.direction),
            last_connected_queue: value(&c.last_queue).filter(|_| viewer.has(permission::QUEUE_SEARCH)),
            last_connected_user: value(&c.last_agent),
            wrapup_code: value(&c.wrapup_code).filter(|_| viewer.has(permission::WRAPUP_CODE_VIEW)),
        }
    });
    SessionCard {
        id: session.id,
        customer: customer.clone(),
        session_type: ty.name.clone(),
        kind: ty.kind.as_str(),
        display_name: ty.display_name.clone(),
        external_id: session.external_id.as_deref().map(str::to_owned),
        status: status(session, ty, activity, now),
        created_date: format_millis(session.first_time()),
        last_event: LastEvent {
            id: last.id,
            event_name: catalog.event_name(session.session_type, last.event_type as usize).to_owned(),
            created_date: format_millis(last.time),
        },
        event_count: session.events.len(),
        attributes,
        division: session.division.as_deref().map(str::to_owned),
        ended_date: session.ended.map(format_millis),
        merged_session_ids: session.merged_ids.clone(),
        conversation,
        segment_assignments: orchestrated.map_or_else(Vec::new, |state| {
            let assignment = |a: &Assignment| SegmentAssignment {
                segment_id: a.segment_id.to_string(),
                assigned_date: format_millis(a.assigned),
            };
            state.segments.iter().map(assignment).collect()
        }),
        outcome_achievements: orchestrated.map_or_else(Vec::new, |state| {
            let achievement = |a: &Achievement| OutcomeAchievement {
                outcome_id: a.outcome_id.to_string(),
                achieved_date: format_millis(a.achieved),
                value: a.value,
            };
            state.outcomes.iter().map(achievement).collect()
        }),
    }
}

/// Builds the view of one event for `viewer`.
pub(crate) fn event_view(
    catalog: &Catalog,
    customer: &Customer,
    session: &Session,
    index: usize,
    event: &StoredEvent,
    viewer: &Viewer,
) -> EventView {
    let attributes = viewer.has(permission::EVENT_TYPE_VIEW).then(|| event.attributes());
    EventView {
        id: event.id,
        event_name: catalog.event_name(session.session_type, event.event_type as usize).to_owned(),
        created_date: format_millis(event.time),
        event_index: index,
        customer: customer.clone(),
        attributes,
    }
}

/// Whether `session`'s web events count as the customer's activity on `viewer`'s messaging and
/// web-chat cards: divisions alone decide. A web event in a division the viewer lacks must not
/// change anything it receives; a viewer without `journey:sessionType:view` is not shown web
/// cards, but the conversation it does see still turns live when the customer browses, which is
/// what the card is for.
pub(crate) fn revives(session: &Session, viewer: &Viewer) -> bool {
    viewer.sees_division(session.division.as_deref())
}

/// Whether `viewer` may see `session` listed: its division, and for custom and web sessions the
/// session-type permission.
pub(crate) fn listable(session: &Session, viewer: &Viewer) -> bool {
    viewer.sees_division(session.division.as_deref())
        && (session.kind.listed_without_type_permission() || viewer.has(permission::SESSION_TYPE_VIEW))
}
