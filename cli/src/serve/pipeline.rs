//! What happens to a request between hyper and the routes: the checks that need no route (the
//! path's percent-encoding, an announced body over the limit), CXone's versioned prefix, the
//! request timeout, and [`finish`] on the way out, so that every answer, the router's or not, has
//! the JSON error form and a final newline.

use super::error::{ApiError, finish};
use super::params::check_path;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower::ServiceExt;

/// The routes and the limits every request is held to.
#[derive(Clone)]
pub struct Pipeline {
    /// Every route.
    pub router: Router,
    /// How long a request may take in all (`--request-timeout`).
    pub request_timeout: Duration,
    /// The largest body accepted (`--max-body-bytes`).
    pub max_body_bytes: usize,
}

impl Pipeline {
    /// The answer to one request; 408 when it takes longer than the request timeout.
    pub async fn answer(self, request: Request<hyper::body::Incoming>) -> Response {
        let request = request.map(Body::new);
        let seconds = self.request_timeout.as_secs();
        let response = match tokio::time::timeout(self.request_timeout, self.route(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "LIMIT_EXCEEDED",
                format!("the request took longer than --request-timeout ({seconds} s)"),
            )
            .into_response(),
        };
        finish(response).await
    }

    async fn route(self, request: Request) -> Response {
        if let Err(error) = check_path(request.uri().path()).and_then(|()| self.check_length(&request)) {
            return error.into_response();
        }
        match self.router.oneshot(strip_cxone_prefix(request)).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// 413 at once for a body announced larger than the limit, rather than reading it first.
    fn check_length(&self, request: &Request) -> Result<(), ApiError> {
        // hyper has already refused a Content-Length that is not a number.
        let announced =
            request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        match announced {
            Some(length) if length > u64::try_from(self.max_body_bytes).unwrap_or(u64::MAX) => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "LIMIT_EXCEEDED",
                format!("the request body ({length} bytes) is larger than --max-body-bytes ({})", self.max_body_bytes),
            )),
            _ => Ok(()),
        }
    }
}

/// CXone's `/incontactapi/services/v{N}.0/…` (any `N`, any case) as `/cxone/…`, so that one set of
/// routes serves every version a client pins.
fn strip_cxone_prefix(mut request: Request) -> Request {
    let path = request.uri().path();
    let mut parts = path.splitn(4, '/'); // "", "incontactapi", "services", "v30.0/rest"
    let (Some(""), Some(api), Some(services), Some(rest)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return request;
    };
    let Some((version, rest)) = rest.split_once('/') else { return request };
    let versioned = version.len() > 1
        && version[..1].eq_ignore_ascii_case("v")
        && version[1..].split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !(api.eq_ignore_ascii_case("incontactapi") && services.eq_ignore_ascii_case("services") && versioned) {
        return request;
    }
    let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    if let Ok(uri) = format!("/cxone/{rest}{query}").parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    request
}
