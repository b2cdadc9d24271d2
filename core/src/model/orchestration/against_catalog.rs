//! A definition against the catalog: every session type, event name and attribute it names exists
//! on its stream, and every value it compares with is of the attribute's type. A definition that
//! passes can only be wrong about the journeys it will meet, never about the catalog.
//!
//! `page.<field>` keys (and `searchQuery`) read the web event's attribute named `<field>`
//! (`page.url` reads `url`): catalog attribute names are identifiers, so the `page.` prefix is
//! Genesys' grouping, not part of the name.
//!
//! An open session type (docs/decisions.md, "Open session types for app events") may take any
//! event name, so a pattern or condition on its stream may name an event type the catalog does not
//! declare (it counts once an event creates it), and an attribute no declared event type has: open
//! event types' attributes are untyped, compared as text, so such a criterion has no ordering
//! operator.

use super::action_map::{ActionMap, ActionMediaType};
use super::criterion::{Criterion, CriterionKey, Operator};
use super::pattern::{JourneyPattern, StreamType};
use super::segment::{Outcome, Segment, ValueType};
use crate::base::text::clip;
use crate::base::time::parse_rfc3339;
use crate::model::catalog::{AttributeDef, AttributeType, Catalog, EventType, SessionType};

/// A fault: the JSON pointer of the field and what is wrong with it.
type Fault = (String, String);

/// The event types a pattern or condition can count: each declared one with its session type, and
/// whether open event types may be counted too.
struct Candidates<'c> {
    session_types: Vec<&'c SessionType>,
    declared: Vec<(&'c SessionType, &'c EventType)>,
    open: bool,
}

/// Checks a segment's patterns against the catalog.
pub fn check_segment(catalog: &Catalog, segment: &Segment) -> Result<(), Fault> {
    check_patterns(catalog, &segment.journey.patterns)
}

/// Checks an outcome's patterns, and that its value field is a number attribute of the events
/// its patterns count (an integer one for `dataType: Integer`).
pub fn check_outcome(catalog: &Catalog, outcome: &Outcome) -> Result<(), Fault> {
    check_patterns(catalog, &outcome.journey.patterns)?;
    let Some(field) = &outcome.associated_value_field else { return Ok(()) };
    let CriterionKey::EventAttribute(name) = &field.name else { return Ok(()) };
    let mut counted = Vec::new();
    for (i, pattern) in outcome.journey.patterns.iter().enumerate() {
        let at = format!("/journey/patterns/{i}");
        let (session_type, event_name) = (pattern.session_type.as_deref(), pattern.event_name.as_deref());
        counted.extend(candidates(catalog, pattern.stream_type, session_type, event_name, &at)?.declared);
    }
    let fits = |ty: &AttributeType| match field.data_type {
        ValueType::Integer => matches!(ty, AttributeType::Integer { .. }),
        ValueType::Number => matches!(ty, AttributeType::Integer { .. } | AttributeType::Decimal { .. }),
    };
    if !declared_attributes(&counted, name).iter().any(|a| fits(&a.ty)) {
        let message = format!("the events the patterns count have no {:?} attribute '{}'", field.data_type, clip(name));
        return Err(("/associatedValueField/name".into(), message));
    }
    Ok(())
}

/// Checks an action map's event conditions, and the attribute that names a custom event's agent.
pub fn check_action_map(catalog: &Catalog, map: &ActionMap) -> Result<(), Fault> {
    for (i, condition) in map.trigger_with_event_conditions.iter().enumerate() {
        let at = format!("/triggerWithEventConditions/{i}");
        let session_type = condition.session_type.as_deref();
        let found = candidates(catalog, condition.stream_type, session_type, condition.event_name.as_deref(), &at)?;
        check_criterion(&found, &condition.criterion(), &at)?;
    }
    if map.action.media_type == ActionMediaType::CustomEvent
        && let Some(CriterionKey::EventAttribute(name)) = &map.action.agent_id_from
        && all_event_attributes(catalog, name).next().is_none()
    {
        return Err(("/action/agentIdFrom".into(), format!("no event type has an attribute '{}'", clip(name))));
    }
    Ok(())
}

fn check_patterns(catalog: &Catalog, patterns: &[JourneyPattern]) -> Result<(), Fault> {
    for (i, pattern) in patterns.iter().enumerate() {
        let at = format!("/journey/patterns/{i}");
        let found = candidates(
            catalog,
            pattern.stream_type,
            pattern.session_type.as_deref(),
            pattern.event_name.as_deref(),
            &at,
        )?;
        for (j, criterion) in pattern.criteria.iter().enumerate() {
            check_criterion(&found, criterion, &format!("{at}/criteria/{j}"))?;
        }
    }
    Ok(())
}

/// The event types of the stream, narrowed to `session_type` and `event_name` when given.
fn candidates<'c>(
    catalog: &'c Catalog,
    stream: StreamType,
    session_type: Option<&str>,
    event_name: Option<&str>,
    at: &str,
) -> Result<Candidates<'c>, Fault> {
    let kind = stream.kind();
    let mut types: Vec<&SessionType> = catalog.session_types().iter().filter(|t| t.kind == kind).collect();
    if let Some(name) = session_type {
        let Some(ty) = catalog.session_type_index(name).map(|i| catalog.session_type(i)) else {
            return Err((format!("{at}/sessionType"), format!("no session type '{}'", clip(name))));
        };
        if ty.kind != kind {
            let message = format!("'{}' is a {} session type, on a {stream:?} stream", clip(name), ty.kind.as_str());
            return Err((format!("{at}/sessionType"), message));
        }
        types = vec![ty];
    }
    if types.is_empty() {
        return Err((format!("{at}/streamType"), format!("the catalog has no {} session types", kind.as_str())));
    }
    let declared: Vec<_> = types
        .iter()
        .flat_map(|ty| ty.event_types.iter().map(move |event| (*ty, event)))
        .filter(|(_, event)| event_name.is_none_or(|name| event.name == name))
        .collect();
    let open = types.iter().any(|ty| ty.open);
    // On an open session type any name may come, but only one an event may carry.
    let could_come = |name: &str| open && crate::model::catalog::is_identifier(name);
    match (declared.is_empty(), event_name) {
        (true, Some(name)) if !could_come(name) => {
            Err((format!("{at}/eventName"), format!("no event type '{}' on this stream", clip(name))))
        }
        _ => {
            // The session types an event it counts may be in: those of its declared event types,
            // and the open ones.
            let counts_in = |ty: &&SessionType| ty.open || declared.iter().any(|(t, _)| std::ptr::eq(*t, *ty));
            let session_types = types.into_iter().filter(counts_in).collect();
            Ok(Candidates { session_types, declared, open })
        }
    }
}

/// Checks a criterion's key against the candidates, and its values against the key's type.
fn check_criterion(found: &Candidates<'_>, criterion: &Criterion, at: &str) -> Result<(), Fault> {
    let key_at = format!("{at}/key");
    let (defs, what, untyped): (Vec<&AttributeDef>, &str, bool) = match &criterion.key {
        CriterionKey::EventName => return check_text_operator(criterion.operator, "eventName", at),
        CriterionKey::EventAttribute(name) => (declared_attributes(&found.declared, name), name, found.open),
        CriterionKey::Web(key) => (declared_attributes(&found.declared, web_attribute(key)), key, found.open),
        CriterionKey::SessionAttribute(name) => {
            let session_types = found.session_types.iter();
            let defs = session_types.flat_map(|ty| ty.attributes.iter()).filter(|a| a.name == *name).collect();
            (defs, name, false)
        }
    };
    let Some(first) = defs.first() else {
        if untyped {
            let what = format!("'{}', an attribute of open event types,", clip(what));
            return check_text_operator(criterion.operator, &what, at);
        }
        return Err((key_at, format!("no attribute '{}' on the events this can count", clip(what))));
    };
    if defs.iter().any(|d| d.ty.name() != first.ty.name()) {
        return Err((key_at, format!("'{}' has different types on different event types", clip(what))));
    }
    check_values(&first.ty, criterion, at)
}

/// `page.url` reads the attribute `url`; `searchQuery` reads `searchQuery`.
fn web_attribute(key: &str) -> &str {
    key.strip_prefix("page.").unwrap_or(key)
}

fn declared_attributes<'c>(found: &[(&'c SessionType, &'c EventType)], name: &str) -> Vec<&'c AttributeDef> {
    found.iter().flat_map(|(_, event)| event.attributes.iter()).filter(|a| a.name == name).collect()
}

fn all_event_attributes<'c>(catalog: &'c Catalog, name: &'c str) -> impl Iterator<Item = &'c AttributeDef> + 'c {
    catalog
        .session_types()
        .iter()
        .flat_map(|ty| ty.event_types.iter())
        .flat_map(|event| event.attributes.iter())
        .filter(move |a| a.name == name)
}

/// Checks that the operator applies to the type, and that each value reads as the type.
fn check_values(ty: &AttributeType, criterion: &Criterion, at: &str) -> Result<(), Fault> {
    let ordered = matches!(ty, AttributeType::Integer { .. } | AttributeType::Decimal { .. } | AttributeType::Datetime);
    let text = matches!(ty, AttributeType::String { .. } | AttributeType::Enum { .. } | AttributeType::Uuid);
    if criterion.operator.is_ordering() && !ordered {
        return Err((format!("{at}/operator"), format!("{} attribute has no order", a_or_an(ty.name()))));
    }
    if is_text_operator(criterion.operator) && !text {
        return Err((format!("{at}/operator"), format!("{} attribute is not text", a_or_an(ty.name()))));
    }
    for (i, value) in criterion.values.iter().enumerate() {
        let reads = match ty {
            AttributeType::Integer { .. } => value.parse::<i64>().is_ok(),
            AttributeType::Decimal { .. } => value.parse::<f64>().is_ok_and(f64::is_finite),
            AttributeType::Datetime => parse_rfc3339(value).is_some(),
            AttributeType::Boolean => value == "true" || value == "false",
            AttributeType::String { .. } | AttributeType::Enum { .. } | AttributeType::Uuid => true,
        };
        if !reads {
            return Err((format!("{at}/values/{i}"), format!("'{}' is not {} value", clip(value), a_or_an(ty.name()))));
        }
    }
    Ok(())
}

/// A type's name with its article: "an integer", "a string".
fn a_or_an(name: &str) -> String {
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {name}")
}

fn is_text_operator(operator: Operator) -> bool {
    matches!(
        operator,
        Operator::ContainsAll
            | Operator::ContainsAny
            | Operator::NotContainsAll
            | Operator::NotContainsAny
            | Operator::StartsWith
            | Operator::EndsWith
    )
}

/// `eventName` is text: any operator but an ordering one.
fn check_text_operator(operator: Operator, what: &str, at: &str) -> Result<(), Fault> {
    match operator.is_ordering() {
        true => Err((format!("{at}/operator"), format!("{what} is text: it has no order"))),
        false => Ok(()),
    }
}
