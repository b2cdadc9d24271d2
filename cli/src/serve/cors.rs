//! Cross-origin requests from browsers (docs/http.md, "Browsers and CORS"): the CXone agent SDK and
//! a web page's Genesys calls run in a browser, whose `fetch` with an `Authorization` header is
//! preflighted with `OPTIONS`.
//!
//! Only origins on the allow-list (`--cors-origin`, none by default) are answered as CORS: a
//! preflight from one gets the methods of the route it names (read from the router's own 405
//! answer, so there is no second table of routes to drift from the first) and the request
//! headers it asked for (the bearer token, not the header names, is what authorizes a call); and
//! every other answer to one carries `Access-Control-Allow-Origin`. A preflight from any other
//! origin is 403, and an answer to a request from one carries no CORS header, so the browser
//! keeps the page from reading it.

use super::deployments::Deployments;
use super::error::ApiError;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The origins whose pages may call the server.
#[derive(Clone, Debug, Default)]
pub struct Cors {
    origins: Vec<HeaderValue>,
    /// The deployments whose app events their own origins may send (`--app-deployment`).
    deployments: Deployments,
}

impl Cors {
    /// An allow-list of origins as `--cors-origin` gives them (`https://agent.example.com`, a
    /// scheme, host and optional port, no path); `*` allows any origin. A deployment's app events
    /// route also allows the deployment's own origins.
    pub fn new(origins: &[String], deployments: Deployments) -> anyhow::Result<Cors> {
        let origins = origins.iter().map(|origin| parse_origin(origin)).collect::<anyhow::Result<_>>()?;
        Ok(Cors { origins, deployments })
    }

    /// The request's `Origin` when it may call `path`.
    fn allowed<'r>(&self, request: &'r HeaderMap, path: &str) -> Option<&'r HeaderValue> {
        let origin = request.get(header::ORIGIN)?;
        let listed = self.origins.iter().any(|allowed| allowed == "*" || allowed == origin);
        let deployed = self.deployments.of_path(path).is_some_and(|deployment| deployment.allows(origin));
        (listed || deployed).then_some(origin)
    }

    /// Whether `request` is a CORS preflight: `OPTIONS` with an `Origin` and the method it asks for.
    pub fn is_preflight(request: &Request) -> bool {
        request.method() == Method::OPTIONS
            && request.headers().contains_key(header::ORIGIN)
            && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The answer to a preflight: 204 with the route's methods and the headers asked for; 403 for
    /// an origin not on the allow-list; the router's 404 for a path no route serves.
    pub async fn preflight(&self, router: Router, request: Request) -> Response {
        let Some(origin) = self.allowed(request.headers(), request.uri().path()).cloned() else {
            return ApiError::forbidden("this origin is not one of --cors-origin").into_response();
        };
        let asked_headers = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        // No route takes OPTIONS, so the router answers 405 with the route's methods in `Allow`,
        // or 404 when no route matches; nothing runs.
        let probe = match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let Some(methods) =
            probe.headers().get(header::ALLOW).filter(|_| probe.status() == StatusCode::METHOD_NOT_ALLOWED)
        else {
            return probe;
        };
        let mut answer = StatusCode::NO_CONTENT.into_response();
        let headers = answer.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
        if let Some(asked) = asked_headers {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
        }
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
        allow_origin(headers, origin);
        answer
    }

    /// Marks the answer to a request for `path` from an allowed origin as readable by its page.
    pub fn decorate(&self, request: &HeaderMap, path: &str, answer: &mut Response) {
        if let Some(origin) = self.allowed(request, path).cloned() {
            allow_origin(answer.headers_mut(), origin);
        }
    }
}

/// `Access-Control-Allow-Origin` for `origin`, and `Vary: Origin`: the answer depends on it, so a
/// cache must not give one origin's answer to another.
fn allow_origin(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// Checks one `--cors-origin`: `*`, or `scheme://host[:port]` as a browser sends it in `Origin`.
pub fn parse_origin(origin: &str) -> anyhow::Result<HeaderValue> {
    let well_formed = origin == "*"
        || origin.split_once("://").is_some_and(|(scheme, rest)| {
            matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains(['/', '?', '#', ' '])
        });
    anyhow::ensure!(
        well_formed,
        "--cors-origin {origin:?} is not an origin: give scheme://host[:port] as a browser sends it (no path), or *"
    );
    Ok(HeaderValue::from_str(origin)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_matched_exactly() {
        let origins = ["https://agent.example.com".into(), "http://127.0.0.1:9000".into()];
        let deployments = Deployments::parse(&["dep-1,origin=https://shop.test".into()], parse_origin).unwrap();
        let cors = Cors::new(&origins, deployments).unwrap();
        let mut request = HeaderMap::new();
        assert!(cors.allowed(&request, "/x").is_none(), "no Origin: not a cross-origin request");
        request.insert(header::ORIGIN, HeaderValue::from_static("https://agent.example.com"));
        assert!(cors.allowed(&request, "/x").is_some());
        request.insert(header::ORIGIN, HeaderValue::from_static("https://agent.example.com.evil.test"));
        assert!(cors.allowed(&request, "/x").is_none());
        assert!(Cors::new(&["*".into()], Deployments::default()).unwrap().allowed(&request, "/x").is_some());
        for bad in ["agent.example.com", "https://a.example/path", "ftp://a.example", "https://"] {
            assert!(Cors::new(&[bad.into()], Deployments::default()).is_err(), "{bad}");
        }
        // A deployment's origin may send its app events, and nothing else.
        request.insert(header::ORIGIN, HeaderValue::from_static("https://shop.test"));
        assert!(cors.allowed(&request, "/api/v2/journey/deployments/dep-1/appevents").is_some());
        assert!(cors.allowed(&request, "/api/v2/journey/deployments/dep-2/appevents").is_none());
        assert!(cors.allowed(&request, "/api/v2/journey/sessions/s").is_none());
    }
}
