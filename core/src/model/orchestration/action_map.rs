//! Action maps: when a session holds a segment (or its events meet conditions), do something.

use super::criterion::{Criterion, CriterionKey, Operator};
use super::pattern::{StreamType, check_key_on_stream};
use super::read::{Checked, refused_unless_empty};
use super::segment::check_display_name;
use crate::base::time::parse_rfc3339;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An action map, in the form of Genesys' `ActionMap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionMap {
    /// The id (given by the host, or derived when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The stored version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The name people see.
    pub display_name: String,
    /// Whether it is evaluated (default `true`).
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Qualifies when the session holds any of these segments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger_with_segments: Vec<String>,
    /// Qualifies when all of these hold on the session's events so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger_with_event_conditions: Vec<EventCondition>,
    /// Conditions on the qualifying event's page URL, for web actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_url_conditions: Vec<UrlCondition>,
    /// When a qualified map fires (default `immediate`).
    #[serde(default)]
    pub activation: Activation,
    /// 1 (low) to 3 (high), default 2: among maps qualifying on one event, the highest fires.
    #[serde(default = "medium")]
    pub weight: u8,
    /// Whether the frequency caps are ignored (default `false`).
    #[serde(default)]
    pub ignore_frequency_cap: bool,
    /// It may qualify from this time on (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// It may qualify until this time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// The hours it may fire in (libjourney's own field; Genesys points to a schedule group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// What it does.
    pub action: Action,
    /// A description, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Genesys' link to the definition, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    /// When it was created, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// When it was last changed, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<String>,
    /// Architect schedule groups: refused unless empty (use `schedule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_map_schedule_groups: Option<Value>,
    /// Outcome probability triggers (ML scoring): refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_with_outcome_probability_conditions: Option<Value>,
    /// Outcome percentile triggers (ML scoring): refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_with_outcome_percentile_conditions: Option<Value>,
    /// Outcome quantile triggers (ML scoring): refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_with_outcome_quantile_conditions: Option<Value>,
}

fn yes() -> bool {
    true
}

fn medium() -> u8 {
    2
}

/// One condition of `triggerWithEventConditions`: a criterion on a stream's events.
// The criterion's fields are repeated rather than flattened in: serde cannot refuse unknown keys
// beside a flattened struct, and its errors inside one lose the field's path, which every refusal
// must name. (The descriptive fields repeated in the three definitions are so for the same reason.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventCondition {
    /// What is tested.
    pub key: CriterionKey,
    /// The values it is compared with.
    pub values: Vec<String>,
    /// How (default `equal`).
    #[serde(default)]
    pub operator: Operator,
    /// Whether text compares without case (default `false`).
    #[serde(default)]
    pub should_ignore_case: bool,
    /// The stream whose events it looks at.
    pub stream_type: StreamType,
    /// Only events of this session type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_type: Option<String>,
    /// Only events of this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
}

impl EventCondition {
    /// The condition's test, as a criterion.
    pub fn criterion(&self) -> Criterion {
        Criterion {
            key: self.key.clone(),
            values: self.values.clone(),
            operator: self.operator,
            should_ignore_case: self.should_ignore_case,
        }
    }
}

/// A condition on the page URL of the event a web action would fire on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UrlCondition {
    /// The values the URL is compared with.
    pub values: Vec<String>,
    /// How.
    pub operator: Operator,
}

/// When a qualified map fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Activation {
    /// Immediately, after a delay, or at the customer's next session.
    #[serde(rename = "type")]
    pub kind: ActivationType,
    /// The delay, for `delay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_in_seconds: Option<u32>,
}

/// The activation types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ActivationType {
    /// At the event that qualified it.
    #[default]
    Immediate,
    /// `delayInSeconds` later, if the session is still open.
    Delay,
    /// At the customer's next session start.
    OnNextSession,
    /// Genesys' next page view: refused (libjourney has no page-visit lifecycle).
    OnNextVisit,
}

/// What a map does when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ActionMapAction"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Action {
    /// The kind of action.
    pub media_type: ActionMediaType,
    /// For `customEvent`: the agent it goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// For `customEvent`: the event attribute naming the agent (`attributes.<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id_from: Option<CriterionKey>,
    /// For `customEvent`: the custom event's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// For `customEvent`: its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// For `customEvent`: whether it waits for an agent who is not logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist_in_memory: Option<bool>,
    /// Presentation of a web chat (prompt, texts, survey), kept and carried by the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub props: Option<Value>,
    /// The template of a content offer, kept and carried by the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_template: Option<Value>,
    /// Where a web chat is routed, kept and carried by the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_target_id: Option<String>,
    /// Presentation of a web messaging offer, kept and carried by the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_messaging_offer_fields: Option<Value>,
    /// Throttling by agent availability: refused when `true` (there are no action targets here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pacing_enabled: Option<bool>,
    /// Architect flow inputs: refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architect_flow_fields: Option<Value>,
    /// Open action inputs: refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_action_fields: Option<Value>,
}

/// The kinds of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ActionMediaType {
    /// A web chat offer (a web action).
    Webchat,
    /// A web messaging offer (a web action).
    WebMessagingOffer,
    /// A content offer (a web action).
    ContentOffer,
    /// A custom event to an agent.
    CustomEvent,
    /// Only the host's `trigger:` subscriptions are told.
    Callback,
    /// Genesys' data action: refused.
    IntegrationAction,
    /// Genesys' Architect flow: refused.
    ArchitectFlow,
    /// Genesys' open action: refused.
    OpenAction,
}

impl ActionMediaType {
    /// Whether the action is a web action (recorded through the web action lifecycle).
    pub fn is_web_action(self) -> bool {
        matches!(self, Self::Webchat | Self::WebMessagingOffer | Self::ContentOffer)
    }
}

/// The hours a map may fire in: a time zone and weekly intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ActionMapSchedule"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    /// An IANA time zone such as `Europe/Paris`.
    pub time_zone: String,
    /// The intervals, local to the zone.
    pub weekly: Vec<WeeklyHours>,
}

/// One weekly interval: a day and `HH:MM` from (inclusive) to (exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeeklyHours {
    /// `monday` … `sunday`.
    pub day: Weekday,
    /// `HH:MM`.
    pub from: String,
    /// `HH:MM`, after `from` (`24:00` for the end of the day).
    pub to: String,
}

/// The days of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
}

impl Checked for ActionMap {
    fn check(&self) -> Result<(), (String, String)> {
        check_display_name(&self.display_name)?;
        self.check_refused()?;
        self.check_triggers()?;
        if !(1..=3).contains(&self.weight) {
            return Err(("/weight".into(), format!("{}; from 1 (low) to 3 (high)", self.weight)));
        }
        check_activation(&self.activation)?;
        self.check_dates()?;
        if let Some(schedule) = &self.schedule {
            check_schedule(schedule)?;
        }
        check_action(&self.action)
    }
}

impl ActionMap {
    fn check_refused(&self) -> Result<(), (String, String)> {
        let scoring = "outcome scoring (ML) is not part of libjourney";
        refused_unless_empty(&self.action_map_schedule_groups, "/actionMapScheduleGroups", "use 'schedule'")?;
        refused_unless_empty(
            &self.trigger_with_outcome_probability_conditions,
            "/triggerWithOutcomeProbabilityConditions",
            scoring,
        )?;
        refused_unless_empty(
            &self.trigger_with_outcome_percentile_conditions,
            "/triggerWithOutcomePercentileConditions",
            scoring,
        )?;
        refused_unless_empty(
            &self.trigger_with_outcome_quantile_conditions,
            "/triggerWithOutcomeQuantileConditions",
            scoring,
        )
    }

    fn check_triggers(&self) -> Result<(), (String, String)> {
        match (self.trigger_with_segments.is_empty(), self.trigger_with_event_conditions.is_empty()) {
            (false, false) => {
                return Err((
                    "/triggerWithEventConditions".into(),
                    "a map triggers with segments or with event conditions, not both".into(),
                ));
            }
            (true, true) => {
                return Err((
                    "/triggerWithSegments".into(),
                    "a map needs triggerWithSegments or triggerWithEventConditions".into(),
                ));
            }
            _ => {}
        }
        for (i, condition) in self.trigger_with_event_conditions.iter().enumerate() {
            let at = format!("/triggerWithEventConditions/{i}");
            condition.criterion().check(&at)?;
            check_key_on_stream(&condition.key, condition.stream_type, &format!("{at}/key"))?;
        }
        for (i, condition) in self.page_url_conditions.iter().enumerate() {
            if condition.operator.is_ordering() {
                return Err((format!("/pageUrlConditions/{i}/operator"), "a URL is text: it has no order".into()));
            }
            let criterion = Criterion {
                key: CriterionKey::Web("page.url".into()),
                values: condition.values.clone(),
                operator: condition.operator,
                should_ignore_case: false,
            };
            criterion.check(&format!("/pageUrlConditions/{i}"))?;
        }
        Ok(())
    }

    fn check_dates(&self) -> Result<(), (String, String)> {
        let read = |date: &Option<String>, at: &str| match date {
            None => Ok(None),
            Some(text) => parse_rfc3339(text).map(Some).ok_or((at.to_owned(), "not an RFC 3339 time".to_owned())),
        };
        let (start, end) = (read(&self.start_date, "/startDate")?, read(&self.end_date, "/endDate")?);
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            return Err(("/endDate".into(), "must be after startDate".into()));
        }
        Ok(())
    }
}

fn check_activation(activation: &Activation) -> Result<(), (String, String)> {
    match (activation.kind, activation.delay_in_seconds) {
        (ActivationType::OnNextVisit, _) => Err((
            "/activation/type".into(),
            "not supported: on-next-visit (use immediate, delay or on-next-session)".into(),
        )),
        (ActivationType::Delay, None | Some(0)) => {
            Err(("/activation/delayInSeconds".into(), "a delay activation needs delayInSeconds of at least 1".into()))
        }
        (ActivationType::Immediate | ActivationType::OnNextSession, Some(_)) => {
            Err(("/activation/delayInSeconds".into(), "only a delay activation has a delay".into()))
        }
        _ => Ok(()),
    }
}

fn check_schedule(schedule: &Schedule) -> Result<(), (String, String)> {
    if schedule.zone().is_none() {
        let zone = crate::base::text::clip(&schedule.time_zone);
        return Err(("/schedule/timeZone".into(), format!("'{zone}' is not an IANA time zone name")));
    }
    if schedule.weekly.is_empty() {
        return Err(("/schedule/weekly".into(), "a schedule needs at least one interval (it would never open)".into()));
    }
    for (i, hours) in schedule.weekly.iter().enumerate() {
        let at = format!("/schedule/weekly/{i}");
        let from = minutes(&hours.from).ok_or((format!("{at}/from"), "expected HH:MM".to_owned()))?;
        let to = minutes(&hours.to).ok_or((format!("{at}/to"), "expected HH:MM".to_owned()))?;
        if to <= from {
            return Err((format!("{at}/to"), "must be after 'from'".into()));
        }
    }
    Ok(())
}

impl Schedule {
    /// The zone, from the IANA time zone database compiled into the library.
    fn zone(&self) -> Option<chrono_tz::Tz> {
        self.time_zone.parse().ok()
    }

    /// Whether the schedule is open at `time`: some interval of the local weekday holds the local
    /// time of day (from inclusive, to exclusive). A schedule that did not load is never open.
    pub fn is_open(&self, time: crate::base::time::Millis) -> bool {
        use chrono::{Datelike, Timelike};
        let (Some(zone), Some(utc)) = (self.zone(), chrono::DateTime::from_timestamp_millis(time)) else {
            return false;
        };
        let local = utc.with_timezone(&zone);
        let day = Weekday::ALL[local.weekday().num_days_from_monday() as usize];
        let minute = local.hour() * 60 + local.minute();
        self.weekly.iter().any(|hours| {
            let range = minutes(&hours.from).zip(minutes(&hours.to));
            hours.day == day && range.is_some_and(|(from, to)| from <= minute && minute < to)
        })
    }
}

/// `HH:MM` as minutes after midnight (`24:00` is the end of the day).
fn minutes(text: &str) -> Option<u32> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60 || hours == 24 && minutes == 0).then_some(hours * 60 + minutes)
}

fn check_action(action: &Action) -> Result<(), (String, String)> {
    let media = action.media_type;
    if matches!(
        media,
        ActionMediaType::IntegrationAction | ActionMediaType::ArchitectFlow | ActionMediaType::OpenAction
    ) {
        return Err((
            "/action/mediaType".into(),
            "not supported: use webchat, webMessagingOffer, contentOffer, customEvent or callback".into(),
        ));
    }
    if action.is_pacing_enabled == Some(true) {
        return Err((
            "/action/isPacingEnabled".into(),
            "not supported: pacing needs action targets' agent availability".into(),
        ));
    }
    refused_unless_empty(&action.architect_flow_fields, "/action/architectFlowFields", "Architect flows")?;
    refused_unless_empty(&action.open_action_fields, "/action/openActionFields", "open actions")?;
    let custom = [
        ("agentId", action.agent_id.is_some()),
        ("agentIdFrom", action.agent_id_from.is_some()),
        ("eventName", action.event_name.is_some()),
        ("data", action.data.is_some()),
        ("persistInMemory", action.persist_in_memory.is_some()),
    ];
    if media != ActionMediaType::CustomEvent {
        return match custom.iter().find(|(_, present)| *present) {
            Some((field, _)) => {
                Err((format!("/action/{field}"), "only a customEvent action sends a custom event".into()))
            }
            None => Ok(()),
        };
    }
    check_custom_event(action)
}

fn check_custom_event(action: &Action) -> Result<(), (String, String)> {
    match (&action.agent_id, &action.agent_id_from) {
        (Some(_), Some(_)) => return Err(("/action/agentIdFrom".into(), "agentId or agentIdFrom, not both".into())),
        (None, None) => {
            return Err(("/action/agentId".into(), "a customEvent action needs agentId or agentIdFrom".into()));
        }
        (Some(agent), _) if agent.is_empty() => return Err(("/action/agentId".into(), "must not be empty".into())),
        (_, Some(key)) if !matches!(key, CriterionKey::EventAttribute(_)) => {
            return Err((
                "/action/agentIdFrom".into(),
                "the agent is named by an event attribute: attributes.<name>".into(),
            ));
        }
        _ => {}
    }
    match &action.event_name {
        Some(name) if !name.is_empty() => Ok(()),
        _ => Err(("/action/eventName".into(), "a customEvent action needs an eventName".into())),
    }
}
