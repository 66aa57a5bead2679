-- Removes entries (decided or withdrawn): XACK and XDEL of their stream entries.
-- ARGV: task keys. A missing key is not an error. Returns how many were removed.
local removed = 0
for i = 1, #ARGV do
  if remove(ARGV[i]) then
    removed = removed + 1
  end
end
return removed
