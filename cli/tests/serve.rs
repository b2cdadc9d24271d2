//! `journey serve` over real TCP: the real binary on 127.0.0.1, spoken to in raw HTTP/1.1 so that
//! the tests can send what no client library would (broken percent-encoding, huge bodies, slow
//! headers, a disconnect in the middle of a long poll).

mod support;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;
use support::{Answer, Server};

const CXONE: &str = "/incontactapi/services/v30.0";

#[test]
fn the_auth_matrix() {
    let server = Server::start("auth", &[]);
    let no_header = server.call("GET", "/api/v2/journey/sessions/x", None, None);
    assert_eq!(no_header.status, 401);
    assert!(no_header.headers.contains("www-authenticate: bearer"), "{no_header:?}");
    let basic = server.raw(b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(basic.status, 401);
    assert_eq!(server.get("/api/v2/journey/sessions/x", "not-a-token").status, 401);
    // Each route, with a known token that lacks its grant.
    let forbidden = [
        server.get("/api/v2/externalcontacts/contacts/email:a/journey/sessions", "agent-bo"),
        server.get("/api/v2/journey/sessions/00000000-0000-0000-0000-000000000000/events", "ingest"),
        server.post_json("/events", "all", &json!({})),
        server.post_json("/api/v2/journey/deployments/d/appevents", "studio", &json!({})),
        server.call("PUT", &format!("{CXONE}/agents/agent-bo/custom-event?eventName=x"), Some("agent-bo"), None),
        server.call("POST", &format!("{CXONE}/agent-sessions"), Some("studio"), None),
    ];
    for answer in forbidden {
        assert_eq!((answer.status, answer.code().as_str()), (403, "PERMISSION_DENIED"), "{answer:?}");
    }
    // A client-sent permissions header changes nothing.
    let with_header = server.raw(b"GET /api/v2/externalcontacts/contacts/email:a/journey/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer agent-bo\r\nX-Permissions: journey:session:view\r\nConnection: close\r\n\r\n");
    assert_eq!(with_header.status, 403);
}

/// The vendor's curl (seed 001) verbatim, then the get-next-event loop with its rotating
/// `sessionId`: a client that repeats an old id gets the same events again.
#[test]
fn cxone_custom_events_and_the_rotating_session_id() {
    let server = Server::start("cxone", &[]);
    let started = server.post_json(&format!("{CXONE}/agent-sessions"), "agent-bo", &json!({"stationId": "st-1", "stationPhoneNumber": "5550100", "inactivityTimeout": 30, "inactivityForceLogout": false}));
    assert_eq!(started.status, 202, "{started:?}");
    let first = started.json()["sessionId"].as_str().unwrap().to_owned();
    // Letters only (docs/http.md): no "60" for the agent SDK's retry to rewrite; sequence 0 is `a`.
    assert!(first.ends_with(".a") && first.len() == 34 && first.bytes().all(|b| b == b'.' || b.is_ascii_lowercase()));
    // Idempotent while active; join finds the same session.
    assert_eq!(
        server.call("POST", &format!("{CXONE}/agent-sessions"), Some("agent-bo"), None).json()["sessionId"],
        first.as_str()
    );
    let joined =
        server.post_json(&format!("{CXONE}/agent-sessions/join"), "agent-bo", &json!({"asAgentId": "agent-bo"}));
    assert_eq!(joined.json()["sessionId"], first.as_str());
    // The agent SDK joins with `""` when its host names no agent: the token's own.
    let own = server.post_json(&format!("{CXONE}/agent-sessions/join"), "agent-bo", &json!({"asAgentId": ""}));
    assert_eq!(own.json()["sessionId"], first.as_str());
    // The settings the agent SDK reads before it polls: the token's own agent's only.
    let settings = server.get(&format!("{CXONE}/agents/agent-bo/agent-settings"), "agent-bo");
    assert_eq!((settings.status, settings.json()), (200, json!({"agentId": "agent-bo", "EnableUIQueue": false})));
    assert_eq!(server.get(&format!("{CXONE}/agents/agent-cy/agent-settings"), "agent-bo").status, 403);
    assert_eq!(
        server.post_json(&format!("{CXONE}/agent-sessions/join"), "agent-bo", &json!({"asAgentId": "agent-cy"})).status,
        403
    );

    let sent = server.call(
        "PUT",
        &format!(
            "{CXONE}/agents/agent-bo/custom-event?eventName=From_Postman&persistInMemory=false&data=Sent_from_Postman"
        ),
        Some("studio"),
        None,
    );
    assert_eq!((sent.status, sent.json()), (202, json!({"delivery": "queued", "overwritten": false})));

    // Any version, and the SDK's spelling of the prefix.
    let poll = |cursor: &str, timeout: u32| {
        server.get(
            &format!("/InContactAPI/services/V23.0/agent-sessions/{cursor}/get-next-event?timeout={timeout}"),
            "agent-bo",
        )
    };
    let answer = poll(&first, 5);
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    let events = body["events"].as_array().unwrap();
    assert_eq!(events[0]["Type"], "AgentSessionStart");
    assert_eq!(
        Some(events[0]["SessionId"].as_str().unwrap()),
        first.strip_suffix(".a"),
        "the session as clients name it"
    );
    assert_eq!(
        events[1],
        json!({"Type": "CustomEvent", "AgentId": "agent-bo", "eventName": "From_Postman", "data": "Sent_from_Postman", "CreatedDate": "2026-11-21T10:30:00.000Z", "Sequence": 2})
    );
    let second = body["sessionId"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert!(second.ends_with(".c"), "through sequence 2: {second}");
    // The answer "never arrived": the old id again gives the same events.
    assert_eq!(poll(&first, 5).json()["events"], body["events"]);
    // The new id acknowledges them: nothing is left, 304 at the timeout.
    let empty = poll(&second, 0);
    assert_eq!((empty.status, empty.body.as_str()), (304, ""));
    // Another agent may not poll or end this session.
    assert_eq!(
        server.get(&format!("{CXONE}/agent-sessions/{second}/get-next-event?timeout=0"), "agent-cy").status,
        403
    );
    assert_eq!(server.call("DELETE", &format!("{CXONE}/agent-sessions/{second}"), Some("agent-cy"), None).status, 403);
    // Bad values are named.
    for (timeout, fragment) in [("abc", "timeout must be"), ("61", "0 to 60")] {
        let bad = server.get(&format!("{CXONE}/agent-sessions/{second}/get-next-event?timeout={timeout}"), "agent-bo");
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains(fragment), "{bad:?}");
    }
    assert_eq!(
        server.get(&format!("{CXONE}/agent-sessions/not-a-session/get-next-event"), "agent-bo").code(),
        "INVALID_SESSION"
    );
    // Logout: 202, then polls get 409.
    assert_eq!(server.call("DELETE", &format!("{CXONE}/agent-sessions/{second}"), Some("agent-bo"), None).status, 202);
    let ended = poll(&second, 1);
    assert_eq!((ended.status, ended.code().as_str()), (409, "SESSION_ENDED"));
    assert_eq!(
        server.post_json(&format!("{CXONE}/agent-sessions/join"), "agent-bo", &json!({"asAgentId": "agent-bo"})).code(),
        "INVALID_SESSION"
    );
    // An agent not logged in: a persisted event waits, another is refused as not connected.
    let later = server.call(
        "PUT",
        &format!("{CXONE}/agents/agent-bo/custom-event?eventName=later&persistInMemory=TRUE&data=x"),
        Some("studio"),
        None,
    );
    assert_eq!(later.json()["delivery"], "persisted");
    let dropped = server.call(
        "PUT",
        &format!("{CXONE}/agents/agent-bo/custom-event?eventName=gone&persistInMemory=false"),
        Some("studio"),
        None,
    );
    assert_eq!(dropped.json()["delivery"], "agentNotConnected");
    let bad_flag = server.call(
        "PUT",
        &format!("{CXONE}/agents/agent-bo/custom-event?eventName=x&persistInMemory=maybe"),
        Some("studio"),
        None,
    );
    assert_eq!(bad_flag.status, 400);
}

/// A client that disconnects in the middle of a long poll loses nothing: the event sent after it
/// left comes to the next poll.
#[test]
fn a_disconnect_during_a_long_poll_loses_nothing() {
    let server = Server::start("disconnect", &[]);
    let cursor = server.call("POST", &format!("{CXONE}/agent-sessions"), Some("agent-bo"), None).json()["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=1"), "agent-bo");
    let cursor = first.json()["sessionId"].as_str().unwrap().to_owned();
    {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        let request = format!(
            "GET {CXONE}/agent-sessions/{cursor}/get-next-event?timeout=30 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer agent-bo\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // The client goes away while the poll waits.
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = server.call(
        "PUT",
        &format!("{CXONE}/agents/agent-bo/custom-event?eventName=after&data=1"),
        Some("studio"),
        None,
    );
    assert_eq!(sent.json()["delivery"], "queued");
    let next = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=5"), "agent-bo");
    assert_eq!(next.status, 200, "{next:?}");
    assert_eq!(next.json()["events"][0]["eventName"], "after");
}

#[test]
fn genesys_journey_reads_with_paging_and_divisions() {
    let server = Server::start("genesys", &[]);
    assert_eq!(server.ingest_demo(), 15);
    // A session in division "south" that the north viewer must not see.
    let south = json!({"eventName": "product_purchased", "createdDate": "2026-11-21T10:20:00Z", "division": "south",
        "customer": {"id": "dana@example.com", "idType": "email"}, "session": {"type": "delivery", "externalId": "order-SOUTH"},
        "attributes": {"orderId": "order-SOUTH"}});
    let south_session = server.post_json("/events", "ingest", &south).json()["sessionId"].as_str().unwrap().to_owned();

    let base = "/api/v2/externalcontacts/contacts/email:dana%40example.com/journey/sessions";
    let page = server.get(&format!("{base}?pageSize=2"), "all").json();
    assert_eq!(page["entities"].as_array().unwrap().len(), 2);
    let next = page["nextUri"].as_str().unwrap();
    let rest = server.get(next, "all").json();
    assert_eq!(rest["entities"].as_array().unwrap().len(), 2, "4 sessions in all: {rest}");
    assert!(rest.get("nextUri").is_none());
    let all: Vec<Value> =
        page["entities"].as_array().unwrap().iter().chain(rest["entities"].as_array().unwrap()).cloned().collect();
    let call = all.iter().find(|s| s["type"] == "conversation").unwrap();
    assert_eq!(call["lastConnectedQueue"], json!({"id": "q-deliveries"}));
    assert_eq!(call["lastConnectedUser"], json!({"id": "agent-bo"}));
    assert_eq!(call["lastUserDisposition"], json!({"code": "delivery-delay"}));
    // Genesys' vocabulary: the channel's type in its ConversationChannel enum, the direction capitalized.
    assert_eq!(call["conversationChannels"], json!([{"type": "Call"}]));
    assert_eq!(call["originatingDirection"], "Inbound");
    let messaging = json!({"eventName": "conversation_started", "createdDate": "2026-11-21T10:21:00Z",
        "customer": {"id": "eve@example.com", "idType": "email"}, "session": {"type": "conversation", "externalId": "chat-1"},
        "attributes": {"channel": "webMessaging", "direction": "outbound"}});
    let chat = server.post_json("/events", "ingest", &messaging).json()["sessionId"].as_str().unwrap().to_owned();
    let chat = server.get(&format!("/api/v2/journey/sessions/{chat}"), "all").json();
    assert_eq!(chat["conversationChannels"], json!([{"type": "Messaging", "messageType": "WebMessaging"}]));
    assert_eq!(chat["originatingDirection"], "Outbound");
    let delivery = all.iter().find(|s| s["externalId"] == "order-1234").unwrap();
    assert_eq!(delivery["eventCount"], 6);
    assert_eq!(delivery["customerIdType"], "email");
    assert_eq!(delivery["lastEvent"]["eventName"], "item_delivered");
    assert_eq!(delivery["attributes"]["location"], json!({"dataType": "string", "value": "Dana's front door"}));
    assert!(delivery["endedDate"].is_string());
    assert_eq!(all.iter().find(|s| s["id"] == south_session.as_str()).unwrap()["divisionIds"], json!(["south"]));

    // The north viewer: the south session is nowhere, and reading it directly is 404.
    let north = server.get(&format!("{base}?pageSize=10"), "north");
    assert_eq!(north.json()["entities"].as_array().unwrap().len(), 3);
    assert!(!north.body.contains("SOUTH"), "{north:?}");
    assert_eq!(server.get(&format!("/api/v2/journey/sessions/{south_session}"), "north").status, 404);
    assert_eq!(server.get(&format!("/api/v2/journey/sessions/{south_session}/events"), "north").status, 404);
    // Conversation fields need their permissions: the north viewer has neither.
    let call_north =
        north.json()["entities"].as_array().unwrap().iter().find(|s| s["type"] == "conversation").cloned().unwrap();
    assert!(call_north.get("lastConnectedQueue").is_none() && call_north.get("lastUserDisposition").is_none());

    // One session, and its events.
    let one = server.get(&format!("/api/v2/journey/sessions/{}", delivery["id"].as_str().unwrap()), "all").json();
    assert_eq!(one["eventCount"], 6);
    let events = server
        .get(&format!("/api/v2/journey/sessions/{}/events?pageSize=4", delivery["id"].as_str().unwrap()), "all")
        .json();
    assert_eq!(events["entities"].as_array().unwrap().len(), 4);
    assert_eq!(events["entities"][0]["eventType"], "com.genesys.journey.AppEvent");
    assert_eq!(events["entities"][0]["appEvent"]["eventName"], "product_purchased");
    assert_eq!(events["entities"][0]["session"]["type"], "delivery");
    let more = server.get(events["nextUri"].as_str().unwrap(), "all").json();
    assert_eq!(more["entities"].as_array().unwrap().len(), 2);
    let web = all.iter().find(|s| s["type"] == "web").unwrap();
    let web_events =
        server.get(&format!("/api/v2/journey/sessions/{}/events", web["id"].as_str().unwrap()), "all").json();
    assert_eq!(web_events["entities"][0]["eventType"], "com.genesys.journey.WebEvent");
    // The eventType filter: a session's events are all of one type, listed or not.
    let web_uri = format!("/api/v2/journey/sessions/{}/events", web["id"].as_str().unwrap());
    let only_web =
        server.get(&format!("{web_uri}?eventType=com.genesys.journey.WebEvent,com.genesys.journey.AppEvent"), "all");
    assert_eq!(only_web.json()["entities"], web_events["entities"]);
    let none = server.get(&format!("{web_uri}?eventType=com.genesys.journey.OutcomeAchievedEvent"), "all").json();
    assert_eq!((none["entities"].clone(), none.get("nextUri")), (json!([]), None));
    let unknown = server.get(&format!("{web_uri}?eventType=WebEvent"), "all");
    assert_eq!((unknown.status, unknown.code().as_str()), (400, "INVALID_ARGUMENT"), "{unknown:?}");

    // Bad query values are 400 with a SPEC code.
    for query in ["pageSize=abc", "pageSize=0", "pageSize=201", "after=garbage"] {
        let bad = server.get(&format!("{base}?{query}"), "all");
        assert_eq!((bad.status, bad.code().as_str()), (400, "INVALID_ARGUMENT"), "{query}: {bad:?}");
    }
    assert_eq!(server.get("/api/v2/journey/sessions/not-a-uuid", "all").status, 400);
    assert_eq!(server.get("/api/v2/journey/sessions/00000000-0000-4000-8000-000000000000", "all").status, 404);
}

#[test]
fn genesys_app_events_map_onto_the_envelope() {
    let server = Server::start("appevents", &[]);
    let request = json!({"eventName": "screen_viewed", "screenName": "Checkout", "createdDate": "2026-11-21T10:29:00Z",
        "customerCookieId": "6a1c3a8e-0000-4000-8000-000000000001", "app": {"name": "Bikes", "version": "1.2"},
        "device": {"category": "mobile"}, "attributes": {"cartItems": {"dataType": "integer", "value": 3}}});
    let path = "/api/v2/journey/deployments/dep-1/appevents";
    let answer = server.post_json(path, "ingest", &request);
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["customerIdType"], "cookie");
    assert_eq!(body["screenName"], "Checkout");
    let session = body["session"]["id"].as_str().unwrap().to_owned();
    // The same event again is a duplicate, in the same session.
    assert_eq!(server.post_json(path, "ingest", &request).json()["session"]["id"], session.as_str());
    let stored = server.get(&format!("/api/v2/journey/sessions/{session}/events"), "all").json();
    // An app session's events come back as app events, the screen in appEvent.screenName.
    assert_eq!(stored["entities"][0]["eventType"], "com.genesys.journey.AppEvent");
    assert_eq!(stored["entities"][0]["appEvent"]["screenName"], "Checkout");
    assert_eq!(
        stored["entities"][0]["appEvent"]["attributes"]["cartItems"],
        json!({"dataType": "integer", "value": "3"})
    );
    // Without the cookie: 400 naming what is missing.
    let mut missing = request.clone();
    missing.as_object_mut().unwrap().remove("customerCookieId");
    let rejected = server.post_json(path, "ingest", &missing);
    assert_eq!(rejected.status, 400);
    assert_eq!(rejected.code(), "MISSING_CUSTOMER");
    assert_eq!(rejected.json()["violations"][0]["path"], "/customer/id", "every violation rides along: {rejected:?}");
    assert_eq!(server.post_json(path, "ingest", &json!([1, 2])).status, 400);
    // The SDKs send every value as a string, typed by its dataType: read as that type.
    let mut typed = request.clone();
    typed["createdDate"] = json!("2026-11-21T10:29:30Z");
    typed["attributes"] = json!({"cartItems": {"dataType": "integer", "value": "4"}});
    let answer = server.post_json(path, "ingest", &typed);
    assert_eq!(answer.status, 200, "{answer:?}");
    let events = server.get(&format!("/api/v2/journey/sessions/{session}/events"), "all").json();
    assert_eq!(
        events["entities"][1]["appEvent"]["attributes"]["cartItems"],
        json!({"dataType": "integer", "value": "4"})
    );
    // A value that does not read as its dataType is the typed violation, named where it is.
    typed["attributes"] = json!({"cartItems": {"dataType": "integer", "value": "four"}});
    let wrong = server.post_json(path, "ingest", &typed);
    assert_eq!((wrong.status, wrong.code().as_str()), (400, "TYPE_MISMATCH"), "{wrong:?}");
    assert_eq!(wrong.json()["violations"][0]["path"], "/attributes/cartItems/value");
}

/// An app event's identity traits (an e-mail, a phone) link its cookie to them, so the journey
/// of the e-mail lists the app session; other traits link nothing.
#[test]
fn an_app_events_identity_traits_link_its_cookie() {
    let server = Server::start("traits", &[]);
    let path = "/api/v2/journey/deployments/dep-1/appevents";
    let request = json!({"eventName": "screen_viewed", "screenName": "Login", "createdDate": "2026-11-21T10:29:00Z",
        "customerCookieId": "6a1c3a8e-0000-4000-8000-000000000003",
        "traits": {"email": {"dataType": "string", "value": "dana@example.com"}, "givenName": {"dataType": "string", "value": "Dana"},
            "cellPhone": "+15550100"}});
    let answer = server.post_json(path, "ingest", &request);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["traits"]["givenName"]["value"], "Dana", "the traits come back as sent");
    let session = answer.json()["session"]["id"].as_str().unwrap().to_owned();
    for contact in ["email:dana@example.com", "phone:+15550100"] {
        let listed = server.get(&format!("/api/v2/externalcontacts/contacts/{contact}/journey/sessions"), "all").json();
        let ids: Vec<&str> = listed["entities"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [session.as_str()], "{contact}: {listed}");
    }
    let stranger = server.get("/api/v2/externalcontacts/contacts/email:dana.work@example.com/journey/sessions", "all");
    assert_eq!(stranger.json()["entities"], json!([]));
    // An empty trait is no identifier: the event is taken as it was before traits linked.
    let mut empty = request.clone();
    empty["createdDate"] = json!("2026-11-21T10:29:30Z");
    empty["traits"] = json!({"email": {"dataType": "string", "value": ""}, "cellPhone": " "});
    let answer = server.post_json(path, "ingest", &empty);
    assert_eq!(answer.status, 200, "{answer:?}");
}

/// The demo's `app` session type is open: an app event of a name the catalog never declared is
/// taken, its values read as their `dataType`s say, and read back as an app event of that name; a
/// value that does not read as its `dataType` is the typed violation.
#[test]
fn an_open_app_session_type_takes_app_events_of_names_it_does_not_declare() {
    let server = Server::start("open-appevents", &[]);
    let path = "/api/v2/journey/deployments/bikes-app/appevents";
    let request = json!({"eventName": "promo_opened", "screenName": "Home", "createdDate": "2026-11-21T10:29:00Z",
        "customerCookieId": "6a1c3a8e-0000-4000-8000-000000000002", "attributes": {
            "slot": {"dataType": "integer", "value": "2"}, "price": {"dataType": "number", "value": "9.5"},
            "promo": {"dataType": "string", "value": "spring"}, "seen": {"dataType": "boolean", "value": "true"}}});
    let answer = server.post_json(path, "ingest", &request);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["eventName"], "promo_opened");
    let session = answer.json()["session"]["id"].as_str().unwrap().to_owned();
    let events = server.get(&format!("/api/v2/journey/sessions/{session}/events"), "all").json();
    let event = &events["entities"][0];
    assert_eq!(event["eventType"], "com.genesys.journey.AppEvent");
    assert_eq!(
        (event["appEvent"]["eventName"].as_str(), event["appEvent"]["screenName"].as_str()),
        (Some("promo_opened"), Some("Home"))
    );
    assert_eq!(
        event["appEvent"]["attributes"],
        json!({"slot": {"dataType": "integer", "value": "2"}, "price": {"dataType": "number", "value": "9.5"},
            "promo": {"dataType": "string", "value": "spring"}, "seen": {"dataType": "boolean", "value": "true"}}),
        "stored as their types, answered as Genesys answers them"
    );
    let card = server.get(&format!("/api/v2/journey/sessions/{session}"), "all").json();
    assert_eq!(card["lastEvent"]["eventName"], "promo_opened");
    let mut wrong = request.clone();
    wrong["eventName"] = json!("promo_closed");
    wrong["createdDate"] = json!("2026-11-21T10:29:30Z");
    wrong["attributes"] = json!({"slot": {"dataType": "integer", "value": "two"}});
    let refused = server.post_json(path, "ingest", &wrong);
    assert_eq!((refused.status, refused.code().as_str()), (400, "TYPE_MISMATCH"), "{refused:?}");
    assert_eq!(refused.json()["violations"][0]["path"], "/attributes/slot/value");
}

#[test]
fn post_events_single_array_and_ndjson() {
    let server = Server::start("events", &["--max-body-bytes", "100000"]);
    let event = |id: u32, extra: &str| {
        format!(
            r#"{{"id":"00000000-0000-4000-8000-{id:012}","eventName":"product_purchased","createdDate":"2026-11-21T10:00:00Z","customer":{{"id":"c{id}","idType":"email"}},"session":{{"type":"delivery","externalId":"o{id}"}},"attributes":{{"orderId":"o{id}"{extra}}}}}"#
        )
    };
    let one = server.call("POST", "/events", Some("ingest"), Some(("application/json", event(1, "").as_bytes())));
    assert_eq!((one.status, one.json()["status"].as_str()), (200, Some("accepted")));
    let again = server.call("POST", "/events", Some("ingest"), Some(("application/json", event(1, "").as_bytes())));
    assert_eq!(again.json()["status"], "duplicate");
    let bad = server.call(
        "POST",
        "/events",
        Some("ingest"),
        Some(("application/json", event(2, r#","product":7"#).as_bytes())),
    );
    assert_eq!((bad.status, bad.code().as_str()), (400, "TYPE_MISMATCH"), "{bad:?}");
    let malformed = server.call("POST", "/events", Some("ingest"), Some(("application/json", b"{\"eventName\": ")));
    assert_eq!((malformed.status, malformed.code().as_str()), (400, "INVALID_JSON"));
    let array = format!("[{}, {}]", event(3, ""), event(4, r#","product":7"#));
    let batch = server.call("POST", "/events", Some("ingest"), Some(("application/json", array.as_bytes()))).json();
    assert_eq!((batch["accepted"].as_u64(), batch["rejected"].as_u64()), (Some(1), Some(1)));
    assert_eq!(batch["outcomes"].as_array().unwrap().len(), 2);
    let ndjson = format!("{}\n\n{}\n", event(5, ""), event(6, r#","product":7"#));
    let summary = server
        .call("POST", "/events?outcomes=rejected", Some("ingest"), Some(("application/x-ndjson", ndjson.as_bytes())))
        .json();
    assert_eq!(summary["rejections"][0]["line"], 3, "line numbers count blank lines: {summary}");
    assert_eq!(
        server.call("POST", "/events?outcomes=some", Some("ingest"), Some(("application/json", b"[]"))).status,
        400
    );
    assert_eq!(server.call("POST", "/events", Some("ingest"), Some(("text/plain", b"hi"))).status, 415);
    let huge = vec![b' '; 200_000];
    let too_big = server.call("POST", "/events", Some("ingest"), Some(("application/json", &huge)));
    assert_eq!((too_big.status, too_big.code().as_str()), (413, "LIMIT_EXCEEDED"));
}

#[test]
fn bad_requests_get_json_errors_and_the_server_lives_on() {
    let server = Server::start("bad", &["--header-timeout", "1"]);
    // The Node example's crash: broken percent-encoding in a path.
    let broken = server.call("PUT", &format!("{CXONE}/agents/%E0%A4%A/custom-event?eventName=x"), Some("studio"), None);
    assert_eq!((broken.status, broken.code().as_str()), (400, "INVALID_ARGUMENT"), "{broken:?}");
    let unknown = server.get("/nowhere", "all");
    assert_eq!((unknown.status, unknown.code().as_str()), (404, "NOT_FOUND"));
    assert_eq!(server.call("DELETE", "/events", Some("ingest"), None).status, 405);
    let garbage = server.raw(b"\x01\x02 not http\r\n\r\n");
    assert!(garbage.status == 400 || garbage.status == 0, "{garbage:?}");
    // A client that never finishes its headers is cut off.
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"GET /events HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(rest.is_empty() || String::from_utf8_lossy(&rest).contains("408"), "closed without an answer, or 408");
    // Still serving.
    assert_eq!(server.get("/nowhere", "all").status, 404);
}

#[test]
fn ctrl_c_closes_the_store_and_what_was_ingested_stays() {
    let server = Server::start("store", &["--store", "store"]);
    assert_eq!(server.ingest_demo(), 15);
    let dir = server.dir.clone();
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    let again = Server::spawn(dir, &["--store", "store"]);
    let page = again.get("/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions", "all").json();
    assert_eq!(page["entities"].as_array().unwrap().len(), 3);
}

#[test]
fn deleting_a_contact_erases_its_profile_from_the_store_and_needs_the_erase_grant() {
    let server = Server::start("erase", &["--store", "store"]);
    assert_eq!(server.ingest_demo(), 15);
    let contact = "/api/v2/externalcontacts/contacts/email:dana@example.com";
    let sessions = format!("{contact}/journey/sessions");
    assert_eq!(server.get(&sessions, "all").json()["entities"].as_array().unwrap().len(), 3);
    for token in ["all", "ingest", "studio"] {
        let refused = server.call("DELETE", contact, Some(token), None);
        assert_eq!((refused.status, refused.code().as_str()), (403, "PERMISSION_DENIED"), "{token}: {refused:?}");
    }
    assert_eq!(server.call("DELETE", contact, None, None).status, 401);
    // While the server holds the store, `journey erase` is refused and says what to do instead.
    let cli = Command::new(env!("CARGO_BIN_EXE_journey"))
        .current_dir(&server.dir)
        .args(["erase", "--store", "store", "--customer", "email:dana@example.com"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cli.stderr).contains("DELETE /api/v2/externalcontacts/contacts/"), "{cli:?}");
    let erased = server.call("DELETE", contact, Some("eraser"), None);
    assert_eq!((erased.status, erased.json()), (200, json!({"customersErased": 1, "eventsErased": 15})), "{erased:?}");
    assert_eq!(server.get(&sessions, "all").json()["entities"], json!([]));
    for entry in std::fs::read_dir(server.dir.join("store")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(16).any(|w| w == b"dana@example.com"), "the store still holds the contact");
    }
    let again = server.call("DELETE", &format!("{contact}?eraseForget=true"), Some("eraser"), None);
    assert_eq!((again.status, again.json()), (200, json!({"customersErased": 0, "eventsErased": 0})));
    let bad = server.call("DELETE", &format!("{contact}?eraseForget=maybe"), Some("eraser"), None);
    assert_eq!(bad.status, 400, "{bad:?}");
}

/// Reads one answer from a keep-alive connection: the head, then a body of its `Content-Length`.
fn read_one_answer(stream: &mut TcpStream) -> Answer {
    let mut bytes = Vec::new();
    let mut byte = [0u8];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the connection closed in the middle of a head: {bytes:?}");
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |n| n.trim().parse::<usize>().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    bytes.extend_from_slice(&body);
    Answer::parse(&bytes)
}

/// Whether the server closed `stream` within `limit`: EOF (or a reset) rather than a read timeout.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut byte = [0u8];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => panic!("the server sent a byte on a connection it should close"),
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

/// A CXone agent session whose start event was received: a poll with the cursor returned waits.
fn acknowledged_cursor(server: &Server) -> String {
    let started = server.call("POST", &format!("{CXONE}/agent-sessions"), Some("agent-bo"), None);
    let cursor = started.json()["sessionId"].as_str().unwrap().to_owned();
    let first = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=0"), "agent-bo");
    first.json()["sessionId"].as_str().unwrap().to_owned()
}

/// A connection that never sends a byte, and a keep-alive connection idle after its answer, are
/// both closed after `--header-timeout`; a long poll in progress is not idle and gets its answer.
#[test]
fn silent_and_idle_connections_are_closed_but_a_long_poll_is_not() {
    let server = Server::start("silent", &["--header-timeout", "1"]);
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(5)), "a silent connection stayed open");

    let mut kept = TcpStream::connect(&server.addr).unwrap();
    kept.write_all(b"GET /nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer all\r\n\r\n").unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(read_one_answer(&mut kept).status, 404);
    assert!(closed_within(&mut kept, Duration::from_secs(5)), "an idle keep-alive connection stayed open");

    let cursor = acknowledged_cursor(&server);
    let poll = server.raw_within(
        format!("GET {CXONE}/agent-sessions/{cursor}/get-next-event?timeout=3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer agent-bo\r\nConnection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(10),
    );
    assert_eq!(poll.status, 304, "a 3 s long poll outlives a 1 s header timeout: {poll:?}");
}

/// Under a 256-descriptor limit, 375 connections that send nothing (from a client with no token)
/// do not starve a legitimate request: over the cap, a new connection takes the place of the
/// connection idle longest.
#[test]
fn silent_connections_cannot_starve_a_request() {
    let server = Server::start_with_fd_limit("starve", 256, &[]);
    let attackers: Vec<TcpStream> = (0..375).map(|_| TcpStream::connect(&server.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let request = b"GET /api/v2/externalcontacts/contacts/email:a/journey/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer all\r\nConnection: close\r\n\r\n";
    let answer = server.raw_within(request, Duration::from_secs(5));
    assert_eq!(answer.status, 200, "{answer:?}");
    drop(attackers);
}

/// The CPU time (user + system) a process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf reads a constant of the system.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap();
    Duration::from_millis(ticks * 1000 / per_second)
}

/// When `accept` fails for want of file descriptors (the cap set above the limit), the server
/// waits before trying again instead of spinning on a core, and serves again once descriptors free
/// up.
#[test]
fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    let server = Server::start_with_fd_limit("emfile", 64, &["--max-connections", "1000", "--header-timeout", "60"]);
    let holders: Vec<TcpStream> = (0..100).map(|_| TcpStream::connect(&server.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_time(server.child.id());
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_time(server.child.id()) - before;
    assert!(used < Duration::from_millis(50), "the server used {used:?} of CPU in 1 s while out of descriptors");
    drop(holders);
    let request = b"GET /nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer all\r\nConnection: close\r\n\r\n";
    assert_eq!(server.raw_within(request, Duration::from_secs(5)).status, 404);
}

/// A body announced far over `--max-body-bytes` is refused at once with 413, not waited for.
#[test]
fn a_huge_announced_body_is_refused_at_once() {
    let server = Server::start("huge", &[]);
    let request = b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ingest\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n{\"a\":";
    let answer = server.raw_within(request, Duration::from_secs(5));
    assert_eq!((answer.status, answer.code().as_str()), (413, "LIMIT_EXCEEDED"), "{answer:?}");
    assert!(answer.json()["message"].as_str().unwrap().contains("1000000000"), "{answer:?}");
}

/// Every error has the JSON form, the request timeout's 408 and axum's own answers included, and
/// every body ends with a newline.
#[test]
fn every_error_is_json_and_every_answer_ends_with_a_newline() {
    let server = Server::start("json", &["--request-timeout", "1", "--max-body-bytes", "1000"]);
    // A body that never comes: 408 after the request timeout.
    let stalled = server.raw_within(
        b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ingest\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{\"a\"",
        Duration::from_secs(10),
    );
    assert_eq!((stalled.status, stalled.code().as_str()), (408, "LIMIT_EXCEEDED"), "{stalled:?}");
    // A chunked body over the limit: no Content-Length to refuse it by, axum's limit does.
    let chunk = "x".repeat(1500);
    let chunked = server.raw_within(
        format!("POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ingest\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len()).as_bytes(),
        Duration::from_secs(10),
    );
    assert_eq!((chunked.status, chunked.code().as_str()), (413, "LIMIT_EXCEEDED"), "{chunked:?}");
    let answers = [
        (server.call("DELETE", "/events", Some("ingest"), None), 405),
        (server.get("/nowhere", "all"), 404),
        (server.get("/api/v2/journey/sessions/x", "nobody"), 401),
        (server.post_json("/events", "ingest", &json!({})), 400),
        (server.call("POST", "/events", Some("ingest"), Some(("text/plain", b"hi"))), 415),
    ];
    for (answer, status) in answers {
        assert_eq!(answer.status, status, "{answer:?}");
        assert_eq!(answer.json()["status"], status, "{answer:?}");
        assert!(answer.body.ends_with('\n'), "{answer:?}");
    }
    let listing = server.get("/api/v2/externalcontacts/contacts/email:a/journey/sessions", "all");
    assert_eq!(listing.status, 200);
    assert!(listing.body.ends_with("}\n"), "{listing:?}");
}

/// A query parameter given twice is 400 naming it: the server does not pick one.
#[test]
fn a_repeated_query_parameter_is_refused() {
    let server = Server::start("repeated", &[]);
    let custom = server.call(
        "PUT",
        &format!("{CXONE}/agents/agent-bo/custom-event?eventName=a&eventName=b"),
        Some("studio"),
        None,
    );
    assert_eq!((custom.status, custom.code().as_str()), (400, "INVALID_ARGUMENT"), "{custom:?}");
    assert!(custom.json()["message"].as_str().unwrap().contains("eventName"), "{custom:?}");
    let cursor = acknowledged_cursor(&server);
    let poll = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=61&timeout=0"), "agent-bo");
    assert_eq!(poll.status, 400, "{poll:?}");
    assert!(poll.json()["message"].as_str().unwrap().contains("timeout"), "{poll:?}");
}

/// Bad percent-encoding (`%zz`, a lone `%`, `%00`) is 400 in any path segment, a route's parameter
/// or a fixed part of the path.
#[test]
fn bad_percent_encoding_in_any_path_segment_is_400() {
    let server = Server::start("percent", &[]);
    for bad in ["%zz", "%", "a%0", "%00", "%0A"] {
        let answers = [
            server.call("PUT", &format!("{CXONE}/agents/{bad}/custom-event?eventName=x"), Some("studio"), None),
            server.get(&format!("/api/v2/externalcontacts/contacts/email:{bad}/journey/sessions"), "all"),
            server.get(&format!("/api/v2/journey/sessions/{bad}/events"), "all"),
            server.get(&format!("/api/v2/{bad}/sessions/x"), "all"),
            server.call("DELETE", &format!("{CXONE}/agent-sessions/{bad}"), Some("agent-bo"), None),
        ];
        for answer in answers {
            assert_eq!((answer.status, answer.code().as_str()), (400, "INVALID_ARGUMENT"), "{bad}: {answer:?}");
            assert!(answer.json()["message"].as_str().unwrap().contains("path segment"), "{bad}: {answer:?}");
        }
    }
}

/// fsync and fdatasync that take 1.5 s once a file named `slow` exists in the current directory:
/// a slow disk, for one process, through `LD_PRELOAD`.
const SLOW_DISK: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>
static void slow_down(void) { if (access("slow", F_OK) == 0) usleep(1500 * 1000); }
int fsync(int fd) { static int (*real)(int); if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync"); slow_down(); return real(fd); }
int fdatasync(int fd) { static int (*real)(int); if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync"); slow_down(); return real(fd); }
"#;

/// On a durable store whose fsyncs take 1.5 s, two long polls whose answers must be made durable
/// hold none of the server's two async workers while the disk works: a request that needs no
/// disk, sent after them, is answered before them. (Before, each poll did its fsync on a worker,
/// and the request waited for one of them to finish.)
#[test]
fn a_slow_disk_delays_the_polls_that_wait_for_it_not_other_requests() {
    let dir = Server::prepare("slow-disk");
    std::fs::write(dir.join("slow_disk.c"), SLOW_DISK).unwrap();
    let built = Command::new("cc")
        .current_dir(&dir)
        .args(["-shared", "-fPIC", "-o", "slow_disk.so", "slow_disk.c", "-ldl"])
        .status()
        .unwrap();
    assert!(built.success());
    let env = [("LD_PRELOAD", dir.join("slow_disk.so").display().to_string()), ("TOKIO_WORKER_THREADS", "2".into())];
    let server = Server::launch_with_env(dir.clone(), &["--store", "store"], None, &env);
    let cursors: Vec<(&str, String)> = ["agent-bo", "agent-cy"]
        .into_iter()
        .map(|agent| {
            let started = server.call("POST", &format!("{CXONE}/agent-sessions"), Some(agent), None);
            let cursor = started.json()["sessionId"].as_str().unwrap().to_owned();
            let first = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=0"), agent);
            let path = format!("{CXONE}/agents/{agent}/custom-event?eventName=Hello&persistInMemory=false&data=d");
            assert_eq!(server.call("PUT", &path, Some("studio"), None).status, 202);
            (agent, first.json()["sessionId"].as_str().unwrap().to_owned())
        })
        .collect();
    std::fs::write(dir.join("slow"), b"").unwrap();
    let finished = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (agent, cursor) in &cursors {
            let (server, finished) = (&server, &finished);
            scope.spawn(move || {
                let answer = server.get(&format!("{CXONE}/agent-sessions/{cursor}/get-next-event?timeout=10"), agent);
                assert_eq!(answer.status, 200, "{answer:?}");
                assert_eq!(answer.json()["events"][0]["eventName"], "Hello", "{answer:?}");
                finished.lock().unwrap().push(*agent);
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        let other = server.raw_within(
            b"GET /nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer all\r\nConnection: close\r\n\r\n",
            Duration::from_secs(30),
        );
        assert_eq!(other.status, 404);
        assert_eq!(
            *finished.lock().unwrap(),
            Vec::<&str>::new(),
            "the polls were answered before a request that needs no disk"
        );
    });
    assert_eq!(finished.lock().unwrap().len(), 2);
    let _ = std::fs::remove_file(dir.join("slow"));
}

/// A header's value in an answer's (lowercased) head, if it is there.
fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.headers.lines().find_map(|line| line.strip_prefix(&format!("{name}:"))).map(str::trim)
}

/// A preflight from `origin` for `method` on `path`, asking for the CXone SDK's headers.
fn preflight(server: &Server, origin: &str, method: &str, path: &str) -> Answer {
    let request = format!(
        "OPTIONS {path} HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\n\
         Access-Control-Request-Headers: authorization,content-type,originating-service-identifier\r\nConnection: close\r\n\r\n"
    );
    server.raw(request.as_bytes())
}

/// docs/http.md, "Browsers and CORS": a preflight from an allowed origin gets the route's own
/// methods and the headers it asked for; any other origin gets 403 and no CORS header; an unknown
/// path is 404; and the answers to an allowed origin's calls carry `Access-Control-Allow-Origin`.
#[test]
fn preflights_answer_allowed_origins_with_the_routes_methods() {
    let page = "http://agent.test:8000";
    let server = Server::start("cors", &["--cors-origin", page, "--cors-origin", "https://other.test"]);
    let start = preflight(&server, page, "POST", &format!("{CXONE}/agent-sessions"));
    assert_eq!(start.status, 204, "{start:?}");
    assert_eq!(header(&start, "access-control-allow-origin"), Some(page));
    assert_eq!(header(&start, "access-control-allow-methods"), Some("post"), "{start:?}");
    let asked = Some("authorization,content-type,originating-service-identifier");
    assert_eq!(header(&start, "access-control-allow-headers"), asked);
    assert_eq!(header(&start, "vary"), Some("origin"));
    let poll = preflight(&server, page, "GET", &format!("{CXONE}/agent-sessions/x/get-next-event"));
    assert_eq!(header(&poll, "access-control-allow-methods"), Some("get,head"), "{poll:?}");
    let definitions = preflight(&server, "https://other.test", "PATCH", "/api/v2/journey/segments/x");
    let methods = header(&definitions, "access-control-allow-methods").unwrap();
    assert!(["get", "patch", "delete"].iter().all(|m| methods.contains(m)), "{definitions:?}");
    let stranger = preflight(&server, "http://evil.test", "POST", &format!("{CXONE}/agent-sessions"));
    assert_eq!((stranger.status, stranger.code().as_str()), (403, "PERMISSION_DENIED"), "{stranger:?}");
    assert_eq!(header(&stranger, "access-control-allow-origin"), None);
    assert_eq!(preflight(&server, page, "GET", "/nowhere").status, 404);
    // A call from the page: its answer is readable by the page; a stranger's is not marked.
    let call = |origin: &str| {
        let request = format!(
            "GET /api/v2/externalcontacts/contacts/email:a/journey/sessions HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer all\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
        );
        server.raw(request.as_bytes())
    };
    let read = call(page);
    assert_eq!((read.status, header(&read, "access-control-allow-origin")), (200, Some(page)), "{read:?}");
    assert_eq!(header(&call("http://evil.test"), "access-control-allow-origin"), None);
    // OPTIONS that is not a preflight is an ordinary request: no route takes OPTIONS.
    assert_eq!(server.call("OPTIONS", "/events", Some("ingest"), None).status, 405);
    drop(server);
    let closed = Server::start("cors-none", &[]);
    assert_eq!(preflight(&closed, page, "POST", &format!("{CXONE}/agent-sessions")).status, 403, "none by default");
    let refused = Command::new(env!("CARGO_BIN_EXE_journey"))
        .args(["serve", "--tokens", "t.json", "--catalog", "c.json", "--cors-origin", "agent.test"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not an origin"), "{refused:?}");
}

/// An answer sent before the request's body was read to its end (a 413 for an announced length,
/// a 401 before a body is read) closes the connection: the unread body must not be taken for the
/// next request. An answer to a request whose body was read keeps the connection.
#[test]
fn an_answer_before_the_body_was_read_closes_the_connection() {
    let server = Server::start("close", &["--max-body-bytes", "100"]);
    let body = "x".repeat(500);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let request = format!(
        "POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ingest\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let refused = read_one_answer(&mut stream);
    assert_eq!(refused.status, 413, "{refused:?}");
    assert_eq!(header(&refused, "connection"), Some("close"), "{refused:?}");
    assert!(closed_within(&mut stream, Duration::from_secs(5)), "the connection stayed open after a 413");
    // A 401 for a body never read closes too.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let request = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    stream.write_all(request.as_bytes()).unwrap();
    let unauthorized = read_one_answer(&mut stream);
    assert_eq!((unauthorized.status, header(&unauthorized, "connection")), (401, Some("close")), "{unauthorized:?}");
    // A body read whole, even refused (400), keeps the connection for the next request.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let request = "POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ingest\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    stream.write_all(request.as_bytes()).unwrap();
    let bad = read_one_answer(&mut stream);
    assert_eq!((bad.status, header(&bad, "connection")), (400, None), "{bad:?}");
    stream.write_all(b"GET /nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer all\r\n\r\n").unwrap();
    assert_eq!(read_one_answer(&mut stream).status, 404, "the kept connection answers the next request");
}

/// docs/http.md, "App events without a token": a deployment named with `--app-deployment` takes
/// app events with no `Authorization` (as Genesys' public route does), from its own origins when a
/// browser sends them (preflights included), at `--app-rate-limit` a second per client with
/// bursts of twice that; any other deployment id still needs an ingest token.
#[test]
fn app_events_of_a_named_deployment_need_no_token() {
    let server = Server::start(
        "deployment",
        &["--app-deployment", "dep-public,type=app,origin=https://shop.test", "--app-rate-limit", "2"],
    );
    let event = |n: usize| {
        json!({"eventName": "screen_viewed", "screenName": "Home", "createdDate": format!("2026-11-21T10:2{n}:00Z"),
            "customerCookieId": "6a1c3a8e-0000-4000-8000-000000000009"})
        .to_string()
    };
    let post = |deployment: &str, origin: Option<&str>, n: usize| {
        let body = event(n);
        let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        let request = format!(
            "POST /api/v2/journey/deployments/{deployment}/appevents HTTP/1.1\r\nHost: x\r\n{origin}\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        server.raw(request.as_bytes())
    };
    let plain = post("dep-public", None, 0);
    assert_eq!(plain.status, 200, "{plain:?}");
    let from_shop = post("dep-public", Some("https://shop.test"), 1);
    assert_eq!((from_shop.status, header(&from_shop, "access-control-allow-origin")), (200, Some("https://shop.test")));
    let elsewhere = post("dep-public", Some("https://evil.test"), 2);
    assert_eq!((elsewhere.status, elsewhere.code().as_str()), (403, "PERMISSION_DENIED"), "{elsewhere:?}");
    let preflighted =
        preflight(&server, "https://shop.test", "POST", "/api/v2/journey/deployments/dep-public/appevents");
    assert_eq!(preflighted.status, 204, "{preflighted:?}");
    let other_route = preflight(&server, "https://shop.test", "GET", "/api/v2/journey/sessions/x");
    assert_eq!(other_route.status, 403, "a deployment's origin may send its app events, nothing else");
    // Another deployment id is not public: a token is needed.
    assert_eq!(post("dep-private", None, 3).status, 401);
    // The burst (4) is used up by now or soon: the client is told to wait.
    let statuses: Vec<u16> = (4..10).map(|n| post("dep-public", None, n).status).collect();
    let limited = statuses.iter().position(|s| *s == 429).unwrap_or_else(|| panic!("never limited: {statuses:?}"));
    assert!(statuses[..limited].iter().all(|s| *s == 200), "{statuses:?}");
    let refused = post("dep-public", None, 9);
    assert_eq!((refused.status, header(&refused, "retry-after")), (429, Some("1")), "{refused:?}");
    // Refused from the headers alone, before any of the body is read (it never comes here): a
    // public route's caller cannot make the server hold what it sends. An admitted caller's body
    // is held to 64 KiB.
    let unread = |deployment: &str, origin: &str, length: usize| {
        let request = format!(
            "POST /api/v2/journey/deployments/{deployment}/appevents HTTP/1.1\r\nHost: x\r\n{origin}\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"a\":"
        );
        server.raw_within(request.as_bytes(), std::time::Duration::from_secs(5))
    };
    assert_eq!(unread("dep-private", "", 60_000).status, 401);
    assert_eq!(unread("dep-public", "Origin: https://evil.test\r\n", 60_000).status, 403);
    assert_eq!(unread("dep-private", "", 10_000_000).status, 413, "over the public routes' 64 KiB, at once");
    let bad_spec = Command::new(env!("CARGO_BIN_EXE_journey"))
        .args(["serve", "--tokens", "t.json", "--catalog", "c.json", "--app-deployment", "dep,colour=red"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad_spec.stderr).contains("colour is not type or origin"), "{bad_spec:?}");
}

/// docs/http.md, "External events": a configuration named with `--external-events` takes
/// Genesys' `ExternalEventsRequest` as events of one catalog event type, validated as any other:
/// the ones refused come back in `unprocessedEntities` with their index and every reason, and the
/// others are in the customer's journey.
#[test]
fn external_events_map_onto_the_catalog_and_name_what_they_refuse() {
    let server = Server::start(
        "external",
        &["--external-events", "orders,type=delivery,event=product_purchased,session=orderId"],
    );
    let entity = |id: u32, attributes: Value| {
        json!({"id": format!("6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e{id:02}"), "dateCreated": "2026-11-21T10:10:00Z",
            "identifiers": {"externalIds": [{"value": "crm-42", "externalSourceId": "crm"}]}, "attributes": attributes})
    };
    let request = json!({"entities": [
        entity(1, json!({"orderId": "order-9", "product": "Helmet", "price": 49.0})),
        entity(2, json!({"orderId": "order-9", "product": "Lock", "price": "cheap"})),
        {"dateCreated": "2026-11-21T10:11:00Z", "attributes": {"orderId": "order-9"}},
    ]});
    let path = "/api/v2/journey/externalevents/configurations/orders/events";
    let answer = server.post_json(path, "ingest", &request);
    assert_eq!(answer.status, 200, "{answer:?}");
    let unprocessed = answer.json()["unprocessedEntities"].as_array().unwrap().clone();
    assert_eq!(unprocessed.len(), 2, "{unprocessed:?}");
    assert_eq!(
        (unprocessed[0]["originalRequestIndex"].clone(), unprocessed[0]["isRetryable"].clone()),
        (json!(1), json!(false))
    );
    assert_eq!(unprocessed[0]["event"], request["entities"][1], "the event as it came");
    assert!(
        unprocessed[0]["errorMessage"].as_str().unwrap().contains("TYPE_MISMATCH at \"/attributes/price\""),
        "{unprocessed:?}"
    );
    assert!(unprocessed[1]["errorMessage"].as_str().unwrap().contains("externalIds"), "{unprocessed:?}");
    let sessions = server.get("/api/v2/externalcontacts/contacts/externalId:crm-42/journey/sessions", "all").json();
    let [session] = sessions["entities"].as_array().unwrap().as_slice() else { panic!("{sessions}") };
    assert_eq!((session["type"].clone(), session["externalId"].clone()), (json!("delivery"), json!("order-9")));
    // Sent again: a duplicate is processed, nothing new is stored.
    let again = server.post_json(path, "ingest", &json!({"entities": [request["entities"][0]]}));
    assert_eq!(again.json()["unprocessedEntities"], json!([]));
    assert_eq!(
        server.post_json("/api/v2/journey/externalevents/configurations/surveys/events", "ingest", &request).status,
        404
    );
    assert_eq!(server.post_json(path, "all", &request).status, 403);
    assert_eq!(server.post_json(path, "ingest", &json!({"events": []})).status, 400);
    // A configuration or deployment the catalog cannot take stops the server at its start.
    let dir = Server::prepare("external-misspelt");
    for (flag, spec, message) in [
        ("--external-events", "orders,type=delivery,event=order_placed", "has no event type \"order_placed\""),
        ("--external-events", "orders,type=shop,event=x", "has no session type \"shop\""),
        ("--app-deployment", "dep,type=mobile", "has no session type \"mobile\""),
    ] {
        let refused = Command::new(env!("CARGO_BIN_EXE_journey"))
            .current_dir(&dir)
            .args([
                "serve",
                "--catalog",
                "catalog.json",
                "--tokens",
                "tokens.json",
                "--listen",
                "127.0.0.1:0",
                flag,
                spec,
            ])
            .output()
            .unwrap();
        assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains(message), "{refused:?}");
    }
}
