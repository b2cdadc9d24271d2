//! Path and query parameters with errors in the server's JSON form: a path segment that does not
//! decode (bad percent-encoding, not UTF-8, a control character), a query parameter given twice or
//! a query value of the wrong type is 400 `INVALID_ARGUMENT` naming what was wrong, never axum's
//! plain-text rejection, never a guess, never a panic.

use super::error::ApiError;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use journey_core::PageRequest;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::str::FromStr;

/// Percent-decoded path parameters.
pub struct Segments<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Segments<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Segments(value)),
            Err(rejection) => Err(ApiError::bad_argument(format!("bad path: {}", rejection.body_text()))),
        }
    }
}

/// 400 unless every segment of `path` decodes: each `%` followed by two hexadecimal digits, the
/// decoded bytes UTF-8, and no control character among them (`%00`, a newline). Checked on the
/// whole path before routing, so that no route, static segment or parameter, reads a lenient
/// decoding of a broken one.
pub fn check_path(path: &str) -> Result<(), ApiError> {
    for segment in path.split('/') {
        let bad = |what: &str| ApiError::bad_argument(format!("bad path segment {:?}: {what}", clip(segment)));
        let bytes = percent_decode(segment).ok_or_else(|| bad("% must be followed by two hexadecimal digits"))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("it does not decode to UTF-8"))?;
        if text.chars().any(char::is_control) {
            return Err(bad("it decodes to a control character"));
        }
    }
    Ok(())
}

/// The bytes a percent-encoded segment stands for; None when a `%` is not followed by two
/// hexadecimal digits.
fn percent_decode(segment: &str) -> Option<Vec<u8>> {
    let mut bytes = segment.bytes();
    let mut decoded = Vec::with_capacity(segment.len());
    while let Some(byte) = bytes.next() {
        if byte != b'%' {
            decoded.push(byte);
            continue;
        }
        let high = hex_value(bytes.next()?)?;
        let low = hex_value(bytes.next()?)?;
        decoded.push(high << 4 | low);
    }
    Some(decoded)
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|value| u8::try_from(value).ok())
}

/// The query string's parameters, by name; a name given twice is 400 (which of the two was meant
/// is not for the server to guess).
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let pairs = match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => pairs,
            Err(rejection) => return Err(ApiError::bad_argument(format!("bad query: {}", rejection.body_text()))),
        };
        let mut params = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if params.contains_key(&name) {
                return Err(ApiError::bad_argument(format!(
                    "the query parameter {:?} is given more than once",
                    clip(&name)
                )));
            }
            params.insert(name, value);
        }
        Ok(Params(params))
    }
}

impl Params {
    /// The text of `name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `name` read as a `T` (a number), if given; 400 naming it when it is not one.
    pub fn parsed<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>, ApiError> {
        self.text(name)
            .map(|text| {
                text.parse().map_err(|_| ApiError::bad_argument(format!("{name} must be {what}, got {:?}", clip(text))))
            })
            .transpose()
    }

    /// `name` as a boolean (`true`/`false` in any case), if given.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.text(name)
            .map(|text| match text.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::bad_argument(format!("{name} must be true or false, got {:?}", clip(text)))),
            })
            .transpose()
    }

    /// The page of a listing: `pageSize` (the core checks its range) and `after`.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            page_size: self.parsed("pageSize", "an integer")?,
            after: self.text("after").map(str::to_owned),
        })
    }
}

/// At most 100 characters of an echoed input, so that an error never carries a huge value back.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(100) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Percent-encodes a path segment or query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_decodes_or_is_refused() {
        for good in ["/events", "/api/v2/contacts/email:dana%40example.com", "/a/%E0%A4%A4/b", "/"] {
            assert!(check_path(good).is_ok(), "{good}");
        }
        for bad in ["/a/%zz", "/a/%", "/a/%4", "/a%/b", "/a/%00", "/a/%0A", "/a/%E0%A4%A", "/a/%FF", "/a/%+1"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
