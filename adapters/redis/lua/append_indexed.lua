-- One server only (not a cluster): the append of append.lua and the case index updates of
-- index_intent.lua and index_settle.lua in one script, so the index is exact and one
-- request does it all. The status sets are named from ARGV[4] (undeclared keys: a cluster
-- would refuse them, a single server does not).
--
-- KEYS[1] the case's event list, KEYS[2] the case's summary hash,
-- KEYS[3] every case (lexical), KEYS[4] lag (cases whose effects may lag)
-- ARGV[1] expected version, ARGV[2] new status, ARGV[3] case id,
-- ARGV[4] the prefix of the status sets' keys, ARGV[5..] the events (JSON)
--
-- Returns {1, new version, previous status} or, on a conflict, {0, actual version, ''}.
local summary = redis.call('HMGET', KEYS[2], 'v', 's', 'a')
local version = tonumber(summary[1] or '0')
if version ~= tonumber(ARGV[1]) then
  return {0, version, ''}
end
local previous = summary[2] or ''
local case = ARGV[3]
push_events(KEYS[1], ARGV, 5, #ARGV)
local new_version = version + #ARGV - 4
redis.call('HSET', KEYS[2], 'v', new_version, 's', ARGV[2])
index_case(KEYS[3], ARGV[4], case, version == 0, previous, ARGV[2])
-- A case whose effects already lag is in `lag` (applied_many.lua removes a case only once
-- all is applied, in the same step as it reads that): skip the sorted-set write then.
if tonumber(summary[3] or '0') >= version then
  redis.call('ZADD', KEYS[4], 'GT', ARGV[1], case)
end
return {1, new_version, previous}
