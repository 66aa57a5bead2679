-- Announces an append before it happens, in the global case index (one slot, {idx}).
-- The case is added to the set of its new status and to the set of cases whose effects
-- may lag; `lag` keeps, per case, the highest expected version of any append announced.
-- An append whose expected version is below the case's version can never succeed, so
-- index_settle.lua may drop index members only while no append at the current version
-- is announced. The index is therefore always a superset of the truth.
--
-- KEYS[1] every case (lexical), KEYS[2] the cases of the new status (lexical),
-- KEYS[3] lag (score: highest announced expected version)
-- ARGV[1] case id, ARGV[2] expected version, ARGV[3] '1' when the case is new
redis.call('ZADD', KEYS[3], 'GT', ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
end
return 1
