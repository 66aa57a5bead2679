-- Puts an entry exactly as given, replacing any entry of its key (it goes to the back of
-- its due day).
-- ARGV[1] task key, ARGV[2] due date, ARGV[3] due day number, ARGV[4] dispatched at,
-- ARGV[5] holder ('f', 'l', 'h'), ARGV[6] officer, ARGV[7] until, ARGV[8] until in µs
local Q = queue_at(KEYS, 1)
remove(Q, ARGV[1])
local base, id = insert(Q, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if ARGV[5] ~= 'f' then
  set_holder(Q, ARGV[1], base, id, ARGV[3], 'f', ARGV[5], ARGV[6], ARGV[7], ARGV[8])
end
return 1
