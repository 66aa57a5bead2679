-- Moves a known delivery to a state: `pending` (a retry), `dead`, `done`, or `revive`
-- (a dead letter made pending again; nothing when it is not dead).
-- KEYS[1] states, KEYS[2] due, KEYS[3] dead, KEYS[4] done. ARGV[1] id, ARGV[2] the state,
-- ARGV[3] its instant (ms), ARGV[4] "attempts<TAB>error". Returns 1 if moved, else 0.
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[1], id) == 0 then
  return 0
end
local to = ARGV[2]
if to == 'revive' then
  if not redis.call('ZSCORE', KEYS[3], id) then
    return 0
  end
  to = 'pending'
end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
redis.call('HSET', KEYS[1], id, ARGV[4])
if to == 'pending' then
  redis.call('ZADD', KEYS[2], ARGV[3], id)
elseif to == 'dead' then
  redis.call('ZADD', KEYS[3], ARGV[3], id)
else
  redis.call('ZADD', KEYS[4], ARGV[3], id)
end
return 1
