-- Drops cases from an index set (a status set, or `lag` itself) after the caller saw in
-- each case's own keys that its member is stale: it observed the case at some version.
-- A member is kept when an append expecting that version or a later one was announced
-- meanwhile (it may still succeed and make the member true again).
--
-- KEYS[1] the set to drop cases from, KEYS[2] lag
-- ARGV pairs: case id, the version the caller observed
--
-- Returns how many were dropped.
local dropped = 0
for i = 1, #ARGV, 2 do
  local announced = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if not (announced and tonumber(announced) >= tonumber(ARGV[i + 1])) then
    dropped = dropped + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return dropped
