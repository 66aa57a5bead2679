-- wrk script: GET the market-regulation inbox as its officer, paced to 100 requests/s per
-- connection (wrk -c 20 → about 2,000 requests/s). Used by scripts/perf/http.sh.
local headers = { ["Authorization"] = "Bearer demo-officer-market-regulation" }
request = function()
  return wrk.format("GET", "/api/v1/departments/market-regulation/inbox", headers)
end
-- PACE_MS=0 sends as fast as the connections allow (capacity rather than latency).
local pace = tonumber(os.getenv("PACE_MS") or "9")
if pace > 0 then
  delay = function()
    return pace
  end
end
