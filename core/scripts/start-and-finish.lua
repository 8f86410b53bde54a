--[[
  For a run that ended before anything was recorded (a task kind that finishes at once): records
  its start and its end together. Both changes get their own sequence number and event, in order,
  as if start.lua and finish.lua had run one after the other; but the record is read once and
  written once, and it never sits in the ACTIVE indexes, which nobody could see in between anyway.
  A finished task whose job was retried in the queue runs again (includes/end-run.lua, isRetried).
  The run must have been given the task's own input: a job's data edited outside the service does
  not change what runs.

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
    ARGV[5] the worker's name
    ARGV[6] the state the run ended in: COMPLETED, FAILED, CANCELLED or QUEUED
    ARGV[7] the result, as JSON ('' unless COMPLETED)
    ARGV[8] the error ('' for none)
    ARGV[9] the lines the task's log keeps at most
    ARGV[10] how long past its time to live an unfinished task's log is kept, in milliseconds
    ARGV[11] the lines the run wrote in its log, as a JSON array of JSON lines ('' for none)
    ARGV[12] the job's attempts made, as BullMQ counts them when the worker takes it up
    ARGV[13] the input the run was given, as JSON ('' when it was given none)

  Output:
    ACTIVE when the run was recorded (AGAIN when the task had finished before: its job was
    retried); otherwise the state the task is in (CANCELLED, COMPLETED, FAILED) or MISSING, and the
    outcome is dropped; { 'INPUT', input } when the run was given another input than the task's
    own, which it must run with instead (nothing is recorded); { 'WRONG_REF', name, owner } when the
    keys are not the task's

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks): the start, then the
    end (or CANCELLED alone when a cancel was requested before the start)

  The run's log lines are written with its end, in the same call, and only when the run was
  recorded.
]]
--- @include "includes/end-run"
--- @include "includes/ref"
--- @include "includes/log"

local at = { record = KEYS[1], expiry = KEYS[2], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5],
  history = KEYS[6], waiting = KEYS[7], indexes = 9 }
local now = tonumber(ARGV[1])

local task = readTask(at.record)
if not task then return 'MISSING' end
local fromState = task.state
local again = isTerminal(fromState)
if again and not isRetried(task.jobAttempts, ARGV[12]) then return fromState end
local wrong = wrongRef(task.name, task.owner)
if wrong then return wrong end
if not again and task.cancelRequested == '1' then
  setTerminal(at, task, 'CANCELLED', now)
  publishChange(at)
  return 'CANCELLED'
end
if task.input ~= ARGV[13] then return { 'INPUT', task.input } end
if again then reopen(at, task) end
-- started, as in start.lua
task.state = 'ACTIVE'
task.runId = ARGV[4]
task.worker = ARGV[5]
task.startedAt = ARGV[1]
task.current = '0'
task.progress = '0'
task.attempts = tostring(tonumber(task.attempts) + 1)
task.jobAttempts = ARGV[12]
publishTask(at, task)
-- The start's event carries the run's id, as start.lua's does; the record never holds it.
task.runId = nil
addEvent(at, now, task.seq, { state = 'ACTIVE', current = '0', total = task.total, attempt = task.attempts,
  message = startMessage(again, ARGV[5]) })
endRun(at, task, fromState, ARGV[6], ARGV[7], ARGV[8], now)
if ARGV[11] ~= '' then
  appendLogLines(KEYS[8], cjson.decode(ARGV[11]), ARGV[9], task.expiresAt, task.ttl, ARGV[10])
end
if again then return 'AGAIN' end
return 'ACTIVE'
