-- One server only (not a cluster): advances the outbox cursors of many cases at once and
-- drops the cases whose effects are now all applied from `lag` — mark_applied.lua and
-- index_settle.lua for a batch, in one request. Exact on one server: no append can run
-- between the read and the ZREM.
--
-- KEYS[1] lag, KEYS[2..] the cases' summary hashes
-- ARGV pairs: case id, the number of its events whose effects were carried out
--
-- Returns how many cases left `lag`.
local settled = 0
for k = 2, #KEYS do
  local case, wanted = ARGV[2 * k - 3], tonumber(ARGV[2 * k - 2])
  local summary = redis.call('HMGET', KEYS[k], 'v', 'a')
  if summary[1] then
    local version = tonumber(summary[1])
    local applied = tonumber(summary[2] or '0')
    wanted = math.min(wanted, version)
    if wanted > applied then
      redis.call('HSET', KEYS[k], 'a', wanted)
      applied = wanted
    end
    if applied >= version then
      settled = settled + redis.call('ZREM', KEYS[1], case)
    end
  end
end
return settled
