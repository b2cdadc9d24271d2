/* Tiny test helpers for the C tests of libjourney's ABI. */
#ifndef JOURNEY_TEST_CHECK_H
#define JOURNEY_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"

static int checks_failed = 0;
static int checks_run = 0;

/* Records a failed check with its location, and keeps going so that one run shows every failure. */
#define CHECK(cond)                                                                     \
    do {                                                                                \
        checks_run++;                                                                   \
        if (!(cond)) {                                                                  \
            checks_failed++;                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
        }                                                                               \
    } while (0)

/* Checks that a call returned `expected`, printing the last error when it did not. */
#define CHECK_STATUS(call, expected)                                                    \
    do {                                                                                \
        JourneyStatus status_ = (call);                                                 \
        checks_run++;                                                                   \
        if (status_ != (expected)) {                                                    \
            checks_failed++;                                                            \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__,      \
                    __LINE__, #call, journey_status_name(status_),                      \
                    journey_status_name(expected),                                      \
                    journey_last_error_message() ? journey_last_error_message() : "");  \
        }                                                                               \
    } while (0)

/* Whether `json` contains `needle` (results are compact JSON, so fragments are predictable). */
static inline int contains(const char *json, const char *needle) {
    return json != NULL && strstr(json, needle) != NULL;
}

/* Copies the string value of `"key":"…"` from `json` into `out`; returns 1 when found. */
static inline int string_field(const char *json, const char *key, char *out, size_t size) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = json ? strstr(json, pattern) : NULL;
    if (start == NULL) return 0;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= size) return 0;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 1;
}

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
static inline char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text != NULL && fread(text, 1, (size_t)size, file) == (size_t)size) {
        text[size] = '\0';
    } else {
        free(text);
        text = NULL;
    }
    fclose(file);
    return text;
}

/* Prints the closing line every test runner here understands, and gives the exit code. */
static inline int report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_run - checks_failed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

/* An engine over examples/data/catalog.json with a manual clock. */
static inline JourneyEngine *make_engine(const char *start) {
    char config_json[160];
    snprintf(config_json, sizeof config_json, "{\"clock\":\"manual\",\"start\":\"%s\"}", start);
    char *catalog_json = read_file("examples/data/catalog.json");
    JourneyConfig *config = NULL;
    JourneyCatalog *catalog = NULL;
    JourneyEngine *engine = NULL;
    CHECK(catalog_json != NULL);
    CHECK_STATUS(journey_config_new(config_json, &config), JOURNEY_OK);
    CHECK_STATUS(journey_catalog_new(catalog_json, config, &catalog), JOURNEY_OK);
    CHECK_STATUS(journey_engine_new(catalog, config, &engine), JOURNEY_OK);
    journey_catalog_free(catalog);
    journey_config_free(config);
    free(catalog_json);
    return engine;
}

#endif
