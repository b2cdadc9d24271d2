/* Cancelling a blocked journey_next_events from another thread (SPEC §5.1): the poll returns
 * JOURNEY_CANCELLED having taken nothing, so nothing is lost. Then 10,000 events while another
 * thread cancels polls at random moments: each event arrives exactly once, and the counts reconcile. */
#define _DEFAULT_SOURCE /* usleep */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

#define EVENTS 10000

struct blocked {
    JourneyEngine *engine;
    const char *session;
    JourneyCancel *cancel;
    JourneyStatus status;
    char *result;
};

static void *poll_blocked(void *arg) {
    struct blocked *self = arg;
    self->status = journey_next_events(self->engine, self->session, 60000, JOURNEY_DEFAULT_MAX_EVENTS,
                                       JOURNEY_IMPLICIT_ACK, self->cancel, &self->result);
    return NULL;
}

struct shared {
    JourneyEngine *engine;
    pthread_mutex_t lock;
    JourneyCancel *current; /* the token of the poll under way */
    int done;
};

static void *producer(void *arg) {
    struct shared *shared = arg;
    for (int n = 0; n < EVENTS; n++) {
        char name[32], *sent = NULL;
        snprintf(name, sizeof name, "event-%d", n);
        JourneyStatus status;
        /* A queue at maxPendingPerAgent refuses more, losing nothing: wait for the consumer. */
        while ((status = journey_send_custom_event(shared->engine, "agent-2", name, "x", false, &sent)) == JOURNEY_QUEUE_FULL) {
            usleep(1000);
        }
        CHECK_STATUS(status, JOURNEY_OK);
        journey_string_free(sent);
    }
    return NULL;
}

static void *canceller(void *arg) {
    struct shared *shared = arg;
    unsigned seed = 7;
    for (;;) {
        usleep(rand_r(&seed) % 300);
        pthread_mutex_lock(&shared->lock);
        int done = shared->done;
        if (!done && shared->current != NULL && rand_r(&seed) % 2 == 0) journey_cancel(shared->current);
        pthread_mutex_unlock(&shared->lock);
        if (done) return NULL;
    }
}

/* Counts `"eventName":"event-` in a result and marks each event received. */
static int mark(const char *json, unsigned char *received) {
    int count = 0;
    for (const char *at = json; (at = strstr(at, "\"eventName\":\"event-")) != NULL; at++) {
        int n = atoi(at + strlen("\"eventName\":\"event-"));
        CHECK(n >= 0 && n < EVENTS && received[n] == 0);
        if (n >= 0 && n < EVENTS) received[n] = 1;
        count++;
    }
    return count;
}

int main(void) {
    JourneyEngine *engine = make_engine("2026-11-21T11:00:00Z");
    char *started = NULL, session[64] = "";
    CHECK_STATUS(journey_start_agent_session(engine, "agent-1", &started), JOURNEY_OK);
    CHECK(string_field(started, "sessionId", session, sizeof session));
    journey_string_free(started);
    char *first = NULL;
    CHECK_STATUS(journey_next_events(engine, session, 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &first), JOURNEY_OK);
    journey_string_free(first);

    /* A poll blocked for up to a minute is stopped from another thread. */
    struct blocked blocked = {.engine = engine, .session = session, .result = NULL};
    CHECK_STATUS(journey_cancel_new(&blocked.cancel), JOURNEY_OK);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, poll_blocked, &blocked) == 0);
    usleep(50 * 1000);
    CHECK_STATUS(journey_cancel(blocked.cancel), JOURNEY_OK);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(blocked.status == JOURNEY_CANCELLED);
    CHECK(blocked.result == NULL);
    CHECK(contains(journey_last_error_json(), "\"code\":\"CANCELLED\"") || blocked.status == JOURNEY_CANCELLED);
    char *sent = NULL, *events = NULL;
    CHECK_STATUS(journey_send_custom_event(engine, "agent-1", "kept", "1", false, &sent), JOURNEY_OK);
    journey_string_free(sent);
    CHECK_STATUS(journey_next_events(engine, session, 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, blocked.cancel, &events), JOURNEY_CANCELLED);
    CHECK_STATUS(journey_next_events(engine, session, 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &events), JOURNEY_OK);
    CHECK(contains(events, "\"eventName\":\"kept\""));
    journey_string_free(events);
    journey_cancel_free(blocked.cancel);
    CHECK_STATUS(journey_cancel(NULL), JOURNEY_NULL_ARGUMENT);

    /* 10,000 events, polls cancelled at random moments. */
    char *second = NULL, session2[64] = "";
    CHECK_STATUS(journey_start_agent_session(engine, "agent-2", &second), JOURNEY_OK);
    CHECK(string_field(second, "sessionId", session2, sizeof session2));
    journey_string_free(second);
    struct shared shared = {.engine = engine, .current = NULL, .done = 0};
    pthread_mutex_init(&shared.lock, NULL);
    pthread_t producing, cancelling;
    CHECK(pthread_create(&producing, NULL, producer, &shared) == 0);
    CHECK(pthread_create(&cancelling, NULL, canceller, &shared) == 0);
    unsigned char *received = calloc(EVENTS, 1);
    int total = 0, cancelled = 0;
    while (total < EVENTS) {
        JourneyCancel *token = NULL;
        CHECK_STATUS(journey_cancel_new(&token), JOURNEY_OK);
        pthread_mutex_lock(&shared.lock);
        shared.current = token;
        pthread_mutex_unlock(&shared.lock);
        char *result = NULL;
        JourneyStatus status = journey_next_events(engine, session2, 1000, 64, JOURNEY_IMPLICIT_ACK, token, &result);
        pthread_mutex_lock(&shared.lock);
        shared.current = NULL;
        pthread_mutex_unlock(&shared.lock);
        journey_cancel_free(token);
        if (status == JOURNEY_CANCELLED) {
            cancelled++;
            continue;
        }
        CHECK(status == JOURNEY_OK);
        total += mark(result, received);
        journey_string_free(result);
    }
    pthread_mutex_lock(&shared.lock);
    shared.done = 1;
    pthread_mutex_unlock(&shared.lock);
    CHECK(pthread_join(producing, NULL) == 0);
    CHECK(pthread_join(cancelling, NULL) == 0);
    char *last = NULL, *stats = NULL;
    CHECK_STATUS(journey_next_events(engine, session2, 0, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &last), JOURNEY_OK);
    CHECK(contains(last, "\"status\":\"timeout\"")); /* and acknowledges the last answer */
    journey_string_free(last);
    CHECK(total == EVENTS);
    CHECK(cancelled > 0);
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK);
    /* queued (10,001) = acknowledged (10,001) + overwritten + dropped + pending, all 0 */
    CHECK(contains(stats, "\"customEventsQueued\":10001"));
    CHECK(contains(stats, "\"customEventsDropped\":0"));
    CHECK(contains(stats, "\"customEventsOverwritten\":0"));
    CHECK(contains(stats, "\"customEventsRedelivered\":0"));
    journey_string_free(stats);
    free(received);
    pthread_mutex_destroy(&shared.lock);
    journey_engine_free(engine);
    printf("test_cancel: %d polls cancelled\n", cancelled);
    return report("test_cancel");
}
