-- wrk script: GET the market-regulation inbox as its officer, paced to 100 requests/s per
-- connection (wrk -c 20 → about 2,000 requests/s). Used by scripts/perf/http.sh.
local headers = { ["Authorization"] = "Bearer demo-officer-market-regulation" }
request = function()
  return wrk.format("GET", "/api/v1/departments/market-regulation/inbox", headers)
end
delay = function()
  return 9
end
