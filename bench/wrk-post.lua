-- wrk script for bench/http.ts and bench/binary.ts: POSTs a patient registration as JSON,
-- a different name and phone on every request (distinct people, so the duplicate check
-- does not grow with the run), and prints the result as one JSON line (WRK_JSON {...}).
-- Env: BENCH_TOKEN (bearer token, optional), BENCH_RUN (0-9, keeps phones unique across runs).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local run = tonumber(os.getenv("BENCH_RUN") or "0") or 0

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local counter = 0
local letters = "abcdefghijklmnopqrstuvwxyz"

local function spell(n)
  local s = ""
  repeat
    local d = n % 26
    s = letters:sub(d + 1, d + 1) .. s
    n = math.floor(n / 26)
  until n == 0
  return s
end

function request()
  counter = counter + 1
  -- 98 + run (1 digit) + thread (1 digit) + counter (6 digits) = a valid 10-digit mobile
  local phone = string.format("98%d%d%06d", run, (tid or 0) % 10, counter % 1000000)
  local body = string.format(
    '{"name":"Bench %s Patient","phone":"%s","sex":"female","age_years":30}',
    spell(counter * 16 + (tid or 0)), phone)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
