-- Removes entries (decided or withdrawn): XACK and XDEL of their stream entries.
-- ARGV: task keys. A missing key is not an error. Returns how many were removed.
local Q = queue_at(KEYS, 1)
local removed = 0
for i = 1, #ARGV do
  if remove(Q, ARGV[i]) then
    removed = removed + 1
  end
end
return removed
