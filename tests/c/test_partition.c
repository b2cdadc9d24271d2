/* Exact partitioning through the C ABI (SPEC §13): journey_route puts customers that share an external id or an
 * event id on one partition, engines fed their lines give one engine's outcomes and summed stats, a cap quarantines,
 * the online router moves a component's state (moveOut/moveIn through journey_call) before the event that links it,
 * the frontier shares an event-clock watermark, a partition takes it with journey_observe_watermark, and bad
 * arguments are named. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"

#define CATALOG "{\"sessionTypes\":[{\"name\":\"d\",\"kind\":\"custom\",\"eventTypes\":[{\"name\":\"e\"}]}]}"
#define CONFIG "{\"clock\":\"manual\",\"start\":\"2026-11-21T10:00:00Z\",\"allowedLateness\":null}"
#define EVENT(id, customer, order) \
    "{\"id\":\"" id "\",\"eventName\":\"e\",\"createdDate\":\"2026-11-21T09:00:00Z\",\"customer\":{\"id\":\"" customer \
    "\",\"idType\":\"email\"},\"session\":{\"type\":\"d\",\"externalId\":\"" order "\"}}"
#define ID(n) "00000000-0000-4000-8000-00000000000" #n

/* Six events: a and b share order o1 (b's is CUSTOMER_MISMATCH), c and d share an event id (d's is a conflict),
 * e is alone, and a blank line between them counts for nothing. */
static const char *LINES[] = {
    EVENT(ID(1), "a", "o1"), EVENT(ID(2), "b", "o1"), EVENT(ID(3), "c", "o3"),
    EVENT(ID(3), "d", "o4"), EVENT(ID(5), "e", "o5"), EVENT(ID(6), "a", "o6"),
};
#define COUNT (sizeof LINES / sizeof LINES[0])

static JourneyEngine *new_engine(JourneyCatalog *catalog, JourneyConfig *config) {
    JourneyEngine *engine = NULL;
    CHECK_STATUS(journey_engine_new(catalog, config, &engine), JOURNEY_OK);
    return engine;
}

/* The partition of line `n` in a routing's compact JSON ({"partitions":[p0,p1,…],…}): -1 for null, -2 past the
 * end of the list. */
static int partition_at(const char *routing, size_t n) {
    const char *at = routing ? strstr(routing, "\"partitions\":[") : NULL;
    if (at == NULL) return -2;
    at += strlen("\"partitions\":[");
    const char *end = strchr(at, ']');
    for (size_t i = 0; i < n && at != NULL && at < end; i++) {
        at = strchr(at, ',');
        if (at != NULL) at++;
    }
    if (at == NULL || at >= end) return -2;
    return strncmp(at, "null", 4) == 0 ? -1 : atoi(at);
}

/* The number after `"name":` in compact JSON, or -1. */
static long number_after(const char *json, const char *name) {
    const char *at = json ? strstr(json, name) : NULL;
    return at ? strtol(at + strlen(name), NULL, 10) : -1;
}

#define SHARED "{\"clock\":\"manual\",\"start\":\"2026-11-21T10:00:00Z\",\"allowedLateness\":null," \
               "\"digestKey\":\"0123456789abcdef0123456789abcdef\"}"

/* b's first event starts a component of its own on another partition than a's; its second names a's order o1, so
 * the router moves b (one event) to a's partition (two events) first, where the event meets a's ownership of o1. */
static void online_router(JourneyCatalog *catalog) {
    char b[16] = "b0";
    uint32_t pa = 0, pb = 0;
    CHECK_STATUS(journey_partition_for("c:email:a", 4, &pa), JOURNEY_OK);
    for (int n = 0; n < 50; n++) {
        snprintf(b, sizeof b, "b%d", n);
        char key[32];
        snprintf(key, sizeof key, "c:email:%s", b);
        CHECK_STATUS(journey_partition_for(key, 4, &pb), JOURNEY_OK);
        if (pb != pa) break;
    }
    CHECK(pa != pb);
    char events[4][512];
    snprintf(events[0], 512, "%s", EVENT(ID(1), "a", "o1"));
    snprintf(events[1], 512, "%s", EVENT(ID(2), "a", "o2"));
    snprintf(events[2], 512, EVENT(ID(7), "%s", "o7"), b);
    snprintf(events[3], 512, EVENT(ID(8), "%s", "o1"), b);

    JourneyConfig *shared = NULL;
    CHECK_STATUS(journey_config_new(SHARED, &shared), JOURNEY_OK);
    JourneyEngine *one = new_engine(catalog, shared), *parts[4];
    for (int p = 0; p < 4; p++) parts[p] = new_engine(catalog, shared);
    JourneyOnlineRouter *router = NULL;
    CHECK_STATUS(journey_online_router_new(catalog, 4, &router), JOURNEY_OK);
    int moves = 0;
    for (int i = 0; i < 4; i++) {
        char *route = NULL, *expected = NULL, *got = NULL;
        CHECK_STATUS(journey_online_router_route(router, events[i], strlen(events[i]), &route), JOURNEY_OK);
        const char *customers = route ? strstr(route, "\"customers\":") : NULL;
        if (customers != NULL) { /* one move: its customers array runs to the end of the move */
            moves++;
            long source = number_after(route, "\"source\":"), target = number_after(route, "\"target\":");
            CHECK(source == (long)pb && target == (long)pa);
            char command[1024], *slice = NULL, *done = NULL;
            const char *end = strchr(customers, ']');
            snprintf(command, sizeof command, "{\"op\":\"moveOut\",\"input\":{%.*s}}", (int)(end - customers + 1), customers);
            CHECK_STATUS(journey_call(parts[source], command, &slice), JOURNEY_OK);
            CHECK(contains(slice, "\"slice\":\""));
            snprintf(command, sizeof command, "{\"op\":\"moveIn\",\"input\":%s}", slice ? slice : "null");
            CHECK_STATUS(journey_call(parts[target], command, &done), JOURNEY_OK);
            journey_string_free(slice);
            journey_string_free(done);
        }
        long partition = number_after(route, "\"partition\":");
        CHECK(partition >= 0 && partition < 4);
        CHECK_STATUS(journey_ingest_json(one, events[i], strlen(events[i]), &expected), JOURNEY_OK);
        if (partition >= 0 && partition < 4) {
            CHECK_STATUS(journey_ingest_json(parts[partition], events[i], strlen(events[i]), &got), JOURNEY_OK);
            CHECK(got != NULL && expected != NULL && strcmp(got, expected) == 0);
        }
        journey_string_free(route);
        journey_string_free(expected);
        journey_string_free(got);
    }
    CHECK(moves == 1);
    char query[512], *expected = NULL, *got = NULL;
    snprintf(query, sizeof query,
             "{\"customer\":{\"id\":\"%s\",\"idType\":\"email\"},\"viewer\":{\"permissions\":"
             "[\"journey:session:view\",\"journey:sessionType:view\"],\"divisions\":[\"*\"]}}", b);
    CHECK_STATUS(journey_journey(one, query, &expected), JOURNEY_OK);
    CHECK_STATUS(journey_journey(parts[pa], query, &got), JOURNEY_OK);
    CHECK(contains(expected, "o7") && got != NULL && expected != NULL && strcmp(got, expected) == 0);
    journey_string_free(expected);
    journey_string_free(got);
    char *refused = NULL;
    CHECK_STATUS(journey_call(parts[0], "{\"op\":\"moveIn\",\"input\":{\"slice\":\"zz\"}}", &refused),
                 JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_online_router_route(router, NULL, 3, &refused), JOURNEY_NULL_ARGUMENT);
    journey_online_router_free(router);
    JourneyOnlineRouter *none = NULL;
    CHECK_STATUS(journey_online_router_new(catalog, 0, &none), JOURNEY_INVALID_ARGUMENT);
    CHECK(none == NULL);
    journey_online_router_free(NULL);
    journey_engine_free(one);
    for (int p = 0; p < 4; p++) journey_engine_free(parts[p]);
    journey_config_free(shared);
}

/* Two partitions of an event clock tell each other what they accepted; the watermark before a position is known
 * once both have passed it. */
static void frontier(void) {
    JourneyConfig *config = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"event\",\"allowedLateness\":\"10m\"}", &config), JOURNEY_OK);
    const char *times = "{\"createdDate\":\"2026-11-21T10:30:00Z\"}\n{\"createdDate\":\"2026-11-21T10:00:00Z\"}\n";
    char *needed = NULL;
    CHECK_STATUS(journey_watermark_needed(config, times, strlen(times), &needed), JOURNEY_OK);
    CHECK(needed != NULL && strcmp(needed, "[false,true]") == 0);
    journey_string_free(needed);
    journey_config_free(config);

    JourneyFrontier *frontier = NULL;
    bool passed = true;
    char *watermark = NULL;
    CHECK_STATUS(journey_frontier_new(2, NULL, &frontier), JOURNEY_OK);
    CHECK_STATUS(journey_frontier_record(frontier, "{\"partition\":0,\"accepted\":[[0,\"2026-11-21T10:30:00Z\"]],"
                                                   "\"next\":5}"), JOURNEY_OK);
    CHECK_STATUS(journey_frontier_passed(frontier, 1, &passed), JOURNEY_OK);
    CHECK(!passed);
    CHECK_STATUS(journey_frontier_watermark_before(frontier, 1, &watermark), JOURNEY_INVALID_ARGUMENT);
    CHECK(watermark == NULL);
    CHECK_STATUS(journey_frontier_record(frontier, "{\"partition\":1,\"accepted\":[],\"next\":null}"), JOURNEY_OK);
    CHECK_STATUS(journey_frontier_passed(frontier, 5, &passed), JOURNEY_OK);
    CHECK(passed);
    CHECK_STATUS(journey_frontier_watermark_before(frontier, 5, &watermark), JOURNEY_OK);
    CHECK(watermark != NULL && strcmp(watermark, "2026-11-21T10:30:00.000Z") == 0);
    journey_string_free(watermark);
    CHECK_STATUS(journey_frontier_record(frontier, "{\"partition\":1}"), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_frontier_record(frontier, "{\"partition\":9,\"next\":null}"), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_frontier_record(NULL, "{}"), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_frontier_passed(frontier, 1, NULL), JOURNEY_NULL_ARGUMENT);
    journey_frontier_free(frontier);
    int64_t first[2] = {0, -1};
    CHECK_STATUS(journey_frontier_new(2, first, &frontier), JOURNEY_OK);
    CHECK_STATUS(journey_frontier_passed(frontier, 0, &passed), JOURNEY_OK);
    CHECK(passed);
    journey_frontier_free(frontier);
    journey_frontier_free(NULL);
    CHECK_STATUS(journey_frontier_new(0, NULL, &frontier), JOURNEY_INVALID_ARGUMENT);
}

/* A partition takes the watermark (the frontier's answer above): an event more than allowedLateness before it is then
 * late there, as it is in one engine that accepted an event at the watermark's time; an engine that did not take it
 * accepts the event. An earlier watermark moves nothing back. */
static void observe_watermark(void) {
    JourneyConfig *config = NULL, *manual = NULL;
    JourneyCatalog *catalog = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"event\",\"allowedLateness\":\"10m\"}", &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(CATALOG, config, &catalog), JOURNEY_OK);
    JourneyEngine *taken = new_engine(catalog, config), *not_taken = new_engine(catalog, config);
    CHECK_STATUS(journey_observe_watermark(taken, "2026-11-21T10:30:00.000Z"), JOURNEY_OK);
    CHECK_STATUS(journey_observe_watermark(taken, "2026-11-21T08:00:00Z"), JOURNEY_OK);
    const char *event = EVENT(ID(1), "a", "o1"); /* at 09:00 */
    char *outcome = NULL;
    CHECK_STATUS(journey_ingest_json(taken, event, strlen(event), &outcome), JOURNEY_OK);
    CHECK(contains(outcome, "\"code\":\"LATE_EVENT\""));
    journey_string_free(outcome);
    CHECK_STATUS(journey_ingest_json(not_taken, event, strlen(event), &outcome), JOURNEY_OK);
    CHECK(contains(outcome, "\"status\":\"accepted\""));
    journey_string_free(outcome);

    CHECK_STATUS(journey_observe_watermark(taken, "half past ten"), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_observe_watermark(taken, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_observe_watermark(NULL, "2026-11-21T10:30:00Z"), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_config_new(CONFIG, &manual), JOURNEY_OK);
    JourneyEngine *manual_clock = new_engine(catalog, manual);
    CHECK_STATUS(journey_observe_watermark(manual_clock, "2026-11-21T10:30:00Z"), JOURNEY_INVALID_ARGUMENT);
    CHECK(contains(journey_last_error_message(), "clock"));
    journey_engine_free(manual_clock);
    journey_engine_free(taken);
    journey_engine_free(not_taken);
    journey_catalog_free(catalog);
    journey_config_free(manual);
    journey_config_free(config);
}

/* A map fires in the customer's partition for an agent logged in on another: the partitions keep the custom event
 * in their outbox (orchestration.customEvents "outbox"), journey_merge_outbox orders a step's entries, the host
 * sends each where journey_command_key routes it and acknowledges them, and the agent's poll returns it. */
static void outbox(void) {
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T10:00:00Z\",\"allowedLateness\":null,"
                                    "\"orchestration\":{\"customEvents\":\"outbox\"}}",
                                    &config),
                 JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(CATALOG, config, &catalog), JOURNEY_OK);
    JourneyEngine *engines[2] = {new_engine(catalog, config), new_engine(catalog, config)};
    const char *map = "{\"op\":\"putActionMap\",\"input\":{\"id\":\"f1000000-0000-4000-8000-0000000000e1\","
                      "\"displayName\":\"Tell the agent\",\"triggerWithEventConditions\":[{\"key\":\"eventName\","
                      "\"values\":[\"e\"],\"streamType\":\"Custom\",\"eventName\":\"e\"}],\"action\":{\"mediaType\":"
                      "\"customEvent\",\"agentId\":\"a1\",\"eventName\":\"orderPlaced\",\"data\":\"look\"}}}";
    char *out = NULL;
    for (int p = 0; p < 2; p++) {
        CHECK_STATUS(journey_call(engines[p], map, &out), JOURNEY_OK);
        journey_string_free(out);
    }
    uint32_t home = 0, customer_home = 0;
    CHECK_STATUS(journey_partition_for("a:a1", 2, &home), JOURNEY_OK);
    char customer[16] = "";
    for (int n = 0; n < 100 && customer_home == home; n++) {
        snprintf(customer, sizeof customer, "c%d", n);
        char key[32];
        snprintf(key, sizeof key, "c:email:%s", customer);
        CHECK_STATUS(journey_partition_for(key, 2, &customer_home), JOURNEY_OK);
    }
    CHECK(customer_home != home);
    CHECK_STATUS(journey_call(engines[home], "{\"op\":\"startAgentSession\",\"input\":{\"agentId\":\"a1\"}}", &out),
                 JOURNEY_OK);
    char poll[160];
    snprintf(poll, sizeof poll, "{\"op\":\"nextEvents\",\"input\":{\"sessionId\":\"%.36s\",\"timeoutMs\":0}}",
             strstr(out, "\"sessionId\":\"") + strlen("\"sessionId\":\""));
    journey_string_free(out);
    char event[512];
    snprintf(event, sizeof event,
             "{\"eventName\":\"e\",\"createdDate\":\"2026-11-21T09:00:00Z\",\"customer\":{\"id\":\"%s\","
             "\"idType\":\"email\"},\"session\":{\"type\":\"d\",\"externalId\":\"o1\"}}",
             customer);
    CHECK_STATUS(journey_ingest_json(engines[customer_home], event, strlen(event), &out), JOURNEY_OK);
    CHECK(contains(out, "\"status\":\"accepted\""));
    journey_string_free(out);

    /* The step's entries from both partitions, as journey_merge_outbox takes them: [[…],[…]]. */
    char *parts[2] = {NULL, NULL};
    for (int p = 0; p < 2; p++) {
        CHECK_STATUS(journey_call(engines[p], "{\"op\":\"outbox\",\"input\":{}}", &parts[p]), JOURNEY_OK);
    }
    CHECK(contains(parts[home], "{\"entries\":[]}"));
    CHECK(contains(parts[customer_home], "\"sequence\":1"));
    /* Each answer is {"entries":[…]}: its array, from the first '[' to the last ']'. */
    char merged_input[2048] = "[";
    for (int p = 0; p < 2; p++) {
        const char *open = strchr(parts[p], '[');
        strncat(merged_input, open, (size_t)(strrchr(parts[p], ']') - open + 1));
        strcat(merged_input, p == 0 ? "," : "]");
        journey_string_free(parts[p]);
    }
    char *merged = NULL;
    CHECK_STATUS(journey_merge_outbox(merged_input, &merged), JOURNEY_OK);
    CHECK(contains(merged, "\"request\":{\"agentId\":\"a1\",\"eventName\":\"orderPlaced\",\"data\":\"look\","
                           "\"persistInMemory\":false}"));
    char send[512];
    const char *request = strstr(merged, "\"request\":") + strlen("\"request\":");
    snprintf(send, sizeof send, "{\"op\":\"sendCustomEvent\",\"input\":%.*s}",
             (int)(strchr(request, '}') - request + 1), request);
    journey_string_free(merged);
    char *key = NULL;
    uint32_t target = 9;
    CHECK_STATUS(journey_command_key(send, &key), JOURNEY_OK);
    CHECK_STATUS(journey_partition_for(key, 2, &target), JOURNEY_OK);
    journey_string_free(key);
    CHECK(target == home);
    CHECK_STATUS(journey_call(engines[target], send, &out), JOURNEY_OK);
    CHECK(contains(out, "\"delivery\":\"queued\""));
    journey_string_free(out);
    CHECK_STATUS(journey_call(engines[customer_home], "{\"op\":\"acknowledgeOutbox\",\"input\":{\"through\":1}}", &out),
                 JOURNEY_OK);
    CHECK(contains(out, "{\"acknowledged\":1}"));
    journey_string_free(out);
    CHECK_STATUS(journey_call(engines[home], poll, &out), JOURNEY_OK);
    CHECK(contains(out, "\"eventName\":\"orderPlaced\""));
    journey_string_free(out);

    CHECK_STATUS(journey_merge_outbox("[[{\"sequence\":\"one\"}]]", &out), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_merge_outbox(NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_merge_outbox("[]", NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_call(engines[0], "{\"op\":\"outbox\",\"input\":{\"max\":0}}", &out), JOURNEY_INVALID_ARGUMENT);
    journey_engine_free(engines[0]);
    journey_engine_free(engines[1]);
    journey_catalog_free(catalog);
    journey_config_free(config);
}

int main(void) {
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    CHECK_STATUS(journey_config_new(CONFIG, &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(CATALOG, config, &catalog), JOURNEY_OK);

    char ndjson[4096] = "";
    for (size_t i = 0; i < COUNT; i++) {
        strcat(ndjson, LINES[i]);
        strcat(ndjson, i == 2 ? "\n\n" : "\n");
    }
    char *routing = NULL;
    CHECK_STATUS(journey_route(catalog, ndjson, strlen(ndjson), 4, 0, &routing), JOURNEY_OK);
    CHECK(contains(routing, "\"quarantined\":[]"));
    CHECK(partition_at(routing, 0) == partition_at(routing, 1)); /* a and b share o1 */
    CHECK(partition_at(routing, 2) == partition_at(routing, 3)); /* c and d share an id */
    CHECK(partition_at(routing, 0) == partition_at(routing, 5)); /* a's two events */
    CHECK(partition_at(routing, 5) >= 0 && partition_at(routing, 6) == -2); /* one entry per non-blank line */

    /* One engine, and four fed their lines in order: the same outcomes and summed stats. */
    JourneyEngine *one = new_engine(catalog, config);
    JourneyEngine *parts[4] = {new_engine(catalog, config), new_engine(catalog, config), new_engine(catalog, config),
                               new_engine(catalog, config)};
    for (size_t i = 0; i < COUNT; i++) {
        char *expected = NULL, *got = NULL;
        CHECK_STATUS(journey_ingest_json(one, LINES[i], strlen(LINES[i]), &expected), JOURNEY_OK);
        int p = partition_at(routing, i);
        CHECK(p >= 0 && p < 4);
        if (p >= 0 && p < 4) {
            CHECK_STATUS(journey_ingest_json(parts[p], LINES[i], strlen(LINES[i]), &got), JOURNEY_OK);
            CHECK(got != NULL && expected != NULL && strcmp(got, expected) == 0);
        }
        journey_string_free(expected);
        journey_string_free(got);
    }
    char array[8192] = "[", *stats = NULL, *total = NULL, *expected_stats = NULL;
    for (int p = 0; p < 4; p++) {
        CHECK_STATUS(journey_stats(parts[p], &stats), JOURNEY_OK);
        if (p > 0) strcat(array, ",");
        if (stats != NULL) strcat(array, stats);
        journey_string_free(stats);
    }
    strcat(array, "]");
    CHECK_STATUS(journey_merge_stats(array, &total), JOURNEY_OK);
    CHECK_STATUS(journey_stats(one, &expected_stats), JOURNEY_OK);
    CHECK(total != NULL && expected_stats != NULL && strcmp(total, expected_stats) == 0);
    CHECK(contains(total, "\"CUSTOMER_MISMATCH\":1") && contains(total, "\"DUPLICATE_ID_CONFLICT\":1"));
    journey_string_free(total);
    journey_string_free(expected_stats);

    /* A producer's partition for a key, and a cap that quarantines the two-event components. */
    uint32_t partition = 99;
    CHECK_STATUS(journey_partition_for("c:email:e", 4, &partition), JOURNEY_OK);
    CHECK((int)partition == partition_at(routing, 4)); /* e is alone: its own key decides */
    char *capped = NULL;
    CHECK_STATUS(journey_route(catalog, ndjson, strlen(ndjson), 4, 1, &capped), JOURNEY_OK);
    CHECK(partition_at(capped, 0) == -1 && partition_at(capped, 4) >= 0);
    CHECK(contains(capped, "\"representative\":\"c:email:a\",\"events\":3"));
    journey_string_free(capped);

    /* Bad arguments. */
    char *out = NULL;
    CHECK_STATUS(journey_route(catalog, ndjson, strlen(ndjson), 0, 0, &out), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_route(NULL, ndjson, strlen(ndjson), 4, 0, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_route(catalog, ndjson, strlen(ndjson), 4, 0, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_partition_for("c:email:e", 70000, &partition), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_partition_for(NULL, 4, &partition), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_partition_for("c:email:e", 4, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_merge_stats("{\"not\":\"an array\"}", &out), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_merge_stats("[]", &out), JOURNEY_OK);
    CHECK(contains(out, "\"eventsAccepted\":0"));
    journey_string_free(out);

    online_router(catalog);
    frontier();
    observe_watermark();
    outbox();

    /* Agent operations and web action events route by their own key. */
    char *key = NULL;
    CHECK_STATUS(journey_command_key("{\"op\":\"startAgentSession\",\"input\":{\"agentId\":\"a1\"}}", &key), JOURNEY_OK);
    CHECK(key != NULL && strcmp(key, "a:a1") == 0);
    journey_string_free(key);
    CHECK_STATUS(journey_command_key("{\"op\":\"stats\"}", &key), JOURNEY_OK);
    CHECK(key == NULL);
    CHECK_STATUS(journey_command_key("{\"op\":\"explode\"}", &key), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_command_key("{", &key), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_command_key(NULL, &key), JOURNEY_NULL_ARGUMENT);

    /* Under an event clock an agent's operation takes the watermark first; an ingest is
     * journey_watermark_needed()'s; under a manual clock nothing does. */
    JourneyConfig *event_clock = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"event\",\"allowedLateness\":\"30m\"}", &event_clock), JOURNEY_OK);
    const char *send = "{\"op\":\"sendCustomEvent\",\"input\":{\"agentId\":\"a1\",\"eventName\":\"x\"}}";
    int needed = -1;
    CHECK_STATUS(journey_command_needs_watermark(event_clock, send, &needed), JOURNEY_OK);
    CHECK(needed == 1);
    CHECK_STATUS(journey_command_needs_watermark(event_clock, "{\"op\":\"stats\"}", &needed), JOURNEY_OK);
    CHECK(needed == 0);
    CHECK_STATUS(journey_command_needs_watermark(config, send, &needed), JOURNEY_OK);
    CHECK(needed == 0);
    CHECK_STATUS(journey_command_needs_watermark(event_clock, "{\"op\":\"explode\"}", &needed), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_command_needs_watermark(NULL, send, &needed), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_command_needs_watermark(event_clock, send, NULL), JOURNEY_NULL_ARGUMENT);
    journey_config_free(event_clock);

    journey_string_free(routing);
    journey_engine_free(one);
    for (int p = 0; p < 4; p++) journey_engine_free(parts[p]);
    journey_catalog_free(catalog);
    journey_config_free(config);
    return report("test_partition");
}
