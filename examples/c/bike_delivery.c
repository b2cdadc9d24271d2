/* The bike delivery of seed 000 through libjourney's C ABI, as a C or C++ contact-center plugin
 * would drive it: ingest what the shipping and telephony systems report, push the dispatch delay to
 * the agent on the call (who long-polls on their own thread), follow the web chat offer, and print
 * what the agent sees after each step.
 *
 * Build: make -C examples/c   (uses pkg-config; see the Makefile), or `make demo-c` from the top. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"

#define CUSTOMER "\"customer\":{\"id\":\"dana@example.com\",\"idType\":\"email\"}"
#define DELIVERY(name, at, attrs) \
    "{\"eventName\":\"" name "\",\"createdDate\":\"" at "\"," CUSTOMER ",\"session\":{\"type\":\"delivery\",\"externalId\":\"order-1234\"},\"attributes\":" attrs "}"
#define WEB(at, page) "{\"eventName\":\"page_viewed\",\"createdDate\":\"" at "\"," CUSTOMER ",\"session\":{\"type\":\"web\"},\"attributes\":{\"page\":\"" page "\"}}"
#define CALL(name, at, attrs) \
    "{\"eventName\":\"" name "\",\"createdDate\":\"" at "\"," CUSTOMER ",\"session\":{\"type\":\"conversation\",\"externalId\":\"call-777\"},\"attributes\":" attrs "}"
#define CHAT(state) "{\"actionId\":\"3f0c2a9e-1b44-4d8e-9a6b-6f1c8a52e011\",\"actionState\":\"" state "\",\"actionMediaType\":\"webchat\"," \
    "\"actionMapId\":\"11111111-2222-4333-8444-555555555555\",\"actionMapVersion\":2,\"customerId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"," \
    "\"customerIdType\":\"cookie\",\"sessionId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\"}"
#define QUERY "{" CUSTOMER ",\"viewer\":{\"permissions\":[\"journey:session:view\",\"journey:sessionType:view\",\"routing:wrapupCode:view\",\"routing:queue:search\"],\"divisions\":[\"*\"]}}"

/* One moment of the story. */
struct step {
    const char *at;
    const char *title;
    const char *events[6];
    const char *chat[3];
    const char *custom_event; /* data of a dispatchDelayed event for agent-bo, or NULL */
};

static const struct step story[] = {
    {"2026-11-21T09:00:00Z", "Dana browses the shop's website",
     {WEB("2026-11-21T08:58:00Z", "/bikes"), WEB("2026-11-21T09:00:00Z", "/bikes/custom-builder")}, {CHAT("qualified"), CHAT("offered")}, NULL},
    {"2026-11-21T09:05:00Z", "1: Order placed in the store",
     {DELIVERY("product_purchased", "2026-11-21T09:05:00Z", "{\"orderId\":\"order-1234\",\"price\":1899.0}")}, {CHAT("accepted"), CHAT("started")}, NULL},
    {"2026-11-21T09:05:50Z", "50 seconds without news: the delivery card turns idle", {NULL}, {NULL}, NULL},
    {"2026-11-21T09:06:10Z", "After a minute it is inactive", {NULL}, {NULL}, NULL},
    {"2026-11-21T09:15:00Z", "Dana calls; Ann answers, then transfers to Deliveries",
     {CALL("conversation_started", "2026-11-21T09:14:00Z", "{\"channel\":\"voice\",\"direction\":\"inbound\"}"),
      CALL("queue_joined", "2026-11-21T09:14:05Z", "{\"queueId\":\"q-sales\"}"),
      CALL("agent_connected", "2026-11-21T09:14:20Z", "{\"agentId\":\"agent-ann\",\"queueId\":\"q-sales\"}"),
      CALL("transferred", "2026-11-21T09:14:50Z", "{\"toQueueId\":\"q-deliveries\"}"),
      CALL("agent_connected", "2026-11-21T09:15:00Z", "{\"agentId\":\"agent-bo\",\"queueId\":\"q-deliveries\"}")}, {CHAT("engaged")}, NULL},
    {"2026-11-21T09:20:00Z", "2: Dispatch delayed; the agent on the call is told at once",
     {DELIVERY("dispatch_delayed", "2026-11-21T09:20:00Z", "{\"reason\":\"gear hub out of stock\",\"eta\":\"2026-11-24T12:00:00Z\"}")}, {NULL},
     "order-1234: gear hub out of stock, new ETA 2026-11-24 12:00"},
    {"2026-11-21T09:40:00Z", "3: In transit; the call has ended and is wrapped up",
     {DELIVERY("in_transit", "2026-11-21T09:40:00Z", "{\"location\":\"Depot 7\"}"), CALL("conversation_ended", "2026-11-21T09:31:00Z", "{}"),
      CALL("wrapup", "2026-11-21T09:32:00Z", "{\"code\":\"delivery-delay\"}")}, {CHAT("completed")}, NULL},
    {"2026-11-21T10:10:00Z", "In transit again, 2 km away", {DELIVERY("in_transit", "2026-11-21T10:10:00Z", "{\"location\":\"Main St, 2 km away\"}")}, {NULL}, NULL},
    {"2026-11-21T10:11:00Z", "A late scan (09:55) arrives: stored, but it must not move the bike back",
     {DELIVERY("in_transit", "2026-11-21T09:55:00Z", "{\"location\":\"Ring road\"}")}, {NULL}, NULL},
    {"2026-11-21T10:30:00Z", "4: Item delivered", {DELIVERY("item_delivered", "2026-11-21T10:30:00Z", "{\"location\":\"front door\",\"signedBy\":\"Dana\"}")}, {NULL}, NULL},
};

/* Exits with the last error when a call fails. */
static void ok(JourneyStatus status, const char *what) {
    if (status != JOURNEY_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", what, journey_status_name(status), journey_last_error_message());
        exit(1);
    }
}

/* Copies the JSON value after `"key":` (a string without its quotes, or a raw token) from `from`. */
static const char *field(const char *from, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *start = strstr(from, pattern);
    out[0] = '\0';
    if (start == NULL) return from;
    start += strlen(pattern);
    int quoted = *start == '"';
    const char *end = quoted ? strchr(start + 1, '"') : strpbrk(start, ",}");
    if (end == NULL) return from;
    if (*start == '{') end = strchr(start, '}') + 1; /* a flat object, such as attributes */
    start += quoted;
    size_t length = (size_t)(end - start) < size - 1 ? (size_t)(end - start) : size - 1;
    memcpy(out, start, length);
    out[length] = '\0';
    return end;
}

/* Prints the session cards of a journey page; their fields come in a fixed order. */
static void print_cards(const char *page) {
    printf("   %-14s %-12s %-9s %6s  %-18s %s\n", "SESSION", "ID", "STATUS", "EVENTS", "LAST EVENT", "DETAILS");
    const char *card = page;
    while ((card = strstr(card, "\"displayName\":")) != NULL) {
        char name[32], external[32], status[16], last[32], count[8], details[160];
        card = field(card, "displayName", name, sizeof name);
        card = field(card, "externalId", external, sizeof external);
        card = field(card, "status", status, sizeof status);
        card = field(card, "eventName", last, sizeof last);
        card = field(card, "eventCount", count, sizeof count);
        card = field(card, "attributes", details, sizeof details);
        const char *next = strstr(card, "\"displayName\":");
        const char *conversation = strstr(card, "\"conversation\":");
        if (conversation != NULL && (next == NULL || conversation < next)) {
            char queue[32], agent[32], wrapup[32];
            field(conversation, "lastConnectedQueue", queue, sizeof queue);
            field(conversation, "lastConnectedUser", agent, sizeof agent);
            field(conversation, "wrapupCode", wrapup, sizeof wrapup);
            snprintf(details, sizeof details, "queue=%s agent=%s wrapup=%s", queue, agent, wrapup);
        }
        printf("   %-14s %-12s %-9s %6s  %-18s %s\n", name, strcmp(external, "null") ? external : "-", status, count, last, details);
    }
}

/* The agent's desktop: long-polls on its own thread and prints custom events as they arrive. */
struct desktop {
    JourneyEngine *engine;
    char session[64];
    pthread_mutex_t lock;
    pthread_cond_t printed;
    int shown;
};

static void *agent_desktop(void *arg) {
    struct desktop *desktop = arg;
    for (;;) {
        char *result = NULL;
        if (journey_next_events(desktop->engine, desktop->session, 30000, JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, NULL, &result) != JOURNEY_OK) break;
        int ended = strstr(result, "\"sessionEnded\"") != NULL;
        for (const char *e = result; (e = strstr(e, "\"type\":\"CustomEvent\"")) != NULL; e++) {
            char name[64], data[128];
            field(e, "eventName", name, sizeof name);
            field(e, "data", data, sizeof data);
            printf("   [agent-bo's desktop] %s: %s\n", name, data);
            pthread_mutex_lock(&desktop->lock);
            desktop->shown++;
            pthread_cond_signal(&desktop->printed);
            pthread_mutex_unlock(&desktop->lock);
        }
        journey_string_free(result);
        if (ended) break;
    }
    return NULL;
}

static int chat_changed(const char *event_json, void *user_data) {
    (void)user_data;
    char state[32];
    field(event_json, "actionState", state, sizeof state);
    printf("   [webchat] offer is now %s\n", state);
    return 0;
}

static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = calloc((size_t)size + 1, 1);
    if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size) text[0] = '\0';
    fclose(file);
    return text;
}

int main(int argc, char **argv) {
    const char *catalog_path = argc > 1 ? argv[1] : "examples/data/catalog.json";
    char *catalog_json = read_file(catalog_path);
    if (catalog_json == NULL) {
        fprintf(stderr, "cannot read %s\n", catalog_path);
        return 1;
    }
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    ok(journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T08:58:00Z\"}", &config), "config");
    ok(journey_catalog_new(catalog_json, config, &catalog), "catalog");
    ok(journey_engine_new(catalog, config, &engine), "engine");
    journey_catalog_free(catalog);
    journey_config_free(config);
    free(catalog_json);
    printf("libjourney %s\n", journey_version());

    uint64_t subscription = 0;
    ok(journey_on(engine, "webchat:all", chat_changed, NULL, &subscription), "on");
    struct desktop desktop = {.engine = engine, .shown = 0};
    pthread_mutex_init(&desktop.lock, NULL);
    pthread_cond_init(&desktop.printed, NULL);
    char *session = NULL;
    ok(journey_start_agent_session(engine, "agent-bo", &session), "agent login");
    field(session, "sessionId", desktop.session, sizeof desktop.session);
    journey_string_free(session);
    pthread_t desktop_thread;
    pthread_create(&desktop_thread, NULL, agent_desktop, &desktop);

    for (size_t s = 0; s < sizeof story / sizeof story[0]; s++) {
        const struct step *step = &story[s];
        ok(journey_set_now(engine, step->at), "set_now");
        printf("\n== %.8s  %s\n", step->at + 11, step->title);
        for (size_t e = 0; e < 6 && step->events[e] != NULL; e++) {
            char *outcome = NULL;
            ok(journey_ingest_json(engine, step->events[e], strlen(step->events[e]), &outcome), "ingest");
            char status[16], count[8];
            field(outcome, "status", status, sizeof status);
            field(outcome, "eventCount", count, sizeof count);
            printf("   + %s (%s events in the session)\n", status, count);
            journey_string_free(outcome);
        }
        for (size_t c = 0; c < 3 && step->chat[c] != NULL; c++) {
            char *record = NULL;
            ok(journey_record_action_event(engine, step->chat[c], &record), "record_action_event");
            journey_string_free(record);
        }
        if (step->custom_event != NULL) {
            char *sent = NULL;
            ok(journey_send_custom_event(engine, "agent-bo", "dispatchDelayed", step->custom_event, false, &sent), "send_custom_event");
            printf("   -> custom event dispatchDelayed to agent-bo: %s\n", sent);
            journey_string_free(sent);
            pthread_mutex_lock(&desktop.lock); /* wait for the desktop to print it */
            while (desktop.shown == 0) pthread_cond_wait(&desktop.printed, &desktop.lock);
            pthread_mutex_unlock(&desktop.lock);
        }
        char *page = NULL;
        ok(journey_journey(engine, QUERY, &page), "journey");
        print_cards(page);
        journey_string_free(page);
    }

    ok(journey_end_agent_session(engine, desktop.session), "agent logout");
    pthread_join(desktop_thread, NULL);
    char *stats = NULL;
    ok(journey_stats(engine, &stats), "stats");
    printf("\nstats: %s\n", stats);
    journey_string_free(stats);
    journey_engine_free(engine);
    pthread_cond_destroy(&desktop.printed);
    pthread_mutex_destroy(&desktop.lock);
    return 0;
}
