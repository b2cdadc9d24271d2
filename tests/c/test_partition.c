/* Exact partitioning through the C ABI (SPEC §13): journey_route puts customers that share an external id or an
 * event id on one partition, engines fed their lines give one engine's outcomes and summed stats, a cap quarantines,
 * and bad arguments are named. */
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

    journey_string_free(routing);
    journey_engine_free(one);
    for (int p = 0; p < 4; p++) journey_engine_free(parts[p]);
    journey_catalog_free(catalog);
    journey_config_free(config);
    return report("test_partition");
}
