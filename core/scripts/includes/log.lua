--[[
  A task's log (a LIST of JSON lines { at, level, message }): appended to with its newest maxLines
  kept; it expires with its task (at expiresAt once the task has finished, else its time to live
  plus unfinishedKeepMs from now), and is deleted with it besides (remove.lua, forget-expired.lua).
]]

local function appendLogLines(logKey, lines, maxLines, expiresAt, ttl, unfinishedKeepMs)
  -- Trimmed only once it is longer than it keeps: most logs never get there.
  if redis.call('RPUSH', logKey, unpack(lines)) > tonumber(maxLines) then
    redis.call('LTRIM', logKey, -tonumber(maxLines), -1)
  end
  if expiresAt then
    redis.call('PEXPIREAT', logKey, expiresAt)
  else
    redis.call('PEXPIRE', logKey, tonumber(ttl) + tonumber(unfinishedKeepMs))
  end
end
