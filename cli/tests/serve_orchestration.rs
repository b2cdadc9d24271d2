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

const CXONE: &str = "/incontactapi/services/v30.0";
const JOBS: &str = "/api/v2/journey/actionmaps/estimates/jobs";
const DANA_SEGMENTS: &str = "/api/v2/externalcontacts/contacts/email:dana%40example.com/journey/segments";
const DANA_SESSIONS: &str = "/api/v2/externalcontacts/contacts/email:dana%40example.com/journey/sessions";

/// A segment the demo's delivery falls in: its dispatch was delayed for want of stock.
fn out_of_stock_segment() -> Value {
    json!({
        "displayName": "Out of stock",
        "isActive": true,
        "journey": {"patterns": [{
            "criteria": [{"key": "attributes.reason", "values": ["stock"], "operator": "containsAny", "shouldIgnoreCase": true}],
            "count": 1, "streamType": "Custom", "sessionType": "delivery", "eventName": "dispatch_delayed"
        }]}
    })
}

/// An action map triggered by `segment` that calls the host back.
fn callback_map(name: &str, segment: &str) -> Value {
    json!({"displayName": name, "isActive": true, "triggerWithSegments": [segment], "action": {"mediaType": "callback"}})
}

/// The id of a definition as created.
fn id_of(definition: &Value) -> String {
    definition["id"].as_str().unwrap().to_owned()
}

/// Dana's sessions as the `all` viewer lists them.
fn dana_sessions(server: &Server) -> Vec<Value> {
    let listing = server.get(&format!("{DANA_SESSIONS}?pageSize=100"), "all").json();
    listing["entities"].as_array().unwrap().clone()
}

/// The id of Dana's session with this `externalId`.
fn session_of(server: &Server, external_id: &str) -> String {
    let sessions = dana_sessions(server);
    let session = sessions.iter().find(|s| s["externalId"] == external_id).unwrap_or_else(|| panic!("{sessions:?}"));
    session["id"].as_str().unwrap().to_owned()
}

/// A delivery of Dana's in division `south`, delayed for want of stock; its session id.
fn south_delivery(server: &Server) -> String {
    let event = json!({"eventName": "dispatch_delayed", "createdDate": "2026-11-21T10:20:00Z", "division": "south",
        "customer": {"id": "dana@example.com", "idType": "email"}, "session": {"type": "delivery", "externalId": "order-SOUTH"},
        "attributes": {"reason": "Saddle out of stock"}});
    let answer = server.post_json("/events", "ingest", &event);
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.json()["sessionId"].as_str().unwrap().to_owned()
}

/// The path of a map's explanation in a session.
fn explanation_uri(map: &str, session: &str) -> String {
    format!("/api/v2/journey/actionmaps/{map}/explanations/{session}")
}

/// An agent logged in through the CXone routes and polling get-next-event receives the custom
/// event an action map sends, once, when an event ingested over HTTP makes it fire; every
/// definition made through the POST routes.
#[test]
fn a_maps_custom_event_reaches_a_cxone_agent_on_get_next_event() {
    let server = Server::start("orchestration-cxone", &[]);
    let started = server.call("POST", &format!("{CXONE}/agent-sessions"), Some("agent-bo"), None);
    assert_eq!(started.status, 202, "{started:?}");
    let poll = |cursor: &str, timeout: u32| {
        server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout={timeout}"), "agent-bo")
    };
    let login = poll(started.json()["sessionId"].as_str().unwrap(), 0).json();
    assert_eq!(login["events"][0]["Type"], "AgentSessionStart");
    let cursor = login["sessionId"].as_str().unwrap().to_owned();

    let segment = created(&server, SEGMENTS, &delayed_segment("Delayed by weather"));
    let map = json!({
        "displayName": "Tell Bo about late parcels",
        "isActive": true,
        "triggerWithSegments": [segment["id"]],
        "action": {"mediaType": "customEvent", "agentId": "agent-bo", "eventName": "dispatchDelayed",
            "data": {"reason": "weather"}, "persistInMemory": false}
    });
    created(&server, ACTION_MAPS, &map);

    let delayed = |minute: u32, reason: &str| {
        let event = json!({"eventName": "dispatch_delayed", "createdDate": format!("2026-11-21T10:{minute:02}:00Z"),
            "customer": {"id": "eve@example.com", "idType": "email"}, "session": {"type": "delivery", "externalId": "order-9"},
            "attributes": {"reason": reason}});
        let answer = server.post_json("/events", "ingest", &event);
        assert_eq!((answer.status, answer.json()["status"].as_str()), (200, Some("accepted")), "{answer:?}");
    };
    // An event the segment does not match sends nothing.
    delayed(0, "traffic");
    assert_eq!(poll(&cursor, 0).status, 304);

    // The segment's event: the map fires in the ingest, and the waiting agent gets its event.
    delayed(5, "Weather");
    let answer = poll(&cursor, 5);
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(
        body["events"],
        json!([{"Type": "CustomEvent", "AgentId": "agent-bo", "eventName": "dispatchDelayed",
            "data": "{\"reason\":\"weather\"}", "CreatedDate": "2026-11-21T10:30:00.000Z", "Sequence": 2}])
    );
    // A map fires once per session: the same event again sends nothing more.
    delayed(10, "weather");
    let next = body["sessionId"].as_str().unwrap();
    let empty = poll(next, 0);
    assert_eq!((empty.status, empty.body.as_str()), (304, ""));
}

/// `GET …/contacts/{contactId}/journey/segments` in Genesys' `SegmentAssignmentListing` shape, and
/// the session routes' `segmentAssignments` and `outcomeAchievements` in the shapes of Genesys'
/// `Session`.
#[test]
fn a_contacts_segments_and_its_sessions_show_assignments_in_genesys_shapes() {
    let server = Server::start("orchestration-assignments", &[]);
    let stock = created(&server, SEGMENTS, &out_of_stock_segment());
    let buyer = created(
        &server,
        SEGMENTS,
        &json!({"displayName": "Buyer", "scope": "Customer", "assignmentExpirationDays": 2,
            "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Custom", "eventName": "product_purchased"}]}}),
    );
    let purchase = created(&server, OUTCOMES, &purchase_outcome());
    assert_eq!(server.get(DANA_SEGMENTS, "all").json(), json!({"entities": []}));
    assert_eq!(server.ingest_demo(), 15);
    let delivery = session_of(&server, "order-1234");

    let segment_ref = |segment: &Value| json!({"id": segment["id"], "selfUri": segment["selfUri"]});
    let stock_in_delivery = json!({
        "segment": segment_ref(&stock),
        "dateAssigned": "2026-11-21T09:20:00.000Z",
        // A session assignment has no date it ends: left out, as Genesys leaves out what it has not.
        "externalContact": {"id": "email:dana@example.com"},
        "session": {"id": delivery, "type": "delivery", "selfUri": format!("/api/v2/journey/sessions/{delivery}")},
    });
    let buyer_for_two_days = json!({
        "segment": segment_ref(&buyer),
        "dateAssigned": "2026-11-21T09:05:00.000Z",
        "dateForUnassignment": "2026-11-23T09:05:00.000Z",
        "externalContact": {"id": "email:dana@example.com"},
    });
    let listing = server.get(DANA_SEGMENTS, "all");
    assert_eq!(listing.status, 200, "{listing:?}");
    assert_eq!(listing.json(), json!({"entities": [buyer_for_two_days, stock_in_delivery]}));
    // The contact id in any spelling the sessions route takes; an unknown one holds nothing.
    assert_eq!(
        server.get("/api/v2/externalcontacts/contacts/email:dana@example.com/journey/segments", "all").json(),
        listing.json()
    );
    let nobody = server.get("/api/v2/externalcontacts/contacts/email:nobody%40example.com/journey/segments", "all");
    assert_eq!(nobody.json(), json!({"entities": []}));
    let first = server.get(&format!("{DANA_SEGMENTS}?limit=1&includeMerged=true"), "all").json();
    assert_eq!(first["entities"], json!([buyer_for_two_days]));
    for bad in ["limit=0", "limit=501", "limit=abc", "includeMerged=maybe"] {
        let answer = server.get(&format!("{DANA_SEGMENTS}?{bad}"), "all");
        assert_eq!((answer.status, answer.code().as_str()), (400, "INVALID_ARGUMENT"), "{bad}: {answer:?}");
    }

    // The session routes: Genesys' SessionSegmentAssignment and OutcomeAchievement.
    let sessions = dana_sessions(&server);
    let card = sessions.iter().find(|s| s["id"] == delivery.as_str()).unwrap();
    assert_eq!(
        card["segmentAssignments"],
        json!([{"segment": segment_ref(&stock), "assignedDate": "2026-11-21T09:20:00.000Z"}])
    );
    assert_eq!(
        card["outcomeAchievements"],
        json!([{"outcome": {"id": purchase["id"], "selfUri": purchase["selfUri"]},
            "achievedDate": "2026-11-21T09:05:00.000Z", "value": 1899.0}])
    );
    assert_eq!(server.get(&format!("/api/v2/journey/sessions/{delivery}"), "all").json(), *card);
    for other in sessions.iter().filter(|s| s["id"] != delivery.as_str()) {
        assert_eq!((&other["segmentAssignments"], &other["outcomeAchievements"]), (&json!([]), &json!([])), "{other}");
    }

    // A session assignment shows only where the viewer may see its session.
    let south = south_delivery(&server);
    let all = server.get(DANA_SEGMENTS, "all").json();
    assert_eq!(all["entities"].as_array().unwrap().len(), 3, "{all}");
    assert_eq!(all["entities"][2]["session"]["id"], south.as_str());
    let north = server.get(DANA_SEGMENTS, "north").json();
    assert_eq!(north, listing.json(), "the south delivery's assignment is not shown");

    for token in ["agent-bo", "ingest", READ, WRITE] {
        let answer = server.get(DANA_SEGMENTS, token);
        assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {answer:?}");
    }
    assert_eq!(server.call("GET", DANA_SEGMENTS, None, None).status, 401);
}

/// The estimate job routes: a job that is complete when created, its status and its
/// `ActionMapEstimateResult`; refused requests, unknown jobs, the grants, and the last 100 jobs kept.
#[test]
fn estimate_jobs_count_the_sessions_a_map_would_qualify() {
    let server = Server::start("orchestration-estimates", &[]);
    assert_eq!(server.ingest_demo(), 15);
    // A segment put after the events: an estimate recounts the stored sessions.
    let stock = created(&server, SEGMENTS, &out_of_stock_segment());
    let estimate = |token: &str, body: &Value| {
        let job = server.post_json(JOBS, token, body);
        assert_eq!(job.status, 202, "{job:?}");
        let job = job.json();
        let uri = format!("{JOBS}/{}", job["id"].as_str().unwrap());
        assert_eq!(job, json!({"id": job["id"], "selfUri": uri}), "EstimateJobAsyncResponse");
        uri
    };

    let job = estimate(READ, &json!({"segmentIds": [stock["id"]]}));
    let status = server.get(&job, READ);
    assert_eq!((status.status, status.body.as_str()), (200, "\"Complete\"\n"));
    assert_eq!(
        server.get(&format!("{job}/results"), READ).json(),
        json!({"qualifiedSessionCount": 1, "totalSessionCount": 3,
            "perSegmentCounts": [{"segmentId": stock["id"], "count": 1}]})
    );
    // libjourney's window: only the web visit started by 09:00.
    let early = estimate(WRITE, &json!({"segmentIds": [stock["id"]], "to": "2026-11-21T09:00:00Z"}));
    assert_eq!(
        server.get(&format!("{early}/results"), WRITE).json(),
        json!({"qualifiedSessionCount": 0, "totalSessionCount": 1,
            "perSegmentCounts": [{"segmentId": stock["id"], "count": 0}]})
    );
    // libjourney's draft map: event conditions instead of segments.
    let draft = json!({"actionMap": {"displayName": "draft", "action": {"mediaType": "callback"},
        "triggerWithEventConditions": [{"key": "attributes.reason", "values": ["hub"], "operator": "containsAny",
            "streamType": "Custom", "sessionType": "delivery", "eventName": "dispatch_delayed"}]}});
    let conditions = estimate(READ, &draft);
    assert_eq!(
        server.get(&format!("{conditions}/results"), READ).json(),
        json!({"qualifiedSessionCount": 1, "totalSessionCount": 3, "perSegmentCounts": []})
    );

    let refused = |body: &Value, pointer: &str| {
        let answer = server.post_json(JOBS, READ, body);
        assert_eq!((answer.status, answer.code().as_str()), (400, "INVALID_ARGUMENT"), "{answer:?}");
        let message = answer.json()["message"].as_str().unwrap().to_owned();
        assert!(message.starts_with(&format!("invalid argument: {pointer}: ")), "{pointer}: {message}");
    };
    refused(&json!({"segmentIds": [stock["id"], "b1c2d3e4-0000-4000-8000-00000000ffff"]}), "/segmentIds/1");
    refused(
        &json!({"segmentIds": [stock["id"]], "outcomeCriteria": {"outcomeId": "x", "probability": 0.5}}),
        "/outcomeCriteria",
    );
    refused(&json!({}), "/segmentIds");
    refused(&json!({"segmentIds": [stock["id"]], "to": "yesterday"}), "/to");
    let not_json = server.call("POST", JOBS, Some(READ), Some(("application/json", b"{")));
    assert_eq!((not_json.status, not_json.code().as_str()), (400, "INVALID_JSON"));

    for unknown in [format!("{JOBS}/b1c2d3e4-0000-4000-8000-00000000ffff"), format!("{JOBS}/not-a-job")] {
        for uri in [unknown.clone(), format!("{unknown}/results")] {
            let answer = server.get(&uri, READ);
            assert_eq!((answer.status, answer.code().as_str()), (404, "NOT_FOUND"), "{uri}: {answer:?}");
        }
    }
    for token in ["all", "ingest", "agent-bo"] {
        for answer in [server.post_json(JOBS, token, &json!({"segmentIds": [stock["id"]]})), server.get(&job, token)] {
            assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {answer:?}");
        }
    }
    assert_eq!(server.call("GET", &format!("{job}/results"), None, None).status, 401);

    // The server keeps the last 100 jobs: 100 more forget the first three.
    let mut last = String::new();
    for _ in 0..100 {
        last = estimate(READ, &json!({"segmentIds": [stock["id"]]}));
    }
    for forgotten in [&job, &early, &conditions] {
        assert_eq!(server.get(forgotten, READ).status, 404, "{forgotten}");
    }
    assert_eq!(server.get(&format!("{last}/results"), READ).json()["qualifiedSessionCount"], 1);
}

/// libjourney's explanation route: why a map fired in one session and not in another, the values
/// its conditions saw (for a viewer who may see attributes), the 404s and the grants.
#[test]
fn an_explanation_says_why_a_map_fired_or_not() {
    let server = Server::start("orchestration-explain", &[]);
    let stock = created(&server, SEGMENTS, &out_of_stock_segment());
    let map = created(&server, ACTION_MAPS, &callback_map("Call back on stock", &id_of(&stock)));
    assert_eq!(server.ingest_demo(), 15);
    let (delivery, web) = (session_of(&server, "order-1234"), {
        let sessions = dana_sessions(&server);
        sessions.iter().find(|s| s["type"] == "web").unwrap()["id"].as_str().unwrap().to_owned()
    });

    let fired = server.get(&explanation_uri(&id_of(&map), &delivery), "designer");
    assert_eq!(fired.status, 200, "{fired:?}");
    let fired = fired.json();
    assert_eq!(
        (&fired["actionMapId"], &fired["version"], &fired["sessionId"], &fired["isActive"]),
        (&map["id"], &json!(1), &json!(delivery), &json!(true))
    );
    assert_eq!((&fired["qualification"]["verdict"], &fired["stoppedBy"]), (&json!("fired"), &json!(null)), "{fired}");
    assert_eq!(
        fired["segments"],
        json!([{"segmentId": stock["id"], "held": true, "patterns": [{"needed": 1, "counted": 1, "countedLive": 1}]}])
    );
    // Any spelling of the map's UUID.
    let upper = id_of(&map).to_ascii_uppercase();
    assert_eq!(server.get(&explanation_uri(&upper, &delivery), "designer").json(), fired);
    let not_held = server.get(&explanation_uri(&id_of(&map), &web), "designer").json();
    assert_eq!(
        (&not_held["qualification"], &not_held["stoppedBy"], &not_held["segments"][0]["held"]),
        (&json!(null), &json!("conditions"), &json!(false))
    );

    // A map put after the events: its condition recounted over them, with the values it saw,
    // which a viewer without journey:eventType:view does not get.
    let conditions = created(
        &server,
        ACTION_MAPS,
        &json!({"displayName": "Call back on a hub", "isActive": true, "action": {"mediaType": "callback"},
            "triggerWithEventConditions": [{"key": "attributes.reason", "values": ["hub"], "operator": "containsAny",
                "streamType": "Custom", "sessionType": "delivery", "eventName": "dispatch_delayed"}]}),
    );
    let uri = explanation_uri(&id_of(&conditions), &delivery);
    let recounted = server.get(&uri, "designer").json();
    assert_eq!(
        recounted["conditions"],
        json!([{"key": "attributes.reason", "matched": true, "counted": 1, "countedLive": 0,
            "seen": ["Gear hub out of stock"]}])
    );
    let unseen = server.get(&uri, "designer-north").json();
    assert_eq!(unseen["conditions"][0]["seen"], json!([]));
    assert_eq!(unseen["conditions"][0]["counted"], 1);

    let south = south_delivery(&server);
    assert_eq!(server.get(&explanation_uri(&id_of(&map), &south), "designer").status, 200);
    for (uri, status) in [
        (explanation_uri(&id_of(&map), &south), 404),
        (explanation_uri("b1c2d3e4-0000-4000-8000-00000000ffff", &delivery), 404),
        (explanation_uri(&id_of(&map), "b1c2d3e4-0000-4000-8000-00000000ffff"), 404),
        (explanation_uri(&id_of(&map), "not-a-session"), 400),
    ] {
        let answer = server.get(&uri, "designer-north");
        assert_eq!(answer.status, status, "{uri}: {answer:?}");
    }
    for token in [READ, WRITE, "all", "north", "agent-bo"] {
        let answer = server.get(&explanation_uri(&id_of(&map), &delivery), token);
        assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {answer:?}");
    }
}

/// docs/http.md, "Web action events": a web front end reports what became of a map's web action
/// with Genesys' `ActionEventRequest`, which names only the action and its state; the rest is the
/// action's, from the `qualified` the map recorded. The lifecycle's rules hold (409 for a move it
/// does not allow), an action never recorded is 404, and the route needs an ingest token unless the
/// deployment is named with `--app-deployment`.
#[test]
fn a_front_end_reports_a_maps_web_action_by_its_id_and_state() {
    let server = Server::start("orchestration-actionevent", &["--app-deployment", "dep-shop"]);
    let map = created(
        &server,
        ACTION_MAPS,
        &json!({"displayName": "Offer the returns guide", "isActive": true,
            "triggerWithEventConditions": [{"key": "attributes.page", "values": ["/returns"], "streamType": "Web",
                "sessionType": "web", "eventName": "page_viewed"}],
            "action": {"mediaType": "contentOffer", "actionTemplate": {"name": "Returns guide"}}}),
    );
    let visitor = "6a1c3a8e-0000-4000-8000-0000000000aa";
    let page = json!({"eventName": "page_viewed", "createdDate": "2026-11-21T10:29:00Z",
        "customer": {"id": visitor, "idType": "cookie"}, "session": {"type": "web"}, "attributes": {"page": "/returns"}});
    let session = server.post_json("/events", "ingest", &page).json()["sessionId"].as_str().unwrap().to_owned();
    let explained = server.get(&explanation_uri(&id_of(&map), &session), "designer").json();
    let action = explained["qualification"]["actionId"].as_str().unwrap_or_else(|| panic!("{explained}")).to_owned();

    let report = |deployment: &str, token: Option<&str>, body: &Value| {
        let path = format!("/api/v2/journey/deployments/{deployment}/actionevent");
        server.call("POST", &path, token, Some(("application/json", body.to_string().as_bytes())))
    };
    let offered = json!({"actionId": action, "actionState": "offered", "sessionId": session});
    let answer = report("dep-any", Some("ingest"), &offered);
    assert_eq!((answer.status, answer.body.as_str()), (204, ""), "{answer:?}");
    assert_eq!(report("dep-any", Some("ingest"), &offered).status, 204, "a repeated state changes nothing");
    assert_eq!(report("dep-any", None, &offered).status, 401, "a deployment not named needs a token");
    // A named deployment's front end sends no token; Genesys' errorCode is text.
    let accepted = json!({"actionId": action, "actionState": "accepted", "sessionId": session});
    assert_eq!(report("dep-shop", None, &accepted).status, 204);
    let too_late = json!({"actionId": action, "actionState": "rejected", "sessionId": session});
    let refused = report("dep-shop", None, &too_late);
    assert_eq!((refused.status, refused.code().as_str()), (409, "INVALID_TRANSITION"), "{refused:?}");
    let unknown =
        json!({"actionId": "6a1c3a8e-0000-4000-8000-0000000000ff", "actionState": "offered", "sessionId": session});
    let refused = report("dep-shop", None, &unknown);
    assert_eq!((refused.status, refused.code().as_str()), (404, "UNKNOWN_ACTION"), "{refused:?}");
    // Knowing an action's id is not enough: the session must be the action's own.
    let elsewhere =
        json!({"actionId": action, "actionState": "rejected", "sessionId": "6a1c3a8e-0000-4000-8000-0000000000ee"});
    let refused = report("dep-shop", None, &elsewhere);
    assert_eq!((refused.status, refused.code().as_str()), (404, "UNKNOWN_ACTION"), "{refused:?}");
    for bad in [
        json!({"actionState": "offered", "sessionId": session}),
        json!({"actionId": action, "actionState": "offered"}),
        json!({"actionId": action, "actionState": "offered", "sessionId": session, "colour": 1}),
        json!({"actionId": action, "actionState": "errored", "sessionId": session, "errorMessage": 7}),
        json!([]),
    ] {
        assert_eq!(report("dep-shop", None, &bad).status, 400, "{bad}");
    }
    // An error the front end reports, with Genesys' text code kept in the message.
    let second = json!({"eventName": "page_viewed", "createdDate": "2026-11-21T10:29:30Z",
        "customer": {"id": "6a1c3a8e-0000-4000-8000-0000000000ab", "idType": "cookie"}, "session": {"type": "web"},
        "attributes": {"page": "/returns"}});
    let other = server.post_json("/events", "ingest", &second).json()["sessionId"].as_str().unwrap().to_owned();
    let other_action =
        server.get(&explanation_uri(&id_of(&map), &other), "designer").json()["qualification"]["actionId"].clone();
    let errored = json!({"actionId": other_action, "actionState": "errored", "sessionId": other,
        "errorCode": "WIDGET_FAILED", "errorMessage": "no DOM"});
    assert_eq!(report("dep-shop", None, &errored).status, 204);
}
