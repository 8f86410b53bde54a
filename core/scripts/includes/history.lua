--[[
  The service's history by the minute. at.history is the partition's bucket of the minute `now`
  falls in (the caller names it from the same time: core/keys.ts history): a HASH that counts the
  tasks that ended COMPLETED (`completed`) and FAILED (`failed`) in that minute, beside the backlog
  the API samples as the minute starts (`backlog`, src/tasks/task-history.ts). A bucket expires
  HISTORY_TTL_MS after its minute began: a little over the hour the API reads.
]]

local MINUTE_MS = 60000
local HISTORY_TTL_MS = 62 * MINUTE_MS

-- Counts a run's end in its minute, when it completed or failed the task.
local function countEnd(at, state, now)
  local field = (state == 'COMPLETED' and 'completed') or (state == 'FAILED' and 'failed') or nil
  if not field then return end
  -- The bucket's expiry is set by the first count of each field in it: the same time every time.
  if redis.call('HINCRBY', at.history, field, 1) == 1 then
    redis.call('PEXPIREAT', at.history, now - now % MINUTE_MS + HISTORY_TTL_MS)
  end
end
