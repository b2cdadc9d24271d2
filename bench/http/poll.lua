-- wrk: get-next-event polls (timeout=0) round-robin over the agent sessions in SESSIONS
-- ("token session;token session;…"), each poll acknowledging the previous answer (a bare
-- session id).
dofile(os.getenv("WRK_COMMON"))

function setup(thread)
  track(thread)
end

function init(args)
  start_counting()
  sessions = {}
  for token, session in string.gmatch(os.getenv("SESSIONS"), "([^ ;]+) ([^;]+)") do
    table.insert(sessions, {token, session})
  end
  next_session = math.random(#sessions)
end

function request()
  next_session = next_session % #sessions + 1
  local token, session = sessions[next_session][1], sessions[next_session][2]
  return wrk.format("GET", "/incontactapi/services/v30.0/agent-sessions/" .. session .. "/get-next-event?timeout=0",
    {["Authorization"] = "Bearer " .. token})
end
