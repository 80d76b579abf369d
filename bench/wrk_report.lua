-- wrk script for bench/http_bench.py: prints one RESULT line with the figures; with the
-- argument "unique", every request gets its own query string (a page-cache miss).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  unique = args[1] == "unique"
end

function request()
  if unique then
    counter = counter + 1
    return wrk.format("GET", wrk.path .. "?bench=" .. id .. "-" .. counter)
  end
  return wrk.format("GET", wrk.path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
