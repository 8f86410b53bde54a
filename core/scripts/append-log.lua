--[[
  Appends lines to a task's log (includes/log.lua). A task that is gone (deleted, expired) gets
  none: its log would outlive it.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the task's log (LIST)

    ARGV[1] the lines kept at most
    ARGV[2] how long past its time to live an unfinished task's log is kept, in milliseconds
    ARGV[3..] the lines, each as JSON

  Output:
    1 when the lines were appended, 0 for a task that is gone

  Events:
    none: a log is read when asked for
]]
--- @include "includes/log"

local expiresAt, ttl = unpack(redis.call('HMGET', KEYS[1], 'expiresAt', 'ttl'))
if not ttl then return 0 end
appendLogLines(KEYS[2], { unpack(ARGV, 3) }, ARGV[1], expiresAt, ttl, ARGV[2])
return 1
