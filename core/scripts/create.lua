--[[
  Creates a task's record, QUEUED, and puts it in its list indexes. Its sort key (creation time,
  then a counter for the tasks created in the same millisecond, then the id) orders the indexes and
  is the lists' cursor.

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the creation counter (STRING)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the task's timeline (LIST), see includes/timeline.lua
    KEYS[6..17] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[18..29] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name (its kind)
    ARGV[3] its owner, '' for none
    ARGV[4] its id
    ARGV[5] its time to live once finished, in milliseconds
    ARGV[6] its total number of steps
    ARGV[7] its input, as JSON
    ARGV[8] the id of the task it retries, '' for none

  Output:
    the new record, as HGETALL answers it; an error when the task exists

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks)
]]
--- @include "includes/indexes"
--- @include "includes/publish"
--- @include "includes/timeline"

local at = { record = KEYS[1], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5], indexes = 6 }
local now = tonumber(ARGV[1])

if redis.call('EXISTS', at.record) == 1 then return redis.error_reply('ERR task exists') end
local counter = redis.call('INCR', KEYS[2]) % 1000000
local sortKey = string.format('%015d:%06d:%s', now, counter, ARGV[4])
local fields = { 'id', ARGV[4], 'name', ARGV[2], 'state', 'QUEUED', 'sortKey', sortKey, 'ttl', ARGV[5],
  'total', ARGV[6], 'input', ARGV[7], 'current', '0', 'progress', '0', 'attempts', '0', 'createdAt', ARGV[1], 'seq', '0' }
if ARGV[3] ~= '' then
  table.insert(fields, 'owner')
  table.insert(fields, ARGV[3])
end
if ARGV[8] ~= '' then
  table.insert(fields, 'retryOf')
  table.insert(fields, ARGV[8])
end
redis.call('HSET', at.record, unpack(fields))
addEvent(at, now, 1, { state = 'QUEUED' })
for _, index in ipairs(allIndexes(at, 'QUEUED')) do redis.call('ZADD', index, 0, sortKey) end
return publishChange(at)
