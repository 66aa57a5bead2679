-- Leases the free entry due first (then dispatched first) to an officer (`claim_first`).
-- ARGV[1] officer, ARGV[2] until, ARGV[3] until in µs
-- Returns {task key, entry}, or false when nothing is free.
local key, value = claim_first(queue_at(KEYS, 1), ARGV[1], ARGV[2], ARGV[3])
if not key then
  return false
end
return {key, value}
