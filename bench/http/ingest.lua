-- wrk: POST /events, one new event per request (ids unique per thread and request).
dofile(os.getenv("WRK_COMMON"))
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  track(thread)
end

function init(args)
  start_counting()
  seq = 0
  token = os.getenv("TOKEN") or "ingest"
  now = os.date("!%Y-%m-%dT%H:%M:%SZ")
end

function request()
  seq = seq + 1
  local body = string.format(
    '{"id":"%08x-0000-4000-8000-%012x","eventName":"product_purchased","createdDate":"%s",' ..
    '"customer":{"id":"c%d-%d@example.com","idType":"email"},"session":{"type":"delivery","externalId":"o%d-%d"},' ..
    '"attributes":{"orderId":"o%d-%d","product":"bike"}}',
    tid, seq, now, tid, seq % 2000, tid, seq % 4000, tid, seq % 4000)
  return wrk.format("POST", "/events", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
