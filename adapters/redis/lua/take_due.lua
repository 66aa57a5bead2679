-- Removes and returns the deadline entries due at or before a time, earliest first, so
-- that exactly one engine node takes each entry.
--
-- KEYS[1] the deadline index (sorted set: member case id, score due time in microseconds)
-- ARGV[1] now in microseconds, ARGV[2] at most this many
--
-- Returns {case, score, case, score, ...}.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
end
return due
