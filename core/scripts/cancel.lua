--[[
  Cancels a task. A queued task is cancelled at once; a running one is flagged and its worker told
  on the cancel channel (the flag covers a missed message: the worker reads it at its next step).
  A finished task is left as it is. With a reason (its job was removed outside the service), the
  reason is the task's error.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the cancel channel
    KEYS[6] the task's timeline (LIST), see includes/timeline.lua
    KEYS[7] the delayed tasks of its kind (ZSET), see create.lua
    KEYS[8] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[9..20] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[21..32] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none
    ARGV[4] why it is cancelled, '' for a cancel asked for through the API

  Output:
    the record afterwards, as HGETALL answers it; nil for an unknown task;
    { 'WRONG_REF', name, owner } when the keys are not the task's

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks) when a queued task is
    cancelled; the task's id on KEYS[5] (the cancel channel) when it runs
]]
--- @include "includes/end-run"
--- @include "includes/ref"
--- @include "includes/publish"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[6],
  waiting = KEYS[8], indexes = 9 }
local now = tonumber(ARGV[1])

local state, name, owner, sortKey, id, ttl = unpack(redis.call('HMGET', at.record,
  'state', 'name', 'owner', 'sortKey', 'id', 'ttl'))
if not state then return nil end
if state == 'QUEUED' or state == 'ACTIVE' then
  local wrong = wrongRef(name, owner)
  if wrong then return wrong end
end
local reason = ARGV[4] ~= '' and ARGV[4] or nil
if reason and (state == 'QUEUED' or state == 'ACTIVE') then redis.call('HSET', at.record, 'error', reason) end
if state == 'QUEUED' then
  redis.call('ZREM', KEYS[7], id)
  -- It ended no run: a job of it still taken up runs nothing (includes/end-run.lua, isRetried).
  redis.call('HDEL', at.record, 'jobAttempts')
  setTerminal(at, { state = state, sortKey = sortKey, id = id, ttl = ttl }, 'CANCELLED', now, reason)
  return publishChange(at)
end
if state == 'ACTIVE' then
  redis.call('HSET', at.record, 'cancelRequested', '1')
  publishTo(KEYS[5], id)
end
return redis.call('HGETALL', at.record)
