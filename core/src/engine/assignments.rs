//! `segments(customer)`: the segments a customer holds now (docs/orchestration.md, "Where it
//! shows"), those assigned to its sessions and those assigned to it.

use crate::base::error::Result;
use crate::base::time::format_millis;
use crate::engine::Engine;
use crate::model::event::Customer;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The input of `segments`: `{"customer": {"id", "idType"}}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentsQuery {
    /// The customer.
    pub customer: Customer,
}

/// One segment a customer holds (the form of Genesys' `SegmentAssignment`, flattened).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSegment {
    /// The segment.
    pub segment_id: String,
    /// `Session` (assigned to one of the customer's sessions) or `Customer`.
    pub scope: &'static str,
    /// The session, for a session assignment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// The time of the event that completed the segment's patterns.
    pub assigned_date: String,
    /// When a customer assignment ends (`assignmentExpirationDays` after it was made); absent when
    /// it lasts as long as the customer's data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_for_unassignment: Option<String>,
}

impl Engine {
    /// The segments `customer` holds now: its sessions' assignments and its own unexpired ones,
    /// in the order they were assigned.
    pub fn segments(&self, customer: &Customer) -> Result<Vec<CustomerSegment>> {
        self.read_durably(|engine| Ok(engine.segments_now(customer)))
    }

    fn segments_now(&self, customer: &Customer) -> Vec<CustomerSegment> {
        let now = self.clock.now();
        let shard = self.store.customer_shard(customer.id_type, &customer.id);
        let Some(state) = shard.get(customer.id_type, &customer.id).and_then(|c| c.orchestration.as_deref()) else {
            return Vec::new();
        };
        let sessions = state.sessions.iter().flat_map(|(session_id, session)| {
            session.segments.iter().map(|a| CustomerSegment {
                segment_id: a.segment_id.to_string(),
                scope: "Session",
                session_id: Some(*session_id),
                assigned_date: format_millis(a.assigned),
                date_for_unassignment: None,
            })
        });
        let held = state.assignments.iter().filter(|a| a.in_force(now));
        let own = held.map(|a| CustomerSegment {
            segment_id: a.segment_id.to_string(),
            scope: "Customer",
            session_id: None,
            assigned_date: format_millis(a.assigned),
            date_for_unassignment: a.expires.map(format_millis),
        });
        let mut all: Vec<CustomerSegment> = sessions.chain(own).collect();
        all.sort_by(|a, b| (&a.assigned_date, &a.segment_id).cmp(&(&b.assigned_date, &b.segment_id)));
        all
    }
}
