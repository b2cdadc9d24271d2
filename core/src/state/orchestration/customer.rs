//! What evaluation remembers about one customer: per session, the pattern counts, the segments
//! assigned, the outcomes achieved and the maps that qualified; per customer, the counts and
//! assignments of customer-scoped segments and the rotation among equal weights.
//!
//! It lives beside the customer's sessions, under the same shard lock, so evaluation reads and
//! changes one customer's state only, and a state move between partitions carries it whole.
//! Maps are ordered (the counts a vector in key order, the session states one in id order) so that
//! a snapshot writes the same bytes for the same state.

use super::counts::Counts;
use super::sessions::SessionStates;
use crate::base::time::Millis;
use crate::model::orchestration::ActionMediaType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A segment assigned to a session, or to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Assignment {
    pub segment_id: Box<str>,
    pub assigned: Millis,
    /// For a customer assignment: when it ends (`None`: when the customer's data is evicted).
    pub expires: Option<Millis>,
}

impl Assignment {
    /// Whether it holds at `now` (a customer assignment until it expires; `None`: at no known
    /// time, as under an event clock before any event, when every assignment holds).
    pub fn in_force(&self, now: Option<Millis>) -> bool {
        self.expires.is_none_or(|end| now.is_none_or(|now| now < end))
    }
}

/// An outcome achieved in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Achievement {
    pub outcome_id: Box<str>,
    pub achieved: Millis,
    pub value: Option<f64>,
}

/// What became of a map that qualified in a session (snapshots write it by variant index, so
/// the names are free to change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Verdict {
    /// It fired.
    Fired,
    /// Another map of higher weight (or the rotation among equal weights) fired instead.
    Outweighed,
    /// A frequency cap stopped it (the web action is `frequencyCapReached`).
    Capped,
    /// Its schedule stopped it (the web action is `qualifiedOutsideSchedule`).
    OutsideSchedule,
    /// Its activation is a delay or the customer's next session: it fires then.
    Waiting,
    /// It waited, and when its time came its session had ended, or the map had changed or gone.
    Withdrawn,
}

/// A qualified map waiting for its activation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub map_id: Box<str>,
    pub version: u64,
    /// The session it qualified in.
    pub session_id: Uuid,
    /// The event it qualified on.
    pub event_id: Uuid,
    /// When it fires (`None`: at the customer's next session start).
    pub due: Option<Millis>,
    /// The agent of a custom event action, read from the qualifying event.
    pub agent_id: Option<String>,
}

/// A map that qualified in a session: at most once per map id and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Qualification {
    pub map_id: Box<str>,
    pub version: u64,
    pub media: ActionMediaType,
    /// When it qualified; for a delayed or next-session activation, when it came due.
    pub qualified: Millis,
    pub verdict: Verdict,
    /// The web action it recorded (web actions only).
    pub action_id: Option<Uuid>,
    /// The event it qualified on.
    pub event_id: Uuid,
}

/// Evaluation's state for one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SessionState {
    pub counts: Counts,
    pub segments: Vec<Assignment>,
    pub outcomes: Vec<Achievement>,
    pub maps: Vec<Qualification>,
}

impl SessionState {
    /// Whether evaluation has nothing to remember about the session.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.segments.is_empty() && self.outcomes.is_empty() && self.maps.is_empty()
    }

    /// Whether the map (at this version) already qualified in the session.
    pub fn qualified(&self, map_id: &str, version: u64) -> bool {
        self.maps.iter().any(|q| &*q.map_id == map_id && q.version == version)
    }
}

/// Evaluation's state for one customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CustomerState {
    /// Per session, by session id.
    pub sessions: SessionStates<SessionState>,
    /// Counts of customer-scoped segments' patterns, over all the customer's sessions.
    pub counts: Counts,
    /// Customer-scoped segments assigned.
    pub assignments: Vec<Assignment>,
    /// Moves on each time equal weights compete, choosing the next map in id order.
    pub rotation: u64,
    /// Qualified maps waiting for their activation.
    pub pending: Vec<Pending>,
}

impl CustomerState {
    /// Whether there is nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.counts.is_empty()
            && self.assignments.is_empty()
            && self.rotation == 0
            && self.pending.is_empty()
    }

    /// Merges what was remembered about web session `absorbed` into `survivor`, which took its
    /// events: counts add up, the survivor keeps the earliest of each assignment, achievement and
    /// qualification (so a map that qualified in either does not qualify again), and activations
    /// waiting in the absorbed session now wait in the survivor.
    pub fn merge_sessions(&mut self, survivor: Uuid, absorbed: Uuid) {
        for pending in self.pending.iter_mut().filter(|p| p.session_id == absorbed) {
            pending.session_id = survivor;
        }
        let Some(absorbed) = self.sessions.remove(&absorbed) else { return };
        let into = self.sessions.entry_or_default(survivor);
        for (key, n) in absorbed.counts.into_counts() {
            into.counts.add(key.as_ref(), n);
        }
        for assignment in absorbed.segments {
            match into.segments.iter_mut().find(|a| a.segment_id == assignment.segment_id) {
                Some(kept) => kept.assigned = kept.assigned.min(assignment.assigned),
                None => into.segments.push(assignment),
            }
        }
        for achievement in absorbed.outcomes {
            match into.outcomes.iter_mut().find(|a| a.outcome_id == achievement.outcome_id) {
                Some(kept) if kept.achieved <= achievement.achieved => {}
                Some(kept) => *kept = achievement,
                None => into.outcomes.push(achievement),
            }
        }
        for qualification in absorbed.maps {
            if !into.qualified(&qualification.map_id, qualification.version) {
                into.maps.push(qualification);
            }
        }
        into.segments.sort_by_key(|a| a.assigned);
        into.outcomes.sort_by_key(|a| a.achieved);
    }

    /// Drops the state of evicted sessions, and the delayed activations waiting in them.
    pub fn forget_sessions(&mut self, session_ids: &[Uuid]) {
        for id in session_ids {
            self.sessions.remove(id);
        }
        self.pending.retain(|p| p.due.is_none() || !session_ids.contains(&p.session_id));
    }

    /// The earliest time a delayed activation is due.
    pub fn next_due(&self) -> Option<Millis> {
        self.pending.iter().filter_map(|p| p.due).min()
    }
}
