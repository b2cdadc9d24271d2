//! Delayed activations (docs/orchestration.md, "Firing"): a map whose activation is `delay` fires
//! when the clock passes its due time, if its session is still open and the map is still active
//! at the version that qualified; one whose activation is `on-next-session` fires at the first
//! event of the customer's next session. Either meets the caps and the schedule when it fires.

use super::customer::{CustomerState, Pending, Qualification, Verdict};
use super::rules::Compiled;
use super::verdict::{Firing, Surroundings, action_id, verdict_now};
use crate::base::time::Millis;
use uuid::Uuid;

/// Where a waiting map fires: its own session (a delay) or the customer's new one.
pub(crate) struct Target {
    pub session_id: Uuid,
    /// The session's first event time (the span a conversation with an agent caps).
    pub session_start: Millis,
}

/// Fires the customer's delayed activations due at `now`; returns the firings and how many
/// activations were due (a withdrawn one changes the state and fires nothing). `open` says
/// whether a session is still open at `now` (and where it started); one that is not withdraws
/// the map.
pub(crate) fn fire_due(
    rules: &Compiled,
    state: &mut CustomerState,
    now: Millis,
    open: &dyn Fn(Uuid) -> Option<Millis>,
    around: &Surroundings<'_>,
) -> (Vec<Firing>, usize) {
    let (due, waiting): (Vec<Pending>, Vec<Pending>) =
        std::mem::take(&mut state.pending).into_iter().partition(|p| p.due.is_some_and(|due| due <= now));
    state.pending = waiting;
    let taken = due.len();
    let mut firings = Vec::new();
    for pending in due {
        let target =
            open(pending.session_id).map(|start| Target { session_id: pending.session_id, session_start: start });
        firings.extend(fire(rules, state, pending, target, now, around));
    }
    (firings, taken)
}

/// Fires the customer's `on-next-session` activations in the session that just started.
pub(crate) fn fire_at_next_session(
    rules: &Compiled,
    state: &mut CustomerState,
    target: Target,
    now: Millis,
    around: &Surroundings<'_>,
) -> Vec<Firing> {
    let (due, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut state.pending)
        .into_iter()
        .partition(|p| p.due.is_none() && p.session_id != target.session_id);
    state.pending = waiting;
    let mut firings = Vec::new();
    for pending in due {
        let here = Target { session_id: target.session_id, session_start: target.session_start };
        firings.extend(fire(rules, state, pending, Some(here), now, around));
    }
    firings
}

/// Fires one waiting map in `target` (withdrawn when there is none, or when the map is no longer
/// active at its version), and records the verdict where it qualified.
fn fire(
    rules: &Compiled,
    state: &mut CustomerState,
    pending: Pending,
    target: Option<Target>,
    now: Millis,
    around: &Surroundings<'_>,
) -> Option<Firing> {
    let rule = rules.maps.iter().find(|rule| rule.id == pending.map_id && rule.version == pending.version);
    let session_id = target.as_ref().map_or(pending.session_id, |t| t.session_id);
    let (verdict, action_id) = match (rule, &target) {
        (Some(rule), Some(target)) => {
            let session = state.sessions.get(&target.session_id).cloned().unwrap_or_default();
            let verdict = verdict_now(rule, &session, target.session_start, now, around);
            (verdict, rule.map.action.media_type.is_web_action().then(|| action_id(rule, target.session_id)))
        }
        _ => (Verdict::Withdrawn, None),
    };
    let qualified = state.sessions.entry_or_default(pending.session_id);
    if let Some(q) = qualified.maps.iter_mut().find(|q| q.map_id == pending.map_id && q.version == pending.version) {
        // The offer is made now: the minimum gap between offers counts from here.
        q.verdict = verdict;
        q.action_id = action_id;
        q.qualified = now;
    }
    if let Some(rule) = rule.filter(|_| session_id != pending.session_id && verdict != Verdict::Withdrawn) {
        // The offer counts in the session it was made in, for that session's caps.
        let offer = Qualification {
            map_id: pending.map_id.clone(),
            version: pending.version,
            media: rule.map.action.media_type,
            qualified: now,
            verdict,
            action_id,
            event_id: pending.event_id,
        };
        state.sessions.entry_or_default(session_id).maps.push(offer);
    }
    let rule = rule?;
    Some(Firing {
        map: rule.map.clone(),
        map_id: rule.id.clone(),
        version: rule.version,
        session_id,
        event_id: pending.event_id,
        at: now,
        verdict,
        action_id,
        agent_id: pending.agent_id,
        activated_later: true,
    })
}
