-- wrk script: one orgd endpoint under load, chosen by environment variables (set by bench/run).
--   BENCH_TOKEN     API token sent as "Authorization: Token <uuid>" (none when empty: /livez)
--   BENCH_METHOD    GET (default), POST or PATCH
--   BENCH_PATH      request target; "{org}" becomes a random organization id in 1..BENCH_ORGS
--   BENCH_BODY      JSON body; "{n}" becomes a per-thread counter (so every PATCH changes the value)
--   BENCH_ORGS      how many organization ids {org} ranges over (default 1)
--   BENCH_DELAY_MS  think time before each request on each connection (the rate-limited "half load" runs)
--   BENCH_WALK      when set to wrk's thread count: "{org}" walks the ids in order instead (the warm-up: every
--                   organization read once, then again), each thread taking every BENCH_WALK-th id
-- done() prints one machine-readable line that bench/lib/report.py parses.
local token = os.getenv("BENCH_TOKEN") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/livez"
local body = os.getenv("BENCH_BODY")
local orgs = tonumber(os.getenv("BENCH_ORGS") or "1")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local walk = tonumber(os.getenv("BENCH_WALK") or "0")
if body == "" then body = nil end

local headers = {}
if token ~= "" then headers["Authorization"] = "Token " .. token end
if body then headers["Content-Type"] = "application/json" end

local threads = {}
local counter = 0
local walked = 0

function setup(thread)
    thread:set("seed", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    math.randomseed(os.time() * 1000 + (seed or 0))
    counter = (seed or 0) * 1000000000
end

function request()
    counter = counter + 1
    local p = path
    if orgs > 0 and p:find("{org}", 1, true) then
        local id
        if walk > 0 then
            id = (walked * walk + (seed or 1) - 1) % orgs + 1
            walked = walked + 1
        else
            id = math.random(1, orgs)
        end
        p = p:gsub("{org}", tostring(id))
    end
    local b = body
    if b then b = b:gsub("{n}", tostring(counter)) end
    return wrk.format(method, p, headers, b)
end

if delay_ms > 0 then
    function delay()
        return delay_ms
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
            .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout))
end
