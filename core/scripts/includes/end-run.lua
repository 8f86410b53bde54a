--[[
  The ends of a task: a terminal state, or a run handed back to the queue. `task` holds at least the
  record's state, sortKey, id and ttl (and its attempts, when the end names its run); `at` names the
  record (at.record), the expiry set (at.expiry), the timeline (at.timeline), where the task's
  indexes start in KEYS (at.indexes), and for endRun the history bucket (at.history).
]]
--- @include "indexes"
--- @include "publish"
--- @include "timeline"
--- @include "history"

local function formatTime(ms) return string.format('%d', ms) end

-- A terminal state starts the task's time to live (its ttl was fixed when it was created), its
-- timeline's too. `message` (optional) goes in the timeline. The caller publishes the change
-- (publishChange), which gives it the next sequence number.
local function setTerminal(at, task, state, now, message)
  moveIndexes(at, task.sortKey, task.state, state, task.waiter)
  local expiresAt = now + tonumber(task.ttl)
  redis.call('HSET', at.record, 'state', state, 'finishedAt', formatTime(now), 'expiresAt', formatTime(expiresAt))
  redis.call('HDEL', at.record, 'runId')
  redis.call('ZADD', at.expiry, expiresAt, task.id)
  local seq = tonumber(redis.call('HGET', at.record, 'seq')) + 1
  addEvent(at, now, seq, { state = state, attempt = task.attempts, message = message })
  redis.call('PEXPIREAT', at.timeline, expiresAt)
end

-- Ends a run read with readTask: state is a terminal state, or QUEUED to hand the task back for
-- another attempt. Publishes the change, moves the task from the indexes of indexedState (the state
-- the indexes hold it in) and writes back only what a run changes: one read and one write in all
-- (and one removal, when the record holds a run id or an error that goes).
local function endRun(at, task, indexedState, state, result, error, now)
  local clearsError = false
  local hadRunId = task.runId ~= nil
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
  addEvent(at, now, task.seq, { state = state, current = task.current, total = task.total, attempt = task.attempts,
    message = error ~= '' and error or nil })
  if state ~= 'QUEUED' then redis.call('PEXPIREAT', at.timeline, task.expiresAt) end
  countEnd(at, state, now)
  moveIndexes(at, task.sortKey, indexedState, state, task.waiter or '')
  local fields = {}
  -- the fields a run changes
  for _, field in ipairs({ 'state', 'worker', 'startedAt', 'attempts', 'current', 'total', 'progress',
    'progressDetail', 'seq', 'finishedAt', 'expiresAt', 'result', 'error', 'jobAttempts' }) do
    if task[field] then
      table.insert(fields, field)
      table.insert(fields, task[field])
    end
  end
  redis.call('HSET', at.record, unpack(fields))
  local removed = {}
  if hadRunId then table.insert(removed, 'runId') end
  if clearsError then table.insert(removed, 'error') end
  if #removed > 0 then redis.call('HDEL', at.record, unpack(removed)) end
end

-- Whether a job taken up for a finished task was retried in the queue (Bull Board, Taskforce,
-- BullMQ's job.retry) and so runs the task again. Each start records the job's attempts made
-- (`jobAttempts`, which a cancel of a queued task clears: it ended no run); BullMQ adds one when it
-- finishes a run. A job taken up again after its run ended in the record but not in BullMQ (its
-- worker died in between; a stall) has no more attempts made than at that start, nor has the job of
-- a task cancelled while it was queued: neither runs again.
local function isRetried(recordedJobAttempts, jobAttempts)
  return recordedJobAttempts ~= nil and tonumber(jobAttempts) > tonumber(recordedJobAttempts)
end

-- The timeline's message for a run's start on `worker`: `again` when the task had finished before.
local function startMessage(again, worker)
  return (again and 'started again, its job retried in the queue, on ' or 'started on ') .. worker
end

-- A finished task about to run again as the same task: its time to live stops and what the last
-- run left (result, error, finish time) goes. The caller starts the run.
local function reopen(at, task)
  redis.call('ZREM', at.expiry, task.id)
  redis.call('HDEL', at.record, 'finishedAt', 'expiresAt', 'result', 'error', 'cancelRequested')
  redis.call('PERSIST', at.timeline)
  task.finishedAt, task.expiresAt, task.result, task.error, task.cancelRequested = nil, nil, nil, nil, nil
end
