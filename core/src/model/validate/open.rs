//! The attributes of an open event type (docs/decisions.md, "Open session types for app
//! events"). None is declared, so each is taken as its JSON type (a string, a number, `true` or
//! `false`, or a list of them), or as its vendor form's `dataType` says (`{"dataType": "integer",
//! "value": "3"}` is the integer 3; a value that does not read as its `dataType` is
//! `TYPE_MISMATCH`). The bounds still hold: `maxAttributesPerEvent` (counted for every event),
//! `maxStringLength` for every string, `maxEventBytes` for the whole event. The unknown-attribute
//! policy does not apply: an open event type has no declared attribute for one to be unknown to.

use super::attributes::{AttributePath, vendor_form};
use super::{Report, Validator, describe, too_long};
use crate::base::error::ViolationCode as Code;
use crate::base::json::{Json, for_each_sorted};
use crate::model::catalog::DataType;
use std::borrow::Cow;

/// What an open event type's attribute may be, for messages.
const SHAPES: &str = "a string, a number, true or false, a list of them, or {\"dataType\", \"value\"}";

impl Validator<'_> {
    /// Checks every attribute of an event of an open event type, in key order (as declared
    /// attributes are), and keeps each that passes, its value read as its `dataType`.
    pub(super) fn open_attributes<'j, 'a>(
        &self,
        entries: &'j [(Cow<'a, str>, Json<'a>)],
        report: &mut Report<'_>,
        kept: &mut Vec<(&'j str, Cow<'j, Json<'a>>)>,
    ) {
        for_each_sorted(entries, |name, value| {
            if matches!(value, Json::Null) {
                return; // null means absent
            }
            let before = report.found();
            let read = match vendor_form(value) {
                Some((data_type, inner)) => self.typed(data_type, inner, AttributePath::new(name), report),
                None => {
                    self.untyped(value, AttributePath::new(name), report);
                    Some(Cow::Borrowed(value))
                }
            };
            if let Some(read) = read.filter(|_| report.found() == before) {
                kept.push((name, read));
            }
        });
    }

    /// A vendor form's value (or each item of a list) read as its `dataType`.
    fn typed<'j, 'a>(
        &self,
        data_type: &Json<'_>,
        value: &'j Json<'a>,
        path: AttributePath<'_>,
        report: &mut Report<'_>,
    ) -> Option<Cow<'j, Json<'a>>> {
        let Some(ty) = data_type.as_str().and_then(DataType::parse) else {
            let message = format!("dataType {} is not one of {}", describe(data_type), DataType::NAMES);
            report.add(Code::TypeMismatch, path.suffix("/dataType").to_string(), message);
            return None;
        };
        let path = path.suffix("/value");
        let Json::Array(items) = value else { return self.read_as(ty, value, path, report) };
        let read = items.iter().enumerate().filter_map(|(i, item)| self.read_as(ty, item, path.item(i), report));
        Some(Cow::Owned(Json::Array(read.map(Cow::into_owned).collect())))
    }

    /// `value` read as `ty`, its text within `maxStringLength`.
    fn read_as<'j, 'a>(
        &self,
        ty: DataType,
        value: &'j Json<'a>,
        path: AttributePath<'_>,
        report: &mut Report<'_>,
    ) -> Option<Cow<'j, Json<'a>>> {
        let Some(read) = ty.read(value) else {
            let message = format!("expected {} (its dataType), got {}", ty.name(), describe(value));
            report.add(Code::TypeMismatch, path.to_string(), message);
            return None;
        };
        if let Json::String(text) = value {
            self.bounded_text(text, path, report);
        }
        Some(read)
    }

    /// A value sent without a `dataType`: taken as its JSON type, when it is one of [`SHAPES`].
    fn untyped(&self, value: &Json<'_>, path: AttributePath<'_>, report: &mut Report<'_>) {
        match value {
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.untyped_scalar(item, path.item(i), report);
                }
            }
            other => self.untyped_scalar(other, path, report),
        }
    }

    fn untyped_scalar(&self, value: &Json<'_>, path: AttributePath<'_>, report: &mut Report<'_>) {
        match value {
            Json::String(text) => self.bounded_text(text, path, report),
            Json::Number(_) | Json::Bool(_) => {}
            other => report.add(
                Code::TypeMismatch,
                path.to_string(),
                format!("expected {SHAPES}, got {}", other.type_name()),
            ),
        }
    }

    /// `TOO_LONG` for text longer than `maxStringLength` characters.
    fn bounded_text(&self, text: &str, path: AttributePath<'_>, report: &mut Report<'_>) {
        let limit = self.config.max_string_length;
        if too_long(text, limit) {
            report.add(Code::TooLong, path.to_string(), format!("longer than {limit} characters"));
        }
    }
}
