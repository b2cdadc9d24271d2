/* Subscriptions through the ABI: order, once/off, failures, and a callback that calls back into
 * the engine. */
#include "check.h"

#define ACTION_ID "3f0c2a9e-1b44-4d8e-9a6b-6f1c8a52e011"
#define ACTION(state) "{\"actionId\":\"" ACTION_ID "\",\"actionState\":\"" state "\",\"actionMediaType\":\"webchat\"," \
    "\"actionMapId\":\"11111111-2222-4333-8444-555555555555\",\"actionMapVersion\":1,"                                   \
    "\"customerId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"customerIdType\":\"cookie\","                            \
    "\"sessionId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\"}"

struct log {
    char lines[16][48];
    int count;
};

static void note(struct log *log, const char *who, const char *event_json) {
    char state[32] = "?";
    string_field(event_json, "actionState", state, sizeof state);
    if (log->count < 16) snprintf(log->lines[log->count++], sizeof log->lines[0], "%s:%s", who, state);
}

static int first(const char *event_json, void *user_data) {
    note(user_data, "first", event_json);
    return 0;
}

static int failing(const char *event_json, void *user_data) {
    (void)event_json;
    (void)user_data;
    return 7;
}

static int once(const char *event_json, void *user_data) {
    note(user_data, "once", event_json);
    return 0;
}

/* Re-entrant: on "offered" it records "accepted" and subscribes and unsubscribes, from inside. */
struct reentry {
    JourneyEngine *engine;
    struct log *log;
};

static int reenter(const char *event_json, void *user_data) {
    struct reentry *ctx = user_data;
    if (!contains(event_json, "\"actionState\":\"offered\"")) return 0;
    char *record = NULL;
    uint64_t id = 0;
    int failures = 0;
    failures += journey_record_action_event(ctx->engine, ACTION("accepted"), &record) != JOURNEY_OK;
    failures += !contains(record, "\"previousState\":\"offered\"");
    journey_string_free(record);
    failures += journey_on(ctx->engine, "webchat:started", first, ctx->log, &id) != JOURNEY_OK;
    failures += journey_off(ctx->engine, id) != JOURNEY_OK;
    note(ctx->log, "reenter", event_json);
    return failures;
}

int main(void) {
    JourneyEngine *engine = make_engine("2026-11-21T10:00:00Z");
    struct log log = {.count = 0};
    struct reentry ctx = {engine, &log};
    uint64_t ids[4] = {0};

    CHECK_STATUS(journey_on(engine, "webchat:all", first, &log, &ids[0]), JOURNEY_OK);
    CHECK_STATUS(journey_on(engine, "all:all", failing, NULL, &ids[1]), JOURNEY_OK);
    CHECK_STATUS(journey_once(engine, "webchat:accepted", once, &log, &ids[2]), JOURNEY_OK);
    CHECK_STATUS(journey_on(engine, "all:offered", reenter, &ctx, &ids[3]), JOURNEY_OK);
    CHECK(ids[0] == 1 && ids[3] == 4);
    CHECK_STATUS(journey_on(engine, "email:all", first, &log, &ids[0]), JOURNEY_INVALID_ARGUMENT);
    CHECK(contains(journey_last_error_message(), "email"));

    char *record = NULL;
    CHECK_STATUS(journey_record_action_event(engine, ACTION("offered"), &record), JOURNEY_OK);
    CHECK(contains(record, "\"duplicate\":false"));
    journey_string_free(record);
    /* The nested "accepted" was delivered (to first and once) inside the reentrant callback. */
    CHECK(log.count == 4);
    CHECK(strcmp(log.lines[0], "first:offered") == 0);
    CHECK(strcmp(log.lines[1], "first:accepted") == 0);
    CHECK(strcmp(log.lines[2], "once:accepted") == 0);
    CHECK(strcmp(log.lines[3], "reenter:offered") == 0);

    CHECK_STATUS(journey_off(engine, 1), JOURNEY_OK);
    CHECK_STATUS(journey_record_action_event(engine, ACTION("started"), &record), JOURNEY_OK);
    journey_string_free(record);
    CHECK(log.count == 4);
    CHECK_STATUS(journey_record_action_event(engine, ACTION("completed"), &record), JOURNEY_OK);
    journey_string_free(record);
    CHECK_STATUS(journey_record_action_event(engine, ACTION("offered"), &record), JOURNEY_INVALID_TRANSITION);
    CHECK(contains(journey_last_error_message(), "'completed' to 'offered'"));

    /* The failing callback ran for offered, accepted, started, completed. */
    char *stats = NULL;
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK);
    CHECK(contains(stats, "\"callbackFailures\":4"));
    journey_string_free(stats);

    journey_engine_free(engine);
    return report("test_callbacks");
}
