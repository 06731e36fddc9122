-- wrk script: a weighted mix of orgd endpoints on every connection (bench/soak's long run).
--   BENCH_ENDPOINTS  the endpoint table, one "name|method|path|body|who|range" a line (bench/lib/common.sh's
--                    `endpoints`): "{org}" in a path becomes a random id in 1..range, "{n}" in a body a counter
--   BENCH_MIX        weights, "name:weight,name:weight,..." (only the endpoints named here are sent)
--   BENCH_OWNER_TOKEN, BENCH_MEMBER_TOKEN   API tokens for who = owner / member
--   BENCH_SEED       added to each thread's counter and random seed, so that consecutive runs differ
--   BENCH_DELETE_CREATED  "1": every organization the mix creates is deleted by the connection's next request
--                    (counted as "delete_org"), so that the data stays the size it was seeded at
-- done() prints the BENCH line of bench/lib/orgd.lua, then "BENCHSTATUS <code>=<count> ..." (responses by status)
-- and "BENCHMIX <name>=<count> ..." (requests sent per endpoint), which bench/lib/report.py parses.
local tokens = { owner = os.getenv("BENCH_OWNER_TOKEN") or "", member = os.getenv("BENCH_MEMBER_TOKEN") or "" }
local run_seed = tonumber(os.getenv("BENCH_SEED") or "0")

local function split(s, sep)
    local out, i = {}, 1
    while true do
        local j = s:find(sep, i, true)
        if not j then table.insert(out, s:sub(i)); return out end
        table.insert(out, s:sub(i, j - 1))
        i = j + #sep
    end
end

-- The endpoints of the mix, each with its cumulative weight and its prepared headers.
local table_ = {}
for line in (os.getenv("BENCH_ENDPOINTS") or ""):gmatch("[^\n]+") do
    local f = split(line, "|")
    table_[f[1]] = { name = f[1], method = f[2], path = f[3], body = f[4] ~= "" and f[4] or nil, who = f[5],
                     range = tonumber(f[6]) or 1 }
end
local mix, total = {}, 0
for item in (os.getenv("BENCH_MIX") or ""):gmatch("[^,]+") do
    local name, w = item:match("^%s*([%w_]+):(%d+)%s*$")
    local ep = name and table_[name]
    if not ep then error("BENCH_MIX: unknown or malformed entry '" .. item .. "'") end
    total = total + tonumber(w)
    local headers = {}
    local token = tokens[ep.who]
    if token and token ~= "" then headers["Authorization"] = "Token " .. token end
    if ep.body then headers["Content-Type"] = "application/json" end
    ep.headers = headers
    ep.upto = total
    table.insert(mix, ep)
end
if total == 0 then error("BENCH_MIX is empty") end

local threads = {}
local counter = 0
local delete_created = os.getenv("BENCH_DELETE_CREATED") == "1"
local owner_headers = { Authorization = "Token " .. tokens.owner }
created = {}   -- per thread: ids of the organizations it created and has not deleted yet
sent = {}      -- per thread: requests sent by endpoint name
statuses = {}  -- per thread: responses by status code

function setup(thread)
    thread:set("seed", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    math.randomseed(os.time() * 1000 + (seed or 0) * 7 + run_seed * 131)
    counter = (seed or 0) * 1000000000 + run_seed * 10000000
end

function request()
    if delete_created and #created > 0 then
        sent.delete_org = (sent.delete_org or 0) + 1
        return wrk.format("DELETE", "/api/v2/organizations/" .. table.remove(created) .. "?confirmed=true",
            owner_headers)
    end
    counter = counter + 1
    local r = math.random(1, total)
    local ep = mix[#mix]
    for _, e in ipairs(mix) do
        if r <= e.upto then ep = e; break end
    end
    sent[ep.name] = (sent[ep.name] or 0) + 1
    local p = ep.path
    if p:find("{org}", 1, true) then p = p:gsub("{org}", tostring(math.random(1, ep.range))) end
    local b = ep.body
    if b then b = b:gsub("{n}", tostring(counter)) end
    return wrk.format(ep.method, p, ep.headers, b)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    -- a create's answer: the only one naming a "Bench" organization first (the mix reads seeded ones by id)
    if delete_created and status == 200 then
        local id = body:match('^{"organization":{"id":(%d+),"name":"Bench ')
        if id then table.insert(created, id) end
    end
end

local function merge(name)
    local all = {}
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get(name) or {}) do all[k] = (all[k] or 0) + v end
    end
    local keys = {}
    for k in pairs(all) do table.insert(keys, k) end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do table.insert(parts, tostring(k) .. "=" .. all[k]) end
    return table.concat(parts, " ")
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
            .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout))
    io.write("BENCHSTATUS " .. merge("statuses") .. "\n")
    io.write("BENCHMIX " .. merge("sent") .. "\n")
end
