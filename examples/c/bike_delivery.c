/* The bike delivery of seed 000 through libjourney's C ABI, as a C or C++ contact-center plugin
 * would drive it: ingest what the shipping and telephony systems report, push the dispatch delay to
 * the agent on the call (who long-polls on their own thread), follow the web chat offer, and print
 * what the agent sees after each step. The segments and action maps of the demo's script
 * (examples/data/bike_delivery.json, Genesys' JSON forms) are put through journey_call: when Dana,
 * whose delivery was delayed, starts a web messaging conversation, a map sends the agent a custom
 * event; when her browser views the returns page twice, a content offer qualifies. The firings,
 * the segments and why each map fired are printed in the same words as the other demos.
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
#define MESSAGING(name, at, attrs) \
    "{\"eventName\":\"" name "\",\"createdDate\":\"" at "\"," CUSTOMER ",\"session\":{\"type\":\"conversation\",\"externalId\":\"msg-2001\"},\"attributes\":" attrs "}"
#define BROWSER "\"customer\":{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"idType\":\"cookie\"}"
#define RETURNS(at, page) "{\"eventName\":\"page_viewed\",\"createdDate\":\"" at "\"," BROWSER ",\"session\":{\"type\":\"web\"}," \
    "\"attributes\":{\"page\":\"" page "\",\"url\":\"https://shop.example.com" page "\"}}"
#define VIEWER "\"viewer\":{\"permissions\":[\"journey:session:view\",\"journey:sessionType:view\",\"routing:wrapupCode:view\",\"routing:queue:search\"],\"divisions\":[\"*\"]}"
#define QUERY "{" CUSTOMER "," VIEWER "}"
#define BROWSER_QUERY "{" BROWSER "," VIEWER "}"

/* One moment of the story. */
struct step {
    const char *at;
    const char *title;
    const char *events[6];
    const char *chat[3];
    const char *custom_event; /* data of a dispatchDelayed event for agent-bo, or NULL */
    int browser;              /* the step shows the journey of Dana's browser, not Dana's */
};

static const struct step story[] = {
    {"2026-11-21T09:00:00Z", "Dana browses the shop's website",
     {WEB("2026-11-21T08:58:00Z", "/bikes"), WEB("2026-11-21T09:00:00Z", "/bikes/custom-builder")}, {CHAT("qualified"), CHAT("offered")}, NULL, 0},
    {"2026-11-21T09:05:00Z", "1: Order placed in the store",
     {DELIVERY("product_purchased", "2026-11-21T09:05:00Z", "{\"orderId\":\"order-1234\",\"price\":1899.0}")}, {CHAT("accepted"), CHAT("started")}, NULL, 0},
    {"2026-11-21T09:05:50Z", "50 seconds without news: the delivery card turns idle", {NULL}, {NULL}, NULL, 0},
    {"2026-11-21T09:06:10Z", "After a minute it is inactive", {NULL}, {NULL}, NULL, 0},
    {"2026-11-21T09:15:00Z", "Dana calls; Ann answers, then transfers to Deliveries",
     {CALL("conversation_started", "2026-11-21T09:14:00Z", "{\"channel\":\"voice\",\"direction\":\"inbound\"}"),
      CALL("queue_joined", "2026-11-21T09:14:05Z", "{\"queueId\":\"q-sales\"}"),
      CALL("agent_connected", "2026-11-21T09:14:20Z", "{\"agentId\":\"agent-ann\",\"queueId\":\"q-sales\"}"),
      CALL("transferred", "2026-11-21T09:14:50Z", "{\"toQueueId\":\"q-deliveries\"}"),
      CALL("agent_connected", "2026-11-21T09:15:00Z", "{\"agentId\":\"agent-bo\",\"queueId\":\"q-deliveries\"}")}, {CHAT("engaged")}, NULL, 0},
    {"2026-11-21T09:20:00Z", "2: Dispatch delayed; the agent on the call is told at once",
     {DELIVERY("dispatch_delayed", "2026-11-21T09:20:00Z", "{\"reason\":\"gear hub out of stock\",\"eta\":\"2026-11-24T12:00:00Z\"}")}, {NULL},
     "order-1234: gear hub out of stock, new ETA 2026-11-24 12:00", 0},
    {"2026-11-21T09:40:00Z", "3: In transit; the call has ended and is wrapped up",
     {DELIVERY("in_transit", "2026-11-21T09:40:00Z", "{\"location\":\"Depot 7\"}"), CALL("conversation_ended", "2026-11-21T09:31:00Z", "{}"),
      CALL("wrapup", "2026-11-21T09:32:00Z", "{\"code\":\"delivery-delay\"}")}, {CHAT("completed")}, NULL, 0},
    {"2026-11-21T10:10:00Z", "In transit again, 2 km away", {DELIVERY("in_transit", "2026-11-21T10:10:00Z", "{\"location\":\"Main St, 2 km away\"}")}, {NULL}, NULL, 0},
    {"2026-11-21T10:11:00Z", "A late scan (09:55) arrives: stored, but it must not move the bike back",
     {DELIVERY("in_transit", "2026-11-21T09:55:00Z", "{\"location\":\"Ring road\"}")}, {NULL}, NULL, 0},
    {"2026-11-21T10:30:00Z", "4: Item delivered", {DELIVERY("item_delivered", "2026-11-21T10:30:00Z", "{\"location\":\"front door\",\"signedBy\":\"Dana\"}")}, {NULL}, NULL, 0},
    {"2026-11-21T10:40:00Z", "5: Dana messages the shop; an action map tells the agent her delivery was delayed",
     {MESSAGING("conversation_started", "2026-11-21T10:39:00Z", "{\"channel\":\"webMessaging\",\"direction\":\"inbound\"}"),
      MESSAGING("queue_joined", "2026-11-21T10:39:10Z", "{\"queueId\":\"q-deliveries\"}"),
      MESSAGING("agent_connected", "2026-11-21T10:40:00Z", "{\"agentId\":\"agent-bo\",\"queueId\":\"q-deliveries\"}")}, {NULL}, NULL, 0},
    {"2026-11-21T10:50:00Z", "6: Dana's browser views the returns page twice; the returns guide is offered",
     {RETURNS("2026-11-21T10:48:00Z", "/returns"), RETURNS("2026-11-21T10:50:00Z", "/returns/label")}, {NULL}, NULL, 1},
};

/* The definitions put, by id: their names, and for a custom event map the event it sends. */
struct definition {
    char id[40];
    char name[64];
    char custom_event[32];
};
static struct definition definitions[16];
static size_t definition_count;

/* Each firing of an action map, to explain at the end. */
struct firing {
    char map_id[40];
    char session_id[40];
};
static struct firing firings[8];
static size_t firing_count;

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

/* Copies the value of `key` in the outermost object of `json` (not of an object nested in it). */
static void top_field(const char *json, const char *key, char *out, size_t size) {
    size_t length = strlen(key);
    int depth = 0;
    out[0] = '\0';
    for (const char *p = json; *p != '\0'; p++) {
        if (*p == '"') {
            if (depth == 1 && strncmp(p + 1, key, length) == 0 && p[length + 1] == '"' && p[length + 2] == ':') {
                field(p, key, out, size);
                return;
            }
            for (p++; *p != '\0' && *p != '"'; p++) {
                if (*p == '\\' && p[1] != '\0') p++;
            }
            if (*p == '\0') return;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
        }
    }
}

/* A definition's name, from its id. */
static const char *name_of(const char *id) {
    for (size_t i = 0; i < definition_count; i++) {
        if (strcmp(definitions[i].id, id) == 0) return definitions[i].name;
    }
    return "?";
}

static void add_firing(const char *map_id, const char *session_id) {
    if (firing_count == sizeof firings / sizeof firings[0]) return;
    snprintf(firings[firing_count].map_id, sizeof firings[0].map_id, "%s", map_id);
    snprintf(firings[firing_count].session_id, sizeof firings[0].session_id, "%s", session_id);
    firing_count++;
}

/* The next object of the JSON array that `*cursor` is in (strings may hold braces), as a new
 * string the caller frees; NULL at the array's end. */
static char *next_object(const char **cursor) {
    const char *p = *cursor;
    while (*p != '\0' && *p != '{' && *p != ']') p++;
    if (*p != '{') return NULL;
    const char *start = p;
    int depth = 0;
    for (; *p != '\0'; p++) {
        if (*p == '"') {
            for (p++; *p != '\0' && *p != '"'; p++) {
                if (*p == '\\' && p[1] != '\0') p++;
            }
            if (*p == '\0') break;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            break;
        }
    }
    if (*p == '\0') return NULL;
    size_t length = (size_t)(p - start) + 1;
    char *object = malloc(length + 1);
    if (object == NULL) return NULL;
    memcpy(object, start, length);
    object[length] = '\0';
    *cursor = p + 1;
    return object;
}

/* Puts every definition of the script's array `key` with `op`, printing each as stored. */
static void put_definitions(JourneyEngine *engine, const char *scenario, const char *key, const char *op) {
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *cursor = strstr(scenario, pattern);
    if (cursor == NULL) return;
    cursor += strlen(pattern);
    for (char *definition; (definition = next_object(&cursor)) != NULL; free(definition)) {
        size_t size = strlen(definition) + 64;
        char *command = malloc(size);
        char *stored = NULL;
        if (command == NULL) exit(1);
        snprintf(command, size, "{\"op\":\"%s\",\"input\":%s}", op, definition);
        ok(journey_call(engine, command, &stored), op);
        free(command);
        struct definition *d = &definitions[definition_count < 15 ? definition_count++ : 15];
        char version[8], kind[32];
        top_field(stored, "id", d->id, sizeof d->id);
        top_field(stored, "displayName", d->name, sizeof d->name);
        top_field(stored, "version", version, sizeof version);
        if (strcmp(key, "segments") == 0) {
            field(stored, "scope", kind, sizeof kind);
            printf("   segment    '%s' v%s, %s scope\n", d->name, version, kind);
        } else {
            field(stored, "mediaType", kind, sizeof kind);
            printf("   action map '%s' v%s: %s\n", d->name, version, kind);
            if (strcmp(kind, "customEvent") == 0) field(strstr(stored, "\"action\":"), "eventName", d->custom_event, sizeof d->custom_event);
        }
        journey_string_free(stored);
    }
}

/* Prints JSON text indented by two spaces, as the other demos print it (empty {} and [] stay whole). */
static void print_pretty(const char *json) {
    int depth = 0;
    for (const char *p = json; *p != '\0'; p++) {
        if (*p == '"') {
            const char *q = p + 1;
            while (*q != '\0' && *q != '"') q += (*q == '\\' && q[1] != '\0') ? 2 : 1;
            fwrite(p, 1, (size_t)(q - p) + (*q != '\0'), stdout);
            if (*q == '\0') break;
            p = q;
        } else if ((*p == '{' || *p == '[') && (p[1] == '}' || p[1] == ']')) {
            putchar(*p++);
            putchar(*p);
        } else if (*p == '{' || *p == '[') {
            depth++;
            printf("%c\n%*s", *p, depth * 2, "");
        } else if (*p == '}' || *p == ']') {
            depth--;
            printf("\n%*s%c", depth * 2, "", *p);
        } else if (*p == ',') {
            printf(",\n%*s", depth * 2, "");
        } else if (*p == ':') {
            printf(": ");
        } else {
            putchar(*p);
        }
    }
    putchar('\n');
}

/* Why an action map fired in a session: the engine's explanation of each of its conditions. */
static void print_explanation(JourneyEngine *engine, const char *map_id, const char *session_id) {
    char command[256];
    char *explanation = NULL;
    snprintf(command, sizeof command, "{\"op\":\"explainActionMap\",\"input\":{\"actionMapId\":\"%s\",\"sessionId\":\"%s\"}}", map_id, session_id);
    ok(journey_call(engine, command, &explanation), "explainActionMap");
    printf("-- '%s' in session %.8s\n", name_of(map_id), session_id);
    print_pretty(explanation);
    journey_string_free(explanation);
}

/* Prints the segments a customer holds itself (customer scope), which last across its sessions. */
static void print_customer_segments(JourneyEngine *engine, const char *customer) {
    char command[256];
    char *result = NULL;
    snprintf(command, sizeof command, "{\"op\":\"segments\",\"input\":{%s}}", customer);
    ok(journey_call(engine, command, &result), "segments");
    const char *cursor = strchr(result, '[');
    for (char *segment; cursor != NULL && (segment = next_object(&cursor)) != NULL; free(segment)) {
        char scope[16], id[40], assigned[32], until[32];
        field(segment, "scope", scope, sizeof scope);
        if (strcmp(scope, "Customer") != 0) continue;
        field(segment, "segmentId", id, sizeof id);
        field(segment, "assignedDate", assigned, sizeof assigned);
        field(segment, "dateForUnassignment", until, sizeof until);
        printf("   customer segment '%s', assigned %s, until %s\n", name_of(id), assigned, until[0] ? until : "-");
    }
    journey_string_free(result);
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
        const char *assignments = strstr(card, "\"segmentAssignments\":");
        if (assignments != NULL && (next == NULL || assignments < next)) {
            assignments = strchr(assignments, '[');
            for (char *a; (a = next_object(&assignments)) != NULL; free(a)) {
                char id[40], assigned[32];
                field(a, "segmentId", id, sizeof id);
                field(a, "assignedDate", assigned, sizeof assigned);
                printf("      segment '%s', assigned %s\n", name_of(id), assigned);
            }
        }
    }
}

/* The agent's desktop: long-polls on its own thread and shows custom events as they arrive. What it
 * shows is handed to the main thread, which prints it in order. */
struct desktop {
    JourneyEngine *engine;
    char session[64];
    pthread_mutex_t lock;
    pthread_cond_t shown_more;
    int shown;                 /* custom events shown so far */
    int printed;               /* of which the main thread printed */
    char lines[8][256];        /* what it showed, by number */
    char names[8][64];         /* the events' names */
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
            pthread_mutex_lock(&desktop->lock);
            if (desktop->shown < 8) {
                snprintf(desktop->lines[desktop->shown], sizeof desktop->lines[0], "   [agent-bo's desktop] %s: %s", name, data);
                snprintf(desktop->names[desktop->shown], sizeof desktop->names[0], "%s", name);
            }
            desktop->shown++;
            pthread_cond_signal(&desktop->shown_more);
            pthread_mutex_unlock(&desktop->lock);
        }
        journey_string_free(result);
        if (ended) break;
    }
    return NULL;
}

/* Waits until the desktop has shown every custom event queued so far (the stats count them) and
 * prints what it showed since the last call, so that the output reads in the same order every
 * time; returns the name of the last event printed, or NULL when there was none. */
static const char *desktop_catch_up(JourneyEngine *engine, struct desktop *desktop) {
    char *stats = NULL;
    char queued[16];
    ok(journey_stats(engine, &stats), "stats");
    field(stats, "customEventsQueued", queued, sizeof queued);
    journey_string_free(stats);
    int target = atoi(queued);
    const char *last = NULL;
    pthread_mutex_lock(&desktop->lock);
    while (desktop->shown < target) pthread_cond_wait(&desktop->shown_more, &desktop->lock);
    for (; desktop->printed < desktop->shown && desktop->printed < 8; desktop->printed++) {
        printf("%s\n", desktop->lines[desktop->printed]);
        last = desktop->names[desktop->printed];
    }
    pthread_mutex_unlock(&desktop->lock);
    return last;
}

/* A content offer that an action map fires: its web action, printed as the map records it, inside
 * the ingest that qualified it (before that ingest returns). Each firing is kept, to explain at the end. */
static int offer_fired(const char *event_json, void *user_data) {
    (void)user_data;
    char action[40], state[32], map[40], session[40];
    field(event_json, "actionId", action, sizeof action);
    field(event_json, "actionState", state, sizeof state);
    field(event_json, "actionMapId", map, sizeof map);
    field(event_json, "sessionId", session, sizeof session);
    printf("   [contentOffer] offer %.8s is now %s (action map '%s', session %.8s)\n", action, state, name_of(map), session);
    if (strcmp(state, "qualified") == 0) add_firing(map, session);
    return 0;
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
    /* The script beside the catalog holds the segments and action maps. */
    char scenario_path[512];
    const char *slash = strrchr(catalog_path, '/');
    snprintf(scenario_path, sizeof scenario_path, "%.*sbike_delivery.json", slash ? (int)(slash - catalog_path + 1) : 0, catalog_path);
    char *scenario = read_file(scenario_path);
    if (scenario == NULL) {
        fprintf(stderr, "cannot read %s\n", scenario_path);
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

    printf("\n== Segments and action maps (Genesys' JSON forms, from the script)\n");
    put_definitions(engine, scenario, "segments", "putSegment");
    put_definitions(engine, scenario, "actionMaps", "putActionMap");
    free(scenario);
    uint64_t subscription = 0;
    ok(journey_on(engine, "webchat:all", chat_changed, NULL, &subscription), "on");
    ok(journey_on(engine, "contentoffer:all", offer_fired, NULL, &subscription), "on");
    struct desktop desktop = {.engine = engine, .shown = 0};
    pthread_mutex_init(&desktop.lock, NULL);
    pthread_cond_init(&desktop.shown_more, NULL);
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
            const char *sent = desktop_catch_up(engine, &desktop); /* a custom event an action map sent at this event */
            if (sent != NULL) {
                char session_id[40];
                field(outcome, "sessionId", session_id, sizeof session_id);
                for (size_t d = 0; d < definition_count; d++) {
                    if (strcmp(definitions[d].custom_event, sent) == 0) add_firing(definitions[d].id, session_id);
                }
            }
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
            desktop_catch_up(engine, &desktop); /* wait for the desktop to print it */
        }
        char *page = NULL;
        ok(journey_journey(engine, step->browser ? BROWSER_QUERY : QUERY, &page), "journey");
        print_cards(page);
        journey_string_free(page);
        print_customer_segments(engine, step->browser ? BROWSER : CUSTOMER);
    }

    ok(journey_end_agent_session(engine, desktop.session), "agent logout");
    pthread_join(desktop_thread, NULL);
    if (firing_count > 0) printf("\n== Why the action maps fired (explainActionMap)\n");
    for (size_t f = 0; f < firing_count; f++) print_explanation(engine, firings[f].map_id, firings[f].session_id);
    char *stats = NULL;
    ok(journey_stats(engine, &stats), "stats");
    printf("\nstats: %s\n", stats);
    journey_string_free(stats);
    journey_engine_free(engine);
    pthread_cond_destroy(&desktop.shown_more);
    pthread_mutex_destroy(&desktop.lock);
    return 0;
}
