-- Leases the free entry due first (then dispatched first) to an officer. Stale members of
-- the free set (no entry, or an entry that moved on) are dropped on the way.
-- ARGV[1] officer, ARGV[2] until, ARGV[3] until in µs
-- Returns {task key, entry JSON}, or false when nothing is free.
local Q = queue_at(KEYS, 1)
while true do
  local first = redis.call('ZPOPMIN', Q.f)
  if #first == 0 then
    return false
  end
  local member = first[1]
  local key = key_of(member)
  local json = redis.call('HGET', Q.e, key)
  if json then
    local e = cjson.decode(json)
    if e.h == 'f' and free_member(e.id, key) == member then
      return {key, set_holder(Q, key, e, 'l', ARGV[1], ARGV[2], ARGV[3], true)}
    end
  end
end
