//! `explainActionMap` and `estimateActionMap` (docs/orchestration.md, "Explain and estimate").
//!
//! Both run the map's conditions (and its segments' patterns) over stored events, as evaluation
//! would have, instead of reading the counts evaluation kept: so they explain a map put after the
//! events, and estimate a draft that was never put. Neither changes anything or fires anything.
//! An explanation also reports what evaluation did decide in the session, and what stopped it.

use crate::base::error::{JourneyError, Result};
use crate::base::text::clip;
use crate::base::time::{Millis, format_millis, parse_rfc3339};
use crate::engine::Engine;
use crate::model::catalog::Catalog;
use crate::model::orchestration::{ActionMap, Scope, check_action_map, read_definition};
use crate::state::orchestration::{Compiled, CountKey, CustomerState, Limits, Owner, Verdict};
use crate::state::session::{CustomerSessions, Session};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The input of `explainActionMap`: `{"actionMapId", "sessionId"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExplainQuery {
    /// The action map.
    pub action_map_id: String,
    /// The session.
    pub session_id: Uuid,
}

/// Why an action map did or did not fire in a session.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapExplanation {
    /// The map.
    pub action_map_id: String,
    /// Its version now.
    pub version: u64,
    /// The session.
    pub session_id: Uuid,
    /// Whether the map is active.
    pub is_active: bool,
    /// What evaluation decided in the session, when the map qualified there.
    pub qualification: Option<QualificationView>,
    /// Each trigger segment: whether the session holds it, and its patterns over the stored events.
    pub segments: Vec<SegmentExplanation>,
    /// Each event condition over the session's stored events.
    pub conditions: Vec<ConditionExplanation>,
    /// Whether some page of the session satisfies the page URL conditions (`null` without any).
    pub page_url_matched: Option<bool>,
    /// Whether the engine's time now is within `startDate` and `endDate`.
    pub within_dates: bool,
    /// Whether the schedule is open now (`null` without a schedule).
    pub schedule_open: Option<bool>,
    /// What stopped the map: `isActive`, `conditions`, `pageUrl`, `dates`, `browser` (a web action
    /// needs a cookie customer), `weight`, `frequencyCap`, `schedule`, `waiting` (a delayed
    /// activation not yet due) or `withdrawn`; `null` when it fired.
    pub stopped_by: Option<String>,
}

/// What evaluation decided for a map in a session.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QualificationView {
    /// The map's version that qualified.
    pub version: u64,
    /// When.
    pub qualified_date: String,
    /// `fired`, `outweighed`, `capped`, `outsideSchedule`, `waiting` or `withdrawn`.
    pub verdict: String,
    /// The web action it recorded.
    pub action_id: Option<Uuid>,
}

/// A trigger segment in a session.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentExplanation {
    /// The segment.
    pub segment_id: String,
    /// Whether evaluation assigned it (to the session, or to the customer and unexpired).
    pub held: bool,
    /// Each pattern: the events it needs and those of the stored events it counts (over the
    /// customer's sessions for a customer segment).
    pub patterns: Vec<PatternCount>,
}

/// One pattern's count.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternCount {
    /// Events it needs.
    pub needed: u32,
    /// Stored events that count.
    pub counted: u32,
    /// Events evaluation counted as they arrived: fewer than `counted` when the definition was
    /// put (or changed) after some of them, since evaluation counts from the put on.
    pub counted_live: u32,
}

/// One event condition in a session.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionExplanation {
    /// The criterion's key.
    pub key: String,
    /// Whether an event of the session satisfies it.
    pub matched: bool,
    /// How many do.
    pub counted: u32,
    /// How many evaluation counted as they arrived (see [`PatternCount::counted_live`]).
    pub counted_live: u32,
    /// The values the key had on the session's events it looks at (distinct, at most 10).
    pub seen: Vec<String>,
}

/// The input of `estimateActionMap`: `{"actionMap", "from"?, "to"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EstimateQuery {
    /// A draft action map (Genesys' `ActionMap` form); it is not stored.
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::orchestration::ActionMap"))]
    pub action_map: Value,
    /// Only sessions active at or after this time (RFC 3339).
    #[serde(default)]
    pub from: Option<String>,
    /// Only sessions that started at or before this time (RFC 3339).
    #[serde(default)]
    pub to: Option<String>,
}

/// How many stored sessions a draft map would qualify (the Genesys estimate job's result form).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Sessions the map would qualify in.
    pub qualified_session_count: u64,
    /// Sessions looked at.
    pub total_session_count: u64,
    /// For each trigger segment, the sessions that would hold it.
    pub per_segment_counts: Vec<SegmentCount>,
}

/// Sessions holding one segment.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentCount {
    /// The segment.
    pub segment_id: String,
    /// Sessions.
    pub count: u64,
}

/// The map's conditions and segments over one session's stored events.
struct Recount {
    /// Per segment of the focused rules: per pattern, the events that count.
    segments: Vec<Vec<u32>>,
    /// Per event condition: the events that satisfy it, and the values seen.
    conditions: Vec<(u32, Vec<String>)>,
}

impl Recount {
    /// The counts of the customer-scoped segments over all the customer's sessions (zero for the
    /// others): computed once per customer, then shared by each of its sessions.
    fn customer_counts(rules: &Compiled, customer: &CustomerSessions) -> Vec<Vec<u32>> {
        let mut counts: Vec<Vec<u32>> = rules.segments.iter().map(|s| vec![0; s.counts.len()]).collect();
        if !rules.segments.iter().any(|s| s.scope == Scope::Customer) {
            return counts;
        }
        for session in customer.iter() {
            session.each_counted(rules, |entry, _, holds| {
                if let (true, Owner::Segment(s)) = (holds, entry.owner)
                    && rules.segments[s].scope == Scope::Customer
                {
                    counts[s][entry.pattern] += 1;
                }
            });
        }
        counts
    }

    /// One pass over the session's events, starting from the customer's counts.
    fn of(rules: &Compiled, customer_counts: &[Vec<u32>], session: &Session) -> Recount {
        let mut recount =
            Recount { segments: customer_counts.to_vec(), conditions: vec![(0, Vec::new()); rules.maps[0].conditions] };
        session.each_counted(rules, |entry, facts, holds| match entry.owner {
            Owner::Segment(s) if holds && rules.segments[s].scope == Scope::Session => {
                recount.segments[s][entry.pattern] += 1;
            }
            Owner::Map(0) => {
                let (count, seen) = &mut recount.conditions[entry.pattern];
                *count += holds as u32;
                let value = entry.tests.first().and_then(|test| test.read(facts));
                if let Some(value) = value.filter(|v| seen.len() < 10 && !seen.contains(v)) {
                    seen.push(value);
                }
            }
            _ => {}
        });
        recount
    }

    fn segment_holds(&self, rules: &Compiled, s: usize) -> bool {
        self.segments[s].iter().zip(rules.segments[s].counts.iter()).all(|(counted, needed)| counted >= needed)
    }

    fn conditions_hold(&self) -> bool {
        !self.conditions.is_empty() && self.conditions.iter().all(|(count, _)| *count > 0)
    }

    /// Whether the session would qualify the map, as far as its events say.
    fn qualifies(&self, rules: &Compiled) -> bool {
        (0..rules.segments.len()).any(|s| self.segment_holds(rules, s)) || self.conditions_hold()
    }
}

/// Whether some page of the session satisfies all the map's page URL conditions.
fn page_url_matched(map: &ActionMap, catalog: &Catalog, session: &Session) -> Option<bool> {
    if map.page_url_conditions.is_empty() {
        return None;
    }
    Some(session.page_urls(catalog).iter().any(|url| crate::state::orchestration::url_conditions_hold(map, Some(url))))
}

impl Engine {
    /// Why an action map did or did not fire in a session (see [`MapExplanation`]).
    /// `NOT_FOUND` for an unknown map or session.
    pub fn explain_action_map(&self, query: &ExplainQuery) -> Result<MapExplanation> {
        self.read_durably(|engine| engine.explain_now(query))
    }

    fn explain_now(&self, query: &ExplainQuery) -> Result<MapExplanation> {
        let stored = self.rules.current();
        let Some(map) = stored.definitions.action_map(&query.action_map_id) else {
            return Err(JourneyError::NotFound(format!("no action map '{}'", clip(&query.action_map_id))));
        };
        let rules = Compiled::new(stored.definitions.focused_on(map), &self.catalog);
        let now = self.clock.now().unwrap_or(Millis::MIN);
        let explained = self
            .store
            .with_session(&query.session_id, |customer, session| self.explanation(&rules, map, customer, session, now));
        explained.ok_or_else(|| JourneyError::NotFound(format!("no session {}", query.session_id)))
    }

    fn explanation(
        &self,
        rules: &Compiled,
        map: &ActionMap,
        customer: &CustomerSessions,
        session: &Session,
        now: Millis,
    ) -> MapExplanation {
        let recount = Recount::of(rules, &Recount::customer_counts(rules, customer), session);
        let state = customer.orchestration.as_deref();
        let last = state
            .and_then(|state| state.sessions.get(&session.id))
            .and_then(|s| s.maps.iter().rev().find(|q| *q.map_id == *map.id.as_deref().unwrap_or_default()));
        let qualification = last.map(|q| QualificationView {
            version: q.version,
            qualified_date: format_millis(q.qualified),
            // The verdict's own name, as it serializes.
            verdict: serde_json::to_value(q.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            action_id: q.action_id,
        });
        let segments = rules
            .segments
            .iter()
            .enumerate()
            .map(|(s, rule)| SegmentExplanation {
                segment_id: rule.id.to_string(),
                held: held(state, session.id, &rule.id, now),
                patterns: recount.segments[s]
                    .iter()
                    .zip(rule.counts.iter())
                    .enumerate()
                    .map(|(pattern, (counted, needed))| PatternCount {
                        needed: *needed,
                        counted: *counted,
                        counted_live: live_count(state, session.id, rule.scope, &rule.id, rule.version, pattern),
                    })
                    .collect(),
            })
            .collect();
        let map_rule = &rules.maps[0];
        let conditions = map
            .trigger_with_event_conditions
            .iter()
            .zip(&recount.conditions)
            .enumerate()
            .map(|(i, (condition, (counted, seen)))| ConditionExplanation {
                key: String::from(condition.key.clone()),
                matched: *counted > 0,
                counted: *counted,
                counted_live: live_count(state, session.id, Scope::Session, &map_rule.id, map_rule.version, i),
                seen: seen.clone(),
            })
            .collect();
        let within_dates = rules.maps[0].within_dates(now);
        let schedule_open = map.schedule.as_ref().map(|schedule| schedule.is_open(now));
        let page_url_matched = page_url_matched(map, &self.catalog, session);
        let stopped_by = match last {
            Some(q) => stopped_by_verdict(q.verdict),
            None if !map.is_active => Some("isActive"),
            None if !recount.qualifies(rules) => Some("conditions"),
            None if page_url_matched == Some(false) => Some("pageUrl"),
            None if !within_dates => Some("dates"),
            None if map.action.media_type.is_web_action() && !customer.customer.is_browser() => Some("browser"),
            None => Some("conditions"),
        };
        MapExplanation {
            action_map_id: map.id.clone().unwrap_or_default(),
            version: map.version.unwrap_or(1),
            session_id: session.id,
            is_active: map.is_active,
            qualification,
            segments,
            conditions,
            page_url_matched,
            within_dates,
            schedule_open,
            stopped_by: stopped_by.map(str::to_owned),
        }
    }

    /// How many stored sessions a draft action map would qualify (see [`Estimate`]), without
    /// storing or firing anything. The draft is checked as a put would check it.
    pub fn estimate_action_map(&self, query: &EstimateQuery) -> Result<Estimate> {
        let map: ActionMap = read_definition(&query.action_map)?;
        check_action_map(&self.catalog, &map)
            .map_err(|(at, message)| JourneyError::invalid_argument(format!("/actionMap{at}: {message}")))?;
        let bound = |text: &Option<String>, name: &str| -> Result<Option<Millis>> {
            text.as_deref()
                .map(|t| {
                    parse_rfc3339(t)
                        .ok_or_else(|| JourneyError::invalid_argument(format!("/{name}: not an RFC 3339 time")))
                })
                .transpose()
        };
        let (from, to) = (bound(&query.from, "from")?, bound(&query.to, "to")?);
        self.read_durably(|engine| engine.estimate_now(&map, from, to))
    }

    fn estimate_now(&self, map: &ActionMap, from: Option<Millis>, to: Option<Millis>) -> Result<Estimate> {
        let mut drafts = self.rules.current().definitions.clone();
        let unlimited = Limits { segments: usize::MAX, outcomes: usize::MAX, action_maps: usize::MAX };
        let named = ActionMap {
            id: Some(map.id.clone().unwrap_or_else(|| Uuid::nil().to_string())),
            version: None,
            ..map.clone()
        };
        let draft = drafts.put_action_map(named, &unlimited, 0).map_err(|e| {
            JourneyError::invalid_argument(format!(
                "/actionMap{}",
                e.to_string().trim_start_matches("invalid argument: ")
            ))
        })?;
        let rules = Compiled::new(drafts.focused_on(&draft), &self.catalog);
        let mut estimate = Estimate {
            qualified_session_count: 0,
            total_session_count: 0,
            per_segment_counts: rules
                .segments
                .iter()
                .map(|s| SegmentCount { segment_id: s.id.to_string(), count: 0 })
                .collect(),
        };
        self.store.each_customer(|customer| {
            let customer_counts = Recount::customer_counts(&rules, customer);
            for session in customer.iter() {
                let active = from.is_none_or(|from| session.last_time() >= from)
                    && to.is_none_or(|to| session.first_time() <= to);
                if !active {
                    continue;
                }
                estimate.total_session_count += 1;
                let recount = Recount::of(&rules, &customer_counts, session);
                for (s, count) in estimate.per_segment_counts.iter_mut().enumerate() {
                    count.count += recount.segment_holds(&rules, s) as u64;
                }
                let browser = !draft.action.media_type.is_web_action() || customer.customer.is_browser();
                let pages = page_url_matched(&draft, &self.catalog, session) != Some(false);
                estimate.qualified_session_count += (browser && pages && recount.qualifies(&rules)) as u64;
            }
        });
        Ok(estimate)
    }
}

/// The events evaluation counted for one pattern of a definition, as it kept them.
fn live_count(
    state: Option<&CustomerState>,
    session_id: Uuid,
    scope: Scope,
    definition: &str,
    version: u64,
    pattern: usize,
) -> u32 {
    let Some(state) = state else { return 0 };
    let counts = match scope {
        Scope::Customer => Some(&state.counts),
        Scope::Session => state.sessions.get(&session_id).map(|s| &s.counts),
    };
    counts.and_then(|counts| counts.get(CountKey::of(definition, version, pattern as u32))).unwrap_or(0)
}

/// Whether the session holds the segment now, as evaluation recorded it.
fn held(state: Option<&CustomerState>, session_id: Uuid, segment_id: &str, now: Millis) -> bool {
    let Some(state) = state else { return false };
    let in_session =
        state.sessions.get(&session_id).is_some_and(|s| s.segments.iter().any(|a| &*a.segment_id == segment_id));
    let for_customer = state.assignments.iter().any(|a| &*a.segment_id == segment_id && a.in_force(Some(now)));
    in_session || for_customer
}

/// What stopped a map that qualified, in the explanation's words (`None`: it fired).
fn stopped_by_verdict(verdict: Verdict) -> Option<&'static str> {
    match verdict {
        Verdict::Fired => None,
        Verdict::Outweighed => Some("weight"),
        Verdict::Capped => Some("frequencyCap"),
        Verdict::OutsideSchedule => Some("schedule"),
        Verdict::Waiting => Some("waiting"),
        Verdict::Withdrawn => Some("withdrawn"),
    }
}
