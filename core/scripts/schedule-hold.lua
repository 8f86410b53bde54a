--[[
  Holds slots for the schedules an admitted operation will create, before any of it runs: one for
  each id in ARGV[4..], unless the owner's schedules and the slots held for it (by this operation
  and others under way) would then pass the most one owner may have. So two operations at once
  cannot both be admitted for the last slots. A slot is taken by schedule-create.lua with the
  schedule of its id, or given back (ZREM) once the operation has run; a hold past its end counts
  no more.

  Input:
    KEYS[1] the owner's schedules (ZSET of ids, by creation time)
    KEYS[2] the owner's held slots (ZSET of schedule ids, by the time each hold ends)

    ARGV[1] the time, in milliseconds
    ARGV[2] the time the holds end, in milliseconds
    ARGV[3] the most schedules one owner may have
    ARGV[4..] the ids of the schedules to hold a slot for

  Output:
    { 'HELD', count } or { 'FULL', count }, with the schedules and holds the owner had before

  Events:
    none
]]

local owned, held = KEYS[1], KEYS[2]
local heldUntil = ARGV[2]
redis.call('ZREMRANGEBYSCORE', held, '-inf', ARGV[1])
local count = redis.call('ZCARD', owned) + redis.call('ZCARD', held)
local ids = { unpack(ARGV, 4) }
if count + #ids > tonumber(ARGV[3]) then return { 'FULL', count } end
local members = {}
for _, id in ipairs(ids) do
  table.insert(members, heldUntil)
  table.insert(members, id)
end
redis.call('ZADD', held, unpack(members))
return { 'HELD', count }
