-- One server only (not a cluster): advances the outbox cursors of many cases at once and
-- drops the cases whose effects are now all applied from `lag` — mark_applied.lua and
-- index_settle.lua for a batch, in one request. Exact on one server: no append can run
-- between the read and the ZREM.
--
-- KEYS[1] lag, KEYS[2..] the cases' summary hashes
-- ARGV triples: case id, where the carried-out run of its events starts (the cursor moves
-- only if it is there or beyond), the number of its events whose effects were carried out
--
-- Returns how many cases left `lag`.
local settled = 0
for k = 2, #KEYS do
  local case = ARGV[3 * k - 5]
  local from, wanted = tonumber(ARGV[3 * k - 4]), tonumber(ARGV[3 * k - 3])
  local summary = redis.call('HMGET', KEYS[k], 'v', 'a')
  if summary[1] then
    local version = tonumber(summary[1])
    local applied = tonumber(summary[2] or '0')
    wanted = math.min(wanted, version)
    if applied >= from and wanted > applied then
      redis.call('HSET', KEYS[k], 'a', wanted)
      applied = wanted
    end
    if applied >= version then
      settled = settled + redis.call('ZREM', KEYS[1], case)
    end
  end
end
return settled
