//! A vendor attribute's `dataType` (`{"dataType": "integer", "value": "3"}`), and reading a value
//! as the type it names.
//!
//! Genesys' SDKs send every attribute value as a string typed by its `dataType`. An open event
//! type (docs/decisions.md, "Open session types for app events") has no declared attributes, so the
//! `dataType` is what types its values; `journey serve` reads the app events route's values with
//! the same rules before they reach the core. One reading, in one place.

use crate::base::json::Json;
use crate::base::time::parse_rfc3339;
use serde_json::{Number, Value};
use uuid::Uuid;

/// A value type a vendor's `dataType` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// `string`.
    String,
    /// `integer` (or `long`): a whole number.
    Integer,
    /// `decimal` (or `number`, `double`, `float`): any finite number.
    Decimal,
    /// `boolean`.
    Boolean,
    /// `datetime`: an RFC 3339 timestamp string.
    Datetime,
    /// `uuid`: a UUID string.
    Uuid,
}

impl DataType {
    /// The names a `dataType` may have, for messages.
    pub const NAMES: &'static str = "string, integer, decimal, boolean, datetime, uuid";

    /// The type a `dataType` names, in any case (`Integer`, `long`, `Number`, …); `None` for
    /// any other name.
    pub fn parse(name: &str) -> Option<DataType> {
        let known = [
            ("string", DataType::String),
            ("integer", DataType::Integer),
            ("long", DataType::Integer),
            ("decimal", DataType::Decimal),
            ("number", DataType::Decimal),
            ("double", DataType::Decimal),
            ("float", DataType::Decimal),
            ("boolean", DataType::Boolean),
            ("datetime", DataType::Datetime),
            ("uuid", DataType::Uuid),
        ];
        known.into_iter().find(|(known, _)| name.eq_ignore_ascii_case(known)).map(|(_, ty)| ty)
    }

    /// The type's name as the catalog writes it.
    pub fn name(self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::Integer => "integer",
            DataType::Decimal => "decimal",
            DataType::Boolean => "boolean",
            DataType::Datetime => "datetime",
            DataType::Uuid => "uuid",
        }
    }

    /// `text` read as this type: a number for `integer` and `decimal`, `true` or `false` for
    /// `boolean` (surrounding spaces and case ignored), the text itself for the text types when it
    /// is one of theirs; `None` when it does not read so.
    pub fn read_text(self, text: &str) -> Option<Value> {
        match self {
            DataType::String => Some(Value::from(text)),
            // As a JSON number is an integer: any whole number an i64 or a u64 holds.
            DataType::Integer => {
                let text = text.trim();
                text.parse::<i64>().map(Value::from).or_else(|_| text.parse::<u64>().map(Value::from)).ok()
            }
            DataType::Decimal => text.trim().parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number),
            DataType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            DataType::Datetime => parse_rfc3339(text).map(|_| Value::from(text)),
            DataType::Uuid => Uuid::try_parse(text).ok().map(|_| Value::from(text)),
        }
    }

    /// `value` read as this type: a value of the type as it is, a string as [`DataType::read_text`]
    /// reads it; `None` when it is neither.
    pub fn read<'j, 'a>(self, value: &'j Json<'a>) -> Option<std::borrow::Cow<'j, Json<'a>>> {
        use std::borrow::Cow;
        let fits = match (self, value) {
            (DataType::Integer, Json::Number(n)) => n.is_i64() || n.is_u64(),
            (DataType::Decimal, Json::Number(_)) | (DataType::Boolean, Json::Bool(_)) => true,
            (DataType::String, Json::String(_)) => true,
            (_, Json::String(text)) => {
                return Some(match self.read_text(text)? {
                    Value::Number(n) => Cow::Owned(Json::Number(n)),
                    Value::Bool(b) => Cow::Owned(Json::Bool(b)),
                    // The text types read as the text itself.
                    _ => Cow::Borrowed(value),
                });
            }
            _ => false,
        };
        fits.then_some(Cow::Borrowed(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case_and_their_aliases() {
        assert_eq!(DataType::parse("Integer"), Some(DataType::Integer));
        assert_eq!(DataType::parse("LONG"), Some(DataType::Integer));
        assert_eq!(DataType::parse("number"), Some(DataType::Decimal));
        assert_eq!(DataType::parse("json"), None);
    }

    #[test]
    fn strings_read_as_their_type() {
        let read = |ty: DataType, json: &str| {
            let value = Json::parse(json.as_bytes()).unwrap();
            ty.read(&value).map(|read| read.to_value())
        };
        assert_eq!(read(DataType::Integer, r#"" 3""#), Some(Value::from(3)));
        assert_eq!(read(DataType::Integer, "3"), Some(Value::from(3)));
        // Text reads as far as a JSON number does.
        assert_eq!(read(DataType::Integer, r#""18446744073709551615""#), Some(Value::from(u64::MAX)));
        assert_eq!(read(DataType::Integer, "18446744073709551615"), Some(Value::from(u64::MAX)));
        assert_eq!(read(DataType::Integer, "3.5"), None);
        assert_eq!(read(DataType::Integer, r#""four""#), None);
        assert_eq!(read(DataType::Decimal, r#""2.5""#), Some(Value::from(2.5)));
        assert_eq!(read(DataType::Decimal, r#""NaN""#), None);
        assert_eq!(read(DataType::Boolean, r#""TRUE""#), Some(Value::Bool(true)));
        assert_eq!(read(DataType::Boolean, "1"), None);
        assert_eq!(read(DataType::Datetime, r#""2026-11-21T10:00:00Z""#), Some(Value::from("2026-11-21T10:00:00Z")));
        assert_eq!(read(DataType::Datetime, r#""yesterday""#), None);
        assert_eq!(read(DataType::Uuid, r#""not-a-uuid""#), None);
        assert_eq!(read(DataType::String, "3"), None);
    }
}
