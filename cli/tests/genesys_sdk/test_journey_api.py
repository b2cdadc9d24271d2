"""Genesys' own Python SDK (PureCloudPlatformClientV2) against `journey serve`.

Its JourneyApi creates, lists, patches and deletes segments, outcomes and action maps through the
SDK's own methods and models, and reads them back unchanged: the routes' paths, bodies, listings,
statuses and date forms are the ones a Genesys client sends and parses. It also reads a contact's
segment assignments and a session's, and runs the action map estimate jobs, over events ingested
through the server's own `POST /events`; sends app events as a mobile app does, with no token, to a
deployment named with `--app-deployment`; and reads a conversation in the SDK's own vocabulary. `make test-genesys-sdk`
runs it (the SDK's version is pinned in requirements.txt beside this file).
"""

import json
import os
import shutil
import signal
import subprocess
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Type, TypeVar

import pytest
from PureCloudPlatformClientV2 import (
    ActionMap,
    ActionMapEstimateRequest,
    ActionMapAction,
    Activation,
    ActionEventRequest,
    ApiClient,
    AppEventRequest,
    AssociatedValueField,
    CustomEventAttribute,
    ExternalEvent,
    ExternalEventExternalId,
    ExternalEventIdentifiers,
    ExternalEventsRequest,
    JourneyApi,
    JourneySegmentRequest,
    OutcomeRequest,
    PatchActionMap,
    PatchOutcome,
    PatchSegment,
    RequestCriteria,
    RequestJourney,
    RequestJourneyPattern,
    WebMessagingOfferFields,
)
from PureCloudPlatformClientV2.rest import ApiException

ROOT = Path(__file__).resolve().parents[3]
JOURNEY = os.environ.get("JOURNEY", str(ROOT / "target" / "debug" / "journey"))
TOKEN = "genesys-sdk"
# A deployment whose app events the server takes without a token, as Genesys' public route does.
DEPLOYMENT = "9b1f6c2e-0000-4000-8000-00000000d001"
# The SDK's token may do everything these tests ask: change definitions, ingest, read journeys.
GRANT = {
    "orchestration": "write",
    "ingest": True,
    "viewer": {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                               "journey:eventType:view"], "divisions": ["*"]},
}


M = TypeVar("M")


def model(cls: Type[M], **fields: Any) -> M:
    """An SDK model with `fields` set through its own setters (its constructors take no arguments)."""
    instance = cls()
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


@pytest.fixture()
def api(tmp_path: Path) -> Iterator[JourneyApi]:
    """A JourneyApi whose base URL is a fresh `journey serve` on the demo's catalog."""
    # The demo's catalog, whose open app session type takes the app events a mobile SDK sends.
    catalog = json.loads((ROOT / "examples" / "data" / "catalog.json").read_text())
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    config = {"clock": "manual", "start": "2026-11-21T10:30:00Z", "allowedLateness": None}
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "tokens.json").write_text(json.dumps({"tokens": {TOKEN: GRANT}}))
    server = subprocess.Popen(
        [JOURNEY, "serve", "--catalog", "catalog.json", "--config", "config.json", "--tokens", "tokens.json",
         "--listen", "127.0.0.1:0", "--app-deployment", DEPLOYMENT,
         "--external-events", "orders,type=delivery,event=product_purchased,session=orderId"],
        cwd=tmp_path, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        assert line.startswith("listening on http://"), line
        client = ApiClient(host=line.split()[-1])
        # The SDK sends what it holds as `Authorization: Bearer <token>`, as after its OAuth login.
        client.access_token = TOKEN
        yield JourneyApi(client)
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0


def delayed_pattern() -> RequestJourney:
    criterion = model(RequestCriteria, key="attributes.reason", values=["weather"], operator="equal",
                      should_ignore_case=True)
    pattern = model(RequestJourneyPattern, criteria=[criterion], count=1, stream_type="Custom",
                    session_type="delivery", event_name="dispatch_delayed")
    return model(RequestJourney, patterns=[pattern])


def delayed_segment(name: str) -> JourneySegmentRequest:
    return model(JourneySegmentRequest, display_name=name, description="The dispatch was delayed",
                 color="#e5a000", is_active=True, should_display_to_agent=True, journey=delayed_pattern())


def status_of(call: Callable[[], object]) -> int:
    """The HTTP status of the ApiException a call of the SDK raises."""
    with pytest.raises(ApiException) as refused:
        call()
    return int(refused.value.status)


def test_segments_are_created_listed_patched_and_deleted(api: JourneyApi) -> None:
    sent = delayed_segment("Dispatch delayed")
    created = api.post_journey_segments(body=sent)
    assert created.version == 1
    assert created.self_uri == f"/api/v2/journey/segments/{created.id}"
    for field in ["display_name", "description", "color", "is_active", "should_display_to_agent"]:
        assert getattr(created, field) == getattr(sent, field), field
    assert created.journey.to_dict() == sent.journey.to_dict()
    assert created.created_date == datetime(2026, 11, 21, 10, 30, tzinfo=timezone.utc)
    assert api.get_journey_segment(created.id).to_dict() == created.to_dict()

    listing = api.get_journey_segments(page_size=10, page_number=1)
    assert [s.to_dict() for s in listing.entities] == [created.to_dict()]
    assert (listing.total, listing.page_count, listing.page_size, listing.page_number) == (1, 1, 10, 1)
    assert listing.next_uri is None and listing.previous_uri is None

    patched = api.patch_journey_segment(created.id, body=model(PatchSegment, version=1, display_name="Dispatch late"))
    assert (patched.version, patched.display_name) == (2, "Dispatch late")
    assert patched.journey.to_dict() == created.journey.to_dict()
    assert api.get_journey_segment(created.id).to_dict() == patched.to_dict()
    # A stale version is Genesys' optimistic-concurrency conflict.
    stale = model(PatchSegment, version=1, is_active=False)
    assert status_of(lambda: api.patch_journey_segment(created.id, body=stale)) == 409

    api.delete_journey_segment(created.id)
    assert status_of(lambda: api.get_journey_segment(created.id)) == 404
    assert api.get_journey_segments().entities == []


def test_segments_page_by_page_number(api: JourneyApi) -> None:
    ids = sorted(api.post_journey_segments(body=delayed_segment(f"Segment {i}")).id for i in range(5))
    pages = [api.get_journey_segments(page_size=2, page_number=n) for n in (1, 2, 3)]
    assert [s.id for page in pages for s in page.entities] == ids
    assert [(p.total, p.page_count) for p in pages] == [(5, 3)] * 3
    assert pages[1].next_uri == "/api/v2/journey/segments?pageSize=2&pageNumber=3"
    assert pages[1].previous_uri == "/api/v2/journey/segments?pageSize=2&pageNumber=1"
    assert pages[2].next_uri is None


def test_action_maps_are_created_listed_patched_and_deleted(api: JourneyApi) -> None:
    segment = api.post_journey_segments(body=delayed_segment("Dispatch delayed"))
    offer = model(WebMessagingOfferFields, offer_text="Where is my parcel?")
    sent = model(
        ActionMap,
        display_name="Offer messaging when the dispatch is late",
        is_active=True,
        trigger_with_segments=[segment.id],
        activation=model(Activation, type="immediate"),
        weight=2,
        ignore_frequency_cap=False,
        action=model(ActionMapAction, media_type="webMessagingOffer", web_messaging_offer_fields=offer),
        start_date=datetime(2026, 11, 1, tzinfo=timezone.utc),
    )
    created = api.post_journey_actionmaps(body=sent)
    assert created.version == 1
    assert created.self_uri == f"/api/v2/journey/actionmaps/{created.id}"
    for field in ["display_name", "is_active", "trigger_with_segments", "weight", "ignore_frequency_cap", "start_date"]:
        assert getattr(created, field) == getattr(sent, field), field
    assert created.activation.to_dict() == sent.activation.to_dict()
    assert created.action.to_dict() == sent.action.to_dict()
    assert api.get_journey_actionmap(created.id).to_dict() == created.to_dict()
    listing = api.get_journey_actionmaps(page_size=25)
    assert [m.to_dict() for m in listing.entities] == [created.to_dict()]

    patched = api.patch_journey_actionmap(created.id, body=model(PatchActionMap, version=1, weight=3))
    assert (patched.version, patched.weight) == (2, 3)
    assert patched.action.to_dict() == created.action.to_dict()
    assert api.get_journey_actionmap(created.id).to_dict() == patched.to_dict()

    # The segment stays while the map triggers with it.
    assert status_of(lambda: api.delete_journey_segment(segment.id)) == 400
    api.delete_journey_actionmap(created.id)
    api.delete_journey_segment(segment.id)
    assert status_of(lambda: api.get_journey_actionmap(created.id)) == 404


# Genesys deprecated its outcome methods (Journey Outcomes are being removed): the SDK warns at
# each call, with a warning filter of its own that pytest's cannot silence, and they still work.
def test_outcomes_are_created_listed_patched_and_deleted(api: JourneyApi) -> None:
    purchase = model(RequestJourneyPattern, criteria=[], count=1, stream_type="Custom", session_type="delivery",
                     event_name="product_purchased")
    sent = model(
        OutcomeRequest,
        display_name="Purchased", is_active=True, is_positive=True,
        journey=model(RequestJourney, patterns=[purchase]),
        associated_value_field=model(AssociatedValueField, data_type="Number", name="attributes.price"),
    )
    created = api.post_journey_outcomes(body=sent)
    assert (created.version, created.display_name, created.is_positive) == (1, "Purchased", True)
    assert created.associated_value_field.to_dict() == sent.associated_value_field.to_dict()
    assert api.get_journey_outcome(created.id).to_dict() == created.to_dict()
    assert [o.id for o in api.get_journey_outcomes().entities] == [created.id]
    patched = api.patch_journey_outcome(created.id, body=model(PatchOutcome, version=1, is_positive=False))
    assert (patched.version, patched.is_positive) == (2, False)
    api.delete_journey_outcome(created.id)
    assert status_of(lambda: api.get_journey_outcome(created.id)) == 404


def test_app_events_go_in_without_a_token_and_read_back(api: JourneyApi) -> None:
    # A client with no token at all: the SDK sends none for this route either way.
    anonymous = JourneyApi(ApiClient(host=api.api_client.host))
    cookie = "6a1c3a8e-0000-4000-8000-000000000042"
    # The SDK models every attribute value as a string; the server reads it as its dataType.
    request = model(AppEventRequest, event_name="screen_viewed", screen_name="Cart", customer_cookie_id=cookie,
                    created_date=datetime(2026, 11, 21, 10, 20, tzinfo=timezone.utc),
                    attributes={"cartItems": model(CustomEventAttribute, data_type="integer", value="3")})
    answer = anonymous.post_journey_deployment_appevents(DEPLOYMENT, body=request)
    assert (answer.customer_id, answer.customer_id_type, answer.event_name) == (cookie, "cookie", "screen_viewed")
    assert answer.screen_name == "Cart"
    events = api.get_journey_session_events(answer.session.id)
    [event] = events.entities
    assert event.id == answer.id and event.customer_id == cookie
    # Another deployment id is not public.
    assert status_of(lambda: anonymous.post_journey_deployment_appevents("not-named", body=request)) == 401
    # A value that does not read as its dataType is refused, naming it.
    request.attributes = {"cartItems": model(CustomEventAttribute, data_type="integer", value="three")}
    request.created_date = datetime(2026, 11, 21, 10, 21, tzinfo=timezone.utc)
    with pytest.raises(ApiException) as refused:
        anonymous.post_journey_deployment_appevents(DEPLOYMENT, body=request)
    assert refused.value.status == 400 and "/attributes/cartItems/value" in str(refused.value.body)


def test_an_app_event_the_catalog_never_named_goes_in_typed_by_its_data_type(api: JourneyApi) -> None:
    # The demo catalog's app session type is open: a new screen of the app needs no new catalog.
    anonymous = JourneyApi(ApiClient(host=api.api_client.host))
    cookie = "6a1c3a8e-0000-4000-8000-000000000043"
    request = model(AppEventRequest, event_name="promo_opened", screen_name="Promo", customer_cookie_id=cookie,
                    created_date=datetime(2026, 11, 21, 10, 22, tzinfo=timezone.utc),
                    attributes={"discount": model(CustomEventAttribute, data_type="integer", value="15"),
                                "code": model(CustomEventAttribute, data_type="string", value="WINTER")})
    answer = anonymous.post_journey_deployment_appevents(DEPLOYMENT, body=request)
    assert (answer.event_name, answer.screen_name) == ("promo_opened", "Promo")
    [event] = api.get_journey_session_events(answer.session.id).entities
    assert event.id == answer.id and event.app_event.event_name == "promo_opened"
    # Stored as the integer its dataType named (the answer types each value by what was stored).
    discount, code = event.app_event.attributes["discount"], event.app_event.attributes["code"]
    assert (discount.data_type, discount.value) == ("integer", "15")
    assert (code.data_type, code.value) == ("string", "WINTER")
    # A value that does not read as its dataType is refused for an open event type too.
    request.attributes = {"discount": model(CustomEventAttribute, data_type="integer", value="fifteen")}
    request.created_date = datetime(2026, 11, 21, 10, 23, tzinfo=timezone.utc)
    with pytest.raises(ApiException) as refused:
        anonymous.post_journey_deployment_appevents(DEPLOYMENT, body=request)
    assert refused.value.status == 400 and "/attributes/discount/value" in str(refused.value.body)


def test_a_conversation_reads_in_the_sdks_vocabulary(api: JourneyApi) -> None:
    started = ingest(api, {"eventName": "conversation_started", "createdDate": "2026-11-21T10:10:00Z",
                           "customer": {"id": "dana@example.com", "idType": "email"},
                           "session": {"type": "conversation", "externalId": "chat-1"},
                           "attributes": {"channel": "webMessaging", "direction": "outbound"}})
    listing = api.get_externalcontacts_contact_journey_sessions("email:dana@example.com")
    [session] = [s for s in listing.entities if s.id == started["sessionId"]]
    # The SDK's enums hold these values (an unknown one would read as "outdated_sdk_version").
    [channel] = session.conversation_channels
    assert (channel.type, channel.message_type) == ("Messaging", "WebMessaging")
    assert session.originating_direction == "Outbound"


def server_json(api: JourneyApi, method: str, path: str, body: Any = None) -> Any:
    """A request to the server with the test's token, for what the SDK has no method for."""
    request = urllib.request.Request(
        f"{api.api_client.host}{path}", data=None if body is None else json.dumps(body).encode(), method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def test_a_front_end_reports_a_web_action_with_the_sdks_action_event(api: JourneyApi) -> None:
    offer = server_json(api, "POST", "/api/v2/journey/actionmaps", {
        "displayName": "Offer the bike guide", "isActive": True,
        "triggerWithEventConditions": [{"key": "attributes.page", "values": ["/bikes"], "streamType": "Web",
                                        "sessionType": "web", "eventName": "page_viewed"}],
        "action": {"mediaType": "contentOffer", "actionTemplate": {"name": "Bike guide"}}})
    visitor = "6a1c3a8e-0000-4000-8000-000000000077"
    session = ingest(api, {"eventName": "page_viewed", "createdDate": "2026-11-21T10:20:00Z",
                           "customer": {"id": visitor, "idType": "cookie"}, "session": {"type": "web"},
                           "attributes": {"page": "/bikes"}})["sessionId"]
    explained = server_json(api, "GET", f"/api/v2/journey/actionmaps/{offer['id']}/explanations/{session}")
    action = explained["qualification"]["actionId"]
    # The front end's client: no token, to a deployment named with --app-deployment.
    anonymous = JourneyApi(ApiClient(host=api.api_client.host))
    offered = model(ActionEventRequest, action_id=action, action_state="offered", session_id=session)
    assert anonymous.post_journey_deployment_actionevent(DEPLOYMENT, offered) is None
    accepted = model(ActionEventRequest, action_id=action, action_state="accepted", session_id=session)
    assert anonymous.post_journey_deployment_actionevent(DEPLOYMENT, accepted) is None
    # The lifecycle holds: a content offer accepted is done.
    qualified = model(ActionEventRequest, action_id=action, action_state="qualified", session_id=session)
    assert status_of(lambda: anonymous.post_journey_deployment_actionevent(DEPLOYMENT, qualified)) == 409


def test_external_events_go_in_through_the_sdk_and_refusals_come_back(api: JourneyApi) -> None:
    def event(n: int, price: Any) -> ExternalEvent:
        crm = model(ExternalEventExternalId, value="crm-42", external_source_id="crm")
        return model(ExternalEvent, id=f"6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e{n:02}",
                     date_created=datetime(2026, 11, 21, 10, n, tzinfo=timezone.utc),
                     identifiers=model(ExternalEventIdentifiers, external_ids=[crm]),
                     attributes={"orderId": "order-9", "product": "Helmet", "price": price})
    answer = api.post_journey_externalevents_configuration_events(
        "orders", body=model(ExternalEventsRequest, entities=[event(1, 49.0), event(2, "cheap")]))
    [refused] = answer.unprocessed_entities
    assert (refused.original_request_index, refused.is_retryable, refused.status_code) == (1, False, 400)
    assert refused.event.id == "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e02" and "/attributes/price" in refused.error_message
    [session] = api.get_externalcontacts_contact_journey_sessions("externalId:crm-42").entities
    assert (session.type, session.external_id, session.customer_id) == ("delivery", "order-9", "crm-42")


def ingest(api: JourneyApi, event: dict[str, Any]) -> dict[str, Any]:
    """Ingests one event through the server's own `POST /events` (the SDK has no such route)."""
    request = urllib.request.Request(
        f"{api.api_client.host}/events", data=json.dumps(event).encode(), method="POST",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        outcome: dict[str, Any] = json.load(answer)
    assert outcome["status"] == "accepted", outcome
    return outcome


def dispatch_delayed(order: str, minute: int, reason: str) -> dict[str, Any]:
    return {"eventName": "dispatch_delayed", "createdDate": f"2026-11-21T10:{minute:02}:00Z",
            "customer": {"id": "dana@example.com", "idType": "email"},
            "session": {"type": "delivery", "externalId": order}, "attributes": {"reason": reason}}


def test_a_contacts_segment_assignments_and_a_sessions(api: JourneyApi) -> None:
    segment = api.post_journey_segments(body=delayed_segment("Dispatch delayed"))
    late = ingest(api, dispatch_delayed("order-1", 0, "Weather"))["sessionId"]
    ingest(api, dispatch_delayed("order-2", 5, "traffic"))

    # The SDK percent-encodes the contact id as a path segment; the server decodes it.
    listing = api.get_externalcontacts_contact_journey_segments("email:dana@example.com", include_merged=True,
                                                               limit=10)
    [assignment] = listing.entities
    assert (assignment.segment.id, assignment.segment.self_uri) == (segment.id, segment.self_uri)
    assert assignment.date_assigned == datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    assert assignment.date_for_unassignment is None
    assert assignment.external_contact.id == "email:dana@example.com"
    assert (assignment.session.id, assignment.session.type) == (late, "delivery")
    assert assignment.session.self_uri == f"/api/v2/journey/sessions/{late}"
    nobody = api.get_externalcontacts_contact_journey_segments("email:nobody@example.com")
    assert nobody.entities == []

    # The session's own card: Genesys' SessionSegmentAssignment.
    session = api.get_journey_session(late)
    assert session.id == late
    [held] = session.segment_assignments
    assert (held.segment.id, held.segment.self_uri) == (segment.id, segment.self_uri)
    assert held.assigned_date == datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    assert session.outcome_achievements == []


# Genesys deprecated the estimate job methods with Journey Outcomes; they warn, as above, and work.
def test_an_estimate_job_is_complete_when_created(api: JourneyApi) -> None:
    # Events before the segment: an estimate recounts the stored sessions, as Genesys' does.
    for n, reason in enumerate(["weather", "traffic", "WEATHER"]):
        ingest(api, dispatch_delayed(f"order-{n}", n, reason))
    segment = api.post_journey_segments(body=delayed_segment("Dispatch delayed"))

    job = api.post_journey_actionmaps_estimates_jobs(body=model(ActionMapEstimateRequest, segment_ids=[segment.id]))
    assert job.self_uri == f"/api/v2/journey/actionmaps/estimates/jobs/{job.id}"
    assert api.get_journey_actionmaps_estimates_job(job.id) == "Complete"
    result = api.get_journey_actionmaps_estimates_job_results(job.id)
    assert (result.qualified_session_count, result.total_session_count) == (2, 3)
    [per_segment] = result.per_segment_counts
    assert (per_segment.segment_id, per_segment.count) == (segment.id, 2)
    assert result.outcomes_scores_count is None

    unknown = "b1c2d3e4-0000-4000-8000-00000000ffff"
    assert status_of(lambda: api.get_journey_actionmaps_estimates_job(unknown)) == 404
    assert status_of(lambda: api.get_journey_actionmaps_estimates_job_results(unknown)) == 404
    refused = model(ActionMapEstimateRequest, segment_ids=[unknown])
    assert status_of(lambda: api.post_journey_actionmaps_estimates_jobs(body=refused)) == 400
