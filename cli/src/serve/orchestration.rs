//! Genesys' journey management routes for the orchestration definitions (docs/http.md, "Segments,
//! outcomes and action maps"): `GET` (paged) and `POST` on `/api/v2/journey/segments`, `/outcomes`
//! and `/actionmaps`, and `GET`, `PATCH` and `DELETE` on one of them by id, in the shapes of
//! Genesys' `JourneySegment`, `Outcome`, `ActionMap` and their listings, over the core's definition
//! ops (docs/orchestration.md).
//!
//! `selfUri` belongs to the server: it is added to every definition answered and dropped from
//! every body received, so what the core stores never names this server's paths. Every change
//! runs its check and its put or delete under [`State::lock_definitions`], so that a create never
//! replaces a definition another request made meanwhile and a PATCH merges into the very version
//! it checked.
//!
//! [`State::lock_definitions`]: super::state::State::lock_definitions

use super::auth::Caller;
use super::error::ApiError;
use super::params::{Params, Segments, clip, encode};
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use journey_core::{Engine, JourneyError};
use serde_json::{Map, Value, json};

/// The definition routes of all three kinds.
pub fn routes() -> Router<Shared> {
    Router::new()
        .merge(kind_routes::<SegmentKind>())
        .merge(kind_routes::<OutcomeKind>())
        .merge(kind_routes::<ActionMapKind>())
}

/// The five routes of one kind.
fn kind_routes<K: Kind>() -> Router<Shared> {
    let collection = format!("/api/v2/journey/{}", K::PATH);
    let one = format!("{collection}/{{id}}");
    Router::new()
        .route(&collection, get(list::<K>).post(create::<K>))
        .route(&one, get(read::<K>).patch(patch::<K>).delete(delete::<K>))
}

/// A kind of definition: its place under `/api/v2/journey` and the core ops that serve it.
trait Kind: Send + Sync + 'static {
    /// The collection's path segment: `segments`, `outcomes`, `actionmaps`.
    const PATH: &'static str;
    /// The kind in messages, as the core names it.
    const NOUN: &'static str;
    /// The query parameter that picks definitions by id in Genesys' list route.
    const IDS: &'static str;
    /// Every definition of the kind, as stored, in id order.
    fn list(engine: &Engine) -> Vec<Value>;
    /// Creates or replaces one; returns it as stored.
    fn put(engine: &Engine, definition: &Value) -> journey_core::Result<Value>;
    /// Deletes one.
    fn delete(engine: &Engine, id: &str) -> journey_core::Result<()>;
    /// Gives a stored definition what Genesys' model of the kind always has (docs/http.md).
    fn complete(_definition: &mut Value) {}
}

/// A segment's or outcome's `context`, which Genesys' models require: libjourney takes only an
/// empty one (it tracks no visitor context), so a definition stored without it answers it empty.
fn with_empty_context(definition: &mut Value) {
    if definition.get("context").is_none_or(Value::is_null) {
        definition["context"] = json!({"patterns": []});
    }
}

/// Segments (`JourneySegment`).
struct SegmentKind;

impl Kind for SegmentKind {
    const PATH: &'static str = "segments";
    const NOUN: &'static str = "segment";
    const IDS: &'static str = "segmentIds";
    fn list(engine: &Engine) -> Vec<Value> {
        engine.list_segments()
    }
    fn put(engine: &Engine, definition: &Value) -> journey_core::Result<Value> {
        engine.put_segment(definition)
    }
    fn delete(engine: &Engine, id: &str) -> journey_core::Result<()> {
        engine.delete_segment(id)
    }
    fn complete(definition: &mut Value) {
        with_empty_context(definition);
    }
}

/// Outcomes (`Outcome`).
struct OutcomeKind;

impl Kind for OutcomeKind {
    const PATH: &'static str = "outcomes";
    const NOUN: &'static str = "outcome";
    const IDS: &'static str = "outcomeIds";
    fn list(engine: &Engine) -> Vec<Value> {
        engine.list_outcomes()
    }
    fn put(engine: &Engine, definition: &Value) -> journey_core::Result<Value> {
        engine.put_outcome(definition)
    }
    fn delete(engine: &Engine, id: &str) -> journey_core::Result<()> {
        engine.delete_outcome(id)
    }
    fn complete(definition: &mut Value) {
        with_empty_context(definition);
    }
}

/// Action maps (`ActionMap`).
struct ActionMapKind;

impl Kind for ActionMapKind {
    const PATH: &'static str = "actionmaps";
    const NOUN: &'static str = "action map";
    const IDS: &'static str = "actionMapIds";
    fn list(engine: &Engine) -> Vec<Value> {
        engine.list_action_maps()
    }
    fn put(engine: &Engine, definition: &Value) -> journey_core::Result<Value> {
        engine.put_action_map(definition)
    }
    fn delete(engine: &Engine, id: &str) -> journey_core::Result<()> {
        engine.delete_action_map(id)
    }
    /// Genesys' `EventCondition` has no `shouldIgnoreCase` (libjourney reads one, as its criteria
    /// do): its default, `false`, is left out of the answer.
    fn complete(definition: &mut Value) {
        let conditions = definition.get_mut("triggerWithEventConditions").and_then(Value::as_array_mut);
        for condition in conditions.into_iter().flatten().filter_map(Value::as_object_mut) {
            if condition.get("shouldIgnoreCase") == Some(&Value::Bool(false)) {
                condition.remove("shouldIgnoreCase");
            }
        }
    }
}

/// `GET /api/v2/journey/{kind}?pageSize=&pageNumber=&{ids}=&isActive=` → the kind's listing
/// (`SegmentListing`, `OutcomeListing`, `ActionMapListing`).
async fn list<K: Kind>(State(state): State<Shared>, caller: Caller, params: Params) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    let page = Page::read(&params)?;
    let filter = Filter::read::<K>(&params)?;
    let all = blocking(&state, |engine| Ok(K::list(engine))).await?;
    let chosen: Vec<Value> = all.into_iter().filter(|definition| filter.keeps(definition)).collect();
    Ok(axum::Json(listing::<K>(chosen, &page, &filter.query)).into_response())
}

/// `GET /api/v2/journey/{kind}/{id}` → the definition; 404 when there is none.
async fn read<K: Kind>(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    let found = blocking(&state, move |engine| find::<K>(engine, &id)).await?;
    Ok(axum::Json(answered::<K>(found)).into_response())
}

/// `POST /api/v2/journey/{kind}` → 201 with the stored definition (version 1). A body may carry
/// its own `id` (an export loaded with its ids); one that exists already is 409, since a create
/// never replaces (PATCH changes a definition).
async fn create<K: Kind>(State(state): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    caller.require_definitions_write()?;
    let mut definition = json_object::<K>(&body)?;
    definition.remove("selfUri");
    let shared = state.clone();
    let stored = blocking(&state, move |engine| {
        let _writes = shared.lock_definitions();
        if let Some(id) = given_id(&definition)
            && let Ok(existing) = find::<K>(engine, id)
        {
            return Ok(Err(exists::<K>(&existing)));
        }
        Ok(K::put(engine, &Value::Object(definition)).map_err(ApiError::from))
    })
    .await??;
    let stored = answered::<K>(stored);
    let location = stored["selfUri"].as_str().unwrap_or_default().to_owned();
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(stored)).into_response())
}

/// `PATCH /api/v2/journey/{kind}/{id}` → the stored definition: the body's fields merged into the
/// stored definition (JSON merge patch: an object merges into an object, `null` removes, anything
/// else replaces), then put. The body's `version` is required and must be the stored one (409
/// otherwise), as Genesys' optimistic concurrency asks.
async fn patch<K: Kind>(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_definitions_write()?;
    let changes = json_object::<K>(&body)?;
    let shared = state.clone();
    let stored = blocking(&state, move |engine| {
        let _writes = shared.lock_definitions();
        let stored = find::<K>(engine, &id)?;
        Ok(patched::<K>(stored, changes, &id).and_then(|merged| K::put(engine, &merged).map_err(ApiError::from)))
    })
    .await??;
    Ok(axum::Json(answered::<K>(stored)).into_response())
}

/// `DELETE /api/v2/journey/{kind}/{id}` → 204; 404 when there is none, 400 for a segment or
/// outcome an action map names.
async fn delete<K: Kind>(
    State(state): State<Shared>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, ApiError> {
    caller.require_definitions_write()?;
    let shared = state.clone();
    blocking(&state, move |engine| {
        let _writes = shared.lock_definitions();
        K::delete(engine, &id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The stored definition with `id` (in any spelling of the UUID), or `NOT_FOUND` worded as the
/// core's delete words it.
fn find<K: Kind>(engine: &Engine, id: &str) -> journey_core::Result<Value> {
    let wanted = canonical(id);
    K::list(engine)
        .into_iter()
        .find(|definition| definition["id"] == wanted.as_str())
        .ok_or_else(|| JourneyError::NotFound(format!("no {} '{}'", K::NOUN, clip(id))))
}

/// An id in the form the core stores ids in (a lower-case hyphenated UUID); an id that is not a
/// UUID as it is (no definition has one; the core refuses it by name when it is put).
pub(super) fn canonical(id: &str) -> String {
    uuid::Uuid::try_parse(id).map_or_else(|_| id.to_owned(), |uuid| uuid.to_string())
}

/// A definition as answered: with this server's `selfUri` for it, whatever the store holds.
fn answered<K: Kind>(mut definition: Value) -> Value {
    if let Some(id) = definition["id"].as_str() {
        definition["selfUri"] = json!(format!("/api/v2/journey/{}/{}", K::PATH, encode(id)));
    }
    K::complete(&mut definition);
    definition
}

/// A request body as a JSON object: 400 `INVALID_JSON` when it does not parse, `INVALID_ARGUMENT`
/// when it is not an object.
fn json_object<K: Kind>(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::bad_argument(format!("a {} is a JSON object", K::NOUN))),
        Err(error) => Err(ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", error.to_string())),
    }
}

/// The `id` a create names, if it names one as text.
fn given_id(definition: &Map<String, Value>) -> Option<&str> {
    definition.get("id")?.as_str()
}

/// 409 for a create whose id is taken.
fn exists<K: Kind>(existing: &Value) -> ApiError {
    let id = existing["id"].as_str().unwrap_or_default();
    let message = format!("/id: a {} '{id}' exists (version {}): PATCH it to change it", K::NOUN, existing["version"]);
    refused(StatusCode::CONFLICT, message)
}

/// A definition refused by the server's own checks, in the core's form for a refused definition
/// (`INVALID_ARGUMENT`, the message naming the field by JSON pointer), so that every refusal of a
/// definition reads alike whichever side made it; `status` is 400, or 409 for a conflict.
fn refused(status: StatusCode, message: String) -> ApiError {
    let mut body = JourneyError::InvalidArgument(message).to_json();
    body["status"] = json!(status.as_u16());
    ApiError::with_body(status, body)
}

/// The definition a PATCH puts: `changes` merged into `stored`, once its `version` is checked
/// against the stored one. The fields the server and the engine set (`selfUri`, `createdDate`,
/// `modifiedDate`) are dropped from the changes, as is an `id` equal to the path's, so that a
/// client may send back what it read (Genesys' `PatchActionMap` carries them).
fn patched<K: Kind>(mut stored: Value, mut changes: Map<String, Value>, id: &str) -> Result<Value, ApiError> {
    check_version::<K>(&stored, changes.remove("version"))?;
    match changes.remove("id") {
        Some(given) if !given.is_null() && given.as_str().map(canonical) != Some(canonical(id)) => {
            let message = format!("/id: {} is not the id in the path", clip(&given.to_string()));
            return Err(refused(StatusCode::BAD_REQUEST, message));
        }
        _ => {}
    }
    for owned in ["selfUri", "createdDate", "modifiedDate"] {
        changes.remove(owned);
    }
    merge(&mut stored, Value::Object(changes));
    Ok(stored)
}

/// 400 without a `version` (a PATCH must say which version it changes), 409 when it is not the
/// stored one, in the core's wording for a stale version.
fn check_version<K: Kind>(stored: &Value, given: Option<Value>) -> Result<(), ApiError> {
    let current = stored["version"].as_u64().unwrap_or(1);
    match given {
        None | Some(Value::Null) => Err(refused(
            StatusCode::BAD_REQUEST,
            format!("/version: required: the version read (the stored one is {current})"),
        )),
        Some(Value::Number(n)) if n.as_u64() == Some(current) => Ok(()),
        Some(Value::Number(n)) if n.is_u64() => {
            let id = stored["id"].as_str().unwrap_or_default();
            let message = format!("/version: {n}, but the stored {} '{id}' is at version {current}", K::NOUN);
            Err(refused(StatusCode::CONFLICT, message))
        }
        Some(other) => Err(refused(
            StatusCode::BAD_REQUEST,
            format!("/version: must be a non-negative integer, got {}", clip(&other.to_string())),
        )),
    }
}

/// JSON merge patch (RFC 7396): each member of an object `patch` merges into `target`'s member of
/// that name (`null` removes it); any other `patch` replaces `target`.
fn merge(target: &mut Value, patch: Value) {
    let Value::Object(members) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(object) = target else { return };
    for (name, value) in members {
        if value.is_null() {
            object.remove(&name);
        } else {
            merge(object.entry(name).or_insert(Value::Null), value);
        }
    }
}

/// The page a listing shows: `pageSize` 1–100 (default 25) and `pageNumber` from 1 (default 1).
struct Page {
    size: usize,
    number: usize,
}

/// The largest `pageSize`.
const MAX_PAGE_SIZE: usize = 100;

impl Page {
    /// The page asked for; 400 naming a parameter out of range.
    fn read(params: &Params) -> Result<Page, ApiError> {
        let size = params.parsed::<usize>("pageSize", "an integer from 1 to 100")?.unwrap_or(25);
        let number = params.parsed::<usize>("pageNumber", "an integer from 1")?.unwrap_or(1);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(ApiError::bad_argument(format!("pageSize must be an integer from 1 to 100, got {size}")));
        }
        if number == 0 {
            return Err(ApiError::bad_argument("pageNumber must be an integer from 1, got 0"));
        }
        Ok(Page { size, number })
    }
}

/// The Genesys list parameters that choose definitions: the kind's ids (comma-separated, as the
/// SDKs join a list) and `isActive`; with the query text that carries them into the page URIs.
struct Filter {
    ids: Option<Vec<String>>,
    active: Option<bool>,
    query: String,
}

/// Genesys list parameters the server does not implement: refused rather than ignored, since
/// ignoring a search or a sort would answer a different question than the one asked.
const UNSUPPORTED: [&str; 5] = ["sortBy", "queryFields", "queryValue", "filterField", "filterValue"];

impl Filter {
    /// The filter asked for; 400 for a parameter the server does not implement.
    fn read<K: Kind>(params: &Params) -> Result<Filter, ApiError> {
        if let Some(name) = UNSUPPORTED.iter().find(|name| params.text(name).is_some()) {
            return Err(ApiError::bad_argument(format!(
                "{name} is not supported: definitions are listed in id order, whole"
            )));
        }
        let mut query = String::new();
        let ids = params.text(K::IDS).map(|text| {
            query += &format!("&{}={}", K::IDS, encode(text));
            text.split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned).collect()
        });
        let active = params.boolean("isActive")?;
        if let Some(active) = active {
            query += &format!("&isActive={active}");
        }
        Ok(Filter { ids, active, query })
    }

    /// Whether `definition` is among those asked for.
    fn keeps(&self, definition: &Value) -> bool {
        let id = definition["id"].as_str().unwrap_or_default();
        self.ids.as_ref().is_none_or(|ids| ids.iter().any(|wanted| wanted.eq_ignore_ascii_case(id)))
            && self.active.is_none_or(|active| definition["isActive"].as_bool() == Some(active))
    }
}

/// The Genesys listing of one page of `chosen`: `{entities, pageSize, pageNumber, total, pageCount,
/// firstUri, selfUri, lastUri, nextUri?, previousUri?}`, each URI keeping the filter's `query`.
fn listing<K: Kind>(chosen: Vec<Value>, page: &Page, query: &str) -> Value {
    let total = chosen.len();
    let page_count = total.div_ceil(page.size);
    let uri = |number: usize| format!("/api/v2/journey/{}?pageSize={}&pageNumber={number}{query}", K::PATH, page.size);
    let skipped = (page.number - 1).saturating_mul(page.size);
    let entities: Vec<Value> = chosen.into_iter().skip(skipped).take(page.size).map(answered::<K>).collect();
    let mut body = json!({
        "entities": entities,
        "pageSize": page.size,
        "pageNumber": page.number,
        "total": total,
        "pageCount": page_count,
        "firstUri": uri(1),
        "selfUri": uri(page.number),
        "lastUri": uri(page_count.max(1)),
    });
    if page.number < page_count {
        body["nextUri"] = json!(uri(page.number + 1));
    }
    if page.number > 1 {
        body["previousUri"] = json!(uri((page.number - 1).min(page_count.max(1))));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_merges_objects_removes_nulls_and_replaces_the_rest() {
        let mut stored = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2], "f": "x"});
        merge(&mut stored, json!({"b": {"c": null, "g": 4}, "e": [3], "f": null, "h": {"i": null, "j": 5}}));
        assert_eq!(stored, json!({"a": 1, "b": {"d": 3, "g": 4}, "e": [3], "h": {"j": 5}}));
    }

    #[test]
    fn a_listing_pages_with_genesys_uris() {
        let chosen: Vec<Value> = (0..5).map(|i| json!({"id": format!("id-{i}")})).collect();
        let body = listing::<SegmentKind>(chosen.clone(), &Page { size: 2, number: 2 }, "&isActive=true");
        assert_eq!(
            body["entities"],
            json!([{"id": "id-2", "selfUri": "/api/v2/journey/segments/id-2", "context": {"patterns": []}},
            {"id": "id-3", "selfUri": "/api/v2/journey/segments/id-3", "context": {"patterns": []}}])
        );
        assert_eq!((body["total"].as_u64(), body["pageCount"].as_u64()), (Some(5), Some(3)));
        assert_eq!(body["nextUri"], "/api/v2/journey/segments?pageSize=2&pageNumber=3&isActive=true");
        assert_eq!(body["previousUri"], "/api/v2/journey/segments?pageSize=2&pageNumber=1&isActive=true");
        assert_eq!(body["lastUri"], "/api/v2/journey/segments?pageSize=2&pageNumber=3&isActive=true");
        let last = listing::<SegmentKind>(chosen, &Page { size: 2, number: 3 }, "");
        assert!(last.get("nextUri").is_none());
        let empty = listing::<SegmentKind>(Vec::new(), &Page { size: 25, number: 1 }, "");
        assert_eq!((empty["pageCount"].as_u64(), empty.get("previousUri")), (Some(0), None));
        assert_eq!(empty["lastUri"], "/api/v2/journey/segments?pageSize=25&pageNumber=1");
    }
}
