--[[
  Records one step of a run, and puts it in the task's timeline if includes/timeline.lua keeps it.
  A step moves no index, so it needs neither the task's name nor its owner. Its detail (the kind's
  progress, checked by the worker) replaces the last step's: a step without one leaves none.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the task's channel
    KEYS[3] the all-tasks channel
    KEYS[4] the task's timeline (LIST), see includes/timeline.lua

    ARGV[1] the run's id
    ARGV[2] steps done
    ARGV[3] steps in all
    ARGV[4] progress, in percent
    ARGV[5] the time, in milliseconds
    ARGV[6] the step's detail, as JSON; '' for none

  Output:
    ACTIVE when the step was recorded; anything else tells the worker to stop: MISSING (deleted),
    STALE (another run has taken the task over) or CANCEL_REQUESTED

  Events:
    the whole record on KEYS[2] (the task's channel) and KEYS[3] (all tasks), when it changed
]]
--- @include "includes/publish"
--- @include "includes/timeline"

local at = { record = KEYS[1], taskChannel = KEYS[2], allChannel = KEYS[3], timeline = KEYS[4] }

-- Read whole once: the change is published whole, and written back field by field.
local task = readTask(at.record)
if not task then return 'MISSING' end
if task.runId ~= ARGV[1] then return 'STALE' end
if task.cancelRequested == '1' then return 'CANCEL_REQUESTED' end
local previous, hadDetail = task.current, task.progressDetail ~= nil
task.current, task.total, task.progress = ARGV[2], ARGV[3], ARGV[4]
task.progressDetail = ARGV[6] ~= '' and ARGV[6] or nil
publishTask(at, task)
if task.progressDetail then
  redis.call('HSET', at.record, 'current', ARGV[2], 'total', ARGV[3], 'progress', ARGV[4], 'seq', task.seq,
    'progressDetail', ARGV[6])
else
  redis.call('HSET', at.record, 'current', ARGV[2], 'total', ARGV[3], 'progress', ARGV[4], 'seq', task.seq)
  if hadDetail then redis.call('HDEL', at.record, 'progressDetail') end
end
addStep(at, tonumber(ARGV[5]), task.seq, previous, ARGV[2], ARGV[3], task.attempts)
return 'ACTIVE'
