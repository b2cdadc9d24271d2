//! Every error the server answers with: the JSON form `{"status", "code", "message",
//! "violations"?}` of docs/http.md ("Errors"), and the HTTP status that goes with its code; and
//! [`finish`], which every response passes through on its way out.

use axum::body::Body;
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

    /// The JSON body, for the unit tests of the routes' checks.
    #[cfg(test)]
    pub fn body(&self) -> &Value {
        &self.body
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
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Every 429 is a rate or a queue that has room again soon.
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The last step of every response: an error whose body is not the JSON form (one that axum,
/// tower or the timeout wrote: an empty 408, a plain-text 413 or rejection) gets it, and a body
/// ends with a newline, as a line of output should.
pub async fn finish(response: Response) -> Response {
    let status = response.status();
    let json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    let response = if (status.is_client_error() || status.is_server_error()) && !json {
        standard_error(status).into_response()
    } else {
        response
    };
    let (mut parts, body) = response.into_parts();
    // Every body this server writes is already in memory: reading it back copies nothing large.
    let mut bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => Vec::from(bytes),
        Err(error) => return unreadable_body(&error),
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// The JSON error for a status that came without one.
fn standard_error(status: StatusCode) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(status, "LIMIT_EXCEEDED", "the request body is larger than --max-body-bytes")
        }
        StatusCode::REQUEST_TIMEOUT => ApiError::new(status, "LIMIT_EXCEEDED", "the request took too long"),
        status if status.is_server_error() => ApiError::new(status, "PANIC", "the server failed to answer"),
        status => ApiError::new(status, "INVALID_ARGUMENT", "the request could not be read"),
    }
}

/// A response body that could not be read back (none of this server's can fail): 500 in the JSON form.
fn unreadable_body(error: &axum::Error) -> Response {
    let body =
        json!({"status": 500, "code": "PANIC", "message": format!("the response could not be written: {error}")});
    let mut response = Response::new(Body::from(format!("{body}\n")));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
