-- wrk script for bench/flood.py: one client's flood of distinct URLs. The paths come as the
-- script's arguments; each request takes the next path and a query parameter of its own, so
-- that no two requests ask for the same URL. Prints one FLOOD line with the counts.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = args
  statuses = {}
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local joiner = string.find(path, "?", 1, true) and "&" or "?"
  return wrk.format("GET", path .. joiner .. "flood" .. id .. "=" .. counter)
end

function response(status, headers, body)
  local class = math.floor(status / 100) .. "xx"
  statuses[class] = (statuses[class] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for class, count in pairs(thread:get("statuses")) do
      totals[class] = (totals[class] or 0) + count
    end
  end
  local parts = {}
  for class, count in pairs(totals) do
    table.insert(parts, class .. "=" .. count)
  end
  local errors = summary.errors
  io.write(string.format("FLOOD requests=%d duration_us=%d p95_us=%d socket_errors=%d %s\n",
    summary.requests, summary.duration, latency:percentile(95),
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(parts, " ")))
end
