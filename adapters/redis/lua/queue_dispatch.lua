-- Adds free entries; an entry already queued is left as it is.
-- ARGV: groups of four — task key, due date, due day number, dispatched at.
-- Returns how many were added.
local added = 0
for i = 1, #ARGV, 4 do
  if redis.call('HEXISTS', ENTRIES, ARGV[i]) == 0 then
    insert(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    added = added + 1
  end
end
return added
