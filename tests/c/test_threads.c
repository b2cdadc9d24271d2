/* Four threads ingest different customers while a fifth long-polls an agent queue, all on one
 * engine. The poller blocks in journey_next_events; the main thread sends it events. */
#include <pthread.h>

#include "check.h"

#define INGESTERS 4
#define EVENTS_EACH 500
#define CUSTOM_EVENTS 20

struct ingester {
    JourneyEngine *engine;
    int index;
    int accepted;
};

static void *ingest_customers(void *arg) {
    struct ingester *self = arg;
    char event[512];
    for (int n = 0; n < EVENTS_EACH; n++) {
        int length = snprintf(event, sizeof event,
                              "{\"eventName\":\"in_transit\",\"createdDate\":\"2026-11-21T10:%02d:%02dZ\","
                              "\"customer\":{\"id\":\"c%d-%d\",\"idType\":\"email\"},"
                              "\"session\":{\"type\":\"delivery\",\"externalId\":\"o%d-%d\"},"
                              "\"attributes\":{\"location\":\"stop %d\"}}",
                              n / 60 % 60, n % 60, self->index, n % 50, self->index, n % 50, n);
        char *outcome = NULL;
        if (journey_ingest_json(self->engine, event, (size_t)length, &outcome) == JOURNEY_OK &&
            contains(outcome, "\"status\":\"accepted\"")) {
            self->accepted++;
        }
        journey_string_free(outcome);
    }
    return NULL;
}

struct poller {
    JourneyEngine *engine;
    char session[64];
    int received;
    /* Events of the latest answer: not acknowledged until the next poll (SPEC §5.1). */
    int last_batch;
    int ended;
};

static void *long_poll(void *arg) {
    struct poller *self = arg;
    for (;;) {
        char *result = NULL;
        if (journey_next_events(self->engine, self->session, 60000, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &result) != JOURNEY_OK) break;
        const char *cursor = result;
        int batch = 0;
        while ((cursor = strstr(cursor, "\"type\":\"CustomEvent\"")) != NULL) {
            batch++;
            cursor++;
        }
        self->received += batch;
        int ended = contains(result, "\"status\":\"sessionEnded\"");
        if (contains(result, "\"status\":\"events\"")) self->last_batch = batch;
        journey_string_free(result);
        if (ended) {
            self->ended = 1;
            break;
        }
    }
    return NULL;
}

int main(void) {
    JourneyEngine *engine = make_engine("2026-11-21T11:00:00Z");
    struct poller poller = {.engine = engine, .received = 0, .last_batch = 0, .ended = 0};
    char *session = NULL;
    CHECK_STATUS(journey_start_agent_session(engine, "agent-1", &session), JOURNEY_OK);
    CHECK(string_field(session, "sessionId", poller.session, sizeof poller.session));
    journey_string_free(session);

    pthread_t poll_thread, threads[INGESTERS];
    struct ingester ingesters[INGESTERS];
    CHECK(pthread_create(&poll_thread, NULL, long_poll, &poller) == 0);
    for (int i = 0; i < INGESTERS; i++) {
        ingesters[i] = (struct ingester){.engine = engine, .index = i, .accepted = 0};
        CHECK(pthread_create(&threads[i], NULL, ingest_customers, &ingesters[i]) == 0);
    }
    for (int n = 0; n < CUSTOM_EVENTS; n++) {
        char name[32], *sent = NULL;
        snprintf(name, sizeof name, "update%d", n);
        CHECK_STATUS(journey_send_custom_event(engine, "agent-1", name, "x", false, &sent), JOURNEY_OK);
        journey_string_free(sent);
    }
    int accepted = 0;
    for (int i = 0; i < INGESTERS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        accepted += ingesters[i].accepted;
    }
    /* Log out to wake the poller for good; whatever it has not taken yet is dropped and counted. */
    char *stats = NULL;
    CHECK_STATUS(journey_end_agent_session(engine, poller.session), JOURNEY_OK);
    CHECK(pthread_join(poll_thread, NULL) == 0);
    CHECK(poller.ended == 1);
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK);
    CHECK(accepted == INGESTERS * EVENTS_EACH);
    CHECK(contains(stats, "\"eventsAccepted\":2000"));
    CHECK(contains(stats, "\"sessionsCreated\":200"));
    /* Every custom event was received and acknowledged, or dropped at logout: what was never
     * received, and the latest answer, which no later poll acknowledged. */
    char dropped[64];
    snprintf(dropped, sizeof dropped, "\"customEventsDropped\":%d", CUSTOM_EVENTS - poller.received + poller.last_batch);
    CHECK(contains(stats, dropped));
    journey_string_free(stats);
    journey_engine_free(engine);
    return report("test_threads");
}
