/* Every error path of the ABI: NULL arguments, invalid UTF-8, malformed JSON, unknown sessions,
 * the last-error functions, status names, and _free(NULL). */
#include "check.h"

int main(void) {
    JourneyEngine *engine = make_engine("2026-11-21T10:00:00Z");
    char *out = (char *)"untouched";
    uint64_t id = 99;

    /* NULL arguments. Out-parameters are cleared even when the call fails. */
    CHECK_STATUS(journey_ingest_json(NULL, "{}", 2, &out), JOURNEY_NULL_ARGUMENT);
    CHECK(out == NULL);
    CHECK(contains(journey_last_error_message(), "engine"));
    CHECK(contains(journey_last_error_json(), "\"code\":\"NULL_ARGUMENT\""));
    CHECK_STATUS(journey_ingest_json(engine, NULL, 5, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_json(engine, "{}", 2, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_ndjson(engine, NULL, 1, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_batch_json(NULL, "[]", 2, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_journey(engine, NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_session_events(engine, NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_stats(NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_advance(engine, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_set_now(NULL, "2026-11-21T10:00:00Z"), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_start_agent_session(engine, NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_end_agent_session(engine, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_send_custom_event(engine, "a", NULL, "d", false, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_next_events(engine, NULL, 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_record_action_event(engine, NULL, &out), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_on(engine, "all:all", NULL, NULL, &id), JOURNEY_NULL_ARGUMENT);
    CHECK(id == 0);
    CHECK_STATUS(journey_off(NULL, 1), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_catalog_new(NULL, NULL, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_engine_new(NULL, NULL, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_config_new(NULL, NULL), JOURNEY_NULL_ARGUMENT);

    /* A successful call clears the last error. */
    CHECK_STATUS(journey_stats(engine, &out), JOURNEY_OK);
    CHECK(journey_last_error_message() == NULL && journey_last_error_json() == NULL);
    journey_string_free(out);

    /* Invalid UTF-8 in a string argument; in ingest bytes it is a rejected outcome. */
    const char bad_utf8[] = {'a', (char)0xff, (char)0xfe, 0};
    CHECK_STATUS(journey_start_agent_session(engine, bad_utf8, &out), JOURNEY_INVALID_UTF8);
    CHECK(contains(journey_last_error_message(), "agent_id"));
    CHECK_STATUS(journey_advance(engine, bad_utf8), JOURNEY_INVALID_UTF8);
    CHECK_STATUS(journey_ingest_json(engine, bad_utf8, 3, &out), JOURNEY_OK);
    CHECK(contains(out, "\"code\":\"INVALID_JSON\""));
    journey_string_free(out);

    /* Malformed JSON. */
    CHECK_STATUS(journey_journey(engine, "{\"customer\":", &out), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_record_action_event(engine, "[", &out), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_ingest_batch_json(engine, "{\"not\":\"an array\"}", 18, &out), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_ingest_json(engine, "{\"eventName\":", 13, &out), JOURNEY_OK);
    CHECK(contains(out, "\"status\":\"rejected\""));
    journey_string_free(out);
    JourneyConfig *config = NULL;
    CHECK_STATUS(journey_config_new("{\"clok\":\"manual\"}", &config), JOURNEY_INVALID_CONFIG);
    CHECK(config == NULL);
    CHECK(contains(journey_last_error_json(), "\"key\":\"clok\""));
    JourneyCatalog *catalog = NULL;
    CHECK_STATUS(journey_catalog_new("{\"sessionTypes\":[{\"name\":\"9x\",\"kind\":\"custom\"}]}", NULL, &catalog), JOURNEY_INVALID_CATALOG);
    CHECK(contains(journey_last_error_json(), "\"path\":\"/sessionTypes/0/name\""));
    CHECK_STATUS(journey_catalog_new("not json", NULL, &catalog), JOURNEY_INVALID_CATALOG);

    /* Wrong arguments and calls in the wrong order. */
    CHECK_STATUS(journey_next_events(engine, "00000000-0000-4000-8000-000000000000", 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &out), JOURNEY_INVALID_SESSION);
    CHECK(out == NULL);
    CHECK_STATUS(journey_end_agent_session(engine, "not-a-session"), JOURNEY_INVALID_SESSION);
    CHECK_STATUS(journey_journey(engine, "{\"customer\":{\"id\":\"c\",\"idType\":\"email\"},\"viewer\":{}}", &out), JOURNEY_PERMISSION_DENIED);
    CHECK_STATUS(journey_session_events(engine, "{\"sessionId\":\"00000000-0000-4000-8000-000000000000\",\"viewer\":{\"permissions\":[\"journey:event:view\"]}}", &out), JOURNEY_NOT_FOUND);
    CHECK_STATUS(journey_advance(engine, "soon"), JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_on(engine, "email:all", NULL, NULL, &id), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_record_action_event(engine, "{\"actionId\":\"x\"}", &out), JOURNEY_INVALID_ARGUMENT);
    CHECK(contains(journey_last_error_message(), "actionState"));

    /* Status names. */
    CHECK(strcmp(journey_status_name(JOURNEY_OK), "OK") == 0);
    CHECK(strcmp(journey_status_name(JOURNEY_QUEUE_FULL), "QUEUE_FULL") == 0);
    CHECK(strcmp(journey_status_name(JOURNEY_PANIC), "PANIC") == 0);
    /* Any int: no undefined behaviour on the Rust side for values outside the enum. */
    CHECK(strcmp(journey_status_name(-1), "UNKNOWN") == 0);
    CHECK(strcmp(journey_status_name(1 << 30), "UNKNOWN") == 0);
    CHECK(strcmp(journey_version(), "0.1.0") == 0);
    CHECK(JOURNEY_VERSION_MAJOR == 0 && JOURNEY_VERSION_MINOR == 1);

    /* Freeing NULL does nothing. */
    journey_string_free(NULL);
    journey_engine_free(NULL);
    journey_catalog_free(NULL);
    journey_config_free(NULL);

    journey_engine_free(engine);
    return report("test_errors");
}
