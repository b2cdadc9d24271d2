//! Criteria compiled against one event type, and tested on an event.
//!
//! A definition names attributes by name and compares with text values; evaluation runs on every
//! event an index entry lists, so the work of reading the values as the attribute's catalog type,
//! folding case and finding the attribute is done once, when the rules compile, per event type a
//! pattern can count. What is constant for an event type (an `eventName` criterion, an attribute
//! the event type does not have) is decided then too, so the test on an event only reads values.

use crate::base::json::Json;
use crate::base::time::{Millis, parse_rfc3339};
use crate::model::catalog::{AttributeType, EventType, SessionType};
use crate::model::orchestration::{Criterion, CriterionKey, Operator};
use serde_json::Value;

/// One attribute value of an event or session, as a criterion compares it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// Text (strings, enums, UUIDs, and datetimes before they are read as times).
    Text(std::borrow::Cow<'a, str>),
    /// A number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
}

impl<'a> Scalar<'a> {
    /// An event's attribute value as sent (`null`, arrays and objects compare as absent).
    pub fn of_json(json: &'a Json<'_>) -> Option<Scalar<'a>> {
        match json {
            Json::String(text) => Some(Scalar::Text(std::borrow::Cow::Borrowed(text.as_ref()))),
            Json::Number(number) => number.as_f64().map(Scalar::Number),
            Json::Bool(flag) => Some(Scalar::Bool(*flag)),
            _ => None,
        }
    }

    /// A value read back from a stored event.
    pub fn of_value(value: &Value) -> Option<Scalar<'static>> {
        match value {
            Value::String(text) => Some(Scalar::Text(std::borrow::Cow::Owned(text.clone()))),
            Value::Number(number) => number.as_f64().map(Scalar::Number),
            Value::Bool(flag) => Some(Scalar::Bool(*flag)),
            _ => None,
        }
    }

    /// The value as text, for the text operators and for messages.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.to_string(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// Where a test finds its value on an event of one type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    /// The event's attribute at this index of its event type, called `name`.
    Event { index: usize, name: Box<str> },
    /// An attribute the event type does not define, kept under the `keep` policy when sent.
    Extra(Box<str>),
    /// The session attribute at this slot of the session type, called `name`.
    Session { slot: usize, name: Box<str> },
}

/// The values a test compares with, read as the attribute's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// Text, lowered when the criterion ignores case.
    Text { values: Box<[String]>, ignore_case: bool },
    /// Numbers (integers and decimals).
    Number(Box<[f64]>),
    /// Datetimes, as instants.
    Time(Box<[Millis]>),
    /// Booleans.
    Bool(Box<[bool]>),
}

/// One criterion, ready to test events of one type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Test {
    pub subject: Subject,
    pub operator: Operator,
    pub values: Values,
}

/// What a criterion is for events of one type: a test to run on each, or a constant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Compiled {
    /// Holds for every event of the type.
    Always,
    /// Holds for no event of the type.
    Never,
    /// Holds when the test does.
    Test(Test),
}

/// Compiles `criterion` for events of `event_type` in sessions of `session_type`.
pub(crate) fn compile(criterion: &Criterion, session_type: &SessionType, event_type: &EventType) -> Compiled {
    let (subject, ty) = match &criterion.key {
        CriterionKey::EventName => {
            let name = Scalar::Text(std::borrow::Cow::Borrowed(event_type.name.as_str()));
            let values = text_values(criterion);
            return constant(holds(criterion.operator, &values, Some(&name)));
        }
        CriterionKey::EventAttribute(name) => event_subject(event_type, name),
        CriterionKey::Web(key) => event_subject(event_type, key.strip_prefix("page.").unwrap_or(key)),
        CriterionKey::SessionAttribute(name) => match session_type.attributes.iter().position(|a| a.name == *name) {
            Some(slot) => {
                let subject = Subject::Session { slot, name: name.as_str().into() };
                (subject, Some(session_type.attributes[slot].ty.clone()))
            }
            None => return constant(holds(criterion.operator, &text_values(criterion), None)),
        },
    };
    let values = match &ty {
        Some(ty) => typed_values(criterion, ty),
        None => text_values(criterion),
    };
    Compiled::Test(Test { subject, operator: criterion.operator, values })
}

fn constant(holds: bool) -> Compiled {
    if holds { Compiled::Always } else { Compiled::Never }
}

/// The subject of an event attribute: defined on the type, or kept as an extra one when sent.
fn event_subject(event_type: &EventType, name: &str) -> (Subject, Option<AttributeType>) {
    match event_type.attribute_index(name) {
        Some(index) => (Subject::Event { index, name: name.into() }, Some(event_type.attributes[index].ty.clone())),
        None => (Subject::Extra(name.into()), None),
    }
}

fn text_values(criterion: &Criterion) -> Values {
    let ignore_case = criterion.should_ignore_case;
    let fold = |v: &String| if ignore_case { v.to_lowercase() } else { v.clone() };
    Values::Text { values: criterion.values.iter().map(fold).collect(), ignore_case }
}

/// The criterion's values read as `ty` (the definition's checks made sure they read).
fn typed_values(criterion: &Criterion, ty: &AttributeType) -> Values {
    let values = &criterion.values;
    match ty {
        AttributeType::Integer { .. } | AttributeType::Decimal { .. } => {
            Values::Number(values.iter().filter_map(|v| v.parse().ok()).collect())
        }
        AttributeType::Datetime => Values::Time(values.iter().filter_map(|v| parse_rfc3339(v)).collect()),
        AttributeType::Boolean => Values::Bool(values.iter().map(|v| v == "true").collect()),
        AttributeType::String { .. } | AttributeType::Enum { .. } | AttributeType::Uuid => text_values(criterion),
    }
}

/// Whether `operator` holds between `actual` (absent: `None`) and `values`. An absent value
/// satisfies only the negative operators; a value of another type than the criterion's compares
/// as absent.
pub(crate) fn holds(operator: Operator, values: &Values, actual: Option<&Scalar<'_>>) -> bool {
    use Operator::*;
    let negative = matches!(operator, NotEqual | NotContainsAll | NotContainsAny);
    let Some(actual) = actual else { return negative };
    match values {
        Values::Text { values, ignore_case } => {
            // Borrowed when it can be: this runs on every event an index entry lists.
            let text: std::borrow::Cow<'_, str> = match actual {
                Scalar::Text(text) => std::borrow::Cow::Borrowed(text.as_ref()),
                other => std::borrow::Cow::Owned(other.text()),
            };
            let text = if *ignore_case { std::borrow::Cow::Owned(text.to_lowercase()) } else { text };
            text_holds(operator, values, &text)
        }
        Values::Number(values) => match actual {
            Scalar::Number(n) => ordered_holds(operator, values, n),
            _ => negative,
        },
        Values::Time(values) => match actual {
            Scalar::Text(text) => parse_rfc3339(text).map_or(negative, |t| ordered_holds(operator, values, &t)),
            _ => negative,
        },
        Values::Bool(values) => match actual {
            Scalar::Bool(b) => ordered_holds(operator, values, b),
            _ => negative,
        },
    }
}

fn text_holds(operator: Operator, values: &[String], text: &str) -> bool {
    use Operator::*;
    match operator {
        Equal => values.iter().any(|v| v == text),
        NotEqual => values.iter().all(|v| v != text),
        ContainsAll => values.iter().all(|v| text.contains(v.as_str())),
        ContainsAny => values.iter().any(|v| text.contains(v.as_str())),
        NotContainsAll => !values.iter().all(|v| text.contains(v.as_str())),
        NotContainsAny => !values.iter().any(|v| text.contains(v.as_str())),
        StartsWith => values.iter().any(|v| text.starts_with(v.as_str())),
        EndsWith => values.iter().any(|v| text.ends_with(v.as_str())),
        // The definition's checks refuse an ordering operator on text.
        GreaterThan | GreaterThanOrEqual | LessThan | LessThanOrEqual => false,
    }
}

/// Equality and order on values that have them (numbers, instants, booleans).
fn ordered_holds<T: PartialOrd>(operator: Operator, values: &[T], actual: &T) -> bool {
    use Operator::*;
    let first = values.first();
    match operator {
        Equal => values.iter().any(|v| v == actual),
        NotEqual => values.iter().all(|v| v != actual),
        GreaterThan => first.is_some_and(|v| actual > v),
        GreaterThanOrEqual => first.is_some_and(|v| actual >= v),
        LessThan => first.is_some_and(|v| actual < v),
        LessThanOrEqual => first.is_some_and(|v| actual <= v),
        // The definition's checks refuse the text operators on these types.
        ContainsAll | ContainsAny | NotContainsAll | NotContainsAny | StartsWith | EndsWith => false,
    }
}

/// How a test reads the values of the event it runs on.
pub(crate) trait Facts {
    /// The event's attribute at `index` of its type (called `name`).
    fn event_attribute(&self, index: usize, name: &str) -> Option<Scalar<'_>>;
    /// The event's attribute called `name`, defined by its type or kept as sent.
    fn attribute(&self, name: &str) -> Option<Scalar<'_>>;
    /// The session's current value of its attribute at `slot` (called `name`).
    fn session_attribute(&self, slot: usize, name: &str) -> Option<Scalar<'static>>;
}

impl Test {
    /// The value the test reads on an event, as text (for explanations).
    pub fn read(&self, facts: &dyn Facts) -> Option<String> {
        self.subject.value(facts).map(|v| v.text())
    }

    /// Whether the test holds on the event `facts` describes.
    pub fn holds(&self, facts: &dyn Facts) -> bool {
        holds(self.operator, &self.values, self.subject.value(facts).as_ref())
    }
}

impl Subject {
    /// Whether the value is the session's, which only the event's turn can read.
    pub fn is_session(&self) -> bool {
        matches!(self, Subject::Session { .. })
    }

    /// The value on the event `facts` describes (absent: `None`).
    pub fn value<'f>(&self, facts: &'f dyn Facts) -> Option<Scalar<'f>> {
        match self {
            Subject::Event { index, name } => facts.event_attribute(*index, name),
            Subject::Extra(name) => facts.attribute(name),
            Subject::Session { slot, name } => facts.session_attribute(*slot, name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn text(values: &[&str], ignore_case: bool) -> Values {
        Values::Text { values: values.iter().map(|v| v.to_string()).collect(), ignore_case }
    }

    fn t(s: &str) -> Scalar<'_> {
        Scalar::Text(Cow::Borrowed(s))
    }

    #[test]
    fn text_operators_follow_the_genesys_meanings() {
        use Operator::*;
        let values = text(&["returns", "refund"], false);
        assert!(holds(ContainsAny, &values, Some(&t("/help/returns"))));
        assert!(!holds(ContainsAll, &values, Some(&t("/help/returns"))));
        assert!(holds(ContainsAll, &values, Some(&t("/returns/refund"))));
        assert!(holds(NotContainsAll, &values, Some(&t("/help/returns"))));
        assert!(!holds(NotContainsAny, &values, Some(&t("/help/returns"))));
        assert!(holds(Equal, &values, Some(&t("refund"))));
        assert!(!holds(NotEqual, &values, Some(&t("refund"))));
        assert!(holds(StartsWith, &text(&["/help"], false), Some(&t("/help/returns"))));
        assert!(holds(EndsWith, &text(&["returns"], false), Some(&t("/help/returns"))));
        assert!(!holds(Equal, &text(&["Refund"], false), Some(&t("refund"))));
        assert!(holds(Equal, &text(&["refund"], true), Some(&t("REFUND"))), "values are folded at compile time");
    }

    #[test]
    fn an_absent_value_satisfies_only_the_negative_operators() {
        use Operator::*;
        let values = text(&["x"], false);
        for operator in [NotEqual, NotContainsAll, NotContainsAny] {
            assert!(holds(operator, &values, None), "{operator:?}");
        }
        for operator in [Equal, ContainsAll, ContainsAny, StartsWith, EndsWith] {
            assert!(!holds(operator, &values, None), "{operator:?}");
        }
        assert!(!holds(GreaterThan, &Values::Number([1.0].into()), None));
    }

    #[test]
    fn numbers_times_and_booleans_compare_as_their_type() {
        use Operator::*;
        let five = Values::Number([5.0].into());
        assert!(holds(GreaterThan, &five, Some(&Scalar::Number(10.0))), "10 > 5 numerically, though '10' < '5'");
        assert!(holds(LessThanOrEqual, &five, Some(&Scalar::Number(5.0))));
        assert!(!holds(Equal, &five, Some(&t("5"))), "a string is not the number");
        let noon = Values::Time([parse_rfc3339("2026-01-01T12:00:00Z").unwrap()].into());
        assert!(holds(Equal, &noon, Some(&t("2026-01-01T13:00:00+01:00"))), "datetimes compare by instant");
        assert!(holds(GreaterThan, &noon, Some(&t("2026-01-01T12:00:01Z"))));
        assert!(holds(Equal, &Values::Bool([true].into()), Some(&Scalar::Bool(true))));
        assert!(holds(NotEqual, &Values::Bool([true].into()), Some(&Scalar::Bool(false))));
    }
}
