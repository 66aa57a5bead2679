-- Leased entries whose lease ended at or before a time, earliest first.
-- ARGV[1] now in µs, ARGV[2] at most this many
-- Returns {task key, entry JSON, ...}.
local Q = queue_at(KEYS, 1)
local keys = redis.call('ZRANGEBYSCORE', Q.l, '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, key in ipairs(keys) do
  local json = redis.call('HGET', Q.e, key)
  if json then
    out[#out + 1] = key
    out[#out + 1] = json
  end
end
return out
