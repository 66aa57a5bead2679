-- Forgets deliveries delivered before ARGV[1] (ms), at most ARGV[2] of them.
-- KEYS[1] deliveries, KEYS[2] states, KEYS[3] done. Returns how many.
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
return #ids
