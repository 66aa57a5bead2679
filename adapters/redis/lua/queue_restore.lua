-- Puts an entry exactly as given, replacing any entry of its key (it goes to the back of
-- its due day).
-- ARGV[1] task key, ARGV[2] due day number, ARGV[3] '<due day number> <due date>
-- <dispatched at>', ARGV[4] holder ('f', 'l', 'h'), ARGV[5] officer, ARGV[6] until,
-- ARGV[7] until in µs
local Q = queue_at(KEYS, 1)
remove(Q, ARGV[1])
local base, id = insert(Q, ARGV[1], ARGV[2], ARGV[3])
if ARGV[4] ~= 'f' then
  set_holder(Q, ARGV[1], base, id, ARGV[2], 'f', ARGV[4], ARGV[5], ARGV[6], ARGV[7])
end
return 1
