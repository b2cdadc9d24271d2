#include <stdio.h>
#include <string.h>
#include "journey.h"

int main(void) {
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    /* A durable store in ./journey-store; journey_engine_new(catalog, config, &engine) keeps it in memory. */
    if (journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T10:20:00Z\"}", &config) != JOURNEY_OK ||
        journey_catalog_new("{\"sessionTypes\":[{\"name\":\"delivery\",\"kind\":\"custom\","
                            "\"eventTypes\":[{\"name\":\"in_transit\"}]}]}", config, &catalog) != JOURNEY_OK ||
        journey_engine_open("journey-store", catalog, config, &engine) != JOURNEY_OK) {
        fprintf(stderr, "%s\n", journey_last_error_message());
        return 1;
    }
    journey_catalog_free(catalog);
    journey_config_free(config);
    const char *event = "{\"eventName\":\"in_transit\",\"createdDate\":\"2026-11-21T10:15:00Z\","
                        "\"customer\":{\"id\":\"cust-42\",\"idType\":\"email\"},"
                        "\"session\":{\"type\":\"delivery\",\"externalId\":\"order-1234\"}}";
    char *outcome = NULL; /* yours: free it with journey_string_free */
    journey_ingest_json(engine, event, strlen(event), &outcome);
    printf("%s\n", outcome); /* {"status":"accepted","eventId":"…","sessionId":"…",…}; "duplicate" when run again */
    journey_string_free(outcome);
    journey_engine_close(engine); /* writes a snapshot: a restart finds the journey again */
    journey_engine_free(engine);
    return 0;
}
