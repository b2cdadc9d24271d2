//! `journey serve`'s Genesys journey management routes for segments, outcomes and action maps,
//! over real TCP: create, read, list in pages, PATCH and delete each kind, the errors (a bad field
//! named by its pointer, an unknown id, a stale or missing version, a taken id), the grants, and
//! definitions kept across a restart on a store.

mod support;

use serde_json::{Value, json};
use support::{Answer, Server};

const SEGMENTS: &str = "/api/v2/journey/segments";
const OUTCOMES: &str = "/api/v2/journey/outcomes";
const ACTION_MAPS: &str = "/api/v2/journey/actionmaps";
const WRITE: &str = "definitions-write";
const READ: &str = "definitions-read";

/// A segment of the demo's catalog: a delivery whose dispatch was delayed.
fn delayed_segment(name: &str) -> Value {
    json!({
        "displayName": name,
        "description": "The dispatch was delayed",
        "color": "#e5a000",
        "isActive": true,
        "shouldDisplayToAgent": true,
        "journey": {"patterns": [{
            "criteria": [{"key": "attributes.reason", "values": ["weather"], "operator": "equal", "shouldIgnoreCase": true}],
            "count": 1, "streamType": "Custom", "sessionType": "delivery", "eventName": "dispatch_delayed"
        }]}
    })
}

/// An outcome of the demo's catalog: a purchase, valued at its price.
fn purchase_outcome() -> Value {
    json!({
        "displayName": "Purchased",
        "isPositive": true,
        "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Custom", "sessionType": "delivery",
            "eventName": "product_purchased"}]},
        "associatedValueField": {"dataType": "Number", "name": "attributes.price"}
    })
}

/// An action map that offers a web chat to sessions in `segment`.
fn chat_map(segment: &str) -> Value {
    json!({
        "displayName": "Offer a chat when the dispatch is late",
        "isActive": true,
        "triggerWithSegments": [segment],
        "activation": {"type": "immediate"},
        "weight": 2,
        "ignoreFrequencyCap": false,
        "action": {"mediaType": "webchat", "props": {"chatTitle": "Where is my parcel?"}}
    })
}

fn patch(server: &Server, path: &str, token: &str, body: &Value) -> Answer {
    server.call("PATCH", path, Some(token), Some(("application/json", body.to_string().as_bytes())))
}

fn delete(server: &Server, path: &str, token: &str) -> Answer {
    server.call("DELETE", path, Some(token), None)
}

/// Creates a definition, checks the 201 and its `Location`, and returns it.
fn created(server: &Server, collection: &str, body: &Value) -> Value {
    let answer = server.post_json(collection, WRITE, body);
    assert_eq!(answer.status, 201, "{answer:?}");
    let stored = answer.json();
    let self_uri = format!("{collection}/{}", stored["id"].as_str().unwrap());
    assert_eq!(stored["selfUri"], self_uri.as_str());
    assert!(answer.headers.contains(&format!("location: {self_uri}").to_ascii_lowercase()), "{}", answer.headers);
    assert_eq!(stored["version"], 1);
    stored
}

#[test]
fn each_kind_is_created_read_listed_patched_and_deleted() {
    let server = Server::start("definitions", &[]);
    // A selfUri sent is the client's echo of a read: dropped, the server's own is answered.
    let mut body = delayed_segment("Dispatch delayed");
    body["selfUri"] = json!("/somewhere/else");
    let segment = created(&server, SEGMENTS, &body);
    let segment_uri = segment["selfUri"].as_str().unwrap().to_owned();
    for field in ["displayName", "description", "color", "isActive", "shouldDisplayToAgent", "journey"] {
        assert_eq!(segment[field], body[field], "{field}");
    }
    assert_eq!(
        (segment["scope"].as_str(), segment["createdDate"].as_str()),
        (Some("Session"), Some("2026-11-21T10:30:00.000Z"))
    );
    assert_eq!(server.get(&segment_uri, READ).json(), segment);

    let outcome = created(&server, OUTCOMES, &purchase_outcome());
    assert_eq!(outcome["associatedValueField"], json!({"dataType": "Number", "name": "attributes.price"}));
    let map = created(&server, ACTION_MAPS, &chat_map(segment["id"].as_str().unwrap()));
    assert_eq!(map["triggerWithSegments"], json!([segment["id"]]));
    let map_uri = map["selfUri"].as_str().unwrap().to_owned();
    assert_eq!(server.get(&map_uri, READ).json(), map);

    for (collection, stored) in [(SEGMENTS, &segment), (OUTCOMES, &outcome), (ACTION_MAPS, &map)] {
        let listing = server.get(collection, READ).json();
        let first = format!("{collection}?pageSize=25&pageNumber=1");
        assert_eq!(
            listing,
            json!({"entities": [stored], "pageSize": 25, "pageNumber": 1, "total": 1, "pageCount": 1,
                "firstUri": first, "selfUri": first, "lastUri": first}),
        );
    }

    // PATCH merges: the fields given replace, an object merges into the stored one, the rest stays.
    let renamed =
        patch(&server, &segment_uri, WRITE, &json!({"version": 1, "displayName": "Dispatch late", "color": null}));
    assert_eq!(renamed.status, 200, "{renamed:?}");
    let renamed = renamed.json();
    assert_eq!((renamed["version"].as_u64(), renamed["displayName"].as_str()), (Some(2), Some("Dispatch late")));
    assert!(renamed.get("color").is_none(), "null removes a field: {renamed}");
    assert_eq!(
        (&renamed["journey"], &renamed["createdDate"], &renamed["selfUri"]),
        (&segment["journey"], &segment["createdDate"], &segment["selfUri"])
    );
    assert_eq!(server.get(&segment_uri, READ).json(), renamed);

    let reweighed = patch(
        &server,
        &map_uri,
        WRITE,
        &json!({"version": 1, "weight": 3, "action": {"props": {"chatTitle": "Late?"}}}),
    )
    .json();
    assert_eq!((reweighed["version"].as_u64(), reweighed["weight"].as_u64()), (Some(2), Some(3)));
    assert_eq!(reweighed["action"], json!({"mediaType": "webchat", "props": {"chatTitle": "Late?"}}));
    // What a client read may go back whole (Genesys' PatchActionMap carries id, selfUri and dates).
    let mut echoed = reweighed.clone();
    echoed["isActive"] = json!(false);
    let echoed = patch(&server, &map_uri, WRITE, &echoed);
    assert_eq!(
        (echoed.status, echoed.json()["version"].as_u64(), echoed.json()["isActive"].as_bool()),
        (200, Some(3), Some(false))
    );

    let outcome_uri = outcome["selfUri"].as_str().unwrap();
    let negative = patch(&server, outcome_uri, WRITE, &json!({"version": 1, "isPositive": false})).json();
    assert_eq!((negative["version"].as_u64(), negative["isPositive"].as_bool()), (Some(2), Some(false)));

    // A segment an action map triggers with stays until the map goes.
    let used = delete(&server, &segment_uri, WRITE);
    assert_eq!(used.status, 400, "{used:?}");
    assert!(used.json()["message"].as_str().unwrap().contains(map["id"].as_str().unwrap()), "{used:?}");
    for uri in [map_uri.as_str(), &segment_uri, outcome_uri] {
        let gone = delete(&server, uri, WRITE);
        assert_eq!((gone.status, gone.body.as_str()), (204, ""), "{uri}");
        assert_eq!(server.get(uri, READ).status, 404, "{uri}");
    }
    for collection in [SEGMENTS, OUTCOMES, ACTION_MAPS] {
        let listing = server.get(collection, READ).json();
        assert_eq!(
            (&listing["entities"], &listing["total"], &listing["pageCount"]),
            (&json!([]), &json!(0), &json!(0))
        );
    }
}

#[test]
fn a_list_pages_by_page_number_and_filters() {
    let server = Server::start("definitions-paging", &[]);
    let ids: Vec<String> = (1..=5).map(|i| format!("a0000000-0000-4000-8000-00000000000{i}")).collect();
    for (i, id) in ids.iter().enumerate().rev() {
        let mut body = delayed_segment(&format!("Segment {i}"));
        body["id"] = json!(id);
        body["isActive"] = json!(i % 2 == 0);
        created(&server, SEGMENTS, &body);
    }
    let first = server.get(&format!("{SEGMENTS}?pageSize=2"), READ).json();
    assert_eq!(
        (&first["total"], &first["pageCount"], &first["pageNumber"], &first["pageSize"]),
        (&json!(5), &json!(3), &json!(1), &json!(2))
    );
    assert_eq!(first["lastUri"], format!("{SEGMENTS}?pageSize=2&pageNumber=3"));
    assert!(first.get("previousUri").is_none());
    // Following nextUri visits every segment once, in id order.
    let (mut seen, mut page) = (Vec::new(), first);
    loop {
        seen.extend(page["entities"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()));
        let Some(next) = page["nextUri"].as_str() else { break };
        page = server.get(next, READ).json();
    }
    assert_eq!(seen, ids);
    assert_eq!(page["previousUri"], format!("{SEGMENTS}?pageSize=2&pageNumber=2"));
    let past = server.get(&format!("{SEGMENTS}?pageSize=2&pageNumber=9"), READ).json();
    assert_eq!((&past["entities"], &past["total"]), (&json!([]), &json!(5)));

    let active = server.get(&format!("{SEGMENTS}?isActive=true"), READ).json();
    let active_ids: Vec<&str> =
        active["entities"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(active_ids, [&ids[0], &ids[2], &ids[4]]);
    assert_eq!(active["selfUri"], format!("{SEGMENTS}?pageSize=25&pageNumber=1&isActive=true"));
    let picked = server.get(&format!("{SEGMENTS}?segmentIds={},{}", ids[3], ids[1]), READ).json();
    assert_eq!(picked["total"], 2);
    assert_eq!(picked["entities"][0]["id"], ids[1].as_str());

    for bad in ["pageSize=0", "pageSize=101", "pageNumber=0", "pageSize=abc", "sortBy=displayName", "isActive=maybe"] {
        let answer = server.get(&format!("{SEGMENTS}?{bad}"), READ);
        assert_eq!((answer.status, answer.code().as_str()), (400, "INVALID_ARGUMENT"), "{bad}: {answer:?}");
    }
}

#[test]
fn bad_definitions_unknown_ids_and_stale_versions_are_refused() {
    let server = Server::start("definitions-errors", &[]);
    let refused = |collection: &str, body: &Value, pointer: &str| {
        let answer = server.post_json(collection, WRITE, body);
        assert_eq!((answer.status, answer.code().as_str()), (400, "INVALID_ARGUMENT"), "{answer:?}");
        assert!(answer.json()["message"].as_str().unwrap().contains(pointer), "{pointer}: {answer:?}");
    };
    let mut app_stream = delayed_segment("App");
    app_stream["journey"]["patterns"][0]["streamType"] = json!("App");
    refused(SEGMENTS, &app_stream, "/journey/patterns/0/streamType");
    let mut unknown_attribute = delayed_segment("Unknown attribute");
    unknown_attribute["journey"]["patterns"][0]["criteria"][0]["key"] = json!("attributes.nope");
    refused(SEGMENTS, &unknown_attribute, "/journey/patterns/0/criteria/0");
    refused(ACTION_MAPS, &chat_map("b1c2d3e4-0000-4000-8000-00000000ffff"), "/triggerWithSegments/0");
    let mut bad_outcome = purchase_outcome();
    bad_outcome["colour"] = json!("red");
    refused(OUTCOMES, &bad_outcome, "colour");
    let not_json = server.call("POST", SEGMENTS, Some(WRITE), Some(("application/json", b"{")));
    assert_eq!((not_json.status, not_json.code().as_str()), (400, "INVALID_JSON"));
    assert_eq!(server.post_json(SEGMENTS, WRITE, &json!([1])).status, 400);

    let segment = created(&server, SEGMENTS, &delayed_segment("Dispatch delayed"));
    let uri = segment["selfUri"].as_str().unwrap();
    // A create never replaces: the same name again, or the id of one that exists.
    refused(SEGMENTS, &delayed_segment("Dispatch delayed"), "/id");
    let mut same_id = delayed_segment("Another name");
    same_id["id"] = json!(segment["id"].as_str().unwrap().to_ascii_uppercase());
    let taken = server.post_json(SEGMENTS, WRITE, &same_id);
    assert_eq!(taken.status, 409, "{taken:?}");
    assert!(taken.json()["message"].as_str().unwrap().starts_with("invalid argument: /id: "), "{taken:?}");

    let bad_patch = patch(
        &server,
        uri,
        WRITE,
        &json!({"version": 1, "journey": {"patterns": [{"count": 1, "streamType": "Nope"}]}}),
    );
    assert_eq!(bad_patch.status, 400, "{bad_patch:?}");
    assert!(bad_patch.json()["message"].as_str().unwrap().contains("/journey/patterns/0/streamType"), "{bad_patch:?}");
    assert_eq!(patch(&server, uri, WRITE, &json!({"version": 1, "displayName": "Renamed"})).status, 200);
    let stale = patch(&server, uri, WRITE, &json!({"version": 1, "displayName": "Lost update"}));
    assert_eq!((stale.status, stale.code().as_str()), (409, "INVALID_ARGUMENT"), "{stale:?}");
    let message = format!(
        "invalid argument: /version: 1, but the stored segment '{}' is at version 2",
        segment["id"].as_str().unwrap()
    );
    assert_eq!(stale.json()["message"], message.as_str(), "the core's wording");
    let unversioned = patch(&server, uri, WRITE, &json!({"displayName": "Blind write"}));
    assert_eq!(unversioned.status, 400, "{unversioned:?}");
    assert!(unversioned.json()["message"].as_str().unwrap().contains("/version"), "{unversioned:?}");
    let other_id = patch(&server, uri, WRITE, &json!({"version": 2, "id": "b1c2d3e4-0000-4000-8000-000000000009"}));
    assert_eq!(other_id.status, 400, "{other_id:?}");
    assert_eq!(server.get(uri, READ).json()["displayName"], "Renamed", "nothing refused changed anything");

    for collection in [SEGMENTS, OUTCOMES, ACTION_MAPS] {
        let unknown = format!("{collection}/b1c2d3e4-0000-4000-8000-00000000dead");
        for answer in [
            server.get(&unknown, READ),
            patch(&server, &unknown, WRITE, &json!({"version": 1})),
            delete(&server, &unknown, WRITE),
        ] {
            assert_eq!((answer.status, answer.code().as_str()), (404, "NOT_FOUND"), "{unknown}: {answer:?}");
        }
    }
}

#[test]
fn reading_needs_the_read_grant_and_changing_the_write_grant() {
    let server = Server::start("definitions-grants", &[]);
    let segment = created(&server, SEGMENTS, &delayed_segment("Dispatch delayed"));
    let uri = segment["selfUri"].as_str().unwrap();
    assert_eq!(server.get(uri, READ).status, 200);
    assert_eq!(server.get(SEGMENTS, READ).status, 200);
    for token in ["all", "ingest", "studio", "agent-bo"] {
        for answer in [server.get(uri, token), server.get(SEGMENTS, token), server.get(ACTION_MAPS, token)] {
            assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {answer:?}");
        }
    }
    for token in [READ, "all", "ingest"] {
        for answer in [
            server.post_json(OUTCOMES, token, &purchase_outcome()),
            patch(&server, uri, token, &json!({"version": 1, "displayName": "x"})),
            delete(&server, uri, token),
        ] {
            assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {answer:?}");
        }
    }
    assert_eq!(server.call("GET", SEGMENTS, None, None).status, 401);
    assert_eq!(server.get(uri, READ).json(), segment, "nothing refused changed anything");
}

#[test]
fn definitions_made_over_http_stay_across_a_restart() {
    let server = Server::start("definitions-store", &["--store", "store"]);
    let segment = created(&server, SEGMENTS, &delayed_segment("Dispatch delayed"));
    let map = created(&server, ACTION_MAPS, &chat_map(segment["id"].as_str().unwrap()));
    let dir = server.dir.clone();
    assert!(server.stop().success());
    let server = Server::spawn(dir, &["--store", "store"]);
    assert_eq!(server.get(segment["selfUri"].as_str().unwrap(), READ).json(), segment);
    assert_eq!(server.get(ACTION_MAPS, READ).json()["entities"], json!([map]));
}
