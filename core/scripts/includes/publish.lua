--[[
  Every change of a task is published whole, with its own sequence number, on the task's channel
  (at.taskChannel) and the all-tasks channel (at.allChannel), with `changedAt`, Redis' own clock
  in milliseconds, which is published only (the API measures how late a change reaches a subscriber).

  PUBLISH_COMMAND is defined by the loader (core/redis-scripts.ts) before the script: SPUBLISH on a
  Redis Cluster, whose classic PUBLISH is copied to every node, and PUBLISH elsewhere. The channels
  are in the script's KEYS, in its partition's slot.
]]
--- @include "record"

local function publishTo(channel, message)
  redis.call(PUBLISH_COMMAND, channel, message)
end

-- Redis' clock, read once per call: the changes one script makes are made at the same time.
local changedAt
local function publish(at, task)
  if not changedAt then
    local now = redis.call('TIME')
    changedAt = string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000))
  end
  task.changedAt = changedAt
  local payload = cjson.encode(task)
  task.changedAt = nil
  publishTo(at.taskChannel, payload)
  publishTo(at.allChannel, payload)
end

-- Bumps the stored record's sequence number and publishes it; answers the record as HGETALL does.
local function publishChange(at)
  redis.call('HINCRBY', at.record, 'seq', 1)
  local flat = redis.call('HGETALL', at.record)
  publish(at, tableOf(flat))
  return flat
end

-- Publishes a record read with readTask as the task's next change; the caller writes the table
-- back (endRun does).
local function publishTask(at, task)
  task.seq = tostring(tonumber(task.seq) + 1)
  publish(at, task)
end
