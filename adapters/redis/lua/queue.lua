-- Shared by every department queue script (prepended to each when it is loaded).
--
-- One department's queue lives under one hash tag ({dept-id}):
--   KEYS[1] stream   every queued task is one stream entry (XADD at dispatch); the
--                    consumer group `greenlane` holds leased and held entries in its
--                    pending list, owned by the officer (XCLAIM ... FORCE), so XPENDING
--                    and XINFO CONSUMERS show who holds what; ack is XACK + XDEL
--   KEYS[2] entries  hash task key -> JSON {id, due, d (due day number), at, h, o, u}
--                    h is 'f' (free), 'l' (leased: o officer, u till) or 'h' (held: o)
--   KEYS[3] free     sorted set of free entries: score due day, member padded stream
--                    id .. task key, so claims take the earliest due, then the earliest
--                    dispatched
--   KEYS[4] leases   sorted set of leased task keys by lease end (microseconds)
local STREAM, ENTRIES, FREE, LEASES = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local GROUP = 'greenlane'

local function free_member(id, key)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 15 - #ms) .. ms .. '-' .. string.rep('0', 10 - #seq) .. seq .. key
end

local function key_of(member)
  return string.sub(member, 27)
end

local function ensure_group()
  if redis.call('EXISTS', STREAM) == 0 then
    redis.call('XGROUP', 'CREATE', STREAM, GROUP, '0', 'MKSTREAM')
  end
end

-- Takes the entry out of the free or lease index it is in.
local function unindex(key, e)
  if e.h == 'f' then
    redis.call('ZREM', FREE, free_member(e.id, key))
  elseif e.h == 'l' then
    redis.call('ZREM', LEASES, key)
  end
end

-- Gives the entry its holder: 'f', or 'l'/'h' for `officer` (a lease lasts until `till`,
-- which is `till_us` in microseconds).
local function set_holder(key, e, h, officer, till, till_us)
  unindex(key, e)
  if h == 'f' then
    redis.call('XACK', STREAM, GROUP, e.id)
    redis.call('ZADD', FREE, e.d, free_member(e.id, key))
    e.o = nil
    e.u = nil
  else
    redis.call('XCLAIM', STREAM, GROUP, officer, 0, e.id, 'FORCE', 'JUSTID')
    e.o = officer
    if h == 'l' then
      redis.call('ZADD', LEASES, till_us, key)
      e.u = till
    else
      e.u = nil
    end
  end
  e.h = h
  local json = cjson.encode(e)
  redis.call('HSET', ENTRIES, key, json)
  return json
end

-- Adds a new entry (free) and returns it decoded.
local function insert(key, due, days, at)
  ensure_group()
  local id = redis.call('XADD', STREAM, '*', 'k', key)
  local e = {id = id, due = due, d = tonumber(days), at = at, h = 'f'}
  redis.call('ZADD', FREE, e.d, free_member(id, key))
  redis.call('HSET', ENTRIES, key, cjson.encode(e))
  return e
end

-- Removes an entry entirely; returns whether there was one.
local function remove(key)
  local json = redis.call('HGET', ENTRIES, key)
  if not json then
    return false
  end
  local e = cjson.decode(json)
  unindex(key, e)
  redis.call('XACK', STREAM, GROUP, e.id)
  redis.call('XDEL', STREAM, e.id)
  redis.call('HDEL', ENTRIES, key)
  return true
end
