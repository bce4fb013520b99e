-- POST /customers/{id}/exchange-sessions, rotating over customers, tokens and partners
-- (MX, Plaid and Checkout.com mixed). Usage: wrk -s post.lua URL -- FILE
-- FILE has one "token customer_id partner_href" per line.
local common = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local rows = {}

setup = common.setup

function init(args)
  for line in io.lines(args[1]) do
    local token, customer, partner = line:match("^(%S+) (%S+) (%S+)$")
    rows[#rows + 1] = wrk.format("POST", "/customers/" .. customer .. "/exchange-sessions", {
      ["Authorization"] = "Bearer " .. token,
      ["Accept"] = "application/vnd.dwolla.v1.hal+json",
      ["Content-Type"] = "application/vnd.dwolla.v1.hal+json",
    }, '{"_links":{"exchange-partner":{"href":"' .. partner .. '"}}}')
  end
  math.randomseed(os.time())
end

function request()
  return rows[math.random(#rows)]
end

response = common.response
done = common.done
