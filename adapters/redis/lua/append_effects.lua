-- One server only (not a cluster): commands' whole writes, one case after another, each in
-- one go — the append with its expected version checked and the case index updated (as
-- append_indexed.lua), the queue moves its events imply in any department's queue, the
-- case's next deadline check, and the outbox cursor — so one request does it all and
-- nothing is left lagging. Several cases' commands share one call (src/fused.rs batches
-- the appends waiting at the same time): a call costs the server more than most of what
-- it carries. Prepended with case.lua and queue.lua. The keys every case shares and the
-- queues' keys are built from the prefix (`shared_keys`; undeclared keys: a cluster would
-- refuse them, a single server does not).
--
-- KEYS: three per case — its event list, its summary hash, its task → department hash.
-- ARGV[1] the key prefix; then per case its number of arguments m, then its m arguments:
--   [1] expected version, [2] new status, [3] case id,
--   [4] '1' when the cursor may pass the new events once this is done,
--   [5], [6] the caller's own cursor move not sent yet (from, to; 0, 0 if none), which
--   counts as made when the stored cursor is at its `from` or beyond,
--   [7] the next check: '' keep, '-' none, else its instant in µs,
--   [8] the department whose next free entry to lease once the effects are made ('' for
--   none), [9] to whom, [10] until, [11] until in µs,
--   [12] n, the number of events, [13 .. 12+n] the events (JSON), then the moves:
--     'd', task key, department, task, due day number, '<due day number> <due date>
--          <dispatched at>'
--     'm', task key, department, holder ('f', 'l', 'h'), officer, until, until in µs
--     'a', task key, department
--
-- Returns one reply per case, in order: {1, new version, previous status, '', claimed
-- key, claimed entry} (the last two '' when nothing was claimed), or {1, …, what failed,
-- '', ''} when an effect failed (the events are appended; recovery completes the effects;
-- nothing is claimed), {0, actual version, '', '', '', ''} on a conflict, or {-1, 0, '',
-- the error, '', ''} when the case's own write failed (one case's error does not stop the
-- others).
local shared = shared_keys(ARGV[1])

local function queue(department)
  return queue_named(shared.queues, department)
end

local function error_text(failure)
  if type(failure) == 'table' then
    return failure.err or 'failed'
  end
  return tostring(failure)
end

-- One case: keys `events`, `meta`, `homes`; its arguments A[o + 1 ..] up to A[last].
local function append_case(events, meta, homes, A, o, last)
  local summary = redis.call('HMGET', meta, 'v', 's', 'a')
  local version = tonumber(summary[1] or '0')
  if version ~= tonumber(A[o + 1]) then
    return {0, version, '', '', '', ''}
  end
  local previous = summary[2] or ''
  local status, case = A[o + 2], A[o + 3]
  local n = tonumber(A[o + 12])
  push_events(events, A, o + 13, o + 12 + n)
  local new_version = version + n
  index_case(shared.cases, shared.status, case, version == 0, previous, status)

  -- The effects. The events are appended whatever happens here: a failing move (a key of
  -- the wrong type, a corrupt entry) is caught, the rest is left to recovery (the cursor
  -- stays behind, the case in `lag`), and the caller is told.
  local function carry_out()
    local dispatched = {}
    local i = o + 13 + n
    while i <= last do
      local op, key, q = A[i], A[i + 1], queue(A[i + 2])
      if op == 'd' then
        dispatched[#dispatched + 1] = A[i + 3]
        dispatched[#dispatched + 1] = A[i + 2]
        local _, created = insert_new(q, key, A[i + 4], A[i + 5])
        if created then
          redis.call('SADD', shared.departments, A[i + 2])
        end
        i = i + 6
      elseif op == 'm' then
        move(q, key, A[i + 3], A[i + 4], A[i + 5], A[i + 6])
        i = i + 7
      else
        remove(q, key)
        i = i + 3
      end
    end
    if #dispatched > 0 then
      redis.call('HSET', homes, unpack(dispatched))
    end
    local check = A[o + 7]
    if check == '-' then
      redis.call('ZREM', shared.due, case)
    elseif check ~= '' then
      redis.call('ZADD', shared.due, check, case)
    end
  end
  local carried, failure = pcall(carry_out)
  if carried then
    failure = ''
  else
    failure = error_text(failure)
  end

  -- The cursor: past the new events when everything before them was applied and nothing
  -- is left to do; else the case is (or stays) in `lag`.
  local stored = tonumber(summary[3] or '0')
  local applied = stored
  if stored >= tonumber(A[o + 5]) then
    applied = math.max(stored, tonumber(A[o + 6]))
  end
  if carried and applied >= version and A[o + 4] == '1' then
    -- The number as text once, not once per field.
    local text = tostring(new_version)
    redis.call('HSET', meta, 'v', text, 's', status, 'a', text)
    if stored < version then
      -- It lagged only until the caller's cursor move, which this one replaces.
      redis.call('ZREM', shared.lag, case)
    end
  else
    redis.call('HSET', meta, 'v', new_version, 's', status, 'a', applied)
    if applied >= version then
      redis.call('ZADD', shared.lag, 'GT', A[o + 1], case)
    end
  end
  -- The officer's next task, once the effects are made (what they dispatched included).
  local claimed_key, claimed_entry = '', ''
  if carried and A[o + 8] ~= '' then
    -- Caught as the effects are: the append stands whatever happens here.
    local ok, key, entry = pcall(claim_first, queue(A[o + 8]), A[o + 9], A[o + 10], A[o + 11])
    if ok and key then
      claimed_key, claimed_entry = key, entry
    end
  end
  return {1, new_version, previous, failure, claimed_key, claimed_entry}
end

local replies = {}
local a, k = 2, 0
while a <= #ARGV do
  local m = tonumber(ARGV[a])
  local ok, reply = pcall(append_case, KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV, a, a + m)
  if not ok then
    reply = {-1, 0, '', error_text(reply), '', ''}
  end
  replies[#replies + 1] = reply
  a = a + 1 + m
  k = k + 3
end
return replies
