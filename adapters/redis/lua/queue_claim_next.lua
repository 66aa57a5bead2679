-- Leases the free entry due first (then dispatched first) to an officer.
-- ARGV[1] officer, ARGV[2] until, ARGV[3] until in µs
-- Returns {task key, entry JSON}, or false when nothing is free.
local Q = queue_at(KEYS, 1)
local first = redis.call('ZRANGE', Q.f, 0, 0)
if #first == 0 then
  return false
end
local key = key_of(first[1])
local json = redis.call('HGET', Q.e, key)
if not json then
  -- An index member without its entry cannot be claimed; drop it.
  redis.call('ZREM', Q.f, first[1])
  return false
end
return {key, set_holder(Q, key, cjson.decode(json), 'l', ARGV[1], ARGV[2], ARGV[3])}
