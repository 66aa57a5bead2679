-- Stores the next version of one workflow or calendar and announces it on pub/sub,
-- atomically.
--
-- KEYS[1] the workflow's or calendar's versions (a list, version 1 first)
-- ARGV[1] the version to store, ARGV[2] its JSON, ARGV[3] the announcement channel,
-- ARGV[4] the announcement
--
-- Returns {1, version} or, when the version is not the next one, {0, latest version}.
local latest = redis.call('LLEN', KEYS[1])
if tonumber(ARGV[1]) ~= latest + 1 then
  return {0, latest}
end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, latest + 1}
