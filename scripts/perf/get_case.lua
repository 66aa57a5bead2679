-- wrk script: GET one case, a random one of the ids in cases.txt, as the city coordinator,
-- paced to about 100 requests/s per connection (wrk -c 20 → about 2,000 requests/s).
-- Used by scripts/perf/http.sh.
local ids = {}
for line in io.lines(os.getenv("CASES") or "cases.txt") do
  ids[#ids + 1] = line
end
local headers = { ["Authorization"] = "Bearer demo-coordinator-city" }
request = function()
  return wrk.format("GET", "/api/v1/cases/" .. ids[math.random(#ids)], headers)
end
-- PACE_MS=0 sends as fast as the connections allow (capacity rather than latency).
local pace = tonumber(os.getenv("PACE_MS") or "9")
if pace > 0 then
  delay = function()
    return pace
  end
end
