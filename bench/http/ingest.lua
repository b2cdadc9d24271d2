-- wrk: POST /events, one new event per request (ids unique per thread and request), stopping a
-- thread after LIMIT answers so that a run's store stays bounded. Counts answers that are not
-- 2xx/3xx in `errors`, which done() prints for http_load.py.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  seq = 0
  answers = 0
  errors = 0
  limit = tonumber(os.getenv("LIMIT") or "1000000")
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

function response(status, headers, body)
  answers = answers + 1
  if status >= 400 then errors = errors + 1 end
  if answers >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local errors_total = 0
  for _, thread in ipairs(threads) do errors_total = errors_total + thread:get("errors") end
  io.write(string.format("errors %d\n", errors_total))
end
