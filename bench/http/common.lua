-- What both wrk scripts share (loaded with dofile): each thread stops after LIMIT answers, so that
-- a run's store stays bounded, and counts answers that are not 2xx/3xx; done() prints the total
-- as `errors N` for http_load.py.
local threads = {}

function track(thread)
  table.insert(threads, thread)
end

function start_counting()
  answers = 0
  errors = 0
  limit = tonumber(os.getenv("LIMIT") or "1000000")
end

function response(status, headers, body)
  answers = answers + 1
  if status >= 400 then errors = errors + 1 end
  if answers >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("errors") end
  io.write(string.format("errors %d\n", total))
end
