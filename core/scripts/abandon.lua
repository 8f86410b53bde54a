--[[
  For a run BullMQ gave up on without its processor ending it (a task whose workers died once too
  often): fails the task if it is still ACTIVE.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the task's timeline (LIST), see includes/timeline.lua
    KEYS[6] the history bucket of the minute ARGV[1] falls in (HASH), see includes/history.lua
    KEYS[7] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[8..19] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[20..31] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none
    ARGV[4] the error

  Output:
    1 when the task was failed, 0 when it was not ACTIVE; { 'WRONG_REF', name, owner } when the
    keys are not the task's

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks), when it changed
]]
--- @include "includes/end-run"
--- @include "includes/ref"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5],
  history = KEYS[6], waiting = KEYS[7], indexes = 8 }
local now = tonumber(ARGV[1])

local state, name, owner, sortKey, id, ttl, attempts = unpack(redis.call('HMGET', at.record,
  'state', 'name', 'owner', 'sortKey', 'id', 'ttl', 'attempts'))
if state ~= 'ACTIVE' then return 0 end
local wrong = wrongRef(name, owner)
if wrong then return wrong end
setTerminal(at, { state = state, sortKey = sortKey, id = id, ttl = ttl, attempts = attempts }, 'FAILED', now, ARGV[4])
countEnd(at, 'FAILED', now)
redis.call('HSET', at.record, 'error', ARGV[4])
publishChange(at)
return 1
