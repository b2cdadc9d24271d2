/* The bike delivery of seed 000 through the C ABI: order, delay pushed to the agent, transit with a
 * late event, delivery; the agent's journey after each step. */
#include "check.h"

#define CUSTOMER "\"customer\":{\"id\":\"dana@example.com\",\"idType\":\"email\"}"
#define DELIVERY "\"session\":{\"type\":\"delivery\",\"externalId\":\"order-1234\"}"
#define VIEWER "\"viewer\":{\"permissions\":[\"journey:session:view\",\"journey:sessionType:view\",\"journey:event:view\",\"journey:eventType:view\"],\"divisions\":[\"*\"]}"

static char *ingest(JourneyEngine *engine, const char *event) {
    char *outcome = NULL;
    CHECK_STATUS(journey_ingest_json(engine, event, strlen(event), &outcome), JOURNEY_OK);
    return outcome;
}

static char *journey_page(JourneyEngine *engine) {
    char *page = NULL;
    CHECK_STATUS(journey_journey(engine, "{" CUSTOMER "," VIEWER "}", &page), JOURNEY_OK);
    return page;
}

int main(void) {
    JourneyEngine *engine = make_engine("2026-11-21T09:05:00Z");

    char *outcome = ingest(engine, "{\"eventName\":\"product_purchased\",\"createdDate\":\"2026-11-21T09:05:00Z\"," CUSTOMER "," DELIVERY
                                   ",\"attributes\":{\"orderId\":\"order-1234\",\"price\":1899.0}}");
    CHECK(contains(outcome, "\"status\":\"accepted\""));
    CHECK(contains(outcome, "\"sessionCreated\":true"));
    char session_id[64] = "";
    CHECK(string_field(outcome, "sessionId", session_id, sizeof session_id));
    journey_string_free(outcome);

    char *page = journey_page(engine);
    CHECK(contains(page, "\"status\":\"live\""));
    CHECK(contains(page, "\"eventCount\":1"));
    journey_string_free(page);

    CHECK_STATUS(journey_advance(engine, "46s"), JOURNEY_OK);
    page = journey_page(engine);
    CHECK(contains(page, "\"status\":\"idle\""));
    journey_string_free(page);

    /* The agent on the call logs in; the dispatch delay is pushed to them. */
    char *session = NULL;
    char agent_session[64] = "";
    CHECK_STATUS(journey_start_agent_session(engine, "agent-bo", &session), JOURNEY_OK);
    CHECK(string_field(session, "sessionId", agent_session, sizeof agent_session));
    journey_string_free(session);
    CHECK_STATUS(journey_set_now(engine, "2026-11-21T09:20:00Z"), JOURNEY_OK);
    outcome = ingest(engine, "{\"eventName\":\"dispatch_delayed\",\"createdDate\":\"2026-11-21T09:20:00Z\"," CUSTOMER "," DELIVERY
                             ",\"attributes\":{\"reason\":\"gear hub out of stock\"}}");
    CHECK(contains(outcome, "\"eventCount\":2"));
    journey_string_free(outcome);
    char *sent = NULL;
    CHECK_STATUS(journey_send_custom_event(engine, "agent-bo", "dispatchDelayed", "order-1234", false, &sent), JOURNEY_OK);
    CHECK(contains(sent, "\"delivery\":\"queued\""));
    journey_string_free(sent);
    char *events = NULL;
    CHECK_STATUS(journey_next_events(engine, agent_session, 0, 0, JOURNEY_IMPLICIT_ACK, NULL, &events), JOURNEY_INVALID_ARGUMENT); /* as in every language */
    CHECK(events == NULL);
    CHECK_STATUS(journey_next_events(engine, agent_session, 1000, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &events), JOURNEY_OK);
    CHECK(contains(events, "\"type\":\"AgentSessionStart\""));
    CHECK(contains(events, "\"eventName\":\"dispatchDelayed\""));
    CHECK(contains(events, "\"data\":\"order-1234\""));
    journey_string_free(events);

    /* In transit twice, then a late scan that must not move the bike back. */
    CHECK_STATUS(journey_set_now(engine, "2026-11-21T10:10:00Z"), JOURNEY_OK);
    journey_string_free(ingest(engine, "{\"eventName\":\"in_transit\",\"createdDate\":\"2026-11-21T09:40:00Z\"," CUSTOMER "," DELIVERY
                                       ",\"attributes\":{\"location\":\"Depot 7\"}}"));
    journey_string_free(ingest(engine, "{\"eventName\":\"in_transit\",\"createdDate\":\"2026-11-21T10:10:00Z\"," CUSTOMER "," DELIVERY
                                       ",\"attributes\":{\"location\":\"Main St\"}}"));
    outcome = ingest(engine, "{\"eventName\":\"in_transit\",\"createdDate\":\"2026-11-21T09:55:00Z\"," CUSTOMER "," DELIVERY
                             ",\"attributes\":{\"location\":\"Ring road\"}}");
    CHECK(contains(outcome, "\"eventIndex\":3"));
    journey_string_free(outcome);
    page = journey_page(engine);
    CHECK(contains(page, "\"location\":\"Main St\""));
    CHECK(contains(page, "\"eventCount\":5"));
    journey_string_free(page);

    CHECK_STATUS(journey_set_now(engine, "2026-11-21T10:30:00Z"), JOURNEY_OK);
    journey_string_free(ingest(engine, "{\"eventName\":\"item_delivered\",\"createdDate\":\"2026-11-21T10:30:00Z\"," CUSTOMER "," DELIVERY
                                       ",\"attributes\":{\"location\":\"front door\",\"signedBy\":\"Dana\"}}"));
    page = journey_page(engine);
    CHECK(contains(page, "\"status\":\"ended\""));
    CHECK(contains(page, "\"endedDate\":\"2026-11-21T10:30:00.000Z\""));
    journey_string_free(page);

    /* The session's events, in time order. */
    char query[256];
    snprintf(query, sizeof query, "{\"sessionId\":\"%s\"," VIEWER "}", session_id);
    char *listing = NULL;
    CHECK_STATUS(journey_session_events(engine, query, &listing), JOURNEY_OK);
    CHECK(contains(listing, "\"eventIndex\":5"));
    CHECK(contains(listing, "\"signedBy\":\"Dana\""));
    journey_string_free(listing);

    /* NDJSON and array batches: a bad line is an outcome, not a failure. */
    const char *ndjson = "{\"eventName\":\"page_viewed\",\"createdDate\":\"2026-11-21T10:29:00Z\"," CUSTOMER
                         ",\"session\":{\"type\":\"web\"},\"attributes\":{\"page\":\"/orders\"}}\nnot json\n";
    char *batch = NULL;
    CHECK_STATUS(journey_ingest_ndjson(engine, ndjson, strlen(ndjson), &batch), JOURNEY_OK);
    CHECK(contains(batch, "\"accepted\":1"));
    CHECK(contains(batch, "\"rejected\":1"));
    journey_string_free(batch);
    CHECK_STATUS(journey_ingest_batch_json(engine, "[{},1]", 6, &batch), JOURNEY_OK);
    CHECK(contains(batch, "\"rejected\":2"));
    journey_string_free(batch);

    char *stats = NULL;
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK);
    CHECK(contains(stats, "\"eventsAccepted\":7"));
    CHECK(contains(stats, "\"sessionsEnded\":1"));
    CHECK(contains(stats, "\"customEventsQueued\":1"));
    journey_string_free(stats);

    /* Paths: the delivery's steps as a tree; a viewer without journey:event:view may not ask. */
    char *paths = NULL;
    const char *everything = "{\"query\":{\"sessions\":{\"types\":[\"delivery\"]},\"depth\":2},\"viewer\":"
                             "{\"permissions\":[\"journey:session:view\",\"journey:sessionType:view\","
                             "\"journey:event:view\"],\"divisions\":[\"*\"]}}";
    CHECK_STATUS(journey_paths(engine, everything, &paths), JOURNEY_OK);
    CHECK(contains(paths, "\"step\":\"product_purchased\",\"sessions\":1"));
    CHECK(contains(paths, "\"dropOff\":1"));
    journey_string_free(paths);
    CHECK_STATUS(journey_paths(engine, "{\"query\":{},\"viewer\":{\"permissions\":[],\"divisions\":[]}}", &paths),
                 JOURNEY_PERMISSION_DENIED);
    CHECK(paths == NULL);
    CHECK_STATUS(journey_paths(engine, "{\"query\":{\"depth\":11},\"viewer\":{\"permissions\":"
                                       "[\"journey:session:view\",\"journey:event:view\"],\"divisions\":[]}}", &paths),
                 JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_paths(engine, "{", &paths), JOURNEY_INVALID_JSON);

    CHECK_STATUS(journey_end_agent_session(engine, agent_session), JOURNEY_OK);
    journey_engine_free(engine);
    return report("test_flow");
}
