--[[
  Records that one run of a schedule created nothing, as its owner's creation allowance was spent:
  counts it, and keeps when the latest such run was due. The same run met again (its job taken up
  once more) is not counted twice. A schedule removed meanwhile stays removed.

  Input:
    KEYS[1] the schedule's record (HASH)

    ARGV[1] the time the run was due, in milliseconds

  Output:
    1 when it was recorded; 0 when the schedule is gone or this run was recorded already

  Events:
    none
]]

local record = KEYS[1]
if redis.call('EXISTS', record) == 0 then return 0 end
local last = tonumber(redis.call('HGET', record, 'lastSkippedAt') or '0')
local dueAt = tonumber(ARGV[1])
if last == dueAt then return 0 end
redis.call('HINCRBY', record, 'skippedRuns', 1)
-- Runs may end out of order (two workers): the latest due time stays.
if dueAt > last then redis.call('HSET', record, 'lastSkippedAt', ARGV[1]) end
return 1
