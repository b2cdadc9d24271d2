//! Validation of one event against the catalog and config (SPEC §2.2).
//!
//! Every check runs, so that the caller learns every violation at once, each with the JSON pointer of
//! the offending value. Checks that need engine state (duplicates, session type and customer mismatch,
//! ended sessions) run later, in the session store, on events that pass here.

mod attributes;
mod identifier;

pub use identifier::MAX_IDENTIFIERS_PER_EVENT;
mod open;

use crate::base::error::{Violation, ViolationCode as Code};
use crate::base::json::Json;
use crate::base::text::{clip, cut};
use crate::base::time::{Millis, format_millis, parse_rfc3339};
use crate::model::catalog::{Catalog, is_identifier};
use crate::model::config::Config;
use crate::model::event::IdType;
use std::borrow::Cow;
use uuid::Uuid;

/// [`CheckedEvent::event_type`] of an event whose open event type stage 2 has yet to number.
pub(crate) const UNRESOLVED: usize = usize::MAX;

/// The event type an event names, as stage 1 finds it.
#[derive(Debug, Clone, Copy)]
enum Named<'j> {
    /// Declared by its session type, at this index.
    Declared(usize),
    /// Not declared by its open session type: an open event type of this name.
    Open(&'j str),
}

/// An event that passed every stateless check, borrowing from its parsed JSON.
#[derive(Debug)]
pub(crate) struct CheckedEvent<'j, 'a> {
    /// Event time, in UTC milliseconds.
    pub time: Millis,
    /// The customer's identifier.
    pub customer_id: &'j str,
    /// The kind of identifier.
    pub id_type: IdType,
    /// Index of the session type in the catalog.
    pub session_type: usize,
    /// Index of the event type in its session type; [`UNRESOLVED`] while `open_name` waits for
    /// stage 2 to find or create its open event type.
    pub event_type: usize,
    /// The name of the event's type when it is one its open session type does not declare.
    /// Stage 1 runs on many threads at once and never numbers one (docs/decisions.md, "Open
    /// session types for app events"): stage 2 does, in the event's turn.
    pub open_name: Option<&'j str>,
    /// `session.externalId` (custom and conversation sessions).
    pub external_id: Option<&'j str>,
    /// `division`, if given.
    pub division: Option<&'j str>,
    /// Defined attributes: (index in the event type, value with any vendor wrapper removed).
    pub attributes: Vec<(usize, &'j Json<'a>)>,
    /// Undefined attributes kept under the `keep` policy, and an open event type's attributes
    /// (a value sent as `{"dataType", "value"}` read as its type, so sometimes owned).
    pub extra_attributes: Vec<(&'j str, Cow<'j, Json<'a>>)>,
    /// Warnings to report with the outcome (dropped attributes).
    pub warnings: Vec<Violation>,
    /// The identifiers the event links to its customer (docs/identity.md), as sent.
    pub identifiers: Vec<(&'j str, IdType)>,
}

/// The envelope fields of an event, found in one pass over its keys.
#[derive(Default)]
struct Envelope<'j, 'a> {
    id: Option<&'j Json<'a>>,
    event_name: Option<&'j Json<'a>>,
    created_date: Option<&'j Json<'a>>,
    customer: Option<&'j Json<'a>>,
    session: Option<&'j Json<'a>>,
    division: Option<&'j Json<'a>>,
    attributes: Option<&'j Json<'a>>,
    identifiers: Option<&'j Json<'a>>,
}

impl<'j, 'a> Envelope<'j, 'a> {
    fn of(event: &'j Json<'a>) -> Self {
        let mut fields = Envelope::default();
        let Json::Object(entries) = event else { return fields };
        for (key, value) in entries {
            let slot = match key.as_ref() {
                "id" => &mut fields.id,
                "eventName" => &mut fields.event_name,
                "createdDate" => &mut fields.created_date,
                "customer" => &mut fields.customer,
                "session" => &mut fields.session,
                "division" => &mut fields.division,
                "attributes" => &mut fields.attributes,
                "identifiers" => &mut fields.identifiers,
                _ => continue, // other envelope keys are ignored (docs/decisions.md)
            };
            *slot = Some(value);
        }
        fields
    }
}

/// Checks events against one catalog and config: every check that needs no engine state, so
/// that it can run on any thread, before the event's turn comes (docs/performance.md).
pub(crate) struct Validator<'c> {
    pub catalog: &'c Catalog,
    pub config: &'c Config,
    /// Whether the envelope's `identifiers` are read. Only the replay of a journal written before
    /// identity existed ignores them, as its engine did (an unknown envelope key).
    pub reads_identifiers: bool,
}

/// The checks that compare an event's time with the engine's `now` (`LATE_EVENT`,
/// `FUTURE_EVENT`): the one part of validation that depends on engine state, since `now` moves
/// (an event clock is the latest accepted event time). They run in the event's turn, in order.
pub(crate) struct TimeCheck<'c> {
    pub config: &'c Config,
    /// The engine's `now`; `None` for an event clock that has seen no event yet.
    pub now: Option<Millis>,
    /// What `FUTURE_EVENT` compares with, if anything.
    pub future: FutureCheck,
}

/// What the stateless checks found in one event: the event if nothing so far is wrong with it, the
/// violations so far, and what the time checks need.
pub(crate) struct Inspection<'j, 'a> {
    /// The checked event, when no violation was found.
    event: Option<CheckedEvent<'j, 'a>>,
    /// The first [`MAX_VIOLATIONS_PER_EVENT`] violations found.
    violations: Vec<Violation>,
    /// Violations found, listed or not.
    found: usize,
    /// The event time, when `createdDate` could be read.
    time: Option<Millis>,
    /// Where in the list the time checks' violations go: right after the `createdDate` checks, as
    /// when everything ran in one pass.
    time_slot: usize,
}

impl<'j, 'a> Inspection<'j, 'a> {
    /// True when the stateless checks found nothing wrong.
    #[cfg(feature = "stages")]
    pub fn passed(&self) -> bool {
        self.found == 0
    }

    /// The checked event, when the stateless checks found nothing wrong (the checks against
    /// `now` may still reject it).
    pub fn event(&self) -> Option<&CheckedEvent<'j, 'a>> {
        self.event.as_ref()
    }
}

/// What an event's time may not exceed by more than `maxClockSkew` (`FUTURE_EVENT`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FutureCheck {
    /// Wall and manual clocks: the engine's `now`.
    Now,
    /// An event clock: the wall time when the event is checked. Event times move an event clock,
    /// so one event dated 9999-12-31 would otherwise freeze it there and make every later real
    /// event `LATE_EVENT`.
    Wall(Millis),
    /// Replaying a journal: what was accepted then is accepted again.
    Skip,
}

/// Collects violations for one event.
/// Most violations one event reports; the rest are counted in one `TOO_MANY_VIOLATIONS` entry.
/// Without a cap, a 64 KiB event of 32,000 bad list items made a 4 MiB outcome.
pub const MAX_VIOLATIONS_PER_EVENT: usize = 100;

/// The violations of one event: the first [`MAX_VIOLATIONS_PER_EVENT`] in full, the rest counted.
struct Report<'v> {
    list: &'v mut Vec<Violation>,
    found: usize,
}

impl<'v> Report<'v> {
    fn new(list: &'v mut Vec<Violation>) -> Self {
        Report { list, found: 0 }
    }

    /// Reports a violation. The path and message are only built while the cap is not reached.
    fn add(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) {
        self.found += 1;
        if self.found <= MAX_VIOLATIONS_PER_EVENT {
            self.list.push(Violation::new(code, cut(&path.into(), MAX_PATH_CHARS), message));
        }
    }

    /// How many violations were found so far, listed or not.
    fn found(&self) -> usize {
        self.found
    }

    /// How many violations are in the list so far.
    fn listed(&self) -> usize {
        self.list.len()
    }
}

impl TimeCheck<'_> {
    /// Finishes an inspection in the event's turn: adds the time checks' violations where they
    /// belong, then the count of those not listed. Returns the event when nothing is wrong with it,
    /// and every violation.
    pub fn finish<'j, 'a>(&self, inspection: Inspection<'j, 'a>) -> (Option<CheckedEvent<'j, 'a>>, Vec<Violation>) {
        let Inspection { event, mut violations, found, time, time_slot } = inspection;
        let mut late = Vec::new();
        if let Some(time) = time {
            self.check(time, &mut late);
        }
        let found = found + late.len();
        violations.splice(time_slot..time_slot, late);
        finish_list(&mut violations, found);
        (if found == 0 { event } else { None }, violations)
    }

    /// `FUTURE_EVENT` and `LATE_EVENT` for an event at `time`.
    fn check(&self, time: Millis, out: &mut Vec<Violation>) {
        let skew = self.config.max_clock_skew;
        if let FutureCheck::Wall(wall) = self.future
            && time > wall.saturating_add(skew.as_millis())
        {
            out.push(Violation::new(
                Code::FutureEvent,
                "/createdDate",
                format!("event time is more than {skew} after the wall clock ({})", format_millis(wall)),
            ));
        }
        // An event clock that has seen no event yet has no `now` to compare with.
        let Some(now) = self.now else { return };
        if let Some(lateness) = self.config.allowed_lateness
            && time < now.saturating_sub(lateness.as_millis())
        {
            out.push(Violation::new(
                Code::LateEvent,
                "/createdDate",
                format!("event time is more than {lateness} before now ({})", format_millis(now)),
            ));
        }
        if matches!(self.future, FutureCheck::Now) && time > now.saturating_add(skew.as_millis()) {
            out.push(Violation::new(
                Code::FutureEvent,
                "/createdDate",
                format!("event time is more than {skew} after now ({})", format_millis(now)),
            ));
        }
    }
}

/// Adds the count of the violations not listed, if any, to a list of `found` violations.
fn finish_list(list: &mut Vec<Violation>, found: usize) {
    if let Some(omitted) = found.checked_sub(MAX_VIOLATIONS_PER_EVENT).filter(|n| *n > 0) {
        list.truncate(MAX_VIOLATIONS_PER_EVENT);
        list.push(Violation::new(
            Code::TooManyViolations,
            "",
            format!("{omitted} more violations were found and not listed"),
        ));
    }
}

/// Longest violation path, in characters: a path names a key of the input, and a 1 MB key must
/// not make a 1 MB outcome.
const MAX_PATH_CHARS: usize = 200;

impl<'c> Validator<'c> {
    /// Checks `event`, appending every violation found. Returns the checked event when there is none.
    pub fn check<'j, 'a>(&self, event: &'j Json<'a>) -> Inspection<'j, 'a> {
        let mut violations = Vec::new();
        let mut report = Report::new(&mut violations);
        if !matches!(event, Json::Object(_)) {
            report.add(Code::TypeMismatch, "", format!("an event must be a JSON object, not {}", event.type_name()));
            let found = report.found();
            return Inspection { event: None, violations, found, time: None, time_slot: 0 };
        }
        let fields = Envelope::of(event);
        self.check_id(fields.id, &mut report);
        let event_name = self.event_name(fields.event_name, &mut report);
        let time = self.created_date(fields.created_date, &mut report);
        let time_slot = report.listed();
        let customer = self.customer(fields.customer, &mut report);
        let identifiers = match self.reads_identifiers {
            true => self.identifiers(fields.identifiers, &mut report),
            false => Vec::new(),
        };
        let session = self.session(fields.session, &mut report);
        let division = self.optional_string(fields.division, "/division", &mut report);
        let named = match (session, event_name) {
            (Some((session_type, _)), Some(name)) => self.event_type(session_type, name, &mut report),
            _ => None,
        };
        let mut attributes = Vec::new();
        let mut extra_attributes = Vec::new();
        let mut warnings = Vec::new();
        if let Some(raw) = fields.attributes.filter(|a| !matches!(a, Json::Null)) {
            self.attributes(
                raw,
                session.map(|(t, _)| t).zip(named),
                &mut report,
                &mut attributes,
                &mut extra_attributes,
                &mut warnings,
            );
        } else if let (Some((session_type, _)), Some(Named::Declared(event_type))) = (session, named) {
            self.required_attributes(session_type, event_type, |_| false, &mut report);
        }
        let found = report.found();
        let event = (found == 0).then(|| {
            let ((customer_id, id_type), (session_type, external_id)) = customer.zip(session)?;
            Some(CheckedEvent {
                time: time?,
                customer_id,
                id_type,
                session_type,
                event_type: match named? {
                    Named::Declared(index) => index,
                    Named::Open(_) => UNRESOLVED,
                },
                open_name: match named? {
                    Named::Declared(_) => None,
                    Named::Open(name) => Some(name),
                },
                external_id,
                division,
                attributes,
                extra_attributes,
                warnings,
                identifiers,
            })
        });
        Inspection { event: event.flatten(), violations, found, time, time_slot }
    }

    fn check_id(&self, id: Option<&Json<'_>>, report: &mut Report<'_>) {
        match id {
            None | Some(Json::Null) => {}
            Some(Json::String(text)) if Uuid::try_parse(text).is_ok() => {}
            Some(other) => {
                report.add(Code::InvalidId, "/id", format!("id must be a UUID string, got {}", describe(other)))
            }
        }
    }

    fn event_name<'j>(&self, name: Option<&'j Json<'_>>, report: &mut Report<'_>) -> Option<&'j str> {
        match name {
            None | Some(Json::Null) => report.add(Code::MissingField, "/eventName", "eventName is required"),
            Some(Json::String(name)) if is_identifier(name) => return Some(name),
            Some(Json::String(name)) => report.add(
                Code::InvalidName,
                "/eventName",
                format!("'{}' is not an identifier (^[A-Za-z][A-Za-z0-9_]{{0,63}}$)", clip(name)),
            ),
            Some(other) => {
                report.add(Code::TypeMismatch, "/eventName", format!("expected a string, got {}", other.type_name()))
            }
        }
        None
    }

    fn created_date(&self, date: Option<&Json<'_>>, report: &mut Report<'_>) -> Option<Millis> {
        let time = match date {
            None | Some(Json::Null) => {
                report.add(Code::MissingDate, "/createdDate", "createdDate is required");
                return None;
            }
            Some(Json::String(text)) => parse_rfc3339(text),
            Some(_) => None,
        };
        if time.is_none() {
            report.add(Code::InvalidDate, "/createdDate", format!("{} is not an RFC 3339 timestamp", describe(date?)));
        }
        time
    }

    fn customer<'j>(&self, customer: Option<&'j Json<'_>>, report: &mut Report<'_>) -> Option<(&'j str, IdType)> {
        match customer {
            None | Some(Json::Null) => {
                report.add(Code::MissingCustomer, "/customer", "customer is required");
                None
            }
            Some(customer) => self.identifier(customer, "/customer", "customer", report),
        }
    }

    /// `(session type index, externalId)`.
    fn session<'j>(&self, session: Option<&'j Json<'_>>, report: &mut Report<'_>) -> Option<(usize, Option<&'j str>)> {
        let session = match session {
            None | Some(Json::Null) => {
                report.add(Code::MissingField, "/session", "session is required");
                return None;
            }
            Some(s @ Json::Object(_)) => s,
            Some(other) => {
                report.add(Code::TypeMismatch, "/session", format!("expected an object, got {}", other.type_name()));
                return None;
            }
        };
        let session_type = match session.get("type") {
            None | Some(Json::Null) => {
                report.add(Code::MissingField, "/session/type", "session.type is required");
                None
            }
            Some(Json::String(name)) if !is_identifier(name) => {
                report.add(Code::InvalidName, "/session/type", format!("'{}' is not an identifier", clip(name)));
                None
            }
            Some(Json::String(name)) => self.catalog.session_type_index(name).or_else(|| {
                report.add(Code::UnknownSessionType, "/session/type", format!("no session type is called '{name}'"));
                None
            }),
            Some(other) => {
                report.add(
                    Code::TypeMismatch,
                    "/session/type",
                    format!("expected a string, got {}", other.type_name()),
                );
                None
            }
        };
        let needs_external_id = session_type.is_none_or(|i| self.catalog.session_type(i).kind.requires_external_id());
        let external_id = match session.get("externalId") {
            // A web session is found by inactivity; an externalId sent with a web event is ignored.
            _ if !needs_external_id => None,
            None | Some(Json::Null) => {
                if session_type.is_some() {
                    report.add(
                        Code::MissingField,
                        "/session/externalId",
                        "session.externalId is required for this session type",
                    );
                }
                None
            }
            Some(Json::String(id)) if id.is_empty() => {
                report.add(Code::MissingField, "/session/externalId", "session.externalId is empty");
                None
            }
            Some(Json::String(id)) => self.bounded(id, "/session/externalId", report),
            Some(other) => {
                report.add(
                    Code::TypeMismatch,
                    "/session/externalId",
                    format!("expected a string, got {}", other.type_name()),
                );
                None
            }
        };
        Some((session_type?, external_id))
    }

    fn optional_string<'j>(&self, value: Option<&'j Json<'_>>, path: &str, report: &mut Report<'_>) -> Option<&'j str> {
        match value {
            None | Some(Json::Null) => None,
            Some(Json::String(text)) => self.bounded(text, path, report),
            Some(other) => {
                report.add(Code::TypeMismatch, path, format!("expected a string, got {}", other.type_name()));
                None
            }
        }
    }

    /// `text`, unless it is longer than `maxStringLength` characters.
    fn bounded<'t>(&self, text: &'t str, path: &str, report: &mut Report<'_>) -> Option<&'t str> {
        let limit = self.config.max_string_length;
        if too_long(text, limit) {
            report.add(Code::TooLong, path, format!("longer than {limit} characters"));
            return None;
        }
        Some(text)
    }

    /// The event type `name` of `session_type`: a declared one, or for an open session type an
    /// open one (numbered in stage 2).
    fn event_type<'j>(&self, session_type: usize, name: &'j str, report: &mut Report<'_>) -> Option<Named<'j>> {
        let ty = self.catalog.session_type(session_type);
        if let Some(index) = ty.event_type_index(name) {
            return Some(Named::Declared(index));
        }
        if ty.open {
            return Some(Named::Open(name));
        }
        report.add(
            Code::UnknownEventType,
            "/eventName",
            format!("session type '{}' has no event type '{name}'", ty.name),
        );
        None
    }
}

pub(crate) fn too_long(text: &str, limit: usize) -> bool {
    // A string's byte length bounds its character count, so most strings skip the count.
    text.len() > limit && text.chars().count() > limit
}

/// A value for a message, cut short so that a huge input does not make a huge message.
pub(crate) fn describe(value: &Json<'_>) -> String {
    match value {
        Json::String(text) => format!("'{}'", clip(text)),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        other => other.type_name().to_owned(),
    }
}
