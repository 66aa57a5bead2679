-- Shared by every department queue script (prepended to each as a script, defined once at
-- the top of the function library: see src/scripts.rs), and by
-- append_effects.lua, which moves entries of several departments' queues.
--
-- One department's queue lives under one hash tag ({dept-id}); `q` names its keys:
--   q.s stream   every queued task is one stream entry (XADD at dispatch); the consumer
--                group `greenlane` holds leased and held entries in its pending list,
--                owned by the officer (XCLAIM ... FORCE), so XPENDING and XINFO CONSUMERS
--                show who holds what; ack is XACK + XDEL. A lease is its pending entry:
--                XCLAIM sets the entry's delivery time to the lease's end minus
--                LEASE_OFFSET_MS (Redis refuses delivery times in the future), so the
--                entry has been idle LEASE_OFFSET_MS exactly when its lease has run out,
--                and `XPENDING … IDLE` finds the expired ones with no index of its own
--   q.e entries  hash task key -> JSON {id, due, d (due day number), at, h, o, u}
--                h is 'f' (free), 'l' (leased: o officer, u till) or 'h' (held: o)
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

local function free_member(id, key)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 15 - #ms) .. ms .. '-' .. string.rep('0', 10 - #seq) .. seq .. key
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

-- Takes the entry out of the free set if it is there (`popped` when the caller already
-- took it out).
local function unindex(q, key, e, popped)
  if e.h == 'f' and not popped then
    redis.call('ZREM', q.f, free_member(e.id, key))
  end
end

-- Gives the entry its holder: 'f', or 'l'/'h' for `officer` (a lease lasts until `till`,
-- which is `till_us` in microseconds).
local function set_holder(q, key, e, h, officer, till, till_us, popped)
  unindex(q, key, e, popped)
  if h == 'f' then
    redis.call('XACK', q.s, GROUP, e.id)
    redis.call('ZADD', q.f, e.d, free_member(e.id, key))
    e.o = nil
    e.u = nil
  elseif h == 'l' then
    -- The lease's end, rounded up to the millisecond, minus the offset (see above).
    local delivered = math.ceil(tonumber(till_us) / 1000) - LEASE_OFFSET_MS
    redis.call('XCLAIM', q.s, GROUP, officer, 0, e.id, 'TIME',
      string.format('%d', delivered), 'FORCE', 'JUSTID')
    e.o = officer
    e.u = till
  else
    redis.call('XCLAIM', q.s, GROUP, officer, 0, e.id, 'FORCE', 'JUSTID')
    e.o = officer
    e.u = nil
  end
  e.h = h
  local json = cjson.encode(e)
  redis.call('HSET', q.e, key, json)
  return json
end

-- Leases the free entry due first (then dispatched first) to `officer` until `till`
-- (`till_us` in µs); returns its key and JSON, or nil when nothing is free. Stale members
-- of the free set (no entry, or an entry that moved on) are dropped on the way.
local function claim_first(q, officer, till, till_us)
  while true do
    local first = redis.call('ZPOPMIN', q.f)
    if #first == 0 then
      return nil
    end
    local member = first[1]
    local key = key_of(member)
    local json = redis.call('HGET', q.e, key)
    if json then
      local e = cjson.decode(json)
      if e.h == 'f' and free_member(e.id, key) == member then
        return key, set_holder(q, key, e, 'l', officer, till, till_us, true)
      end
    end
  end
end

-- Changes the holder of a named entry; returns whether it is queued.
local function move(q, key, h, officer, till, till_us)
  local json = redis.call('HGET', q.e, key)
  if not json then
    return false
  end
  set_holder(q, key, cjson.decode(json), h, officer, till, till_us)
  return true
end

-- Adds a new entry (free) and returns it decoded, and whether the queue was new.
local function insert(q, key, due, days, at)
  local id, created = append_entry(q, key)
  local e = {id = id, due = due, d = tonumber(days), at = at, h = 'f'}
  redis.call('ZADD', q.f, e.d, free_member(id, key))
  redis.call('HSET', q.e, key, cjson.encode(e))
  return e, created
end

-- Adds a new free entry unless one is queued under `key` (then leaves it as it is);
-- returns whether it added one, and whether the queue was new.
local function insert_new(q, key, due, days, at)
  local id, created = append_entry(q, key)
  local e = {id = id, due = due, d = tonumber(days), at = at, h = 'f'}
  if redis.call('HSETNX', q.e, key, cjson.encode(e)) == 0 then
    redis.call('XDEL', q.s, id)
    return false, created
  end
  redis.call('ZADD', q.f, e.d, free_member(id, key))
  return true, created
end

-- Removes an entry entirely; returns whether there was one.
local function remove(q, key)
  local json = redis.call('HGET', q.e, key)
  if not json then
    return false
  end
  local e = cjson.decode(json)
  unindex(q, key, e)
  redis.call('XACK', q.s, GROUP, e.id)
  redis.call('XDEL', q.s, e.id)
  redis.call('HDEL', q.e, key)
  return true
end
