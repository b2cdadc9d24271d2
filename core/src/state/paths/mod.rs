//! Journey patterns (docs/paths.md): which sequences of steps sessions take, where they stop,
//! how long each step takes, split by an attribute, under the journey view's permissions.
//!
//! `query` reads and checks the input, `tree` counts the paths; this file walks the store. The
//! engine's `paths` (`engine/paths.rs`) calls `plan` and `count` under a durable read.

mod query;
mod tree;

pub use query::{
    Anchor, AttributeRef, Direction, Filter, MAX_DEPTH, On, PathsQuery, PathsRequest, SessionSelection, StartOfSession,
};
pub use tree::{MAX_GROUPS, PathGroup, PathNode, PathsResult};

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::model::catalog::Catalog;
use crate::model::event::Customer;
use crate::state::journey::listable;
use crate::state::journey::{Viewer, permission, require_event_permission, require_journey_permission};
use crate::state::session::{CustomerSessions, Session, StoredEvent};
use crate::state::store::Store;
use query::Condition;
pub(crate) use query::Plan;
use serde_json::Value;
use std::collections::HashSet;
use tree::Tree;

/// Checks that `viewer` may count these paths and plans the query against the catalog.
/// `PERMISSION_DENIED` without `journey:session:view` (or `externalContacts:session:view`) and
/// `journey:event:view`, or without `journey:eventType:view` for a filter or `groupBy` on event
/// attributes; `INVALID_ARGUMENT` for a query that does not fit the catalog.
pub(crate) fn plan(catalog: &Catalog, query: &PathsQuery, viewer: &Viewer) -> Result<Plan> {
    require_journey_permission(viewer)?;
    require_event_permission(viewer)?;
    if query.reads_event_attributes() && !viewer.has(permission::EVENT_TYPE_VIEW) {
        return Err(JourneyError::PermissionDenied(format!(
            "filtering or grouping by event attributes needs {}",
            permission::EVENT_TYPE_VIEW
        )));
    }
    query.plan(catalog)
}

/// Counts the paths of the sessions in `store` that `viewer` may see, under `plan`. `profiles`
/// are the people of two or more identifiers as the viewer sees them (docs/identity.md): each
/// counts as one customer; every other customer is a person of its own.
pub(crate) fn count(
    catalog: &Catalog,
    store: &Store,
    plan: &Plan,
    viewer: &Viewer,
    profiles: &[Vec<Customer>],
) -> Result<PathsResult> {
    let mut tree = Tree::default();
    let mut complete = true;
    let linked: HashSet<&Customer> = profiles.iter().flatten().collect();
    store.each_customer(|customer| {
        if complete && !linked.contains(&customer.customer) {
            complete = add_customer(catalog, plan, viewer, customer, &mut tree);
            tree.end_customer();
        }
    });
    for members in profiles {
        for member in members {
            let shard = store.customer_shard(member.id_type, &member.id);
            if let Some(customer) = shard.get(member.id_type, &member.id)
                && complete
            {
                complete = add_customer(catalog, plan, viewer, customer, &mut tree);
            }
        }
        tree.end_customer();
    }
    if !complete {
        let attribute = plan.group_by.as_ref().map_or("", |by| by.attribute.as_str());
        return Err(JourneyError::invalid_argument(format!(
            "groupBy '{}' has more than {MAX_GROUPS} values among the sessions counted: group by an attribute \
             with fewer, or filter first",
            crate::base::text::clip(attribute)
        )));
    }
    Ok(tree.finish(plan.min_cell_size))
}

/// Adds the paths of one customer's sessions; `false` when a group past [`MAX_GROUPS`] stopped it.
fn add_customer(catalog: &Catalog, plan: &Plan, viewer: &Viewer, customer: &CustomerSessions, tree: &mut Tree) -> bool {
    for session in customer.iter() {
        if !plan.types[session.session_type] || !listable(session, viewer) || !on_channel(plan, session) {
            continue;
        }
        let labels = &plan.step_labels[session.session_type];
        // An open event type created after the plan has no label there: a step when every event is.
        let label = |index: usize| match labels.get(index) {
            Some(label) => label.as_deref(),
            None => plan.every_event.then(|| catalog.event_name(session.session_type, index)),
        };
        let steps: Vec<(&str, Millis, &StoredEvent)> = session
            .events
            .iter()
            .filter(|event| plan.from.is_none_or(|from| event.time >= from) && plan.to.is_none_or(|to| event.time < to))
            .filter_map(|event| Some((label(event.event_type as usize)?, event.time, event)))
            .collect();
        if steps.is_empty() || !plan.conditions.iter().all(|c| holds(c, catalog, session, &steps)) {
            continue;
        }
        let Some((path, anchor)) = path(plan, &steps) else { continue };
        let group = plan.group_by.as_ref().and_then(|by| match by.on {
            query::On::Session => session_attribute(catalog, session, &by.attribute),
            query::On::Event => anchor.attribute(&by.attribute),
        });
        if !tree.add(group.as_ref(), &path) {
            return false;
        }
    }
    true
}

/// The session's path under the plan's anchor and depth, and the step event it starts from.
fn path<'s>(
    plan: &Plan,
    steps: &[(&'s str, Millis, &'s StoredEvent)],
) -> Option<(Vec<(&'s str, Millis)>, &'s StoredEvent)> {
    let label_time = |step: &(&'s str, Millis, &'s StoredEvent)| (step.0, step.1);
    match &plan.anchor {
        None => Some((steps.iter().take(plan.depth).map(label_time).collect(), steps[0].2)),
        Some((name, direction)) => {
            let at = steps.iter().position(|step| step.0 == name)?;
            let path = match direction {
                query::Direction::Forward => steps[at..].iter().take(plan.depth).map(label_time).collect(),
                query::Direction::Backward => steps[..=at].iter().rev().take(plan.depth).map(label_time).collect(),
            };
            Some((path, steps[at].2))
        }
    }
}

/// Whether the session is on one of the plan's channels (any session when it names none).
fn on_channel(plan: &Plan, session: &Session) -> bool {
    let Some(channels) = &plan.channels else { return true };
    let channel = session.conversation.as_deref().and_then(|c| c.channel_name());
    channel.is_some_and(|channel| channels.iter().any(|c| c == channel))
}

/// Whether a condition holds: on the session's attribute, or on some step event's.
fn holds(condition: &Condition, catalog: &Catalog, session: &Session, steps: &[(&str, Millis, &StoredEvent)]) -> bool {
    match condition.on {
        query::On::Session => condition.test.passes(session_attribute(catalog, session, &condition.attribute).as_ref()),
        query::On::Event => match condition.test {
            // Absent from every step: no step has it.
            query::Test::Exists(false) => steps.iter().all(|s| s.2.attribute(&condition.attribute).is_none()),
            _ => steps.iter().any(|s| condition.test.passes(s.2.attribute(&condition.attribute).as_ref())),
        },
    }
}

/// A session attribute's current value.
fn session_attribute(catalog: &Catalog, session: &Session, name: &str) -> Option<Value> {
    let ty = catalog.session_type(session.session_type);
    let slot = ty.attributes.iter().position(|a| a.name == name)?;
    session.attribute(slot, name)
}
