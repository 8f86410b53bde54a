--[[
  Every change of a task is published whole, with its own sequence number, on the task's channel
  (at.taskChannel) and the all-tasks channel (at.allChannel).
]]
--- @include "record"

local function publish(at, task)
  local payload = cjson.encode(task)
  redis.call('PUBLISH', at.taskChannel, payload)
  redis.call('PUBLISH', at.allChannel, payload)
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
