--[[
  Forgets one task whose time to live has run out: removes its record, its timeline and its log, and takes
  it out of every index and of the expiry set. The caller read the task's id from the expiry set and its name and
  owner from its record; this checks again that the task is due, so that a read gone stale in
  between (the task deleted meanwhile) forgets nothing.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's timeline (LIST), see includes/timeline.lua
    KEYS[4] the task's log (LIST), see append-log.lua
    KEYS[5] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[6..17] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[18..29] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none
    ARGV[4] the task's id

  Output:
    1 when the task was forgotten, 0 when it was not due; { 'WRONG_REF', name, owner } when the
    keys are not the task's

  Events:
    none: a task that expires has ended long ago, and its subscriptions with it
]]
--- @include "includes/indexes"
--- @include "includes/ref"

local at = { record = KEYS[1], expiry = KEYS[2], timeline = KEYS[3], logs = KEYS[4], waiting = KEYS[5], indexes = 6 }
local now = tonumber(ARGV[1])

local due = redis.call('ZSCORE', at.expiry, ARGV[4])
if not due or tonumber(due) > now then return 0 end
local state, name, owner, sortKey = unpack(redis.call('HMGET', at.record, 'state', 'name', 'owner', 'sortKey'))
if state then
  local wrong = wrongRef(name, owner)
  if wrong then return wrong end
  for _, index in ipairs(allIndexes(at, state)) do redis.call('ZREM', index, sortKey) end
  -- Only a finished task has a time to live; one made QUEUED by hand is still counted right.
  if state == 'QUEUED' then recordWaiting(at, -1) end
  redis.call('DEL', at.record)
end
redis.call('DEL', at.timeline, at.logs)
redis.call('ZREM', at.expiry, ARGV[4])
return 1
