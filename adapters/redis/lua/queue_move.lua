-- Changes the holder of a named entry: lease (or renew), hold, or free it.
-- ARGV[1] task key, ARGV[2] holder ('f', 'l', 'h'), ARGV[3] officer, ARGV[4] until,
-- ARGV[5] until in µs
-- Returns 1, or 0 when the key is not queued.
local json = redis.call('HGET', ENTRIES, ARGV[1])
if not json then
  return 0
end
set_holder(ARGV[1], cjson.decode(json), ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
