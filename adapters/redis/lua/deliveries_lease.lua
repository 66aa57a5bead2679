-- Leases the earliest due deliveries: each is due again only at the lease's end.
-- KEYS[1] deliveries, KEYS[2] states, KEYS[3] due. ARGV[1] now (ms), ARGV[2] until (ms),
-- ARGV[3] limit. Returns id, JSON, state of each, flat.
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[3], ARGV[2], id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[1], id) or ''
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or '0\t'
end
return out
