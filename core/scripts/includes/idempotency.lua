--[[
  An idempotency key's entry (a STRING, in the partition its digest names): "<request digest> <task
  id>", the task the key names and a digest of what the create that took it asked for; and, while
  an operation admitted with the key has not run, " <until>" after them: the time (milliseconds)
  up to which that operation holds the key (idempotency-hold.lua), so that no create of another
  request takes it in between. A key whose task is gone (deleted, or past its time to live) and
  that no operation holds is free: the next create takes it, whatever it asks for.
]]

-- The entry's request digest, task id and the end of its hold (0 for none), and the entry itself;
-- nil when the key has no entry.
local function readIdempotencyKey(key)
  local entry = redis.call('GET', key)
  if not entry then return nil end
  local digest, taskId, heldUntil = string.match(entry, '^(%S+) (%S+) ?(%d*)$')
  return digest, taskId, tonumber(heldUntil) or 0, entry
end

-- The task's record as HGETALL answers it, or nil when it is gone: deleted, or past its time to
-- live (the sweep forgets it within a second or so; until then it is no one's answer).
local function liveTask(record, now)
  local flat = redis.call('HGETALL', record)
  if #flat == 0 then return nil end
  for i = 1, #flat, 2 do
    if flat[i] == 'expiresAt' and tonumber(flat[i + 1]) <= now then return nil end
  end
  return flat
end
