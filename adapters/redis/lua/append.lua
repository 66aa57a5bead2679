-- Appends events to one case if it has exactly the expected number of events.
-- Every key is the case's ({case-id} hash tag), so this runs on Redis Cluster.
--
-- KEYS[1] the case's event list
-- KEYS[2] the case's summary hash: v (events stored), a (effects applied), s (status)
-- ARGV[1] expected version, ARGV[2] new status, ARGV[3..] the events (JSON)
--
-- Returns {1, new version, previous status} or, on a conflict, {0, actual version, ''}.
local summary = redis.call('HMGET', KEYS[2], 'v', 's')
local version = tonumber(summary[1] or '0')
if version ~= tonumber(ARGV[1]) then
  return {0, version, ''}
end
local previous = summary[2] or ''
push_events(KEYS[1], ARGV, 3, #ARGV)
local new_version = version + #ARGV - 2
redis.call('HSET', KEYS[2], 'v', new_version, 's', ARGV[2])
return {1, new_version, previous}
