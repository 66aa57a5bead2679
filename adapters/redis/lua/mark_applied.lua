-- Advances a case's outbox cursor (never backwards, never past its events), if it is at
-- ARGV[2] or beyond: effects of the events before that may still lag.
--
-- KEYS[1] the case's summary hash
-- ARGV[1] the number of events whose effects were carried out, ARGV[2] where the
-- carried-out run of them starts
--
-- Returns {applied, version} after the call, or {-1, -1} when there is no such case.
local summary = redis.call('HMGET', KEYS[1], 'v', 'a')
if not summary[1] then
  return {-1, -1}
end
local version = tonumber(summary[1])
local applied = tonumber(summary[2] or '0')
local wanted = math.min(tonumber(ARGV[1]), version)
if applied >= tonumber(ARGV[2]) and wanted > applied then
  redis.call('HSET', KEYS[1], 'a', wanted)
  applied = wanted
end
return {applied, version}
