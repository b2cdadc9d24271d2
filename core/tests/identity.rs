//! Identity's rules in scenarios (docs/identity.md): what an undo brings back, which time an
//! identifier is seen at, what a viewer in one division follows, what retention takes, and that
//! replay and a snapshot give back the same profiles and counters.

mod common;

use journey_core::{Catalog, Command, Config, Engine};
use serde_json::{Value, json};

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]}]}"#;

fn engine_with(extra: Value) -> Engine {
    let mut config = json!({"clock": "manual", "start": "2026-11-21T11:00:00Z"});
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    Engine::new(Catalog::from_json(CATALOG).unwrap(), Config::from_value(&config).unwrap()).unwrap()
}

fn call(engine: &Engine, op: &str, input: Value) -> Value {
    engine.call(&Command::new(op, input).unwrap()).unwrap()
}

fn id(id_type: &str, id: &str) -> Value {
    json!({"idType": id_type, "id": id})
}

fn event_id(n: u32) -> String {
    format!("6f1c8a52-1b44-4d8e-9a6b-{n:012}")
}

/// Event `n` of `customer` at `time`, carrying `identifiers`, in `division`.
fn event(n: u32, customer: Value, identifiers: Value, time: &str, division: Option<&str>) -> Value {
    let mut event = json!({"id": event_id(n), "eventName": "in_transit", "createdDate": time,
        "customer": customer, "session": {"type": "delivery", "externalId": format!("o{n}")},
        "identifiers": identifiers});
    if let Some(division) = division {
        event["division"] = json!(division);
    }
    event
}

fn ingest(engine: &Engine, event: Value) -> Value {
    let outcome = call(engine, "ingest", event);
    assert_eq!(outcome["status"], "accepted", "{outcome}");
    outcome
}

fn profile(engine: &Engine, customer: Value) -> Value {
    call(engine, "profile", json!({"customer": customer}))
}

fn member_count(engine: &Engine, customer: Value) -> usize {
    profile(engine, customer)["members"].as_array().unwrap().len()
}

#[test]
fn an_undo_makes_the_links_a_limit_refused_because_of_what_it_undid() {
    let limits = json!({"identity": {"limits": {"email": 1}}});
    let undone = engine_with(limits.clone());
    ingest(&undone, event(1, id("cookie", "c"), json!([id("email", "a")]), "2026-11-21T10:00:00Z", None));
    let refused = ingest(&undone, event(2, id("cookie", "c"), json!([id("email", "b")]), "2026-11-21T10:01:00Z", None));
    assert_eq!(refused["identityWarnings"][0]["code"], "IDENTITY_LIMIT");
    assert_eq!(call(&undone, "unlinkEvent", json!({"eventId": event_id(1)}))["unlinked"], 1);
    let never = engine_with(limits);
    ingest(&never, event(1, id("cookie", "c"), json!([]), "2026-11-21T10:00:00Z", None));
    ingest(&never, event(2, id("cookie", "c"), json!([id("email", "b")]), "2026-11-21T10:01:00Z", None));
    assert_eq!(profile(&undone, id("cookie", "c")), profile(&never, id("cookie", "c")));
    assert_eq!(member_count(&undone, id("cookie", "c")), 2);
}

#[test]
fn a_late_event_does_not_rename_a_profile_that_only_grows() {
    let engine = engine_with(json!({}));
    ingest(&engine, event(1, id("cookie", "c"), json!([id("email", "e")]), "2026-11-21T10:45:00Z", None));
    let before = profile(&engine, id("cookie", "c"));
    call(&engine, "advance", json!("1m"));
    // Dated a quarter of an hour before the first: its phone is still seen now, after the others.
    ingest(&engine, event(2, id("phone", "p"), json!([id("email", "e")]), "2026-11-21T10:30:00Z", None));
    let after = profile(&engine, id("cookie", "c"));
    assert_eq!(after["members"].as_array().unwrap().len(), 3);
    assert_eq!(before["profileId"], after["profileId"]);
}

#[test]
fn a_windowed_limit_counts_links_by_when_they_were_made_not_by_event_dates() {
    let engine = engine_with(json!({"allowedLateness": null,
        "identity": {"limits": {"cookie": {"max": 1, "within": "30d"}}}}));
    // Twenty cookies on events dated 51 days back: the first links, the rest break the limit.
    for n in 0..20u32 {
        let outcome = ingest(
            &engine,
            event(n, id("email", "victim"), json!([id("cookie", &format!("k{n}"))]), "2026-10-01T10:00:00Z", None),
        );
        assert_eq!(outcome.get("identityWarnings").is_some(), n > 0, "{outcome}");
    }
    assert_eq!(member_count(&engine, id("email", "victim")), 2);
    // Thirty days on, the window has let go of the first cookie.
    call(&engine, "advance", json!("31d"));
    ingest(&engine, event(30, id("email", "victim"), json!([id("cookie", "k30")]), "2026-12-22T10:00:00Z", None));
    assert_eq!(member_count(&engine, id("email", "victim")), 3);
}

#[test]
fn a_link_made_in_a_division_the_viewer_cannot_see_changes_nothing_it_receives() {
    let engine = engine_with(json!({}));
    ingest(&engine, event(1, id("cookie", "c"), json!([]), "2026-11-21T10:00:00Z", Some("east")));
    ingest(&engine, event(2, id("email", "x@y.z"), json!([]), "2026-11-21T10:01:00Z", Some("east")));
    let east = json!({"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["east"]});
    let page = |engine: &Engine| call(engine, "journey", json!({"customer": id("cookie", "c"), "viewer": east}));
    let seen = |engine: &Engine| call(engine, "profile", json!({"customer": id("cookie", "c"), "viewer": east}));
    let (page_before, profile_before) = (page(&engine), seen(&engine));
    ingest(&engine, event(3, id("cookie", "c"), json!([id("email", "x@y.z")]), "2026-11-21T10:02:00Z", Some("west")));
    assert_eq!(page(&engine), page_before);
    assert_eq!(seen(&engine), profile_before);
    assert_eq!(member_count(&engine, id("cookie", "c")), 2, "the host's view has the link");
    // The same link made where the viewer may look joins the journey: the cookie's two east
    // sessions and the email's (the west one stays hidden).
    ingest(&engine, event(4, id("cookie", "c"), json!([id("email", "x@y.z")]), "2026-11-21T10:03:00Z", Some("east")));
    assert_eq!(page(&engine)["entities"].as_array().unwrap().len(), 3);
    // A host's link without a division is seen by every viewer; with one, only there.
    call(&engine, "link", json!({"from": id("cookie", "c"), "to": id("phone", "p"), "division": "west"}));
    assert_eq!(seen(&engine)["members"].as_array().unwrap().len(), 2);
    call(&engine, "link", json!({"from": id("cookie", "c"), "to": id("phone", "q")}));
    assert_eq!(seen(&engine)["members"].as_array().unwrap().len(), 3);
}

#[test]
fn retention_takes_the_links_of_the_events_it_evicts_and_keeps_a_hosts() {
    let engine = engine_with(json!({"retention": "2h"}));
    ingest(&engine, event(1, id("cookie", "c"), json!([id("email", "x@y.z")]), "2026-11-21T10:30:00Z", None));
    call(&engine, "link", json!({"from": id("cookie", "c"), "to": id("phone", "p")}));
    assert_eq!(member_count(&engine, id("cookie", "c")), 3);
    call(&engine, "advance", json!("30d"));
    assert_eq!(profile(&engine, id("cookie", "c"))["members"], json!([id("cookie", "c"), id("phone", "p")]));
    assert_eq!(member_count(&engine, id("email", "x@y.z")), 1);
}

#[test]
fn replay_and_a_snapshot_give_back_the_same_profiles_and_counters() {
    let dir = common::temp_dir("identity-replay");
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T11:00:00Z",
        "identity": {"limits": {"email": 1, "cookie": {"max": 2, "within": "10m"}}, "cookieTtl": "30m"}}))
    .unwrap();
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let reads = |engine: &Engine| {
        let mut out = Vec::new();
        for i in 0..6 {
            for id_type in ["cookie", "email", "phone"] {
                out.push(profile(engine, id(id_type, &format!("{id_type}{i}"))));
            }
        }
        let stats = serde_json::to_value(engine.stats()).unwrap();
        out.push(json!([stats["identityLinks"], stats["identityBlocked"], stats["identityLimited"]]));
        out
    };
    let live = {
        let engine = Engine::open(&dir, catalog.clone(), config.clone()).unwrap();
        for n in 0..60u32 {
            let identifiers = json!([
                id("email", &format!("email{}", n % 5)),
                id("cookie", &format!("cookie{}", (n * 7) % 6)),
                id("phone", "null")
            ]);
            let customer = id("cookie", &format!("cookie{}", n % 6));
            ingest(&engine, event(n, customer, identifiers, "2026-11-21T10:59:00Z", None));
            call(&engine, "advance", json!("1m"));
            if n % 9 == 0 {
                call(&engine, "unlinkEvent", json!({"eventId": event_id(n / 2)}));
            }
            if n % 13 == 0 {
                call(
                    &engine,
                    "link",
                    json!({"from": id("phone", "phone1"), "to": id("email", &format!("email{}", n % 5))}),
                );
            }
        }
        reads(&engine)
    };
    assert_ne!(live.last().unwrap()[2], 0, "some links were refused");
    let replayed = {
        let engine = Engine::open(&dir, catalog.clone(), config.clone()).unwrap();
        let read = reads(&engine);
        engine.close().unwrap();
        read
    };
    let from_snapshot = reads(&Engine::open(&dir, catalog, config).unwrap());
    assert_eq!(live, replayed);
    assert_eq!(live, from_snapshot);
}

#[test]
fn a_cookie_not_seen_for_cookie_ttl_leaves_its_profile_and_one_still_browsing_stays() {
    let engine = engine_with(json!({"identity": {"cookieTtl": "1d"}}));
    ingest(&engine, event(1, id("cookie", "a"), json!([id("email", "e")]), "2026-11-21T10:59:00Z", None));
    ingest(&engine, event(2, id("cookie", "b"), json!([id("email", "e")]), "2026-11-21T10:59:00Z", None));
    call(&engine, "advance", json!("12h"));
    // The second cookie browses on, carrying no identifier: that is being seen.
    ingest(&engine, event(3, id("cookie", "b"), json!([]), "2026-11-21T22:59:00Z", None));
    call(&engine, "advance", json!("13h"));
    assert_eq!(profile(&engine, id("email", "e"))["members"], json!([id("cookie", "b"), id("email", "e")]));
    assert_eq!(member_count(&engine, id("cookie", "a")), 1);
    call(&engine, "advance", json!("1d"));
    assert_eq!(member_count(&engine, id("email", "e")), 1, "now the second one too");
    // With `cookieTtl: null`, cookies stay.
    let keeping = engine_with(json!({"identity": {"cookieTtl": null}}));
    ingest(&keeping, event(1, id("cookie", "a"), json!([id("email", "e")]), "2026-11-21T10:59:00Z", None));
    call(&keeping, "advance", json!("400d"));
    assert_eq!(member_count(&keeping, id("email", "e")), 2);
}

#[test]
fn a_pair_the_host_unlinked_stays_apart_when_a_later_undo_decides_a_refused_ask_again() {
    let engine = engine_with(json!({"identity": {"limits": {"email": 1}}}));
    ingest(&engine, event(1, id("phone", "x"), json!([id("email", "a")]), "2026-11-21T10:00:00Z", None));
    // Both refused: linking them would give the phone a second e-mail, and the cookie goes first.
    let refused = ingest(
        &engine,
        event(2, id("phone", "x"), json!([id("cookie", "y"), id("email", "b")]), "2026-11-21T10:01:00Z", None),
    );
    assert_eq!(refused["identityWarnings"].as_array().unwrap().len(), 2, "{refused}");
    ingest(&engine, event(3, id("phone", "x"), json!([id("cookie", "y")]), "2026-11-21T10:02:00Z", None));
    call(&engine, "unlink", json!({"from": id("phone", "x"), "to": id("cookie", "y")}));
    assert_eq!(profile(&engine, id("phone", "x"))["members"], json!([id("email", "a"), id("phone", "x")]));
    // Undoing the first e-mail decides event 2 again: the second e-mail joins, the cookie does not.
    call(&engine, "unlinkEvent", json!({"eventId": event_id(1)}));
    assert_eq!(profile(&engine, id("phone", "x"))["members"], json!([id("email", "b"), id("phone", "x")]));
    assert_eq!(member_count(&engine, id("cookie", "y")), 1);
}

#[test]
fn the_profile_id_a_viewer_sees_is_named_by_links_it_may_see() {
    let engine = engine_with(json!({}));
    ingest(&engine, event(1, id("email", "q"), json!([id("phone", "r")]), "2026-11-21T10:59:00Z", Some("south")));
    call(&engine, "advance", json!("1m"));
    ingest(&engine, event(2, id("cookie", "a"), json!([id("email", "q")]), "2026-11-21T11:00:00Z", Some("north")));
    let north = json!({"permissions": ["journey:session:view"], "divisions": ["north"]});
    let seen = call(&engine, "profile", json!({"customer": id("cookie", "a"), "viewer": north}));
    // Without the south event the e-mail and the cookie were first seen together: the canonical
    // text names the profile, as for an engine that never had the south event.
    assert_eq!(seen, json!({"profileId": id("cookie", "a"), "members": [id("cookie", "a"), id("email", "q")]}));
    assert_eq!(profile(&engine, id("cookie", "a"))["profileId"], id("email", "q"), "the host sees the e-mail first");
}

#[test]
fn a_logins_link_lasts_as_long_as_its_event_is_stored() {
    let engine = engine_with(json!({"retention": "2h"}));
    let mut login = event(1, id("cookie", "c"), json!([id("email", "e")]), "2026-11-21T10:59:00Z", None);
    login["session"]["externalId"] = json!("o1");
    ingest(&engine, login);
    // The session stays active for three hours: its events, the login among them, stay stored.
    for n in 0..45u32 {
        call(&engine, "advance", json!("4m"));
        let minutes = 11 * 60 + 4 * (n + 1);
        let time = format!("2026-11-21T{:02}:{:02}:00Z", minutes / 60, minutes % 60);
        let mut scan = event(100 + n, id("cookie", "c"), json!([]), &time, None);
        scan["session"]["externalId"] = json!("o1");
        ingest(&engine, scan);
    }
    assert_eq!(member_count(&engine, id("email", "e")), 2, "the login is still stored");
    // Then the session goes quiet, and retention evicts it with the login.
    call(&engine, "advance", json!("3h"));
    assert_eq!(member_count(&engine, id("email", "e")), 1);
}
