-- Advances a case's outbox cursor (never backwards, never past its events).
--
-- KEYS[1] the case's summary hash
-- ARGV[1] the number of events whose effects were carried out
--
-- Returns {applied, version} after the call, or {-1, -1} when there is no such case.
local version = redis.call('HGET', KEYS[1], 'v')
if not version then
  return {-1, -1}
end
version = tonumber(version)
local applied = tonumber(redis.call('HGET', KEYS[1], 'a') or '0')
local wanted = math.min(tonumber(ARGV[1]), version)
if wanted > applied then
  redis.call('HSET', KEYS[1], 'a', wanted)
  applied = wanted
end
return {applied, version}
