--[[
  Forgets a task: cancels it first if it has not finished (and tells its worker), then removes its
  record, its timeline and its log, and takes it out of every index and of the expiry set.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the cancel channel
    KEYS[6] the task's timeline (LIST), see includes/timeline.lua
    KEYS[7] the delayed tasks of its kind (ZSET), see create.lua
    KEYS[8] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[9] the task's log (LIST), see append-log.lua
    KEYS[10..21] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[22..33] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none

  Output:
    1, or 0 for an unknown task; { 'WRONG_REF', name, owner } when the keys are not the task's

  Events:
    the whole record, CANCELLED, on KEYS[3] (the task's channel) and KEYS[4] (all tasks) when it
    had not finished, and its id on KEYS[5] (the cancel channel) when it ran; then a deletion marker
    { id, deleted = '1', seq } on KEYS[3]
]]
--- @include "includes/end-run"
--- @include "includes/ref"
--- @include "includes/publish"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[6],
  waiting = KEYS[8], logs = KEYS[9], indexes = 10 }
local now = tonumber(ARGV[1])

local state, name, owner, sortKey, id, ttl, seq = unpack(redis.call('HMGET', at.record,
  'state', 'name', 'owner', 'sortKey', 'id', 'ttl', 'seq'))
if not state then return 0 end
local wrong = wrongRef(name, owner)
if wrong then return wrong end
seq = tonumber(seq)
local finalState = state
if not isTerminal(state) then
  setTerminal(at, { state = state, sortKey = sortKey, id = id, ttl = ttl }, 'CANCELLED', now)
  publishChange(at)
  seq = seq + 1
  finalState = 'CANCELLED'
  if state == 'ACTIVE' then publishTo(KEYS[5], id) end
end
for _, index in ipairs(allIndexes(at, finalState)) do redis.call('ZREM', index, sortKey) end
redis.call('ZREM', at.expiry, id)
redis.call('ZREM', KEYS[7], id)
redis.call('DEL', at.record, at.timeline, at.logs)
publishTo(at.taskChannel, cjson.encode({ id = id, deleted = '1', seq = tostring(seq + 1) }))
return 1
