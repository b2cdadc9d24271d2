//! Evaluation of one accepted event against the rules (docs/orchestration.md, "Evaluation").
//!
//! A pure function of the customer's orchestration state, the event and the rules: it counts the
//! event for the patterns and conditions whose criteria hold, assigns segments and achieves
//! outcomes whose patterns all match, and decides which action maps qualify and what becomes of
//! each (fired, outweighed, capped, outside its schedule). It changes only the customer's state
//! and returns the firings for the engine to carry out in the same change, so replaying the
//! event replays the decisions.

use super::activation::{self, Target};
use super::counts::{CountKey, Counts};
use super::customer::{Achievement, Assignment, CustomerState, Pending, Qualification, SessionState, Verdict};
use super::entries::{Counted, Owner};
use super::matching::Facts;
use super::rules::{Compiled, MapRule};
use super::verdict::{Firing, Surroundings, action_id, verdict_now};
use crate::base::time::Millis;
use crate::model::orchestration::{ActionMap, ActionMediaType, ActivationType, CriterionKey, Scope};
use crate::state::orchestration::matching::{self, Scalar};
use uuid::Uuid;

/// The accepted event, as evaluation sees it.
pub(crate) struct Event<'a> {
    pub event_id: Uuid,
    /// Its time (segments and outcomes are dated by the event that matched).
    pub time: Millis,
    pub session_id: Uuid,
    pub session_type: usize,
    pub event_type: usize,
    /// The first event time of its session.
    pub session_start: Millis,
    /// The event started its session (maps waiting for the customer's next session fire then).
    pub session_created: bool,
    /// Whether the customer is a cookie (a browser that can be offered a web action): asked
    /// only when a web action map qualifies, since answering parses the customer's id.
    pub cookie: &'a dyn Fn() -> bool,
    /// The engine's time: maps qualify and fire at it.
    pub now: Millis,
    pub facts: &'a dyn Facts,
    /// The event's half of matching, when it ran before the event's turn under these rules
    /// ([`Compiled::event_side`]).
    pub event_side: Option<&'a [u32]>,
}

/// Everything evaluating one event decided.
#[derive(Debug, Default)]
pub(crate) struct Decisions {
    pub segments_assigned: u64,
    pub outcomes_achieved: u64,
    pub firings: Vec<Firing>,
    /// When the customer's earliest delayed activation is due, after these decisions.
    pub next_due: Option<Millis>,
    /// How many delayed activations came due (each fired or was withdrawn).
    pub activations_due: usize,
}

impl Decisions {
    /// Whether nothing happened.
    pub fn is_empty(&self) -> bool {
        self.segments_assigned == 0 && self.outcomes_achieved == 0 && self.firings.is_empty() && self.next_due.is_none()
    }
}

/// Whether evaluating an event of this type can do anything: with no map triggered by segments,
/// most events answer no after one hash lookup.
pub(crate) fn may_act(rules: &Compiled, session_type: usize, event_type: usize) -> bool {
    !rules.counted(session_type, event_type).is_empty() || rules.has_segment_maps()
}

/// Evaluates one accepted event; see the module's comment.
pub(crate) fn evaluate(
    rules: &Compiled,
    state: &mut CustomerState,
    event: &Event<'_>,
    around: &Surroundings<'_>,
) -> Decisions {
    let mut decisions = Decisions::default();
    if event.session_created && state.pending.iter().any(|p| p.due.is_none()) {
        let target = Target { session_id: event.session_id, session_start: event.session_start };
        decisions.firings = activation::fire_at_next_session(rules, state, target, event.now, around);
    }
    let holds_nothing = state.assignments.is_empty()
        && state.sessions.get(&event.session_id).is_none_or(|session| session.segments.is_empty());
    // The tests run before anything is allocated: most events an entry lists match nothing.
    let matched: Vec<&Counted> = rules.matching(event.session_type, event.event_type, event.facts, event.event_side);
    if holds_nothing && matched.is_empty() {
        return decisions;
    }
    act(rules, state, event, around, &matched, &mut decisions);
    decisions
}

/// Counts, assigns, achieves and decides for an event that matched something or whose customer
/// holds a segment. Out of line: most events do neither and return before this, and keeping its
/// code out of theirs keeps the path they run short in the instruction cache (with 500
/// definitions, the code evaluation ran on every event was a third of the cache misses it added).
#[inline(never)]
fn act(
    rules: &Compiled,
    state: &mut CustomerState,
    event: &Event<'_>,
    around: &Surroundings<'_>,
    matched: &[&Counted],
    decisions: &mut Decisions,
) {
    let mut candidates: Vec<usize> = Vec::new();
    let session = state.sessions.entry_or_default(event.session_id);
    let touched = count(rules, matched, session, &mut state.counts);
    for owner in touched {
        match owner {
            Owner::Segment(s) => {
                decisions.segments_assigned +=
                    assign(rules, s, session, &mut state.counts, &mut state.assignments, event) as u64;
            }
            Owner::Outcome(o) => decisions.outcomes_achieved += achieve(rules, o, session, event) as u64,
            Owner::Map(m) => {
                if session_meets_conditions(rules, m, session) {
                    candidates.push(m);
                }
            }
        }
    }
    // A map triggered by segments qualifies at any event of a session that holds one (its page
    // URL conditions, dates and schedule are read at that event), not only at the assignment.
    let held = session.segments.iter().chain(state.assignments.iter().filter(|a| a.in_force(Some(event.now))));
    for assignment in held {
        if let Some(s) = rules.segment_place(&assignment.segment_id) {
            candidates.extend(&rules.maps_by_segment[s]);
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let qualified: Vec<usize> = candidates.into_iter().filter(|m| qualifies(&rules.maps[*m], session, event)).collect();
    let firings = decide(rules, qualified, state, event, around);
    decisions.firings.extend(firings);
    // Most sessions match nothing: keep no empty state for them.
    if state.sessions.get(&event.session_id).is_some_and(SessionState::is_empty) {
        state.sessions.remove(&event.session_id);
    }
}

/// Counts the event for every pattern and condition it satisfied; returns their owners.
fn count(
    rules: &Compiled,
    matched: &[&Counted],
    session: &mut SessionState,
    customer_counts: &mut Counts,
) -> Vec<Owner> {
    let mut touched = Vec::new();
    for counted in matched {
        let (definition, version, customer_scope) = match counted.owner {
            Owner::Segment(s) => {
                (&rules.segments[s].id, rules.segments[s].version, rules.segments[s].scope == Scope::Customer)
            }
            Owner::Outcome(o) => (&rules.outcomes[o].id, rules.outcomes[o].version, false),
            Owner::Map(m) => (&rules.maps[m].id, rules.maps[m].version, false),
        };
        let counts = if customer_scope { &mut *customer_counts } else { &mut session.counts };
        counts.add(CountKey::of(definition, version, counted.pattern as u32), 1);
        if !touched.contains(&counted.owner) {
            touched.push(counted.owner);
        }
    }
    touched
}

/// Whether every pattern of a definition has counted enough events.
fn all_match(counts: &Counts, id: &str, version: u64, needed: &[u32]) -> bool {
    needed
        .iter()
        .enumerate()
        .all(|(pattern, need)| counts.get(CountKey::of(id, version, pattern as u32)).is_some_and(|n| n >= *need))
}

/// Assigns segment `s` when all its patterns match and it is not assigned yet; true when it was.
fn assign(
    rules: &Compiled,
    s: usize,
    session: &mut SessionState,
    customer_counts: &mut Counts,
    customer: &mut Vec<Assignment>,
    event: &Event<'_>,
) -> bool {
    let rule = &rules.segments[s];
    let assignment = Assignment { segment_id: rule.id.clone(), assigned: event.time, expires: None };
    match rule.scope {
        Scope::Session => {
            if session.segments.iter().any(|a| a.segment_id == rule.id)
                || !all_match(&session.counts, &rule.id, rule.version, &rule.counts)
            {
                return false;
            }
            session.segments.push(assignment);
        }
        Scope::Customer => {
            let held = customer.iter().any(|a| a.segment_id == rule.id && a.in_force(Some(event.now)));
            if held || !all_match(customer_counts, &rule.id, rule.version, &rule.counts) {
                return false;
            }
            customer.retain(|a| a.segment_id != rule.id);
            customer
                .push(Assignment { expires: rule.lasts.map(|lasts| event.time.saturating_add(lasts)), ..assignment });
            // After the assignment expires, the customer must match the patterns anew.
            customer_counts.retain(|key| *key.definition != *rule.id);
        }
    }
    true
}

/// Achieves outcome `o` in the session when all its patterns match, once; true when it was.
fn achieve(rules: &Compiled, o: usize, session: &mut SessionState, event: &Event<'_>) -> bool {
    let rule = &rules.outcomes[o];
    if session.outcomes.iter().any(|a| a.outcome_id == rule.id)
        || !all_match(&session.counts, &rule.id, rule.version, &rule.counts)
    {
        return false;
    }
    let value = rule.value.as_ref().and_then(|(name, _)| value_of(event.facts, name));
    session.outcomes.push(Achievement { outcome_id: rule.id.clone(), achieved: event.time, value });
    true
}

/// An outcome's value: the number in the event's attribute `name`.
fn value_of(facts: &dyn Facts, name: &str) -> Option<f64> {
    match facts.attribute(name) {
        Some(Scalar::Number(n)) => Some(n),
        _ => None,
    }
}

fn session_meets_conditions(rules: &Compiled, m: usize, session: &SessionState) -> bool {
    let rule = &rules.maps[m];
    // Each condition needs one event.
    let counted = |c: usize| session.counts.get(CountKey::of(&rule.id, rule.version, c as u32)).is_some_and(|n| n >= 1);
    rule.conditions > 0 && (0..rule.conditions).all(counted)
}

/// Whether a triggered map qualifies in the session at this event: not yet qualified at its
/// version, within its dates, a web action only for a browser, and its page URL conditions hold
/// on this event.
fn qualifies(rule: &MapRule, session: &SessionState, event: &Event<'_>) -> bool {
    let within_dates = rule.within_dates(event.now);
    let browser = || !rule.map.action.media_type.is_web_action() || (event.cookie)();
    within_dates && !session.qualified(&rule.id, rule.version) && browser() && page_url_holds(&rule.map, event.facts)
}

/// The map's page URL conditions on the event's `url` attribute (all must hold).
fn page_url_holds(map: &ActionMap, facts: &dyn Facts) -> bool {
    // Most maps have none: then the URL need not be read (and copied).
    map.page_url_conditions.is_empty()
        || url_conditions_hold(map, facts.attribute("url").map(|url| url.text()).as_deref())
}

/// Whether a page URL (absent: `None`) satisfies all of a map's page URL conditions. They compare
/// text, case-sensitively, as a `page.url` criterion does.
pub(crate) fn url_conditions_hold(map: &ActionMap, url: Option<&str>) -> bool {
    let url = url.map(|text| Scalar::Text(std::borrow::Cow::Borrowed(text)));
    map.page_url_conditions.iter().all(|condition| {
        let values = matching::Values::Text { values: condition.values.clone().into(), ignore_case: false };
        matching::holds(condition.operator, &values, url.as_ref())
    })
}

/// Decides what becomes of each qualified map: web actions compete on weight (one offer at a
/// time is what a visitor can be shown); a map with a delayed activation waits; the others meet
/// the caps and the schedule now. Custom events and callbacks all proceed. Records each in the
/// session's state.
fn decide(
    rules: &Compiled,
    qualified: Vec<usize>,
    state: &mut CustomerState,
    event: &Event<'_>,
    around: &Surroundings<'_>,
) -> Vec<Firing> {
    let web: Vec<usize> =
        qualified.iter().copied().filter(|m| rules.maps[*m].map.action.media_type.is_web_action()).collect();
    let winner = choose_by_weight(rules, &web, &mut state.rotation);
    let mut firings = Vec::new();
    for m in qualified {
        let rule = &rules.maps[m];
        let media = rule.map.action.media_type;
        let agent_id = agent_of(&rule.map, event.facts);
        let waits = match rule.map.activation.kind {
            ActivationType::Delay => Some(Some(event.now.saturating_add(delay_of(&rule.map)))),
            ActivationType::OnNextSession => Some(None),
            ActivationType::Immediate | ActivationType::OnNextVisit => None,
        };
        let session = state.sessions.entry_or_default(event.session_id);
        let verdict = match waits {
            _ if media.is_web_action() && Some(m) != winner => Verdict::Outweighed,
            // A custom event whose agent the event does not name has nowhere to go.
            _ if media == ActionMediaType::CustomEvent && agent_id.is_none() => Verdict::Withdrawn,
            Some(_) => Verdict::Waiting,
            None => verdict_now(rule, session, event.session_start, event.now, around),
        };
        let action_id = matches!(verdict, Verdict::Fired | Verdict::Capped | Verdict::OutsideSchedule)
            .then(|| action_id(rule, event.session_id))
            .filter(|_| media.is_web_action());
        session.maps.push(Qualification {
            map_id: rule.id.clone(),
            version: rule.version,
            media,
            qualified: event.now,
            verdict,
            action_id,
            event_id: event.event_id,
        });
        if let (Verdict::Waiting, Some(due)) = (verdict, waits) {
            let pending = Pending {
                map_id: rule.id.clone(),
                version: rule.version,
                session_id: event.session_id,
                event_id: event.event_id,
                due,
                agent_id: agent_id.clone(),
            };
            state.pending.push(pending);
        }
        firings.push(Firing {
            map: rule.map.clone(),
            map_id: rule.id.clone(),
            version: rule.version,
            session_id: event.session_id,
            event_id: event.event_id,
            at: event.now,
            verdict,
            action_id,
            agent_id,
            activated_later: false,
        });
    }
    firings
}

/// A delayed activation's delay, in milliseconds (the checks require `delayInSeconds` with it).
fn delay_of(map: &ActionMap) -> Millis {
    i64::from(map.activation.delay_in_seconds.unwrap_or_default()) * 1_000
}

/// The agent a custom event action goes to.
fn agent_of(map: &ActionMap, facts: &dyn Facts) -> Option<String> {
    if map.action.media_type != ActionMediaType::CustomEvent {
        return None;
    }
    match (&map.action.agent_id, &map.action.agent_id_from) {
        (Some(agent), _) => Some(agent.clone()),
        (None, Some(CriterionKey::EventAttribute(name))) => facts.attribute(name).map(|value| value.text()),
        _ => None,
    }
}

/// The web action map that fires among those qualifying together: the highest weight; among
/// equal weights, the customer's rotation picks the next in id order and moves on.
fn choose_by_weight(rules: &Compiled, web: &[usize], rotation: &mut u64) -> Option<usize> {
    let top = web.iter().map(|m| rules.maps[*m].map.weight).max()?;
    let tied: Vec<usize> = web.iter().copied().filter(|m| rules.maps[*m].map.weight == top).collect();
    if tied.len() == 1 {
        return Some(tied[0]);
    }
    let chosen = tied[(*rotation % tied.len() as u64) as usize];
    *rotation += 1;
    Some(chosen)
}
