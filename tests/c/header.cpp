// The header compiles as C++17 and links: the C++ plugin's view of libjourney.
#include "journey.h"

#include <cstdio>
#include <cstring>
#include <string>

int main() {
    JourneyConfig *config = nullptr;
    if (journey_config_new(R"({"clock":"manual","start":"2026-11-21T10:00:00Z"})", &config) != JOURNEY_OK) return 1;
    JourneyCatalog *catalog = nullptr;
    const char *catalog_json = R"({"sessionTypes":[{"name":"delivery","kind":"custom","eventTypes":[{"name":"ordered"}]}]})";
    if (journey_catalog_new(catalog_json, config, &catalog) != JOURNEY_OK) return 1;
    JourneyEngine *engine = nullptr;
    JourneyStatus status = journey_engine_new(catalog, config, &engine);
    journey_catalog_free(catalog);
    journey_config_free(config);
    if (status != JOURNEY_OK) return 1;
    std::string event = R"({"eventName":"ordered","createdDate":"2026-11-21T10:00:00Z",)"
                        R"("customer":{"id":"c1","idType":"email"},"session":{"type":"delivery","externalId":"o1"}})";
    char *outcome = nullptr;
    status = journey_ingest_json(engine, event.data(), event.size(), &outcome);
    bool accepted = status == JOURNEY_OK && std::strstr(outcome, R"("status":"accepted")") != nullptr;
    journey_string_free(outcome);
    journey_engine_free(engine);
    std::printf("header.cpp: %d passed, %d failed\n", accepted ? 1 : 0, accepted ? 0 : 1);
    return accepted ? 0 : 1;
}
