-- Shared by every department queue script (prepended to each as a script, defined once at
-- the top of the function library: see src/scripts.rs), and by
-- append_effects.lua, which moves entries of several departments' queues.
--
-- One department's queue lives under one hash tag ({dept-id}); `q` names its keys:
--   q.s stream   every queued task is one stream entry (XADD at dispatch); the consumer
--                group `greenlane` holds leased and held entries in its pending list,
--                owned by the officer (XCLAIM ... FORCE), so XPENDING and XINFO CONSUMERS
--                show who holds what; ack is XACK. A lease is its pending entry:
--                XCLAIM sets the entry's delivery time to the lease's end minus
--                LEASE_OFFSET_MS (Redis refuses delivery times in the future), so the
--                entry has been idle LEASE_OFFSET_MS exactly when its lease has run out,
--                and `XPENDING … IDLE` finds the expired ones with no index of its own.
--                Entries done with are not deleted one by one (XDEL walks the stream's
--                node to the entry: the dearest command per task); `queue_trim.lua`
--                trims whole nodes older than every live entry instead. A hold can last
--                weeks (a supplement asked for), so a held entry moves to a new stream id
--                and does not keep the stream from being trimmed behind it
--   q.e entries  hash task key -> '<id> <day> <due> <at> <h>[ <till> <officer>]': stream
--                id, due day number, due date, dispatched at, then the holder h: 'f'
--                (free), 'l' (leased to officer till an instant) or 'h' (held by officer;
--                till '-'). Plain text read by position: no JSON to decode, no number to
--                convert, on the way of every claim and decision. The first four fields
--                (the base) never change; a move rewrites the holder after them
--   q.f free     sorted set of free entries: score due day, member padded stream id ..
--                task key, so claims take the earliest due, then the earliest dispatched
-- The queue_*.lua scripts take them as KEYS[1..3] (`queue_at(KEYS, 1)`).
local GROUP = 'greenlane'
-- 50 years: longer than any lease, shorter than the time since 1970 (a delivery time
-- before it would be refused too).
local LEASE_OFFSET_MS = 1576800000000

local function queue_at(keys, first)
  return {s = keys[first], e = keys[first + 1], f = keys[first + 2]}
end

-- The keys of a queue named by a key prefix and a department, built once and kept while
-- the code stays loaded: the function library's life (one call, run as a script).
local QUEUES, queues_known = {}, 0
local function queue_named(prefix, department)
  local by_department = QUEUES[prefix]
  if not by_department then
    if queues_known >= 4096 then
      QUEUES, queues_known = {}, 0
    end
    by_department = {}
    QUEUES[prefix] = by_department
  end
  local q = by_department[department]
  if not q then
    local base = prefix .. department .. '}'
    q = {s = base .. ':s', e = base .. ':e', f = base .. ':f'}
    by_department[department] = q
    queues_known = queues_known + 1
  end
  return q
end

local function free_member(id, key)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 15 - #ms) .. ms .. '-' .. string.rep('0', 10 - #seq) .. seq .. key
end

-- The stream id a free member or `free_member`'s padding starts with.
local function unpadded(padded)
  local ms, seq = string.match(padded, '^0*(%d+)-0*(%d+)')
  return ms .. '-' .. seq
end

local function key_of(member)
  return string.sub(member, 27)
end

-- Appends the task's stream entry; returns its id, and whether the queue was new (then its
-- stream and group are created first). NOMKSTREAM makes it one command when the queue
-- exists, as it does but for its first task.
local function append_entry(q, key)
  local id = redis.call('XADD', q.s, 'NOMKSTREAM', '*', 'k', key)
  if id then
    return id, false
  end
  redis.call('XGROUP', 'CREATE', q.s, GROUP, '0', 'MKSTREAM')
  return redis.call('XADD', q.s, '*', 'k', key), true
end

-- An entry's parts: its base (the fields that never change), stream id, due day and holder;
-- nil for no entry.
local function entry_of(value)
  if not value then
    return nil
  end
  return string.match(value, '^((%S+) (%S+) %S+ %S+) (%a)')
end

-- Gives the entry (its base, id, day and holder `was`) the holder `h`: 'f', or 'l'/'h' for
-- `officer` (a lease lasts until `till`, which is `till_us` in microseconds). `popped`
-- when the caller already took it out of the free set. Returns its new value.
local function set_holder(q, key, base, id, day, was, h, officer, till, till_us, popped)
  if was == 'f' and not popped then
    redis.call('ZREM', q.f, free_member(id, key))
  end
  local value
  if h == 'f' then
    redis.call('XACK', q.s, GROUP, id)
    redis.call('ZADD', q.f, day, free_member(id, key))
    value = base .. ' f'
  elseif h == 'l' then
    -- The lease's end, rounded up to the millisecond, minus the offset (see above).
    local delivered = math.ceil(tonumber(till_us) / 1000) - LEASE_OFFSET_MS
    redis.call('XCLAIM', q.s, GROUP, officer, 0, id, 'TIME',
      string.format('%d', delivered), 'FORCE', 'JUSTID')
    value = base .. ' l ' .. till .. ' ' .. officer
  else
    -- A new stream id (see above); the old entry goes.
    redis.call('XACK', q.s, GROUP, id)
    redis.call('XDEL', q.s, id)
    local new_id = redis.call('XADD', q.s, '*', 'k', key)
    redis.call('XCLAIM', q.s, GROUP, officer, 0, new_id, 'FORCE', 'JUSTID')
    base = new_id .. string.sub(base, #id + 1)
    value = base .. ' h - ' .. officer
  end
  redis.call('HSET', q.e, key, value)
  return value
end

-- Leases the free entry due first (then dispatched first) to `officer` until `till`
-- (`till_us` in µs); returns its key and value, or nil when nothing is free. Stale members
-- of the free set (no entry, or an entry that moved on) are dropped on the way.
local function claim_first(q, officer, till, till_us)
  while true do
    local first = redis.call('ZPOPMIN', q.f)
    if #first == 0 then
      return nil
    end
    local member = first[1]
    local key = key_of(member)
    local base, id, day, h = entry_of(redis.call('HGET', q.e, key))
    if h == 'f' and free_member(id, key) == member then
      return key, set_holder(q, key, base, id, day, h, 'l', officer, till, till_us, true)
    end
  end
end

-- Changes the holder of a named entry; returns whether it is queued.
local function move(q, key, h, officer, till, till_us)
  local base, id, day, was = entry_of(redis.call('HGET', q.e, key))
  if not base then
    return false
  end
  set_holder(q, key, base, id, day, was, h, officer, till, till_us)
  return true
end

-- Adds a new entry (free) due on `day`, its base after the stream id being `rest`
-- ('<day> <due> <at>'); returns its base and id, and whether the queue was new.
local function insert(q, key, day, rest)
  local id, created = append_entry(q, key)
  local base = id .. ' ' .. rest
  redis.call('ZADD', q.f, day, free_member(id, key))
  redis.call('HSET', q.e, key, base .. ' f')
  return base, id, created
end

-- Adds a new free entry (as `insert`) unless one is queued under `key` (then leaves it as
-- it is); returns whether it added one, and whether the queue was new.
local function insert_new(q, key, day, rest)
  local id, created = append_entry(q, key)
  if redis.call('HSETNX', q.e, key, id .. ' ' .. rest .. ' f') == 0 then
    redis.call('XDEL', q.s, id)
    return false, created
  end
  redis.call('ZADD', q.f, day, free_member(id, key))
  return true, created
end

-- Removes an entry entirely; returns whether there was one.
local function remove(q, key)
  local _, id, _, h = entry_of(redis.call('HGET', q.e, key))
  if not id then
    return false
  end
  if h == 'f' then
    redis.call('ZREM', q.f, free_member(id, key))
  end
  redis.call('XACK', q.s, GROUP, id)
  redis.call('HDEL', q.e, key)
  return true
end
