-- One wrong access code for a case: the count since its last right code, forgotten once
-- the last wrong code is older than ARGV[2] ms (the key also expires then).
-- KEYS[1] the case's throttle hash; ARGV[1] now (ms since the epoch); ARGV[2] forget after (ms).
-- Returns the count after this one.
local now = tonumber(ARGV[1])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if n > 0 and now - last >= tonumber(ARGV[2]) then
  n = 0
end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'last', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
