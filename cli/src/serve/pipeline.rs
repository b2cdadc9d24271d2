//! What happens to a request between hyper and the routes: the checks that need no route (the
//! path's percent-encoding, an announced body over the limit), CXone's versioned prefix, CORS
//! ([`Cors`]), the request timeout, and [`finish`] on the way out, so that every answer, the
//! router's or not, has the JSON error form and a final newline. An answer sent before the
//! request's body was read to its end closes the connection (`Connection: close`): the unread
//! rest of the body would otherwise be read as the next request on the keep-alive connection.

use super::cors::Cors;
use super::error::{ApiError, finish};
use super::params::check_path;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
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
    /// The origins whose pages may call (`--cors-origin`).
    pub cors: Cors,
}

impl Pipeline {
    /// The answer to one request; 408 when it takes longer than the request timeout.
    pub async fn answer(self, request: Request<hyper::body::Incoming>) -> Response {
        // A request without a body (most GETs) has nothing to read from the start.
        let read = Arc::new(AtomicBool::new(request.body().is_end_stream()));
        let request = request.map(|body| Body::new(Tracked { inner: body, read: read.clone() }));
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
        let mut response = finish(response).await;
        if !read.load(Ordering::Acquire) {
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }

    async fn route(self, request: Request) -> Response {
        if let Err(error) = check_path(request.uri().path()).and_then(|()| self.check_length(&request)) {
            return error.into_response();
        }
        let request = strip_cxone_prefix(request);
        if Cors::is_preflight(&request) {
            return self.cors.preflight(self.router, request).await;
        }
        let (origin, path) = (origin_of(request.headers()), request.uri().path().to_owned());
        let mut response = match self.router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        self.cors.decorate(&origin, &path, &mut response);
        response
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

/// The request's `Origin` alone, kept for the answer once the request is gone to the router.
fn origin_of(headers: &HeaderMap) -> HeaderMap {
    headers
        .get(header::ORIGIN)
        .map(|origin| HeaderMap::from_iter([(header::ORIGIN, origin.clone())]))
        .unwrap_or_default()
}

/// A request body that notes when it has been read to its end.
struct Tracked {
    inner: hyper::body::Incoming,
    read: Arc<AtomicBool>,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
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
