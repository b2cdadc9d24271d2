//! Genesys Journey Management's external events (docs/http.md, "External events"; seed 002):
//! events from systems outside the contact center (an order system, a survey tool) posted in
//! batches to an external events configuration, and answered with the ones not processed.
//!
//! Genesys does not validate them ("ensure that you validate the data before you ingest them");
//! libjourney does: each configuration named with `--external-events` maps its events onto one
//! event type of the catalog, and every event is checked like any other, the ones refused coming
//! back in `unprocessedEntities` with every reason, not retryable.

use super::auth::Caller;
use super::error::ApiError;
use super::params::{Segments, clip};
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use journey_core::Outcome;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Most events one request may carry.
const MAX_ENTITIES: usize = 1_000;

/// The external events route.
pub fn routes() -> Router<Shared> {
    Router::new().route("/api/v2/journey/externalevents/configurations/{configuration}/events", post(events))
}

/// One `--external-events` configuration: the catalog event its events are, and the attribute
/// naming their session.
#[derive(Clone, Debug)]
pub struct Configuration {
    /// The session type (`type=`).
    session_type: String,
    /// The event name (`event=`).
    event_name: String,
    /// The attribute whose value is the session's external id (`session=`); without it, the
    /// customer's id is, one session per customer.
    session_attribute: Option<String>,
}

/// The external events configurations, by id.
#[derive(Clone, Debug, Default)]
pub struct Configurations(HashMap<String, Configuration>);

impl Configurations {
    /// Checks every configuration against the catalog, so that a misspelt one stops the server at
    /// its start rather than refusing every event it is sent.
    pub fn check(&self, catalog: &journey_core::Catalog) -> anyhow::Result<()> {
        for (id, configuration) in &self.0 {
            let Some(index) = catalog.session_type_index(&configuration.session_type) else {
                anyhow::bail!(
                    "--external-events {id}: the catalog has no session type {:?}",
                    configuration.session_type
                );
            };
            anyhow::ensure!(
                catalog.session_type(index).event_type_index(&configuration.event_name).is_some(),
                "--external-events {id}: the session type {:?} has no event type {:?}",
                configuration.session_type,
                configuration.event_name
            );
        }
        Ok(())
    }

    /// Reads `--external-events` values: `ID,type=SESSION_TYPE,event=EVENT_NAME[,session=ATTRIBUTE]`.
    pub fn parse(specs: &[String]) -> anyhow::Result<Configurations> {
        let mut configurations = HashMap::new();
        for spec in specs {
            let (id, settings) = super::specs::split("--external-events", spec)?;
            let (mut session_type, mut event_name, mut session_attribute) = (None, None, None);
            for (key, value) in settings {
                let slot = match key {
                    "type" => &mut session_type,
                    "event" => &mut event_name,
                    "session" => &mut session_attribute,
                    _ => anyhow::bail!("--external-events {spec:?}: {key} is not type, event or session"),
                };
                *slot = Some(value.to_owned());
            }
            let (Some(session_type), Some(event_name)) = (session_type, event_name) else {
                anyhow::bail!("--external-events {spec:?}: type=SESSION_TYPE and event=EVENT_NAME are required");
            };
            let configuration = Configuration { session_type, event_name, session_attribute };
            anyhow::ensure!(
                configurations.insert(id.to_owned(), configuration).is_none(),
                "--external-events {id} is given twice"
            );
        }
        Ok(Configurations(configurations))
    }
}

/// `POST /api/v2/journey/externalevents/configurations/{configurationId}/events` with an
/// `ExternalEventsRequest` (`{"entities": [ExternalEvent]}`) → 200 `ExternalEventsResponse`
/// (`{"unprocessedEntities": [...]}`). Needs an ingest token.
async fn events(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_ingest()?;
    let configuration = state
        .external_events
        .0
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no external events configuration '{}'", clip(&id))))?;
    let entities = entities(&body)?;
    let mapped: Vec<Result<Value, String>> = entities.iter().map(|entity| configuration.envelope(entity)).collect();
    let events: Vec<Value> = mapped.iter().filter_map(|m| m.as_ref().ok().cloned()).collect();
    let outcomes = blocking(&state, move |engine| engine.ingest_values(&events)).await?.outcomes;
    let mut outcomes = outcomes.into_iter();
    let mut unprocessed = Vec::new();
    for (index, (entity, mapped)) in entities.iter().zip(&mapped).enumerate() {
        let reason = match mapped {
            Err(reason) => Some(reason.clone()),
            Ok(_) => match outcomes.next() {
                Some(Outcome::Rejected { violations, .. }) => Some(
                    violations
                        .iter()
                        .map(|v| format!("{} at {:?}: {}", v.code.as_str(), v.path, v.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => None,
            },
        };
        if let Some(reason) = reason {
            unprocessed.push(json!({"event": entity, "originalRequestIndex": index, "isRetryable": false,
                "errorMessage": reason, "statusCode": 400}));
        }
    }
    Ok(axum::Json(json!({"unprocessedEntities": unprocessed})).into_response())
}

/// The request's `entities`: a list of at most [`MAX_ENTITIES`] objects.
fn entities(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let Some(Value::Array(entities)) = request.get("entities") else {
        return Err(ApiError::bad_argument("an ExternalEventsRequest is {\"entities\": [ExternalEvent, ...]}"));
    };
    if entities.len() > MAX_ENTITIES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "LIMIT_EXCEEDED",
            format!("{} entities in one request; at most {MAX_ENTITIES}", entities.len()),
        ));
    }
    Ok(entities.clone())
}

impl Configuration {
    /// An `ExternalEvent` (`{id?, dateCreated, identifiers: {externalIds: [{value,
    /// externalSourceId}]}, attributes}`) as an event of the catalog: the first external id is the
    /// customer (idType `externalId`), `dateCreated` its time, `attributes` its attributes, and
    /// the session the value of the `session=` attribute (or the customer's id). Everything is
    /// passed on as it came, so that the core names what is wrong; `Err` only for an entity that
    /// names no customer at all or is not an object.
    fn envelope(&self, entity: &Value) -> Result<Value, String> {
        let Value::Object(entity) = entity else { return Err("an ExternalEvent is a JSON object".into()) };
        let customer = entity
            .get("identifiers")
            .and_then(|ids| ids.get("externalIds"))
            .and_then(Value::as_array)
            .and_then(|ids| ids.first())
            .and_then(|id| id.get("value"))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or("identifiers.externalIds[0].value is required: Genesys drops an external event without a customer identifier")?;
        let attributes = entity.get("attributes").cloned().unwrap_or_else(|| Value::Object(Map::new()));
        let session = match &self.session_attribute {
            Some(name) => attributes.get(name).cloned().unwrap_or(Value::Null),
            None => json!(customer),
        };
        let mut event = json!({
            "eventName": self.event_name,
            "createdDate": entity.get("dateCreated"),
            "customer": {"id": customer, "idType": "externalId"},
            "session": {"type": self.session_type, "externalId": session},
            "attributes": attributes,
        });
        if let Some(id) = entity.get("id") {
            event["id"] = id.clone();
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_name_their_event_and_session() {
        let specs = ["orders,type=delivery,event=product_purchased,session=orderId".to_owned()];
        let configurations = Configurations::parse(&specs).unwrap();
        let orders = &configurations.0["orders"];
        let entity = json!({"id": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "dateCreated": "2026-11-21T10:00:00Z",
            "identifiers": {"externalIds": [{"value": "crm-42", "externalSourceId": "crm"}]},
            "attributes": {"orderId": "order-9", "price": 12.5}});
        assert_eq!(
            orders.envelope(&entity).unwrap(),
            json!({"id": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "eventName": "product_purchased",
                "createdDate": "2026-11-21T10:00:00Z", "customer": {"id": "crm-42", "idType": "externalId"},
                "session": {"type": "delivery", "externalId": "order-9"}, "attributes": {"orderId": "order-9", "price": 12.5}})
        );
        assert!(orders.envelope(&json!({"attributes": {}})).unwrap_err().contains("externalIds"));
        for bad in ["x,type=delivery", "x,event=e", ",type=a,event=b", "x,type=a,event=b,colour=red"] {
            assert!(Configurations::parse(&[bad.to_owned()]).is_err(), "{bad}");
        }
    }
}
