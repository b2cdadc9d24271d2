//! Attribute checks (SPEC §2.2): types, enums, ranges, lengths, lists, the vendor `{"dataType",
//! "value"}` form, the unknown-attribute policy, and required attributes.

use super::{Named, Report, Validator, clip, describe, too_long};
use crate::base::error::{Violation, ViolationCode as Code};
use crate::base::json::{Json, for_each_sorted};
use crate::base::time::parse_rfc3339;
use crate::model::catalog::{AttributeDef, AttributeType, escape};
use crate::model::config::UnknownAttributes;
use std::borrow::Cow;
use uuid::Uuid;

impl Validator<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn attributes<'j, 'a>(
        &self,
        raw: &'j Json<'a>,
        types: Option<(usize, Named<'_>)>,
        report: &mut Report<'_>,
        attributes: &mut Vec<(usize, &'j Json<'a>)>,
        extra: &mut Vec<(&'j str, Cow<'j, Json<'a>>)>,
        warnings: &mut Vec<Violation>,
    ) {
        let Json::Object(entries) = raw else {
            report.add(Code::TypeMismatch, "/attributes", format!("expected an object, got {}", raw.type_name()));
            return;
        };
        let limit = self.config.max_attributes_per_event;
        if entries.len() > limit {
            report.add(
                Code::TooManyAttributes,
                "/attributes",
                format!("{} attributes; at most {limit} are allowed", entries.len()),
            );
        }
        // Without a known event type there is nothing to check the attributes against.
        let (session_type, event_type) = match types {
            None => return,
            Some((_, Named::Open(_))) => return self.open_attributes(entries, report, extra),
            Some((session_type, Named::Declared(event_type))) => (session_type, event_type),
        };
        let definition = &self.catalog.session_type(session_type).event_types[event_type];
        let mut present = [false; 64];
        let mut present_overflow = Vec::new();
        // Key order, not arrival order: a Python dict, a JS object and a serde_json map of the same
        // event must report the same violations in the same order.
        for_each_sorted(entries, |name, value| {
            let path = AttributePath::new(name);
            match definition.attribute_index(name) {
                Some(_) if matches!(value, Json::Null) => {} // null means absent
                Some(index) => {
                    match present.get_mut(index) {
                        Some(seen) => *seen = true,
                        None => present_overflow.push(index),
                    }
                    if let Some(value) = self.attribute(&definition.attributes[index], value, path, report) {
                        attributes.push((index, value));
                    }
                }
                None => match self.config.unknown_attributes {
                    UnknownAttributes::Reject => report.add(
                        Code::UnknownAttribute,
                        path.to_string(),
                        format!("event type '{}' has no attribute '{}'", definition.name, clip(name)),
                    ),
                    UnknownAttributes::Drop => warnings.push(Violation::new(
                        Code::UnknownAttribute,
                        path.to_string(),
                        format!("attribute '{}' is not defined and was dropped", clip(name)),
                    )),
                    UnknownAttributes::Keep => extra.push((name, Cow::Borrowed(value))),
                },
            }
        });
        let is_present = |i: usize| present.get(i).copied().unwrap_or(false) || present_overflow.contains(&i);
        self.required_attributes(session_type, event_type, is_present, report);
    }

    pub(super) fn required_attributes(
        &self,
        session_type: usize,
        event_type: usize,
        present: impl Fn(usize) -> bool,
        report: &mut Report<'_>,
    ) {
        let definition = &self.catalog.session_type(session_type).event_types[event_type];
        for (index, attribute) in definition.attributes.iter().enumerate() {
            if attribute.required && !present(index) {
                report.add(
                    Code::MissingAttribute,
                    AttributePath::new(&attribute.name).to_string(),
                    format!("attribute '{}' is required for '{}'", attribute.name, definition.name),
                );
            }
        }
    }

    /// Checks one attribute value, unwrapping the vendor form `{"dataType", "value"}`.
    fn attribute<'j, 'a>(
        &self,
        def: &AttributeDef,
        value: &'j Json<'a>,
        path: AttributePath<'_>,
        report: &mut Report<'_>,
    ) -> Option<&'j Json<'a>> {
        let (value, value_path) = match vendor_form(value) {
            Some((data_type, inner)) => {
                if !data_type_matches(data_type, &def.ty) {
                    report.add(
                        Code::TypeMismatch,
                        path.suffix("/dataType").to_string(),
                        format!(
                            "dataType {} does not match the attribute's type {}",
                            describe(data_type),
                            def.ty.name()
                        ),
                    );
                }
                (inner, path.suffix("/value"))
            }
            None => (value, path),
        };
        let before = report.found();
        if def.list {
            match value {
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.scalar(def, item, value_path.item(i), report);
                    }
                }
                other => report.add(
                    Code::TypeMismatch,
                    value_path.to_string(),
                    format!("expected a list, got {}", other.type_name()),
                ),
            }
        } else {
            self.scalar(def, value, value_path, report);
        }
        (report.found() == before).then_some(value)
    }

    fn scalar(&self, def: &AttributeDef, value: &Json<'_>, path: AttributePath<'_>, report: &mut Report<'_>) {
        let mismatch = |report: &mut Report<'_>, expected: &str| {
            report.add(Code::TypeMismatch, path.to_string(), format!("expected {expected}, got {}", describe(value)))
        };
        match (&def.ty, value) {
            (AttributeType::String { max_length }, Json::String(text)) => {
                let limit = max_length.unwrap_or(self.config.max_string_length);
                if too_long(text, limit) {
                    report.add(Code::TooLong, path.to_string(), format!("longer than {limit} characters"));
                }
            }
            (AttributeType::Integer { min, max }, Json::Number(n)) if n.is_i64() || n.is_u64() => {
                let n = n.as_i64().unwrap_or(i64::MAX);
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    report.add(Code::OutOfRange, path.to_string(), format!("{n} is outside {}", range(min, max)));
                }
            }
            (AttributeType::Integer { .. }, _) => mismatch(report, "a whole number"),
            (AttributeType::Decimal { min, max }, Json::Number(n)) => {
                let n = n.as_f64().unwrap_or(f64::NAN);
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    report.add(Code::OutOfRange, path.to_string(), format!("{n} is outside {}", range(min, max)));
                }
            }
            (AttributeType::Decimal { .. }, _) => mismatch(report, "a number"),
            (AttributeType::Boolean, Json::Bool(_)) => {}
            (AttributeType::Boolean, _) => mismatch(report, "true or false"),
            (AttributeType::Enum { values }, Json::String(text)) => {
                if !values.contains(text) {
                    report.add(
                        Code::NotInEnum,
                        path.to_string(),
                        format!("'{}' is not one of {}", clip(text), values.describe()),
                    );
                }
            }
            (AttributeType::Datetime, Json::String(text)) if parse_rfc3339(text).is_some() => {}
            (AttributeType::Datetime, _) => mismatch(report, "an RFC 3339 timestamp string"),
            (AttributeType::Uuid, Json::String(text)) if Uuid::try_parse(text).is_ok() => {}
            (AttributeType::Uuid, _) => mismatch(report, "a UUID string"),
            (AttributeType::String { .. } | AttributeType::Enum { .. }, _) => mismatch(report, "a string"),
        }
    }
}

/// The JSON pointer of an attribute value, `/attributes/<name>[/dataType|/value][/<index>]`.
/// Formatting it allocates, so it is only formatted when a violation is reported.
#[derive(Clone, Copy)]
pub(super) struct AttributePath<'n> {
    name: &'n str,
    suffix: &'static str,
    index: Option<usize>,
}

impl<'n> AttributePath<'n> {
    pub(super) fn new(name: &'n str) -> Self {
        AttributePath { name, suffix: "", index: None }
    }

    pub(super) fn suffix(self, suffix: &'static str) -> Self {
        AttributePath { suffix, ..self }
    }

    pub(super) fn item(self, index: usize) -> Self {
        AttributePath { index: Some(index), ..self }
    }
}

impl std::fmt::Display for AttributePath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/attributes/{}{}", escape(self.name), self.suffix)?;
        match self.index {
            Some(index) => write!(f, "/{index}"),
            None => Ok(()),
        }
    }
}

/// `(dataType, value)` when `value` is exactly `{"dataType": ..., "value": ...}`.
pub(super) fn vendor_form<'j, 'a>(value: &'j Json<'a>) -> Option<(&'j Json<'a>, &'j Json<'a>)> {
    match value {
        Json::Object(entries) if entries.len() == 2 => Some((value.get("dataType")?, value.get("value")?)),
        _ => None,
    }
}

/// Whether a vendor `dataType` names `ty`: its name in any case, or `number` for decimals.
fn data_type_matches(data_type: &Json<'_>, ty: &AttributeType) -> bool {
    let Some(name) = data_type.as_str() else {
        return false;
    };
    name.eq_ignore_ascii_case(ty.name())
        || (matches!(ty, AttributeType::Decimal { .. }) && name.eq_ignore_ascii_case("number"))
}

fn range<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("[{lo}, {hi}]"),
        (Some(lo), None) => format!("[{lo}, ∞)"),
        (None, Some(hi)) => format!("(-∞, {hi}]"),
        (None, None) => "any".to_owned(),
    }
}
