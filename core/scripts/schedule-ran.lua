--[[
  Records the task one run of a schedule created, when that run is the schedule's latest: runs
  may end out of order (two workers, a run retried). A schedule removed meanwhile stays removed.

  Input:
    KEYS[1] the schedule's record (HASH)

    ARGV[1] the id of the task the run created
    ARGV[2] the time the run was due, in milliseconds

  Output:
    1 when it was recorded; 0 when the schedule is gone or a later run was recorded already

  Events:
    none
]]

local record = KEYS[1]
if redis.call('EXISTS', record) == 0 then return 0 end
local last = tonumber(redis.call('HGET', record, 'lastDueAt') or '0')
if last >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', record, 'lastTaskId', ARGV[1], 'lastDueAt', ARGV[2])
return 1
