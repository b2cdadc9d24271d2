//! The Genesys Cloud journey API (docs/http.md): a customer's sessions, one session, a session's
//! events, a customer's segment assignments, and app events in, with Genesys's field names. Every read is asked of the core as the
//! token's viewer, so what a viewer may not see (SPEC §4) is never in an answer.

use super::auth::Caller;
use super::deployments::{Admitted, PUBLIC_BODY_LIMIT};
use super::error::ApiError;
use super::params::{Params, Segments, clip, encode};
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use journey_core::catalog::DataType;
use journey_core::journey::{ConversationCard, EventView, permission};
use journey_core::{Customer, CustomerSegment, IdType, JourneyError, Outcome, SessionCard};
use serde_json::{Map, Value, json};

/// The Genesys routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v2/externalcontacts/contacts/{contact}/journey/sessions", get(customer_sessions))
        .route("/api/v2/externalcontacts/contacts/{contact}/journey/segments", get(customer_segments))
        .route("/api/v2/journey/sessions/{session}", get(session))
        .route("/api/v2/journey/sessions/{session}/events", get(session_events))
        .route(
            "/api/v2/journey/deployments/{deployment}/appevents",
            post(app_event).layer(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT)),
        )
        .route(
            "/api/v2/journey/deployments/{deployment}/actionevent",
            post(action_event).layer(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT)),
        )
}

/// `GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions?pageSize=&after=`
/// → `SessionListing`.
async fn customer_sessions(
    State(state): State<Shared>,
    caller: Caller,
    Segments(contact): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let viewer = caller.viewer()?.clone();
    let customer = contact_customer(&contact)?;
    let request = params.page()?;
    // Reads of a durable engine may wait for an fsync (they show only durable changes): off the
    // event loop, as every call that may block.
    let (listed, page_request) = (customer.clone(), request.clone());
    let page = blocking(&state, move |engine| engine.journey(&listed, &viewer, &page_request)).await?;
    let base = format!("/api/v2/externalcontacts/contacts/{}/journey/sessions", encode(&contact));
    let entities: Vec<Value> = page.entities.iter().map(|card| session_json(card, &customer)).collect();
    Ok(listing(entities, &base, &request, page.next_cursor))
}

/// `GET /api/v2/externalcontacts/contacts/{contactId}/journey/segments?limit=&includeMerged=`
/// → `SegmentAssignmentListing`: the segments the customer holds now (`segments(customer)`), in
/// the order they were assigned, at most `limit` (1–500, default 25). It needs what listing the
/// contact's sessions needs; a session assignment is shown only when the viewer may see its session.
/// `includeMerged` is accepted and changes nothing: a contact id is one customer, never a merge set.
async fn customer_segments(
    State(state): State<Shared>,
    caller: Caller,
    Segments(contact): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let viewer = caller.viewer()?.clone();
    let customer = contact_customer(&contact)?;
    let limit = params.parsed::<usize>("limit", "an integer from 1 to 500")?.unwrap_or(25);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_argument(format!("limit must be an integer from 1 to 500, got {limit}")));
    }
    params.boolean("includeMerged")?;
    if !viewer.has(permission::SESSION_VIEW) && !viewer.has(permission::EXTERNAL_CONTACTS_SESSION_VIEW) {
        return Err(ApiError::forbidden(format!(
            "reading a contact's segments needs {} or {}",
            permission::SESSION_VIEW,
            permission::EXTERNAL_CONTACTS_SESSION_VIEW
        )));
    }
    let shown = blocking(&state, move |engine| {
        let mut shown = Vec::new();
        for assignment in engine.segments(&customer)? {
            let session_type = match assignment.session_id {
                None => None,
                Some(id) => match engine.session(&id.to_string(), &viewer) {
                    Ok(card) => Some(card.session_type),
                    Err(JourneyError::NotFound(_)) => continue,
                    Err(other) => return Err(other),
                },
            };
            shown.push((assignment, session_type));
            if shown.len() == limit {
                break;
            }
        }
        Ok(shown)
    })
    .await?;
    let entities: Vec<Value> =
        shown.iter().map(|(assignment, session_type)| assignment_json(assignment, session_type, &contact)).collect();
    Ok(axum::Json(json!({"entities": entities})).into_response())
}

/// A segment a customer holds in Genesys's `SegmentAssignment` shape: `segment: {id, selfUri}`,
/// `dateAssigned`, `dateForUnassignment` (a customer assignment's end, `null` otherwise),
/// `externalContact: {id}` (the contact id asked for), and for a session assignment `session: {id,
/// type, selfUri}`.
fn assignment_json(assignment: &CustomerSegment, session_type: &Option<String>, contact: &str) -> Value {
    let mut body = json!({
        "segment": segment_ref(&assignment.segment_id),
        "dateAssigned": assignment.assigned_date,
        "dateForUnassignment": assignment.date_for_unassignment,
        "externalContact": {"id": contact},
    });
    without_nulls(&mut body);
    if let (Some(id), Some(session_type)) = (assignment.session_id, session_type) {
        body["session"] = json!({"id": id, "type": session_type, "selfUri": format!("/api/v2/journey/sessions/{id}")});
    }
    body
}

/// A segment as Genesys refers to one: `{id, selfUri}`.
fn segment_ref(id: &str) -> Value {
    json!({"id": id, "selfUri": format!("/api/v2/journey/segments/{}", encode(id))})
}

/// `GET /api/v2/journey/sessions/{sessionId}` → `Session`.
async fn session(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, ApiError> {
    let viewer = caller.viewer()?.clone();
    let (card, customer) = blocking(&state, move |engine| {
        let card = engine.session(&id, &viewer)?;
        let customer = card_customer(engine, &card, &viewer);
        Ok((card, customer))
    })
    .await?;
    Ok(axum::Json(session_json(&card, &customer)).into_response())
}

/// `GET /api/v2/journey/sessions/{sessionId}/events?pageSize=&after=&eventType=` →
/// `EventListing`. A session's events are all of one type (its kind's), so the `eventType` filter
/// lists them all or none.
async fn session_events(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let viewer = caller.viewer()?.clone();
    let request = params.page()?;
    let filter = event_type_filter(&params)?;
    let (session, page_request) = (id.clone(), request.clone());
    let (page, card) = blocking(&state, move |engine| {
        let page = engine.session_events(&session, &viewer, &page_request)?;
        // The session's type and kind, when the viewer may see its card (reading events needs
        // only `journey:event:view`).
        Ok((page, engine.session(&session, &viewer).ok()))
    })
    .await?;
    let event_type = session_event_type(&state, card.as_ref());
    let base = format!("/api/v2/journey/sessions/{}/events", encode(&id));
    if filter.is_some_and(|types| !types.contains(&event_type)) {
        return Ok(listing(Vec::new(), &base, &request, None));
    }
    let entities: Vec<Value> =
        page.entities.iter().map(|event| event_json(event, &id, card.as_ref(), event_type)).collect();
    Ok(listing(entities, &base, &request, page.next_cursor))
}

/// `POST /api/v2/journey/deployments/{deploymentId}/appevents` with an `AppEventRequest` →
/// `AppEventResponse`; a rejected event is 400 with its violations. A deployment named with
/// `--app-deployment` takes it without a token (from its origins, at its rate per client); any
/// other deployment id needs an ingest token.
async fn app_event(
    State(state): State<Shared>,
    Admitted { session_type }: Admitted,
    body: Bytes,
) -> Result<Response, ApiError> {
    ingest_app_event(&state, &body, &session_type).await
}

/// `POST /api/v2/journey/deployments/{deploymentId}/actionevent` with an `ActionEventRequest`
/// (`{actionId, actionState, sessionId, errorCode?, errorMessage?}`: a web front end reporting
/// what became of a web action) → 204. The request names only the action and its state; the rest
/// is the action's, from its first event (a map's `qualified`). Admitted as app events are.
async fn action_event(State(state): State<Shared>, _: Admitted, body: Bytes) -> Result<Response, ApiError> {
    let event = web_action_event(&body)?;
    blocking(&state, move |engine| engine.record_action_event(&event)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An `ActionEventRequest` as a web action event. `sessionId` is required, as Genesys' model
/// says, and must be the action's own session (the core answers `UNKNOWN_ACTION` otherwise), so
/// that knowing an action's id is not enough to change it. Genesys' `errorCode` is a string: a
/// number is the event's `errorCode`, other text leads its `errorMessage` (`"<code>: <message>"`),
/// so that nothing the front end reported is dropped. `id` and `selfUri` are Genesys' own and not
/// kept.
fn web_action_event(body: &[u8]) -> Result<Value, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let Value::Object(request) = request else {
        return Err(ApiError::bad_argument("an ActionEventRequest is a JSON object"));
    };
    if let Some(key) = request.keys().find(|key| !ACTION_EVENT_FIELDS.contains(&key.as_str())) {
        return Err(ApiError::bad_argument(format!("{key} is not a field of an ActionEventRequest")));
    }
    let mut event = Map::new();
    for field in ["actionId", "actionState", "sessionId"] {
        let value = request.get(field).ok_or_else(|| ApiError::bad_argument(format!("{field} is required")))?;
        event.insert(field.into(), value.clone());
    }
    let message = match request.get("errorMessage") {
        None | Some(Value::Null) => None,
        Some(Value::String(message)) => Some(message.as_str()),
        Some(other) => return Err(ApiError::bad_argument(format!("errorMessage must be a string, got {other}"))),
    };
    match request.get("errorCode") {
        None | Some(Value::Null) => {}
        Some(Value::Number(code)) => {
            event.insert("errorCode".into(), json!(code));
        }
        Some(Value::String(code)) => match code.trim().parse::<i64>() {
            Ok(number) => {
                event.insert("errorCode".into(), json!(number));
            }
            Err(_) => {
                let text = message.map_or_else(|| code.clone(), |message| format!("{code}: {message}"));
                event.insert("errorMessage".into(), json!(text));
            }
        },
        Some(other) => return Err(ApiError::bad_argument(format!("errorCode must be a string, got {other}"))),
    }
    if let Some(message) = message {
        event.entry("errorMessage").or_insert_with(|| json!(message));
    }
    Ok(Value::Object(event))
}

/// The fields of Genesys' `ActionEventRequest`.
const ACTION_EVENT_FIELDS: [&str; 7] =
    ["id", "sessionId", "actionId", "actionState", "errorCode", "errorMessage", "selfUri"];

/// Ingests one `AppEventRequest` under `session_type`.
async fn ingest_app_event(state: &Shared, body: &[u8], session_type: &str) -> Result<Response, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let Value::Object(request) = request else {
        return Err(ApiError::bad_argument("an AppEventRequest is a JSON object"));
    };
    let event = envelope(&request, session_type);
    let (outcome, card) = blocking(state, move |engine| {
        let outcome = engine.ingest_value(&event)?;
        let card = match &outcome {
            Outcome::Accepted { session_id, .. } | Outcome::Duplicate { session_id, .. } => {
                engine.session(&session_id.to_string(), &journey_core::Viewer::unrestricted()).ok()
            }
            Outcome::Rejected { .. } => None,
        };
        Ok((outcome, card))
    })
    .await?;
    match (&outcome, card) {
        (Outcome::Accepted { event_id, .. } | Outcome::Duplicate { event_id, .. }, Some(card)) => {
            Ok(axum::Json(app_event_response(&request, *event_id, &card)).into_response())
        }
        (Outcome::Rejected { violations, .. }, _) => Err(super::ingest::rejected(&outcome, violations)),
        (_, None) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "PANIC", "the app event's session is gone")),
    }
}

/// Genesys' `AppEventResponse`: the event as it came, with its id and its session's counts
/// (`screenviewCount` counts the session's events: an app session's events are its screens).
/// `app`, `device` and `traits`, required by the model, are the request's, or empty.
fn app_event_response(request: &Map<String, Value>, event_id: uuid::Uuid, card: &SessionCard) -> Value {
    let duration = match (
        journey_core::time::parse_rfc3339(&card.created_date),
        journey_core::time::parse_rfc3339(&card.last_event.created_date),
    ) {
        (Some(first), Some(last)) => (last - first).max(0) / 1000,
        _ => 0,
    };
    let given = |name: &str| request.get(name).filter(|v| v.is_object()).cloned().unwrap_or_else(|| json!({}));
    let mut response = json!({
        "id": event_id,
        "customerId": request.get("customerCookieId"),
        "customerIdType": "cookie",
        "eventName": request.get("eventName"),
        "screenName": request.get("screenName").and_then(Value::as_str).unwrap_or_default(),
        "app": given("app"),
        "device": given("device"),
        "traits": given("traits"),
        "session": {"id": card.id, "durationInSeconds": duration, "eventCount": card.event_count,
            "screenviewCount": card.event_count, "createdDate": card.created_date},
        "attributes": given("attributes"),
        "createdDate": request.get("createdDate"),
    });
    without_nulls(&mut response);
    response
}

/// An `AppEventRequest` as a SPEC §2.1 event: the cookie is the customer, the app session type is
/// the session, `screenName` and `searchQuery` join the attributes. Everything is passed on as it
/// came, so the core's validation names what is wrong with it.
fn envelope(request: &Map<String, Value>, app_session_type: &str) -> Value {
    let mut attributes = match request.get("attributes") {
        Some(Value::Object(attributes)) => {
            attributes.iter().map(|(name, value)| (name.clone(), typed_value(value))).collect()
        }
        Some(other) => return json!({"eventName": request.get("eventName"), "attributes": other}),
        None => Map::new(),
    };
    for name in ["screenName", "searchQuery"] {
        if let Some(value) = request.get(name) {
            attributes.insert(name.to_owned(), value.clone());
        }
    }
    let mut event = json!({
        "eventName": request.get("eventName"),
        "createdDate": request.get("createdDate"),
        "customer": {"id": request.get("customerCookieId"), "idType": "cookie"},
        "session": {"type": app_session_type},
    });
    if !attributes.is_empty() {
        event["attributes"] = Value::Object(attributes);
    }
    let identifiers = trait_identifiers(request.get("traits"));
    if !identifiers.is_empty() {
        event["identifiers"] = Value::Array(identifiers);
    }
    event
}

/// The traits Genesys uses for identity resolution ("e.g. email, givenName, cellPhone", its
/// models say), and the idType each links as: a customer's e-mail addresses and phone numbers.
/// The other traits (names, gender) say nothing about who else the customer is.
const IDENTITY_TRAITS: [(&str, IdType); 8] = [
    ("email", IdType::Email),
    ("personalEmail", IdType::Email),
    ("workEmail", IdType::Email),
    ("phone", IdType::Phone),
    ("cellPhone", IdType::Phone),
    ("homePhone", IdType::Phone),
    ("workPhone", IdType::Phone),
    ("otherPhone", IdType::Phone),
];

/// An app event's identity traits as the event's `identifiers` (docs/identity.md): each trait of
/// [`IDENTITY_TRAITS`] with a text value (`{"dataType", "value"}` as the SDKs send it, or the
/// text alone) links the cookie to that e-mail or phone, under the engine's identity rules.
fn trait_identifiers(traits: Option<&Value>) -> Vec<Value> {
    let Some(Value::Object(traits)) = traits else { return Vec::new() };
    IDENTITY_TRAITS
        .iter()
        .filter_map(|(name, id_type)| {
            let value = traits.get(*name)?;
            // An empty trait says nothing of who the customer is: it is no identifier to refuse.
            let text = value.get("value").unwrap_or(value).as_str().filter(|text| !text.trim().is_empty())?;
            Some(json!({"id": text, "idType": id_type.as_str()}))
        })
        .collect()
}

/// A `CustomEventAttribute` with its value as the SDKs send it, a string (`{"dataType": "integer",
/// "value": "3"}`: both Genesys SDKs model `value` as a string), with the value read as its
/// `dataType` says, by the core's own reading ([`DataType`], which an open session type's events
/// are typed by too). A value that does not read as its type is passed on as it came, so the core
/// names it (`TYPE_MISMATCH` at `/attributes/<name>/value`); any other value is passed on as is.
fn typed_value(value: &Value) -> Value {
    let Some((Some(data_type), Some(Value::String(text)))) =
        value.as_object().filter(|form| form.len() == 2).map(|form| (form.get("dataType"), form.get("value")))
    else {
        return value.clone();
    };
    match data_type.as_str().and_then(DataType::parse).and_then(|ty| ty.read_text(text)) {
        Some(read) => json!({"dataType": data_type, "value": read}),
        None => value.clone(),
    }
}

/// A `contactId`: `idType:id` (for example `email:dana@example.com`), or a bare id, a cookie.
pub(super) fn contact_customer(contact: &str) -> Result<Customer, ApiError> {
    if let Some((id_type, id)) = contact.split_once(':')
        && let Some(id_type) = IdType::parse(id_type)
    {
        return Ok(Customer::new(id, id_type));
    }
    if contact.is_empty() {
        return Err(ApiError::bad_argument("contactId is empty"));
    }
    Ok(Customer::new(contact, IdType::Cookie))
}

/// The customer of a card read on its own: its first event's, which the viewer may read only with
/// `journey:event:view`; otherwise unknown (`null` in the answer).
fn card_customer(engine: &journey_core::Engine, card: &SessionCard, viewer: &journey_core::Viewer) -> Customer {
    let first = engine.session_events(&card.id.to_string(), viewer, &journey_core::PageRequest::first(1));
    first
        .ok()
        .and_then(|page| page.entities.into_iter().next())
        .map_or_else(|| Customer::new("", IdType::Cookie), |e| e.customer)
}

/// A session card in Genesys's `Session` shape; its segment assignments and outcome
/// achievements as `SessionSegmentAssignment` (`{segment: {id, selfUri}, assignedDate}`) and
/// `OutcomeAchievement` (`{outcome: {id, selfUri}, achievedDate}`, plus libjourney's `value` when
/// the outcome has one).
fn session_json(card: &SessionCard, customer: &Customer) -> Value {
    let mut session = json!({
        "id": card.id,
        "customerId": (!customer.id.is_empty()).then_some(&customer.id),
        "customerIdType": (!customer.id.is_empty()).then_some(customer.id_type.as_str()),
        "type": card.session_type,
        "externalId": card.external_id,
        // libjourney knows no logins: a session is not known to be authenticated.
        "authenticated": false,
        "eventCount": card.event_count,
        "lastEvent": {"id": card.last_event.id, "eventName": card.last_event.event_name, "createdDate": card.last_event.created_date},
        "createdDate": card.created_date,
        "endedDate": card.ended_date,
        "divisionIds": card.division.iter().collect::<Vec<_>>(),
        "attributes": typed_attributes(&card.attributes),
        "status": card.status,
        "mergedSessionIds": card.merged_session_ids,
        "segmentAssignments": card.segment_assignments.iter().map(|a| json!({
            "segment": segment_ref(&a.segment_id),
            "assignedDate": a.assigned_date,
        })).collect::<Vec<_>>(),
        "outcomeAchievements": card.outcome_achievements.iter().map(|a| {
            let mut achievement = json!({
                "outcome": {"id": a.outcome_id, "selfUri": format!("/api/v2/journey/outcomes/{}", encode(&a.outcome_id))},
                "achievedDate": a.achieved_date,
            });
            if let Some(value) = a.value {
                achievement["value"] = json!(value);
            }
            achievement
        }).collect::<Vec<_>>(),
        "selfUri": format!("/api/v2/journey/sessions/{}", card.id),
    });
    if let Some(conversation) = &card.conversation {
        add_conversation(&mut session, conversation);
    }
    without_nulls(&mut session);
    session
}

/// Leaves out the top-level fields that are `null`: Genesys omits a field it has no value for.
fn without_nulls(body: &mut Value) {
    if let Value::Object(fields) = body {
        fields.retain(|_, value| !value.is_null());
    }
}

/// A conversation's fields, each only when the viewer may see it (the core left it `null`).
fn add_conversation(session: &mut Value, conversation: &ConversationCard) {
    let set = |session: &mut Value, name: &str, value: &Option<Value>, shape: fn(&Value) -> Value| {
        if let Some(value) = value.as_ref().filter(|v| !v.is_null()) {
            session[name] = shape(value);
        }
    };
    set(session, "lastConnectedQueue", &conversation.last_connected_queue, |id| json!({"id": id}));
    set(session, "lastConnectedUser", &conversation.last_connected_user, |id| json!({"id": id}));
    set(session, "lastUserDisposition", &conversation.wrapup_code, |code| json!({"code": code}));
    set(session, "conversationChannels", &conversation.channel, |channel| json!([conversation_channel(channel)]));
    set(session, "originatingDirection", &conversation.direction, |direction| match direction.as_str() {
        Some("inbound") => json!("Inbound"),
        Some("outbound") => json!("Outbound"),
        _ => json!("Unknown"),
    });
}

/// A conversation's channel as Genesys' `ConversationChannel`: `type` in its enum (`Call`,
/// `Callback`, `Email`, `Messaging`, `Webchat`, `Cobrowse`, `Unknown`, …) and, for messaging,
/// `messageType` (`WebMessaging`, `Sms`, `WhatsApp`, …). `campaign` and `knowledge` name no
/// Genesys conversation type: `Unknown`, as Genesys answers what it cannot classify.
fn conversation_channel(channel: &Value) -> Value {
    let (kind, message_type) = match channel.as_str().unwrap_or_default() {
        "voice" => ("Call", None),
        "callback" => ("Callback", None),
        "email" => ("Email", None),
        "webChat" => ("Webchat", None),
        "cobrowse" => ("Cobrowse", None),
        "webMessaging" => ("Messaging", Some("WebMessaging")),
        "sms" => ("Messaging", Some("Sms")),
        "whatsapp" => ("Messaging", Some("WhatsApp")),
        "line" => ("Messaging", Some("Line")),
        "twitter" => ("Messaging", Some("Twitter")),
        "facebook" => ("Messaging", Some("Facebook")),
        "instagram" => ("Messaging", Some("Instagram")),
        _ => ("Unknown", None),
    };
    match message_type {
        Some(message_type) => json!({"type": kind, "messageType": message_type}),
        None => json!({"type": kind}),
    }
}

/// Genesys' journey event types, as `eventType` says them and the `eventType` filter names them.
const WEB_EVENT: &str = "com.genesys.journey.WebEvent";
const APP_EVENT: &str = "com.genesys.journey.AppEvent";
const EVENT_TYPES: [&str; 5] = [
    WEB_EVENT,
    APP_EVENT,
    "com.genesys.journey.WebActionEvent",
    "com.genesys.journey.OutcomeAchievedEvent",
    "com.genesys.journey.SegmentAssignmentEvent",
];

/// The event type of a session's events: an app session's (one of `--app-session-type` or a
/// deployment's type) are app events, another web session's web events. A custom or conversation
/// session's are listed as app events too, the Genesys event whose body (`eventName`,
/// `attributes`) holds them; so are those of a session the viewer may not see the card of.
fn session_event_type(state: &Shared, card: Option<&SessionCard>) -> &'static str {
    match card {
        Some(card) if card.kind == "web" && !state.is_app_session_type(&card.session_type) => WEB_EVENT,
        _ => APP_EVENT,
    }
}

/// The `eventType` filter: a comma-separated list of [`EVENT_TYPES`]; `None` when absent.
fn event_type_filter(params: &Params) -> Result<Option<Vec<&'static str>>, ApiError> {
    let Some(list) = params.text("eventType") else { return Ok(None) };
    let types = list.split(',').map(str::trim).filter(|t| !t.is_empty()).map(|name| {
        EVENT_TYPES.iter().copied().find(|known| *known == name).ok_or_else(|| {
            ApiError::bad_argument(format!("eventType {:?} is not one of {}", clip(name), EVENT_TYPES.join(", ")))
        })
    });
    types.collect::<Result<_, _>>().map(Some)
}

/// An event in Genesys's `Event` shape, `eventType` one of [`EVENT_TYPES`]: a web event's body is
/// `webEvent`, an app event's `appEvent` (with `screenName` from its attribute of that name).
/// `correlationId`, which Genesys' model requires, is the event's own id: libjourney's events
/// correlate with nothing else. The fields of the bodies that Genesys' models require and that
/// libjourney does not track (the browser, device and app an event came from, its traits, the
/// user agent) are empty; the counts are the event's place in its session.
fn event_json(event: &EventView, session_id: &str, card: Option<&SessionCard>, event_type: &str) -> Value {
    let mut attributes = event.attributes.clone();
    let body = if event_type == WEB_EVENT {
        let place = event.event_index + 1;
        let page = page(attributes.as_ref());
        json!({"eventName": event.event_name, "totalEventCount": place, "totalPageviewCount": place, "page": page,
            "userAgentString": "", "browser": {}, "device": {}, "traits": {}, "authenticated": false})
    } else {
        let screen = match attributes.as_mut().and_then(|a| a.remove("screenName")) {
            Some(Value::String(screen)) => screen,
            _ => String::new(),
        };
        json!({"eventName": event.event_name, "screenName": screen, "app": {}, "device": {}, "traits": {}})
    };
    let mut body = body;
    if let Some(attributes) = &attributes {
        body["attributes"] = typed_attributes(attributes);
    }
    let detail = if event_type == WEB_EVENT { "webEvent" } else { "appEvent" };
    let mut session = json!({"id": session_id, "type": card.map(|c| &c.session_type),
        "selfUri": format!("/api/v2/journey/sessions/{}", encode(session_id))});
    without_nulls(&mut session);
    json!({
        "id": event.id,
        "correlationId": event.id,
        "customerId": event.customer.id,
        "customerIdType": event.customer.id_type.as_str(),
        "session": session,
        "eventType": event_type,
        detail: body,
        "createdDate": event.created_date,
    })
}

/// A web event's page as Genesys' `JourneyPage`, from the attributes named as its fields (`url`,
/// `title`, `hostname`, `pathname`, …, the names the action maps' `page.` criteria read); a
/// required field without one is empty.
fn page(attributes: Option<&Map<String, Value>>) -> Value {
    let text = |name: &str| attributes.and_then(|a| a.get(name)).and_then(Value::as_str).map(str::to_owned);
    let mut page = Map::new();
    for required in ["url", "domain", "hostname", "pathname"] {
        page.insert(required.into(), json!(text(required).unwrap_or_default()));
    }
    for optional in ["title", "fragment", "keywords", "lang", "queryString"] {
        if let Some(value) = text(optional) {
            page.insert(optional.into(), json!(value));
        }
    }
    page.insert("breadcrumb".into(), json!([]));
    Value::Object(page)
}

/// Attributes in Genesys's `CustomEventAttribute` form: `{name: {"dataType", "value"}}`, the value
/// as a string.
fn typed_attributes(attributes: &Map<String, Value>) -> Value {
    let typed = attributes.iter().map(|(name, value)| {
        let (data_type, text) = match value {
            Value::String(text) => ("string", text.clone()),
            Value::Bool(flag) => ("boolean", flag.to_string()),
            Value::Number(n) if n.is_i64() || n.is_u64() => ("integer", n.to_string()),
            Value::Number(n) => ("number", n.to_string()),
            other => ("json", other.to_string()),
        };
        (name.clone(), json!({"dataType": data_type, "value": text}))
    });
    Value::Object(typed.collect())
}

/// A Genesys listing: `{entities, nextUri, selfUri, previousUri}`.
fn listing(entities: Vec<Value>, base: &str, request: &journey_core::PageRequest, next: Option<String>) -> Response {
    let size = request.page_size.map(|n| format!("pageSize={n}&")).unwrap_or_default();
    let self_uri = match &request.after {
        Some(after) => format!("{base}?{size}after={}", encode(after)),
        None => format!("{base}?{}", size.trim_end_matches('&')),
    };
    let mut body = json!({"entities": entities, "selfUri": self_uri.trim_end_matches('?')});
    if let Some(cursor) = next {
        body["nextUri"] = json!(format!("{base}?{size}after={}", encode(&cursor)));
    }
    axum::Json(body).into_response()
}
