-- Adds free entries; an entry already queued is left as it is.
-- ARGV: groups of three — task key, due day number, '<due day number> <due date>
-- <dispatched at>'.
-- Returns how many were added.
local Q = queue_at(KEYS, 1)
local added = 0
for i = 1, #ARGV, 3 do
  if insert_new(Q, ARGV[i], ARGV[i + 1], ARGV[i + 2]) then
    added = added + 1
  end
end
return added
