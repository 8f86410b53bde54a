--[[
  Ends a run: a terminal state, or QUEUED to hand the task back for another attempt. A last step
  reported just before the end is recorded and published first, as progress.lua would, so that both
  changes get their own sequence number and event; if a cancel was requested by then, the task is
  cancelled instead, as progress would have told the worker to.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the expiry set (ZSET)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the task's timeline (LIST), see includes/timeline.lua
    KEYS[6] the history bucket of the minute ARGV[1] falls in (HASH), see includes/history.lua
    KEYS[7] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[8] the task's log (LIST), see includes/log.lua
    KEYS[9..20] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[21..32] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name the keys were built for
    ARGV[3] the owner they were built for, '' for none
    ARGV[4] the run's id
    ARGV[5] the state the run ends in: COMPLETED, FAILED, CANCELLED or QUEUED
    ARGV[6] the result, as JSON ('' unless COMPLETED)
    ARGV[7] the error ('' for none)
    ARGV[8] the last step's steps done, '' when there is no last step
    ARGV[9] the last step's steps in all, '' when there is none
    ARGV[10] the last step's progress in percent, '' when there is none
    ARGV[11] the last step's detail, as JSON; '' for none (or no last step)
    ARGV[12] the lines the task's log keeps at most
    ARGV[13] how long past its time to live an unfinished task's log is kept, in milliseconds
    ARGV[14] the lines the run wrote in its log since its last write there, as a JSON array of JSON
      lines ('' for none): written with the end, and only when the run was ended (the caller
      writes them on their own otherwise)

  Output:
    1 when the run was ended; 0 when this run no longer owns the task; CANCELLED when a requested
    cancel won over the last step; { 'WRONG_REF', name, owner } when the keys are not the task's

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks): the last step, if
    any, then the end
]]
--- @include "includes/end-run"
--- @include "includes/ref"
--- @include "includes/log"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5],
  history = KEYS[6], waiting = KEYS[7], indexes = 9 }
local now = tonumber(ARGV[1])

-- The run's last lines, once its end is recorded: they expire with the task (at `expiresAt`, nil
-- for a task handed back to the queue).
local function writeLines(task, expiresAt)
  if ARGV[14] == '' then return end
  appendLogLines(KEYS[8], cjson.decode(ARGV[14]), ARGV[12], expiresAt, task.ttl, ARGV[13])
end

local task = readTask(at.record)
if not task or task.runId ~= ARGV[4] then return 0 end
local wrong = wrongRef(task.name, task.owner)
if wrong then return wrong end
if ARGV[8] ~= '' then
  if task.cancelRequested == '1' then
    setTerminal(at, task, 'CANCELLED', now)
    publishChange(at)
    writeLines(task, now + tonumber(task.ttl))
    return 'CANCELLED'
  end
  local previous = task.current
  task.current = ARGV[8]
  task.total = ARGV[9]
  task.progress = ARGV[10]
  if ARGV[11] ~= '' then
    task.progressDetail = ARGV[11]
  elseif task.progressDetail then
    -- endRun writes back the fields it holds, and removes none
    task.progressDetail = nil
    redis.call('HDEL', at.record, 'progressDetail')
  end
  publishTask(at, task)
  addStep(at, now, task.seq, previous, task.current, task.total, task.attempts)
end
endRun(at, task, task.state, ARGV[5], ARGV[6], ARGV[7], now)
writeLines(task, task.expiresAt)
return 1
