-- Shared by the append scripts: prepended to each as a script, defined once at the top of
-- the function library. Helpers take the call's KEYS and ARGV as arguments: a library's
-- helpers have no global ones.

-- Appends argv[first .. last] (events) to the list `events`, in chunks: unpack() of very
-- many values would overflow Lua's C stack.
local function push_events(events, argv, first, last)
  local i = first
  while i <= last do
    local chunk_end = math.min(i + 99, last)
    redis.call('RPUSH', events, unpack(argv, i, chunk_end))
    i = chunk_end + 1
  end
end

-- One server only: a new case joins the index of every case (`cases`), and a case whose
-- status changed moves between the status sets named `status_prefix` .. status.
local function index_case(cases, status_prefix, case, new, previous, status)
  if new then
    redis.call('ZADD', cases, 0, case)
  end
  if previous ~= status then
    redis.call('ZADD', status_prefix .. status, 0, case)
    if previous ~= '' then
      redis.call('ZREM', status_prefix .. previous, case)
    end
  end
end
