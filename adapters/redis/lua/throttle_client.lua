-- One wrong access code from a client in the window that starts at ARGV[1] (ms since the
-- epoch): a count of another window starts again.
-- KEYS[1] the client's throttle hash; ARGV[1] the window's start; ARGV[2] key expiry (ms).
-- Returns the count after this one.
local n = 0
if redis.call('HGET', KEYS[1], 'w') == ARGV[1] then
  n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
end
n = n + 1
redis.call('HSET', KEYS[1], 'w', ARGV[1], 'n', n)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
