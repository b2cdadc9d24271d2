//! Genesys' action map estimate jobs (docs/http.md, "Estimates and explanations"):
//! `POST /api/v2/journey/actionmaps/estimates/jobs` with an `ActionMapEstimateRequest`, then the
//! job's status and its `ActionMapEstimateResult`, over the core's `estimateActionMap`
//! (docs/orchestration.md, "Explain and estimate").
//!
//! Genesys runs an estimate as an asynchronous job; the core counts stored sessions in the call,
//! so the server runs it when the job is created and answers with a job that is already complete.
//! Finished jobs are kept in memory, the last [`KEPT_JOBS`] of them (an older job's routes are
//! 404), and none survive a restart.

use super::auth::Caller;
use super::error::ApiError;
use super::params::{Segments, clip, encode};
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use journey_core::{Estimate, EstimateQuery, JourneyError};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use uuid::Uuid;

/// The collection of estimate jobs.
const JOBS: &str = "/api/v2/journey/actionmaps/estimates/jobs";

/// How many finished jobs the server keeps; creating one more forgets the oldest.
pub const KEPT_JOBS: usize = 100;

/// The state every job is in: the estimate ran when the job was created.
const COMPLETE: &str = "Complete";

/// The estimate job routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route(JOBS, post(create))
        .route(&format!("{JOBS}/{{job}}"), get(status))
        .route(&format!("{JOBS}/{{job}}/results"), get(results))
}

/// The finished estimate jobs, oldest first, at most [`KEPT_JOBS`].
#[derive(Default)]
pub struct EstimateJobs {
    jobs: VecDeque<(Uuid, Estimate)>,
}

impl EstimateJobs {
    /// Keeps a finished job, forgetting the oldest when [`KEPT_JOBS`] are kept already.
    fn keep(&mut self, id: Uuid, estimate: Estimate) {
        if self.jobs.len() >= KEPT_JOBS {
            self.jobs.pop_front();
        }
        self.jobs.push_back((id, estimate));
    }

    /// The result of the job `id`, if it is kept.
    fn result(&self, id: &str) -> Option<&Estimate> {
        let id = Uuid::try_parse(id).ok()?;
        self.jobs.iter().find(|(kept, _)| *kept == id).map(|(_, estimate)| estimate)
    }
}

/// `POST /api/v2/journey/actionmaps/estimates/jobs` with an `ActionMapEstimateRequest` → 202 with
/// the job as `EstimateJobAsyncResponse` (`{id, selfUri}`), already complete. A request the core
/// refuses (an unknown segment) is 400 and makes no job.
async fn create(State(state): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    let (query, from_segments) = estimate_query(&body)?;
    let estimate = blocking(&state, move |engine| {
        engine.estimate_action_map(&query).map_err(|error| match error {
            JourneyError::InvalidArgument(message) if from_segments => {
                JourneyError::InvalidArgument(message.replace("/actionMap/triggerWithSegments", "/segmentIds"))
            }
            other => other,
        })
    })
    .await?;
    let id = Uuid::new_v4();
    state.lock_estimate_jobs().keep(id, estimate);
    let self_uri = job_uri(&id.to_string());
    let job = json!({"id": id, "selfUri": self_uri});
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, self_uri)], axum::Json(job)).into_response())
}

/// `GET /api/v2/journey/actionmaps/estimates/jobs/{jobId}` → the job's state, a JSON string
/// (`"Complete"`), as Genesys answers it; 404 for a job that is not kept.
async fn status(
    State(state): State<Shared>,
    caller: Caller,
    Segments(job): Segments<String>,
) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    kept(&state, &job, |_| json!(COMPLETE))
}

/// `GET /api/v2/journey/actionmaps/estimates/jobs/{jobId}/results` → `ActionMapEstimateResult`:
/// `{qualifiedSessionCount, totalSessionCount, perSegmentCounts: [{segmentId, count}]}`; 404 for a
/// job that is not kept.
async fn results(
    State(state): State<Shared>,
    caller: Caller,
    Segments(job): Segments<String>,
) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    kept(&state, &job, |estimate| serde_json::to_value(estimate).unwrap_or_default())
}

/// The answer `show` makes of a kept job, or 404.
fn kept(state: &Shared, job: &str, show: impl FnOnce(&Estimate) -> Value) -> Result<Response, ApiError> {
    let jobs = state.lock_estimate_jobs();
    let estimate = jobs.result(job).ok_or_else(|| {
        ApiError::not_found(format!(
            "no estimate job '{}' (the server keeps the last {KEPT_JOBS} jobs, in memory)",
            clip(job)
        ))
    })?;
    Ok(axum::Json(show(estimate)).into_response())
}

/// The `selfUri` of a job.
fn job_uri(id: &str) -> String {
    format!("{JOBS}/{}", encode(id))
}

/// The core's estimate input for a request body, and whether it came from `segmentIds`.
///
/// Genesys' `ActionMapEstimateRequest` is `{segmentIds, outcomeCriteria}`: the sessions that hold
/// any of the segments qualify, which is what a draft map triggered by them counts (a map that
/// calls the host back, so that every session counts whatever its customer; a web action would
/// count only a browser's). `outcomeCriteria` (outcome probabilities, which libjourney does not
/// score) is refused unless empty. libjourney's own fields: `actionMap`, a whole draft map
/// instead of `segmentIds` (to estimate event conditions, page URL conditions or a web action),
/// and `from` and `to` (RFC 3339), the window of sessions counted.
fn estimate_query(body: &[u8]) -> Result<(EstimateQuery, bool), ApiError> {
    let request = match serde_json::from_slice(body) {
        Ok(Value::Object(request)) => request,
        Ok(_) => return Err(ApiError::bad_argument("an ActionMapEstimateRequest is a JSON object")),
        Err(error) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", error.to_string())),
    };
    if let Some(name) = request.keys().find(|name| !KNOWN.contains(&name.as_str())) {
        return Err(refused(format!("/{}: not a field of an estimate request", clip(name))));
    }
    match request.get("outcomeCriteria") {
        None | Some(Value::Null) => {}
        Some(Value::Object(criteria)) if criteria.is_empty() => {}
        Some(_) => {
            return Err(refused(
                "/outcomeCriteria: outcome probability criteria are not supported (libjourney does not score outcomes)"
                    .to_owned(),
            ));
        }
    }
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        match request.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(refused(format!("/{name}: must be an RFC 3339 time"))),
        }
    };
    let (from, to) = (text("from")?, text("to")?);
    let given = |name: &str| request.get(name).is_some_and(|value| !value.is_null());
    let (action_map, from_segments) = match (given("segmentIds"), given("actionMap")) {
        (true, true) => return Err(refused("/actionMap: give segmentIds or actionMap, not both".to_owned())),
        (false, false) => return Err(refused("/segmentIds: required (the segments to estimate)".to_owned())),
        (true, false) => (segments_map(&request["segmentIds"])?, true),
        (false, true) => (request["actionMap"].clone(), false),
    };
    Ok((EstimateQuery { action_map, from, to }, from_segments))
}

/// The fields an estimate request may have.
const KNOWN: [&str; 5] = ["segmentIds", "outcomeCriteria", "actionMap", "from", "to"];

/// The draft map that `segmentIds` stand for: active, triggered by any of them, calling back.
fn segments_map(ids: &Value) -> Result<Value, ApiError> {
    let Some(ids) = ids.as_array() else {
        return Err(refused("/segmentIds: must be a list of segment ids".to_owned()));
    };
    if ids.is_empty() {
        return Err(refused("/segmentIds: at least one segment is needed".to_owned()));
    }
    if let Some(at) = ids.iter().position(|id| !id.is_string()) {
        return Err(refused(format!("/segmentIds/{at}: must be a segment id (text)")));
    }
    let mut map = Map::new();
    map.insert("displayName".into(), json!("estimate"));
    map.insert("isActive".into(), json!(true));
    map.insert("triggerWithSegments".into(), Value::Array(ids.clone()));
    map.insert("action".into(), json!({"mediaType": "callback"}));
    Ok(Value::Object(map))
}

/// 400 `INVALID_ARGUMENT` in the core's form for a refused definition, naming the field by JSON
/// pointer.
fn refused(message: String) -> ApiError {
    ApiError::from(JourneyError::InvalidArgument(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(n: u64) -> Estimate {
        Estimate { qualified_session_count: n, total_session_count: n, per_segment_counts: Vec::new() }
    }

    #[test]
    fn the_last_jobs_are_kept_and_older_ones_forgotten() {
        let mut jobs = EstimateJobs::default();
        let ids: Vec<Uuid> = (0..=KEPT_JOBS).map(|_| Uuid::new_v4()).collect();
        for (n, id) in ids.iter().enumerate() {
            jobs.keep(*id, estimate(n as u64));
        }
        assert!(jobs.result(&ids[0].to_string()).is_none());
        assert_eq!(jobs.result(&ids[1].to_string()), Some(&estimate(1)));
        let last = ids[KEPT_JOBS].to_string().to_ascii_uppercase();
        assert_eq!(jobs.result(&last), Some(&estimate(KEPT_JOBS as u64)), "any spelling of the UUID");
        assert!(jobs.result("not-a-job").is_none());
    }

    #[test]
    fn a_request_becomes_a_draft_map_or_is_refused_by_name() {
        let (query, from_segments) =
            estimate_query(br#"{"segmentIds": ["s1", "s2"], "to": "2026-11-22T00:00:00Z"}"#).unwrap();
        assert!(from_segments);
        assert_eq!(query.action_map["triggerWithSegments"], json!(["s1", "s2"]));
        assert_eq!(query.action_map["action"], json!({"mediaType": "callback"}));
        assert_eq!((query.from, query.to.as_deref()), (None, Some("2026-11-22T00:00:00Z")));
        let (query, from_segments) = estimate_query(br#"{"actionMap": {"displayName": "x"}}"#).unwrap();
        assert!(!from_segments);
        assert_eq!(query.action_map, json!({"displayName": "x"}));
        for (body, pointer) in [
            (&br#"{}"#[..], "/segmentIds"),
            (br#"{"segmentIds": []}"#, "/segmentIds"),
            (br#"{"segmentIds": [1]}"#, "/segmentIds/0"),
            (br#"{"segmentIds": "s1"}"#, "/segmentIds"),
            (br#"{"segmentIds": ["s1"], "actionMap": {}}"#, "/actionMap"),
            (br#"{"segmentIds": ["s1"], "outcomeCriteria": {"outcomeId": "o"}}"#, "/outcomeCriteria"),
            (br#"{"segmentIds": ["s1"], "from": 1}"#, "/from"),
            (br#"{"segmentIds": ["s1"], "colour": "red"}"#, "/colour"),
        ] {
            let error = estimate_query(body).err().unwrap();
            let message = error.body()["message"].as_str().unwrap().to_owned();
            assert!(message.starts_with(&format!("invalid argument: {pointer}: ")), "{pointer}: {message}");
        }
        assert!(estimate_query(br#"{"segmentIds": ["s1"], "outcomeCriteria": null}"#).is_ok());
        assert!(estimate_query(b"[1]").is_err());
    }
}
