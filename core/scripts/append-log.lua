--[[
  Appends lines to a task's log, keeping its newest ARGV[1] lines. A task that is gone (deleted,
  expired) gets none: its log would outlive it. The log is deleted with the task (remove.lua,
  forget-expired.lua) and expires with it besides, so that a record deleted by hand leaves none.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the task's log (LIST): each line a JSON object { at, level, message }

    ARGV[1] the lines kept at most
    ARGV[2] how long past its time to live an unfinished task's log is kept, in milliseconds
    ARGV[3..] the lines, each as JSON

  Output:
    1 when the lines were appended, 0 for a task that is gone

  Events:
    none: a log is read when asked for
]]

local expiresAt, ttl = unpack(redis.call('HMGET', KEYS[1], 'expiresAt', 'ttl'))
if not ttl then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[1]), -1)
if expiresAt then
  redis.call('PEXPIREAT', KEYS[2], expiresAt)
else
  redis.call('PEXPIRE', KEYS[2], tonumber(ttl) + tonumber(ARGV[2]))
end
return 1
