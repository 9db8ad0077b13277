-- wrk script of the benchmark harness (bench/run.py).
-- Optional header from the environment: BENCH_IF_NONE_MATCH (for the 304 endpoint).
-- At the end it prints one line "BENCH_JSON {...}" with the totals, error counts and
-- latency percentiles, which run.py parses.

local inm = os.getenv("BENCH_IF_NONE_MATCH")
if inm ~= nil and inm ~= "" then
  wrk.headers["If-None-Match"] = inm
end

local function us(v)
  return string.format("%.1f", v)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local parts = {
    '"requests":' .. summary.requests,
    '"duration_us":' .. summary.duration,
    '"bytes":' .. summary.bytes,
    -- wrk counts a response with status > 399 in errors.status: the non-2xx/3xx answers.
    '"non_2xx_3xx":' .. e.status,
    '"connect_errors":' .. e.connect,
    '"read_errors":' .. e.read,
    '"write_errors":' .. e.write,
    '"timeouts":' .. e.timeout,
    '"latency_mean_us":' .. us(latency.mean),
    '"latency_max_us":' .. us(latency.max),
    '"p50_us":' .. us(latency:percentile(50)),
    '"p90_us":' .. us(latency:percentile(90)),
    '"p99_us":' .. us(latency:percentile(99)),
  }
  io.write("BENCH_JSON {" .. table.concat(parts, ",") .. "}\n")
end
