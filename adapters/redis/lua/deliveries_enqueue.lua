-- Adds alert deliveries not known yet (the delivery outbox).
-- KEYS[1] deliveries (id -> JSON), KEYS[2] states (id -> "attempts<TAB>error"),
-- KEYS[3] due (sorted set, ms). ARGV: triples id, JSON, due (ms since the epoch).
-- Returns how many were new.
local added = 0
for i = 1, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i], '0\t')
    redis.call('ZADD', KEYS[3], ARGV[i + 2], ARGV[i])
    added = added + 1
  end
end
return added
