-- Adds free entries; an entry already queued is left as it is.
-- ARGV: groups of four — task key, due date, due day number, dispatched at.
-- Returns how many were added.
local Q = queue_at(KEYS, 1)
local added = 0
for i = 1, #ARGV, 4 do
  if insert_new(Q, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]) then
    added = added + 1
  end
end
return added
