/* journey_ingest_file through the C ABI: a file streamed with progress reports, a gzip file, keptRejections,
 * a progress callback and a cancel token that stop it (JOURNEY_CANCELLED, the lines before kept), and the errors
 * of a missing file, bad options and NULL arguments. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define LINES 20000

/* LINES lines of events for customers c0, c1, …; every tenth line is not JSON. */
static void write_events(const char *path) {
    FILE *file = fopen(path, "w");
    CHECK(file != NULL);
    if (file == NULL) return;
    for (int n = 0; n < LINES; n++) {
        if (n % 10 == 9) {
            fputs("not json\n", file);
            continue;
        }
        fprintf(file,
                "{\"eventName\":\"e\",\"createdDate\":\"2026-11-21T09:00:00Z\",\"customer\":{\"id\":\"c%d\","
                "\"idType\":\"email\"},\"session\":{\"type\":\"d\",\"externalId\":\"o%d\"}}\n",
                n, n);
    }
    fclose(file);
}

static JourneyEngine *new_engine(void) {
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    CHECK_STATUS(journey_config_new("{\"clock\":\"manual\",\"start\":\"2026-11-21T10:00:00Z\"}", &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new("{\"sessionTypes\":[{\"name\":\"d\",\"kind\":\"custom\","
                                     "\"eventTypes\":[{\"name\":\"e\"}]}]}", config, &catalog), JOURNEY_OK);
    CHECK_STATUS(journey_engine_new(catalog, config, &engine), JOURNEY_OK);
    journey_catalog_free(catalog);
    journey_config_free(config);
    return engine;
}

/* What the progress callbacks saw. */
struct Seen {
    int calls;
    int stop_at;             /* return non-zero on this call (0: never) */
    JourneyCancel *cancel;   /* fire this token on the first call (NULL: none) */
    char last[256];
};

static int on_progress(const char *progress_json, void *user_data) {
    struct Seen *seen = user_data;
    seen->calls++;
    snprintf(seen->last, sizeof seen->last, "%s", progress_json);
    if (seen->cancel != NULL && seen->calls == 1) journey_cancel(seen->cancel);
    return seen->stop_at != 0 && seen->calls >= seen->stop_at;
}

static long long stat_of(JourneyEngine *engine, const char *name) {
    char *stats = NULL;
    long long value = -1;
    CHECK_STATUS(journey_stats(engine, &stats), JOURNEY_OK);
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    const char *at = stats ? strstr(stats, pattern) : NULL;
    if (at != NULL) value = atoll(at + strlen(pattern));
    journey_string_free(stats);
    return value;
}

int main(void) {
    char dir[] = "/tmp/journey-c-ingest-file-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], packed[160], command[400];
    snprintf(path, sizeof path, "%s/events.ndjson", dir);
    snprintf(packed, sizeof packed, "%s/events.ndjson.gz", dir);
    write_events(path);
    snprintf(command, sizeof command, "gzip -c '%s' > '%s'", path, packed);
    CHECK(system(command) == 0);

    /* The whole file, with progress: the last report is the total. */
    JourneyEngine *engine = new_engine();
    struct Seen seen = {0};
    char *summary = NULL;
    CHECK_STATUS(journey_ingest_file(engine, path, "{\"keptRejections\":3}", on_progress, &seen, NULL, &summary),
                 JOURNEY_OK);
    CHECK(contains(summary, "\"lines\":20000,\"accepted\":18000,\"duplicates\":0,\"rejected\":2000"));
    CHECK(contains(summary, "\"rejectionsTruncated\":true"));
    CHECK(contains(summary, "{\"line\":10,"));
    CHECK(seen.calls >= 1);
    CHECK(contains(seen.last, "\"lines\":20000,\"accepted\":18000,\"duplicates\":0,\"rejected\":2000"));
    journey_string_free(summary);

    /* The same file gzipped, into the same engine: every event is a duplicate now. */
    CHECK_STATUS(journey_ingest_file(engine, packed, NULL, NULL, NULL, NULL, &summary), JOURNEY_OK);
    CHECK(contains(summary, "\"accepted\":0,\"duplicates\":18000,\"rejected\":2000"));
    journey_string_free(summary);
    journey_engine_free(engine);

    /* A progress callback that says stop: JOURNEY_CANCELLED, no summary, the lines before kept. */
    engine = new_engine();
    struct Seen stopping = {.stop_at = 2};
    CHECK_STATUS(journey_ingest_file(engine, path, NULL, on_progress, &stopping, NULL, &summary), JOURNEY_CANCELLED);
    CHECK(summary == NULL);
    CHECK(contains(journey_last_error_json(), "\"code\":\"CANCELLED\""));
    long long kept = stat_of(engine, "eventsAccepted") + stat_of(engine, "eventsRejected");
    CHECK(kept > 0 && kept < LINES);
    journey_engine_free(engine);

    /* A cancel token fired from another call site (here, the first progress report). */
    engine = new_engine();
    JourneyCancel *cancel = NULL;
    CHECK_STATUS(journey_cancel_new(&cancel), JOURNEY_OK);
    struct Seen cancelling = {.cancel = cancel};
    CHECK_STATUS(journey_ingest_file(engine, path, NULL, on_progress, &cancelling, cancel, &summary), JOURNEY_CANCELLED);
    CHECK(summary == NULL);
    journey_cancel_free(cancel);
    journey_engine_free(engine);

    /* Errors: a missing file names it; bad options; NULL arguments. */
    engine = new_engine();
    CHECK_STATUS(journey_ingest_file(engine, "/nonexistent/events.ndjson", NULL, NULL, NULL, NULL, &summary),
                 JOURNEY_IO_ERROR);
    CHECK(contains(journey_last_error_message(), "/nonexistent/events.ndjson"));
    CHECK_STATUS(journey_ingest_file(engine, path, "{\"keptRejection\":3}", NULL, NULL, NULL, &summary),
                 JOURNEY_INVALID_ARGUMENT);
    CHECK_STATUS(journey_ingest_file(engine, path, "{", NULL, NULL, NULL, &summary), JOURNEY_INVALID_JSON);
    CHECK_STATUS(journey_ingest_file(engine, NULL, NULL, NULL, NULL, NULL, &summary), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_file(engine, path, NULL, NULL, NULL, NULL, NULL), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_file(NULL, path, NULL, NULL, NULL, NULL, &summary), JOURNEY_NULL_ARGUMENT);
    CHECK(stat_of(engine, "eventsAccepted") == 0);
    journey_engine_free(engine);

    /* An outcome-free batch: the totals and the rejections, with their line numbers. */
    engine = new_engine();
    const char *ndjson =
        "{\"eventName\":\"e\",\"createdDate\":\"2026-11-21T09:00:00Z\",\"customer\":{\"id\":\"c1\","
        "\"idType\":\"email\"},\"session\":{\"type\":\"d\",\"externalId\":\"o1\"}}\n\nnot json\n";
    CHECK_STATUS(journey_ingest_ndjson_summary(engine, ndjson, strlen(ndjson), true, &summary), JOURNEY_OK);
    CHECK(contains(summary, "\"lines\":2,\"accepted\":1,\"duplicates\":0,\"rejected\":1"));
    CHECK(contains(summary, "{\"line\":3,\"outcome\":{\"status\":\"rejected\""));
    journey_string_free(summary);
    CHECK_STATUS(journey_ingest_ndjson_summary(engine, ndjson, strlen(ndjson), false, &summary), JOURNEY_OK);
    CHECK(contains(summary, "\"accepted\":0,\"duplicates\":1,\"rejected\":1,\"rejections\":[]"));
    journey_string_free(summary);
    CHECK_STATUS(journey_ingest_ndjson_summary(engine, NULL, 5, true, &summary), JOURNEY_NULL_ARGUMENT);
    CHECK_STATUS(journey_ingest_ndjson_summary(engine, ndjson, strlen(ndjson), true, NULL), JOURNEY_NULL_ARGUMENT);
    journey_engine_free(engine);

    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
    return report("test_ingest_file");
}
