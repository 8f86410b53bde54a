--[[
  A worker calls it before it runs a task: makes the task ACTIVE under a new run, unless it was
  cancelled, finished or deleted meanwhile. A finished task whose job was retried in the queue
  runs again (includes/end-run.lua, isRetried).

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the task's timeline (LIST), see includes/timeline.lua
    KEYS[6] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[7..18] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[19..30] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none
    ARGV[4] the run's id
    ARGV[5] the worker's name
    ARGV[6] the job's attempts made, as BullMQ counts them when the worker takes it up

  Output:
    the record, as HGETALL answers it, when the task is now ACTIVE under this run: run it;
    { 'AGAIN', record } when it is, and had finished before (its job was retried);
    otherwise the state it is in (CANCELLED, COMPLETED, FAILED) or MISSING: leave it;
    { 'WRONG_REF', name, owner } when the keys are not the task's (includes/ref.lua)

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks), when it changed
]]
--- @include "includes/end-run"
--- @include "includes/ref"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5],
  waiting = KEYS[6], indexes = 7 }
local now = tonumber(ARGV[1])

local task = readTask(at.record)
if not task then return 'MISSING' end
local state = task.state
local again = isTerminal(state)
if again and not isRetried(task.jobAttempts, ARGV[6]) then return state end
local wrong = wrongRef(task.name, task.owner)
if wrong then return wrong end
if again then
  reopen(at, task)
elseif task.cancelRequested == '1' then
  setTerminal(at, task, 'CANCELLED', now)
  publishChange(at)
  return 'CANCELLED'
end
moveIndexes(at, task.sortKey, state, 'ACTIVE', task.waiter or '')
task.state, task.runId, task.worker, task.startedAt = 'ACTIVE', ARGV[4], ARGV[5], ARGV[1]
task.current, task.progress, task.jobAttempts = '0', '0', ARGV[6]
task.attempts = tostring(tonumber(task.attempts or '0') + 1)
-- A run starts with no detail: an earlier run's last one says nothing of this one.
if task.progressDetail then
  task.progressDetail = nil
  redis.call('HDEL', at.record, 'progressDetail')
end
publishTask(at, task)
redis.call('HSET', at.record, 'state', 'ACTIVE', 'runId', ARGV[4], 'worker', ARGV[5], 'startedAt', ARGV[1],
  'current', '0', 'progress', '0', 'jobAttempts', ARGV[6], 'attempts', task.attempts, 'seq', task.seq)
addEvent(at, now, task.seq,
  { state = 'ACTIVE', current = '0', total = task.total, attempt = task.attempts, message = startMessage(again, ARGV[5]) })
local record = flatOf(task)
if again then return { 'AGAIN', record } end
return record
