-- Drops a case from an index set (a status set, or `lag` itself) after the caller saw in
-- the case's own keys that the member is stale: it observed the case at version
-- ARGV[2]. The member is kept when an append expecting that version or a later one was
-- announced meanwhile (it may still succeed and make the member true again).
--
-- KEYS[1] the set to drop the case from, KEYS[2] lag
-- ARGV[1] case id, ARGV[2] the version the caller observed
--
-- Returns 1 when dropped, 0 when kept.
local announced = redis.call('ZSCORE', KEYS[2], ARGV[1])
if announced and tonumber(announced) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
