//! Genesys deployments (docs/http.md, "App events without a token"): the app events and action
//! events routes are public in Genesys, keyed by a deployment id that the web or mobile SDK
//! carries, so their clients send no `Authorization`. A deployment named with `--app-deployment` takes app events without a
//! token, from its own origins only when a browser sends them, at a bounded rate per client
//! address; a deployment id not named still needs an ingest token.

use super::ClientAddr;
use super::auth::Caller;
use super::error::ApiError;
use super::state::Shared;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// The paths of a deployment's public routes, its app events and its action events: the id is the
/// segment between the two parts.
const DEPLOYMENT_ROUTES: (&str, [&str; 2]) = ("/api/v2/journey/deployments/", ["/appevents", "/actionevent"]);

/// Most client addresses whose rate is tracked at once; past it, addresses whose allowance is
/// whole again are forgotten, and if none is, a new address waits (429) until one is.
const TRACKED_CLIENTS: usize = 100_000;

/// One `--app-deployment`: its id, the session type its app events are filed under, and the
/// origins whose pages may send them.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// The session type of its app events (`--app-session-type` when not given).
    pub session_type: Option<String>,
    /// The origins a browser may send its app events from; any when empty.
    pub origins: Vec<HeaderValue>,
}

/// The deployments that take app events without a token, by id.
#[derive(Clone, Debug, Default)]
pub struct Deployments(HashMap<String, Deployment>);

impl Deployments {
    /// Reads `--app-deployment` values: `ID[,type=SESSION_TYPE][,origin=ORIGIN]...`.
    pub fn parse(
        specs: &[String],
        origin: impl Fn(&str) -> anyhow::Result<HeaderValue>,
    ) -> anyhow::Result<Deployments> {
        let mut deployments = HashMap::new();
        for spec in specs {
            let (id, settings) = super::specs::split("--app-deployment", spec)?;
            let mut deployment = Deployment { session_type: None, origins: Vec::new() };
            for (key, value) in settings {
                match key {
                    "type" => deployment.session_type = Some(value.to_owned()),
                    "origin" => deployment.origins.push(origin(value)?),
                    _ => anyhow::bail!("--app-deployment {spec:?}: {key} is not type or origin"),
                }
            }
            anyhow::ensure!(
                deployments.insert(id.to_owned(), deployment).is_none(),
                "--app-deployment {id} is given twice"
            );
        }
        Ok(Deployments(deployments))
    }

    /// Checks every deployment's session type against the catalog, so that a misspelt one stops
    /// the server at its start rather than refusing every event it is sent.
    pub fn check(&self, catalog: &journey_core::Catalog) -> anyhow::Result<()> {
        for (id, deployment) in &self.0 {
            if let Some(session_type) = &deployment.session_type {
                anyhow::ensure!(
                    catalog.session_type_index(session_type).is_some(),
                    "--app-deployment {id}: the catalog has no session type {session_type:?}"
                );
            }
        }
        Ok(())
    }

    /// Whether a deployment files its app events under `session_type`.
    pub fn files_under(&self, session_type: &str) -> bool {
        self.0.values().any(|deployment| deployment.session_type.as_deref() == Some(session_type))
    }

    /// The deployment named `id`, if it takes app events without a token.
    pub fn get(&self, id: &str) -> Option<&Deployment> {
        self.0.get(id)
    }

    /// The deployment whose app events or action events route `path` is, if it is one of these.
    pub fn of_path(&self, path: &str) -> Option<&Deployment> {
        let rest = path.strip_prefix(DEPLOYMENT_ROUTES.0)?;
        let id = DEPLOYMENT_ROUTES.1.iter().find_map(|route| rest.strip_suffix(route))?;
        self.0.get(id)
    }
}

impl Deployment {
    /// 403 when a browser sends the event from an origin the deployment does not list.
    pub fn check_origin(&self, request: &HeaderMap) -> Result<(), ApiError> {
        match request.get(header::ORIGIN) {
            Some(origin) if !self.allows(origin) => {
                Err(ApiError::forbidden("this deployment does not take app events from this origin"))
            }
            _ => Ok(()),
        }
    }

    /// Whether a page of `origin` may send this deployment's app events.
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        self.origins.is_empty() || self.origins.iter().any(|allowed| allowed == origin)
    }
}

/// The largest body a deployment's public routes read: one app or action event, far below
/// `--max-body-bytes`, since anyone may send them (the routes' body limit; a larger announced
/// body is refused at once, 413).
pub const PUBLIC_BODY_LIMIT: usize = 64 * 1024;

/// A request to a deployment's public route (app events, action events), admitted from its
/// path and headers alone, before its body is read: a request that may not send is refused
/// without the server reading (and holding) what it sent. With a token, the token decides (an
/// ingest grant); without one, the deployment must be named with `--app-deployment`, the page's
/// origin one of its own, and the client within its rate.
pub struct Admitted {
    /// The session type the deployment's app events are filed under.
    pub session_type: String,
}

impl FromRequestParts<Shared> for Admitted {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Admitted, ApiError> {
        let announced =
            parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
        if announced.is_some_and(|length: usize| length > PUBLIC_BODY_LIMIT) {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "LIMIT_EXCEEDED",
                format!("a deployment's event is at most {PUBLIC_BODY_LIMIT} bytes"),
            ));
        }
        let Path(deployment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::bad_argument(format!("bad path: {}", rejection.body_text())))?;
        let public = state.deployments.get(&deployment);
        let session_type =
            public.and_then(|d| d.session_type.clone()).unwrap_or_else(|| state.app_session_type.clone());
        if parts.headers.contains_key(axum::http::header::AUTHORIZATION) || public.is_none() {
            Caller::of(&parts.headers, state)?.require_ingest()?;
            return Ok(Admitted { session_type });
        }
        let public = public.expect("named: checked above");
        public.check_origin(&parts.headers)?;
        let announced =
            parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
        if announced.is_some_and(|length: usize| length > PUBLIC_BODY_LIMIT) {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "LIMIT_EXCEEDED",
                format!("a deployment's event is at most {PUBLIC_BODY_LIMIT} bytes"),
            ));
        }
        let client = parts.extensions.get::<ClientAddr>().map(|ClientAddr(addr)| addr.ip());
        if let Some(client) = client {
            state.app_rate.admit(client, Instant::now())?;
        }
        Ok(Admitted { session_type })
    }
}

/// A token bucket per client address: `rate` app events a second, bursts of twice that.
pub struct RateLimit {
    rate: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// One client's allowance: tokens left as of `at`.
#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    /// `rate` events a second per client address (`--app-rate-limit`).
    pub fn new(rate: u32) -> RateLimit {
        RateLimit { rate: f64::from(rate.max(1)), buckets: Mutex::default() }
    }

    fn burst(&self) -> f64 {
        2.0 * self.rate
    }

    /// Takes one event from `client`'s allowance, or answers 429 `LIMIT_EXCEEDED` (with
    /// `Retry-After: 1`). An IPv6 client is its /64 network, the block one host is given, so that
    /// it cannot take a fresh allowance with each of its addresses.
    pub fn admit(&self, client: IpAddr, now: Instant) -> Result<(), ApiError> {
        let client = match client {
            IpAddr::V6(address) => IpAddr::V6((u128::from(address) & !u128::from(u64::MAX)).into()),
            v4 => v4,
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if !buckets.contains_key(&client) && buckets.len() >= TRACKED_CLIENTS {
            let burst = self.burst();
            buckets.retain(|_, bucket| self.refilled(*bucket, now) < burst);
            if buckets.len() >= TRACKED_CLIENTS {
                return Err(too_many("too many clients are sending app events at once"));
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: self.burst(), at: now });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return Err(too_many(&format!("more than {} app events a second from this client", self.rate)));
        }
        bucket.tokens -= 1.0;
        Ok(())
    }

    /// The tokens `bucket` holds at `now`.
    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.rate).min(self.burst())
    }
}

/// A client over its rate: 429 `LIMIT_EXCEEDED`.
fn too_many(message: &str) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "LIMIT_EXCEEDED", message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use std::time::Duration;

    fn origin(text: &str) -> anyhow::Result<HeaderValue> {
        Ok(HeaderValue::from_str(text)?)
    }

    #[test]
    fn deployments_read_their_type_and_origins() {
        let specs =
            ["dep-1,type=app,origin=https://shop.test,origin=https://m.shop.test".to_owned(), "dep-2".to_owned()];
        let deployments = Deployments::parse(&specs, origin).unwrap();
        let first = deployments.of_path("/api/v2/journey/deployments/dep-1/appevents").unwrap();
        assert_eq!(first.session_type.as_deref(), Some("app"));
        assert!(first.allows(&HeaderValue::from_static("https://m.shop.test")));
        assert!(!first.allows(&HeaderValue::from_static("https://evil.test")));
        assert!(deployments.get("dep-2").unwrap().allows(&HeaderValue::from_static("https://any.test")));
        assert!(deployments.of_path("/api/v2/journey/deployments/dep-3/appevents").is_none());
        assert!(deployments.of_path("/api/v2/journey/sessions/dep-1").is_none());
        for bad in [",type=app", "dep,colour=red", "dep,type=", "dep/x"] {
            assert!(Deployments::parse(&[bad.to_owned()], origin).is_err(), "{bad}");
        }
        assert!(Deployments::parse(&["a".to_owned(), "a".to_owned()], origin).is_err());
    }

    #[test]
    fn each_client_gets_its_rate_with_bursts_of_twice_it() {
        let limit = RateLimit::new(5);
        let (one, two) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2]));
        let start = Instant::now();
        assert!((0..10).all(|_| limit.admit(one, start).is_ok()), "a burst of 10");
        let refused = limit.admit(one, start).unwrap_err().into_response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        assert!(limit.admit(two, start).is_ok(), "another client has its own allowance");
        let later = start + Duration::from_millis(400);
        assert!(limit.admit(one, later).is_ok() && limit.admit(one, later).is_ok(), "5 a second: 2 in 400 ms");
        assert!(limit.admit(one, later).is_err());
        // Two addresses of one IPv6 /64 share an allowance; another /64 has its own.
        let six = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!((0..10).all(|_| limit.admit(six("2001:db8::1"), start).is_ok()));
        assert!(limit.admit(six("2001:db8::ffff:2"), start).is_err(), "the same /64");
        assert!(limit.admit(six("2001:db8:0:1::1"), start).is_ok(), "another /64");
    }
}
