-- Trims the stream of entries done with: every whole node older than the oldest live
-- entry (the first pending one, or the first free one of any due day), without walking
-- any node (XTRIM MINID ~). Entries removed since are gone from the entries hash already.
-- Returns how many stream entries went.
local Q = queue_at(KEYS, 1)
if redis.call('EXISTS', Q.s) == 0 then
  return 0
end
-- The oldest live entry, as a padded id (padded ids order as their entries do).
local oldest = nil
local pending = redis.call('XPENDING', Q.s, GROUP, '-', '+', 1)
if pending[1] then
  oldest = string.sub(free_member(pending[1][1], ''), 1, 26)
end
-- The free set orders by due day, then id: the first member of each day is its oldest.
-- Free entries due on more days than a queue has in practice (time limits span weeks)
-- leave the stream untrimmed until fewer are left, rather than make this call long.
local floor = '-inf'
local days = 0
while true do
  local first = redis.call('ZRANGEBYSCORE', Q.f, floor, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then
    break
  end
  days = days + 1
  if days > 1000 then
    return 0
  end
  local padded = string.sub(first[1], 1, 26)
  if not oldest or padded < oldest then
    oldest = padded
  end
  floor = '(' .. first[2]
end
local before = redis.call('XLEN', Q.s)
if oldest then
  redis.call('XTRIM', Q.s, 'MINID', '~', unpadded(oldest))
else
  redis.call('XTRIM', Q.s, 'MAXLEN', '~', 0)
end
return before - redis.call('XLEN', Q.s)
