-- One server only (not a cluster): a command's whole write in one script — the append
-- with its expected version checked and the case index updated (as append_indexed.lua),
-- the queue moves its events imply in any department's queue, the case's next deadline
-- check, and the outbox cursor — so one request does it all and nothing is left lagging.
-- Prepended with case.lua and queue.lua. The keys every case shares and the queues' keys
-- are built from the prefix ARGV[4] (`shared_keys`; undeclared keys: a cluster would
-- refuse them, a single server does not).
--
-- KEYS[1] the case's event list, KEYS[2] its summary hash, KEYS[3] its task → department
-- hash
-- ARGV[1] expected version, ARGV[2] new status, ARGV[3] case id, ARGV[4] the key prefix,
-- ARGV[5] '1' when the cursor may pass the new events once this is done,
-- ARGV[6], ARGV[7] the caller's own cursor move not sent yet (from, to; 0, 0 if none),
-- which counts as made when the stored cursor is at its `from` or beyond,
-- ARGV[8] the next check: '' keep, '-' none, else its instant in µs,
-- ARGV[9] the department whose next free entry to lease once the effects are made ('' for
-- none), ARGV[10] to whom, ARGV[11] until, ARGV[12] until in µs,
-- ARGV[13] n, the number of events, ARGV[14 .. 13+n] the events (JSON), then the moves:
--   'd', task key, department, task, due day number, '<due day number> <due date>
--        <dispatched at>'
--   'm', task key, department, holder ('f', 'l', 'h'), officer, until, until in µs
--   'a', task key, department
--
-- Returns {1, new version, previous status, '', claimed key, claimed entry} (the last
-- two '' when nothing was claimed), or {1, …, what failed, '', ''} when an effect failed
-- (the events are appended; recovery completes the effects; nothing is claimed), or, on a
-- conflict, {0, actual version, '', '', '', ''}.
local summary = redis.call('HMGET', KEYS[2], 'v', 's', 'a')
local version = tonumber(summary[1] or '0')
if version ~= tonumber(ARGV[1]) then
  return {0, version, '', '', '', ''}
end
local previous = summary[2] or ''
local case = ARGV[3]
local shared = shared_keys(ARGV[4])
local n = tonumber(ARGV[13])
push_events(KEYS[1], ARGV, 14, 13 + n)
local new_version = version + n
index_case(shared.cases, shared.status, case, version == 0, previous, ARGV[2])

local function queue(department)
  return queue_named(shared.queues, department)
end

-- The effects. The events are appended whatever happens here: a failing move (a key of
-- the wrong type, a corrupt entry) is caught, the rest is left to recovery (the cursor
-- stays behind, the case in `lag`), and the caller is told.
local function carry_out()
  local homes = {}
  local i = 14 + n
  while i <= #ARGV do
    local op, key, q = ARGV[i], ARGV[i + 1], queue(ARGV[i + 2])
    if op == 'd' then
      homes[#homes + 1] = ARGV[i + 3]
      homes[#homes + 1] = ARGV[i + 2]
      local _, created = insert_new(q, key, ARGV[i + 4], ARGV[i + 5])
      if created then
        redis.call('SADD', shared.departments, ARGV[i + 2])
      end
      i = i + 6
    elseif op == 'm' then
      move(q, key, ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6])
      i = i + 7
    else
      remove(q, key)
      i = i + 3
    end
  end
  if #homes > 0 then
    redis.call('HSET', KEYS[3], unpack(homes))
  end
  if ARGV[8] == '-' then
    redis.call('ZREM', shared.due, case)
  elseif ARGV[8] ~= '' then
    redis.call('ZADD', shared.due, ARGV[8], case)
  end
end
local carried, failure = pcall(carry_out)
if carried then
  failure = ''
elseif type(failure) == 'table' then
  failure = failure.err or 'an effect failed'
else
  failure = tostring(failure)
end

-- The cursor: past the new events when everything before them was applied and nothing is
-- left to do; else the case is (or stays) in `lag`.
local stored = tonumber(summary[3] or '0')
local applied = stored
if stored >= tonumber(ARGV[6]) then
  applied = math.max(stored, tonumber(ARGV[7]))
end
if carried and applied >= version and ARGV[5] == '1' then
  -- The number as text once, not once per field.
  local text = tostring(new_version)
  redis.call('HSET', KEYS[2], 'v', text, 's', ARGV[2], 'a', text)
  if stored < version then
    -- It lagged only until the caller's cursor move, which this one replaces.
    redis.call('ZREM', shared.lag, case)
  end
else
  redis.call('HSET', KEYS[2], 'v', new_version, 's', ARGV[2], 'a', applied)
  if applied >= version then
    redis.call('ZADD', shared.lag, 'GT', ARGV[1], case)
  end
end
-- The officer's next task, once the effects are made (what they dispatched included).
local claimed_key, claimed_entry = '', ''
if carried and ARGV[9] ~= '' then
  -- Caught as the effects are: the append stands whatever happens here.
  local ok, key, entry = pcall(claim_first, queue(ARGV[9]), ARGV[10], ARGV[11], ARGV[12])
  if ok and key then
    claimed_key, claimed_entry = key, entry
  end
end
return {1, new_version, previous, failure, claimed_key, claimed_entry}
