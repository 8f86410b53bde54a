--[[
  Waiting tasks (QUEUED, delayed or not) are counted per waiter: the record's `waiter`, a digest of
  its owner, or of the address that created it without authentication (core/waiting.ts). The
  partition's waiting set (at.waiting, a ZSET) scores each waiter by its QUEUED tasks in the
  partition, and holds no waiter with none. Every script that moves a task into or out of QUEUED
  counts it here, in the same call: through moveIndexes (includes/indexes.lua), or at its create
  and its removal.
]]

-- Counts one more (1) or one fewer (-1) waiting task of `waiter` (false or '' for none).
local function countWaiting(at, waiter, delta)
  if not waiter or waiter == '' then return end
  if tonumber(redis.call('ZINCRBY', at.waiting, delta, waiter)) <= 0 then redis.call('ZREM', at.waiting, waiter) end
end

-- The task of at.record enters (1) or leaves (-1) QUEUED. `waiter` is the record's, when the caller
-- has read it already ('' for none); nil reads it.
local function recordWaiting(at, delta, waiter)
  if waiter == nil then waiter = redis.call('HGET', at.record, 'waiter') end
  countWaiting(at, waiter, delta)
end
