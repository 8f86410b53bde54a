--[[
  The ends of a task: a terminal state, or a run handed back to the queue. `task` holds at least the
  record's state, sortKey, id and ttl; `at` names the record (at.record), the expiry set
  (at.expiry) and where the task's indexes start in KEYS (at.indexes).
]]
--- @include "indexes"
--- @include "publish"

local function formatTime(ms) return string.format('%d', ms) end

-- A terminal state starts the task's time to live (its ttl was fixed when it was created). The
-- caller publishes the change.
local function setTerminal(at, task, state, now)
  moveIndexes(at, task.sortKey, task.state, state)
  local expiresAt = now + tonumber(task.ttl)
  redis.call('HSET', at.record, 'state', state, 'finishedAt', formatTime(now), 'expiresAt', formatTime(expiresAt))
  redis.call('HDEL', at.record, 'runId')
  redis.call('ZADD', at.expiry, expiresAt, task.id)
end

-- Ends a run read with readTask: state is a terminal state, or QUEUED to hand the task back for
-- another attempt. Publishes the change, moves the task from the indexes of indexedState (the state
-- the indexes hold it in) and writes back only what a run changes: one read and one write in all.
local function endRun(at, task, indexedState, state, result, error, now)
  local clearsError = false
  task.state = state
  task.runId = nil
  if state ~= 'QUEUED' then
    local expiresAt = now + tonumber(task.ttl)
    task.finishedAt = formatTime(now)
    task.expiresAt = formatTime(expiresAt)
    redis.call('ZADD', at.expiry, expiresAt, task.id)
  end
  if state == 'COMPLETED' then
    task.result = result
    task.progress = '100'
    task.current = task.total
    clearsError = task.error ~= nil -- an earlier attempt's failure no longer matters
    task.error = nil
  end
  if error ~= '' then
    task.error = error
    clearsError = false
  end
  publishTask(at, task)
  moveIndexes(at, task.sortKey, indexedState, state)
  local fields = {}
  -- the fields a run changes
  for _, field in ipairs({ 'state', 'worker', 'startedAt', 'attempts', 'current', 'total', 'progress', 'seq',
    'finishedAt', 'expiresAt', 'result', 'error' }) do
    if task[field] then
      table.insert(fields, field)
      table.insert(fields, task[field])
    end
  end
  redis.call('HSET', at.record, unpack(fields))
  if clearsError then redis.call('HDEL', at.record, 'runId', 'error') else redis.call('HDEL', at.record, 'runId') end
end
