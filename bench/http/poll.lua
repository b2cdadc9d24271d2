-- wrk: get-next-event polls (timeout=0) round-robin over the agent sessions in SESSIONS
-- ("token session;token session;…"), each poll acknowledging the previous answer (a bare session
-- id). Stops a thread after LIMIT answers; counts answers that are not 2xx/3xx.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pairs_list = {}
  for token, session in string.gmatch(os.getenv("SESSIONS"), "([^ ;]+) ([^;]+)") do
    table.insert(pairs_list, {token, session})
  end
  next_pair = math.random(#pairs_list)
  answers = 0
  errors = 0
  limit = tonumber(os.getenv("LIMIT") or "1000000")
end

function request()
  next_pair = next_pair % #pairs_list + 1
  local token, session = pairs_list[next_pair][1], pairs_list[next_pair][2]
  return wrk.format("GET", "/incontactapi/services/v30.0/agent-sessions/" .. session .. "/get-next-event?timeout=0",
    {["Authorization"] = "Bearer " .. token})
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
