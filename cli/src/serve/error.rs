//! Every error the server answers with: SPEC §9's JSON form, `{"status", "code", "message",
//! "violations"?}`, and the HTTP status that goes with its code (docs/http.md).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use journey_core::JourneyError;
use serde_json::{Value, json};

/// An HTTP error with its JSON body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// An error of `code` with `status`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        let body = json!({"status": status.as_u16(), "code": code, "message": message.into()});
        ApiError { status, body }
    }

    /// 400 `INVALID_ARGUMENT`: a malformed path, query or body field.
    pub fn bad_argument(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
    }

    /// 401: no token, or one the server does not know.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    /// 403 `PERMISSION_DENIED`: a known token without the grant the route needs.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "PERMISSION_DENIED", message)
    }

    /// 404 `NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    /// An error with a body other than the standard one (a rejected event's outcome).
    pub fn with_body(status: StatusCode, body: Value) -> ApiError {
        ApiError { status, body }
    }
}

/// The HTTP status of a core error code.
fn status_of(code: &str) -> StatusCode {
    match code {
        "PERMISSION_DENIED" => StatusCode::FORBIDDEN,
        "NOT_FOUND" | "INVALID_SESSION" | "UNKNOWN_ACTION" => StatusCode::NOT_FOUND,
        "QUEUE_FULL" => StatusCode::TOO_MANY_REQUESTS,
        "INVALID_TRANSITION" => StatusCode::CONFLICT,
        "IO_ERROR" | "CORRUPT_STORE" | "STORE_LOCKED" | "INTERRUPTED" => StatusCode::SERVICE_UNAVAILABLE,
        "INVALID_CATALOG" | "INVALID_CONFIG" | "PANIC" => StatusCode::INTERNAL_SERVER_ERROR,
        // INVALID_ARGUMENT, INVALID_JSON, LIMIT_EXCEEDED and every validation code.
        _ => StatusCode::BAD_REQUEST,
    }
}

impl From<JourneyError> for ApiError {
    fn from(error: JourneyError) -> ApiError {
        let status = status_of(error.code());
        let mut body = error.to_json();
        body["status"] = json!(status.as_u16());
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
