-- Shared by get.lua and post.lua: count statuses per thread, report one JSON line.
local M = {}
local threads = {}

function M.setup(thread)
  threads[#threads + 1] = thread
end

statuses = {}

function M.response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function M.done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"seconds":%.6f,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,' ..
    '"statuses":{%s},"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.mean, table.concat(parts, ","),
    e.connect + e.read + e.write + e.timeout))
end

return M
