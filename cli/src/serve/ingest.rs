//! libjourney's own ingest route: `POST /events` with one event, a JSON array, or NDJSON.

use super::auth::Caller;
use super::error::ApiError;
use super::params::Params;
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use journey_core::{Batch, BatchResult, JourneyError, Outcome, Outcomes, Violation};
use serde_json::json;

/// The ingest route.
pub fn routes() -> Router<Shared> {
    Router::new().route("/events", post(events))
}

/// What a request body holds.
enum Body {
    One,
    Array,
    Ndjson,
}

/// `POST /events`: one event (a JSON object) answers with its outcome (400 when rejected); an
/// array or NDJSON (`Content-Type: application/x-ndjson`) with the batch result, whose form
/// `?outcomes=all|rejected|none` chooses as in every binding.
async fn events(
    State(state): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    params: Params,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_ingest()?;
    let outcomes = Outcomes::parse(params.text("outcomes").unwrap_or("all"))?;
    let kind = body_kind(&headers, &body)?;
    let result = blocking(&state, move |engine| match kind {
        Body::One => engine.ingest_json(&body).map(Err),
        Body::Array => engine.ingest_batch(Batch::JsonArray(&body), outcomes, None).map(Ok),
        Body::Ndjson => engine.ingest_batch(Batch::Ndjson(&body), outcomes, None).map(Ok),
    })
    .await?;
    match result {
        Ok(batch) => Ok(batch_response(&batch)),
        Err(outcome) => match &outcome {
            Outcome::Rejected { violations, .. } => Err(rejected(&outcome, violations)),
            _ => Ok(axum::Json(outcome.to_json()).into_response()),
        },
    }
}

/// The kind of body, from its `Content-Type` and its first byte (415 for a type that is neither
/// JSON nor NDJSON).
fn body_kind(headers: &HeaderMap, body: &[u8]) -> Result<Body, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Ok(Body::Ndjson),
        "application/json" | "" => match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Ok(Body::Array),
            _ => Ok(Body::One),
        },
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_ARGUMENT",
            format!(
                "Content-Type must be application/json or application/x-ndjson, not {}",
                super::params::clip(other)
            ),
        )),
    }
}

fn batch_response(batch: &BatchResult) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], batch.to_json_string()).into_response()
}

/// 400 for a rejected event: SPEC §9's error form for a validation error (its first violation's
/// code and message, and every violation), with the event's id when it has one.
pub fn rejected(outcome: &Outcome, violations: &[Violation]) -> ApiError {
    let mut body = JourneyError::Validation { violations: violations.to_vec() }.to_json();
    body["status"] = json!(400);
    if let Outcome::Rejected { event_id: Some(id), .. } = outcome {
        body["eventId"] = json!(id);
    }
    ApiError::with_body(StatusCode::BAD_REQUEST, body)
}
