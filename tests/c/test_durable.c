/* A durable engine through the C ABI (SPEC §11): open a store, ingest, close, reopen and read the
 * journey back; a second open of an open store is JOURNEY_STORE_LOCKED; a closed engine refuses
 * changes but still reads. Orchestration definitions, put through journey_call, come back after a
 * crash. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define CUSTOMER "\"customer\":{\"id\":\"dana@example.com\",\"idType\":\"email\"}"
#define DELIVERY "\"session\":{\"type\":\"delivery\",\"externalId\":\"order-1234\"}"
#define VIEWER "\"viewer\":{\"permissions\":[\"journey:session:view\",\"journey:sessionType:view\"],\"divisions\":[\"*\"]}"
#define EVENT "{\"eventName\":\"product_purchased\",\"createdDate\":\"2026-11-21T09:05:00Z\"," CUSTOMER "," DELIVERY \
              ",\"attributes\":{\"orderId\":\"order-1234\",\"price\":1899.0}}"

static JourneyEngine *open_store(const char *dir, JourneyStatus expected) {
    char *catalog_json = read_file("examples/data/catalog.json");
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    CHECK(catalog_json != NULL);
    CHECK_STATUS(journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T09:05:00Z\"}", &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(catalog_json, config, &catalog), JOURNEY_OK);
    CHECK_STATUS(journey_engine_open(dir, catalog, config, &engine), expected);
    journey_catalog_free(catalog);
    journey_config_free(config);
    free(catalog_json);
    return engine;
}

/* Removes the store's files and its directory. */
static void remove_store(const char *dir) {
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

/* A store that recovers to checkpoints (a stream consumer's): what followed the last checkpoint is dropped on
 * open, and the checkpoint's value comes back through journey_last_checkpoint (and the lastCheckpoint op of
 * journey_call). A checkpoint that fails records nothing. */
static void checkpoints(void) {
    char dir[] = "/tmp/journey-c-checkpoint-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *catalog_json = read_file("examples/data/catalog.json");
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T09:05:00Z\","
                                    "\"store\":{\"recoverTo\":\"checkpoint\"}}", &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(catalog_json, config, &catalog), JOURNEY_OK);
    CHECK_STATUS(journey_engine_open(dir, catalog, config, &engine), JOURNEY_OK);
    char *result = NULL;
    CHECK_STATUS(journey_last_checkpoint(engine, &result), JOURNEY_OK);
    CHECK(result != NULL && strcmp(result, "null") == 0); /* none yet */
    journey_string_free(result);
    CHECK_STATUS(journey_checkpoint(engine, "{\"offset\":41}"), JOURNEY_OK);
    CHECK_STATUS(journey_checkpoint(engine, "{\"offset\":"), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_checkpoint(engine, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_checkpoint(NULL, "{}"), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_last_checkpoint(engine, NULL), JOURNEY_NULL_ARGUMENT);
    size_t big = 70000; /* over the 64 KiB limit once quoted */
    char *too_large = malloc(big + 3);
    CHECK(too_large != NULL);
    too_large[0] = '"';
    memset(too_large + 1, 'x', big);
    strcpy(too_large + 1 + big, "\"");
    CHECK_STATUS(journey_checkpoint(engine, too_large), JOURNEY_INVALID_ARGUMENT);
    free(too_large);
    CHECK_STATUS(journey_ingest_json(engine, EVENT, strlen(EVENT), &result), JOURNEY_OK);
    CHECK(contains(result, "\"status\":\"accepted\""));
    journey_string_free(result);
    journey_engine_free(engine); /* a crash after the checkpoint */

    CHECK_STATUS(journey_engine_open(dir, catalog, config, &engine), JOURNEY_OK);
    CHECK_STATUS(journey_last_checkpoint(engine, &result), JOURNEY_OK);
    CHECK(result != NULL && strcmp(result, "{\"offset\":41}") == 0);
    journey_string_free(result);
    CHECK_STATUS(journey_call(engine, "{\"op\":\"lastCheckpoint\"}", &result), JOURNEY_OK);
    CHECK(result != NULL && strcmp(result, "{\"checkpoint\":{\"offset\":41}}") == 0);
    journey_string_free(result);
    CHECK_STATUS(journey_stats(engine, &result), JOURNEY_OK);
    CHECK(contains(result, "\"eventsAccepted\":0"));
    journey_string_free(result);
    CHECK_STATUS(journey_engine_close(engine), JOURNEY_OK);
    CHECK_STATUS(journey_checkpoint(engine, "{\"offset\":42}"), JOURNEY_IO_ERROR); /* a closed store takes none */
    journey_engine_free(engine);
    journey_catalog_free(catalog);
    journey_config_free(config);
    free(catalog_json);
    remove_store(dir);
}

#define SEGMENT "{\"op\":\"putSegment\",\"input\":{\"id\":\"4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e\"," \
                "\"displayName\":\"Purchased\",\"journey\":{\"patterns\":[{\"count\":1,\"streamType\":\"Custom\"," \
                "\"eventName\":\"%s\"}]}}}"

/* The definition ops through journey_call: their results and statuses, and the journal keeping them. */
static void definitions(void) {
    char dir[] = "/tmp/journey-c-definitions-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    JourneyEngine *engine = open_store(dir, JOURNEY_OK);
    char command[512];
    char *result = NULL;
    snprintf(command, sizeof command, SEGMENT, "product_purchased");
    CHECK_STATUS(journey_call(engine, command, &result), JOURNEY_OK);
    CHECK(contains(result, "\"version\":1") && contains(result, "\"createdDate\":\"2026-11-21T09:05:00.000Z\""));
    journey_string_free(result);
    snprintf(command, sizeof command, SEGMENT, "teleported");
    CHECK_STATUS(journey_call(engine, command, &result), JOURNEY_INVALID_ARGUMENT);
    CHECK(result == NULL && contains(journey_last_error_message(), "/journey/patterns/0/eventName"));
    CHECK_STATUS(journey_call(engine, "{\"op\":\"deleteOutcome\",\"input\":{\"id\":\"x\"}}", &result), JOURNEY_NOT_FOUND);
    journey_engine_free(engine); /* a crash: the journal holds the put */

    engine = open_store(dir, JOURNEY_OK);
    CHECK_STATUS(journey_call(engine, "{\"op\":\"listSegments\"}", &result), JOURNEY_OK);
    CHECK(contains(result, "{\"entities\":[{") && contains(result, "\"displayName\":\"Purchased\""));
    journey_string_free(result);
    CHECK_STATUS(journey_call(engine, "{\"op\":\"deleteSegment\",\"input\":{\"id\":\"4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e\"}}", &result), JOURNEY_OK);
    CHECK(result != NULL && strcmp(result, "{}") == 0);
    journey_string_free(result);
    journey_engine_free(engine);
    remove_store(dir);
}

int main(void) {
    char dir[] = "/tmp/journey-c-store-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);

    JourneyEngine *engine = open_store(dir, JOURNEY_OK);
    char *outcome = NULL;
    CHECK_STATUS(journey_ingest_json(engine, EVENT, strlen(EVENT), &outcome), JOURNEY_OK);
    CHECK(contains(outcome, "\"status\":\"accepted\""));
    journey_string_free(outcome);

    /* One owner: a second engine cannot open the store. */
    JourneyEngine *second = open_store(dir, JOURNEY_STORE_LOCKED);
    CHECK(second == NULL);
    CHECK(contains(journey_last_error_json(), "\"code\":\"STORE_LOCKED\""));

    CHECK_STATUS(journey_engine_close(engine), JOURNEY_OK);
    CHECK_STATUS(journey_engine_close(engine), JOURNEY_OK); /* closing twice does nothing */
    CHECK_STATUS(journey_ingest_json(engine, EVENT, strlen(EVENT), &outcome), JOURNEY_IO_ERROR);
    CHECK(outcome == NULL);
    char *stats = NULL;
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK); /* reads still work */
    CHECK(contains(stats, "\"eventsAccepted\":1"));
    journey_string_free(stats);
    journey_engine_free(engine);

    /* A restart: the journey is still there, and a resend is a duplicate. */
    engine = open_store(dir, JOURNEY_OK);
    char *page = NULL;
    CHECK_STATUS(journey_journey(engine, "{" CUSTOMER "," VIEWER "}", &page), JOURNEY_OK);
    CHECK(contains(page, "\"eventCount\":1"));
    CHECK(contains(page, "\"externalId\":\"order-1234\""));
    journey_string_free(page);
    CHECK_STATUS(journey_ingest_json(engine, EVENT, strlen(EVENT), &outcome), JOURNEY_OK);
    CHECK(contains(outcome, "\"status\":\"duplicate\""));
    journey_string_free(outcome);
    CHECK_STATUS(journey_engine_snapshot(engine), JOURNEY_OK);
    journey_engine_free(engine); /* without close: the next open replays the journal */

    checkpoints();
    definitions();

    JourneyEngine *unopened = NULL;
    CHECK_STATUS(journey_engine_close(NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_engine_open(NULL, NULL, NULL, &unopened), JOURNEY_NULL_ARGUMENT);
    CHECK(unopened == NULL);
    remove_store(dir);
    return report("test_durable");
}
