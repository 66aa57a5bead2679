-- Changes the holder of a named entry: lease (or renew), hold, or free it.
-- ARGV[1] task key, ARGV[2] holder ('f', 'l', 'h'), ARGV[3] officer, ARGV[4] until,
-- ARGV[5] until in µs
-- Returns 1, or 0 when the key is not queued.
local Q = queue_at(KEYS, 1)
if move(Q, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]) then
  return 1
end
return 0
