-- GET /exchange-sessions/{id}, rotating at random over many (token, session id) pairs.
-- Usage: wrk -s get.lua URL -- PAIRS_FILE   (one "token session_id" per line)
-- done() prints one JSON line: requests, seconds, p50/p99 (µs), status counts, socket errors.
local common = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local pairs_ = {}

setup = common.setup

function init(args)
  for line in io.lines(args[1]) do
    local token, id = line:match("^(%S+) (%S+)$")
    pairs_[#pairs_ + 1] = wrk.format("GET", "/exchange-sessions/" .. id, {
      ["Authorization"] = "Bearer " .. token,
      ["Accept"] = "application/vnd.dwolla.v1.hal+json",
    })
  end
  math.randomseed(os.time())
end

function request()
  return pairs_[math.random(#pairs_)]
end

response = common.response
done = common.done
