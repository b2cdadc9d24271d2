//! Reading a definition from JSON: serde does the shapes, and its errors are turned into
//! `INVALID_ARGUMENT` naming the field by JSON pointer.

use crate::base::error::{JourneyError, Result};
use crate::base::text::bounded;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A definition of type `T` from its JSON form, checked: the first fault is `INVALID_ARGUMENT`
/// with the field's JSON pointer (`/journey/patterns/0/streamType: …`). A `null` field reads as an
/// absent one, as the Genesys SDKs write unset fields.
pub fn read_definition<T: DeserializeOwned + Checked>(value: &Value) -> Result<T> {
    let value = without_nulls(value);
    let definition: T = serde_path_to_error::deserialize(&value).map_err(|error| {
        let pointer = pointer(&error.path().to_string());
        JourneyError::invalid_argument(format!("{pointer}: {}", bounded(error.inner())))
    })?;
    definition.check().map_err(|(pointer, message)| JourneyError::invalid_argument(format!("{pointer}: {message}")))?;
    Ok(definition)
}

/// The checks of a definition that its shape cannot express, each naming the field.
pub trait Checked {
    /// `Err((pointer, message))` for the first field that is wrong.
    fn check(&self) -> std::result::Result<(), (String, String)>;
}

/// `value` with every object member whose value is `null` left out, at any depth.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// serde_path_to_error's path (`journey.patterns[0].streamType`, `.` at the root) as a JSON
/// pointer (`/journey/patterns/0/streamType`, empty at the root).
fn pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for segment in path.split('.') {
        let (name, indexes) = segment.split_once('[').map_or((segment, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            out.push('/');
            out.push_str(&crate::model::catalog::escape(name));
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            out.push('/');
            out.push_str(index.trim_end_matches(']'));
        }
    }
    out
}

/// A field that must be absent, `null`, `false`, an empty list or an object of empty lists: it
/// would change what fires, and libjourney does not evaluate it.
pub(crate) fn refused_unless_empty(
    value: &Option<Value>,
    pointer: &str,
    why: &str,
) -> std::result::Result<(), (String, String)> {
    let empty = match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => {
            map.values().all(|v| matches!(v, Value::Null) || v.as_array().is_some_and(Vec::is_empty))
        }
        Some(_) => false,
    };
    if empty { Ok(()) } else { Err((pointer.to_owned(), format!("not supported: {why}"))) }
}

#[cfg(test)]
mod tests {
    use super::pointer;

    #[test]
    fn paths_become_pointers() {
        assert_eq!(pointer("."), "");
        assert_eq!(pointer("journey.patterns[0].streamType"), "/journey/patterns/0/streamType");
        assert_eq!(pointer("a[1][2].b"), "/a/1/2/b");
    }
}
