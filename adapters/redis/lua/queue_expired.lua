-- Leased entries whose lease ended at or before a time: pending entries idle for at
-- least LEASE_OFFSET_MS as of that time (see queue.lua), which may differ from Redis's own
-- clock (a test's clock, or a node's).
-- ARGV[1] now in µs, ARGV[2] at most this many
-- Returns {task key, entry, ...}.
local Q = queue_at(KEYS, 1)
if redis.call('EXISTS', Q.s) == 0 then
  return {}
end
local t = redis.call('TIME')
local server_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_ms = math.floor(tonumber(ARGV[1]) / 1000)
local min_idle = math.max(0, LEASE_OFFSET_MS + server_ms - now_ms)
local pending = redis.call('XPENDING', Q.s, GROUP, 'IDLE', string.format('%d', min_idle),
  '-', '+', ARGV[2])
local out = {}
for _, p in ipairs(pending) do
  local id = p[1]
  local found = redis.call('XRANGE', Q.s, id, id)
  local fields = found[1] and found[1][2]
  local key = fields and fields[2]
  local value = key and redis.call('HGET', Q.e, key)
  local _, entry_id, _, h = entry_of(value)
  if h == 'l' and entry_id == id then
    out[#out + 1] = key
    out[#out + 1] = value
  end
end
return out
