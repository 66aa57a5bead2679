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

-- One server only: the keys every case shares under `prefix` (the case index, `lag`, the
-- deadline index, the known departments) and the prefixes of the status sets' and the
-- queues' keys, named as src/keys.rs names them. Built once per prefix while the code
-- stays loaded (the function library's life), so a call sends the prefix alone: every
-- argument costs the server a parse, a copy and a Lua string.
local SHARED, shared_known = {}, 0
local function shared_keys(prefix)
  local k = SHARED[prefix]
  if not k then
    if shared_known >= 64 then
      SHARED, shared_known = {}, 0
    end
    local index = prefix .. ':{' .. prefix .. '/idx}:'
    k = {
      cases = index .. 'cases',
      lag = index .. 'lag',
      status = index .. 'st:',
      due = prefix .. ':{' .. prefix .. '/deadlines}:due',
      departments = prefix .. ':{' .. prefix .. '/queues}:departments',
      queues = prefix .. ':q:{',
    }
    SHARED[prefix] = k
    shared_known = shared_known + 1
  end
  return k
end
