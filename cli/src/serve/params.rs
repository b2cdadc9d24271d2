//! Path and query parameters with errors in the server's JSON form: a segment that does not decode
//! (bad percent-encoding, not UTF-8) or a query value of the wrong type is 400 `INVALID_ARGUMENT`
//! naming what was wrong, never axum's plain-text rejection and never a panic.

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

/// The query string's parameters, by name (the last of a repeated name wins).
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => Ok(Params(pairs.into_iter().collect())),
            Err(rejection) => Err(ApiError::bad_argument(format!("bad query: {}", rejection.body_text()))),
        }
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
